from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .backends import LoginLocked


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("The user name or password is wrong."),
        "locked": _("Too many failed attempts. Try again in a few minutes."),
    }

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except LoginLocked:
            raise forms.ValidationError(self.error_messages["locked"], code="locked") from None
