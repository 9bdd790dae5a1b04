from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from qinqing.common.client_address import client_address

from .services import login_failure_record, login_is_locked, login_success_record


class LoginLocked(Exception):
    """Raised to the login form when the account or the address is locked out."""


class LockoutModelBackend(ModelBackend):
    """The model backend, refusing logins after repeated failures per account and per
    client address within the lockout window. A locked login is refused even with the
    right password, so that guessing cannot continue behind the lock."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None or password is None:
            return None
        address = client_address(request) if request is not None else "local"
        if login_is_locked(username=username, address=address):
            raise LoginLocked
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            login_failure_record(username=username, address=address)
        else:
            login_success_record(username=username)
        return user
