"""The JSON API: one NinjaAPI, one error format, two ways to authenticate.

Errors always have the shape `{"error": {"code", "message", "fields"?}}` with a 4xx
status and a message in the request's language. API clients authenticate with
`Authorization: Bearer <token>`; the browser's session works too (with CSRF). A token's
client that names no language is answered in its user's chosen language.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from .errors import ApplicationError

# The largest offset any list endpoint accepts: far past any real list, far below 2**63.
MAX_OFFSET = 1_000_000_000


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from qinqing.accounts.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
            _speak_users_language(request, user)
        return user


def _speak_users_language(request: HttpRequest, user: Any) -> None:
    """A token's client that names no language (no `Accept-Language`, no language
    cookie) is answered in the language its user chose; one that names one gets it."""
    if request.headers.get("Accept-Language") or request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
        return
    language = getattr(user, "language", "")
    if language in {code for code, _name in settings.LANGUAGES}:
        translation.activate(language)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]


class SessionWithCsrf(SessionAuth):
    """The browser session; ninja checks CSRF for unsafe methods."""


def error_response(api: NinjaAPI, request: HttpRequest, status: int, body: dict[str, Any]) -> HttpResponse:
    return api.create_response(request, {"error": body}, status=status)


def _validation_fields(errors: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errors:
        loc = [str(p) for p in err.get("loc", []) if p not in {"body", "payload", "query", "path"}]
        key = ".".join(loc) or "__all__"
        fields.setdefault(key, []).append(_translate_pydantic(err))
    return fields


_PYDANTIC_MESSAGES: list[tuple[str, str]] = [
    # (fragment of pydantic's error type, message); the first that matches wins.
    ("missing", gettext_noop("This field is required.")),
    ("json_invalid", gettext_noop("The request body is not valid JSON.")),
    ("too_long", gettext_noop("This value is too long.")),
    ("too_short", gettext_noop("This value is too short.")),
    ("greater_than", gettext_noop("This value is out of range.")),
    ("less_than", gettext_noop("This value is out of range.")),
    ("_parsing", gettext_noop("This value has the wrong type or format.")),
    ("_type", gettext_noop("This value has the wrong type or format.")),
]


def _translate_pydantic(err: dict[str, Any]) -> str:
    kind = str(err.get("type", ""))
    for fragment, message in _PYDANTIC_MESSAGES:
        if fragment in kind:
            return _(message)
    return _("This value is not valid.")


def _merged(into: dict[Any, Any], update: dict[Any, Any]) -> dict[Any, Any]:
    for key, value in update.items():
        if isinstance(into.get(key), dict) and isinstance(value, dict):
            _merged(into[key], value)
        else:
            into[key] = value
    return into


class QinqingAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Ninja's document, each operation's responses keyed once per status. Ninja keys
        the statuses it knows as numbers and merges `openapi_extra` (whose keys are text,
        as in JSON) beside them, so an endpoint that describes its file response wrote
        "200" twice: JSON parsers keep one or the other, and Swagger UI refuses the whole
        document (a YAML duplicate key)."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                responses = operation.get("responses") if isinstance(operation, dict) else None
                if not responses:
                    continue
                merged: dict[str, Any] = {}
                # The numbers first (ninja's own), then the text keys (the extra's) on them.
                for key in sorted(responses, key=lambda k: isinstance(k, str)):
                    if str(key) in merged and isinstance(responses[key], dict):
                        _merged(merged[str(key)], responses[key])
                    else:
                        merged[str(key)] = responses[key]
                operation["responses"] = merged
        return schema


def build_api() -> NinjaAPI:
    api = QinqingAPI(
        title="Qinqing API",
        version="1",
        description=(
            "Open JSON API of the Qinqing platform. Authenticate with "
            "`Authorization: Bearer <token>` (tokens are issued per user). Errors are "
            '`{"error": {"code": ..., "message": ..., "fields": {...}}}`.'
        ),
        auth=[BearerToken(), SessionWithCsrf()],
        urls_namespace="api",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )

    @api.exception_handler(ApplicationError)
    def on_application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        return error_response(api, request, exc.http_status, exc.as_dict())

    @api.exception_handler(NinjaValidationError)
    def on_validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        body = {
            "code": "invalid",
            "message": _("Some of the data is not valid."),
            "fields": _validation_fields(list(exc.errors)),
        }
        return error_response(api, request, 422, body)

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        body = {"code": "unauthenticated", "message": _("Log in or send a valid API token.")}
        return error_response(api, request, 401, body)

    @api.exception_handler(Http404)
    def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        body = {"code": "not_found", "message": _("No such record, or it is not visible to you.")}
        return error_response(api, request, 404, body)

    @api.exception_handler(HttpError)
    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and str(exc.message).startswith("Cannot parse request body"):
            # ninja's own words for a body its parser could not read: said in the
            # user's language like every other error.
            body = {"code": "invalid_body", "message": _("The request body is not valid JSON.")}
        else:
            body = {"code": f"http_{exc.status_code}", "message": str(exc.message)}
        return error_response(api, request, exc.status_code, body)

    from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
    from django.db import DataError, IntegrityError

    # Safety nets: input that slipped past a schema's bounds (an offset beyond 64 bits)
    # or a race on a unique constraint is the client's 4xx, never a 500.
    @api.exception_handler(DataError)
    @api.exception_handler(OverflowError)
    def on_out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
        body = {"code": "out_of_range", "message": _("This value is out of range.")}
        return error_response(api, request, 400, body)

    @api.exception_handler(IntegrityError)
    def on_integrity(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        if "datatype mismatch" in str(exc):  # SQLite's word for an integer beyond 64 bits
            body = {"code": "out_of_range", "message": _("This value is out of range.")}
            return error_response(api, request, 400, body)
        body = {
            "code": "conflict",
            "message": _("The record was changed by someone else; reload and try again."),
        }
        return error_response(api, request, 409, body)

    @api.exception_handler(DjangoPermissionDenied)
    def on_denied(request: HttpRequest, exc: DjangoPermissionDenied) -> HttpResponse:
        body = {"code": "forbidden", "message": _("You are not allowed to do this.")}
        return error_response(api, request, 403, body)

    return api
