"""One error hierarchy for the whole product.

Services raise these; views map them to form errors and the API maps them to one JSON
error format (`{"error": {"code": ..., "message": ..., "fields": {...}}}`). Codes are
stable identifiers that clients may rely on; messages are translated.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A request the product refuses, with a stable code and a translatable message."""

    code: ClassVar[str] = "error"
    http_status: ClassVar[int] = 400
    default_message: ClassVar[Any] = _("The request could not be carried out.")

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code  # type: ignore[misc]
        self.fields = fields or {}
        self.extra = extra or {}
        super().__init__(str(self.message))

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"code": self.code, "message": str(self.message)}
        if self.fields:
            body["fields"] = {k: [str(m) for m in v] for k, v in self.fields.items()}
        if self.extra:
            body["extra"] = self.extra
        return body


class ValidationFailed(ApplicationError):
    code = "invalid"
    http_status = 400
    default_message = _("Some of the data is not valid.")


class NotFound(ApplicationError):
    code = "not_found"
    http_status = 404
    default_message = _("No such record, or it is not visible to you.")


class PermissionDenied(ApplicationError):
    code = "forbidden"
    http_status = 403
    default_message = _("You are not allowed to do this.")


class Conflict(ApplicationError):
    code = "conflict"
    http_status = 409
    default_message = _("The record was changed by someone else; reload and try again.")


class InvalidTransition(Conflict):
    code = "invalid_transition"
    default_message = _("This action is not allowed in the record's current state.")
