"""Throttles: how many requests one client address may make in a window, per scope.

Public lookups by receipt code (a 16-digit code cannot be guessed, but nothing else
would stop trying codes) and submissions without an account (nothing else would stop
flooding a department) are counted per client address, as the login lockout counts
failures (`qinqing.accounts.services`, same `client_address`, same trust in proxies).

- **Shared by every web process.** The count lives in the database (`ThrottleCount`),
  one row per scope, client and fixed window, counted up by ONE statement
  (`INSERT … ON CONFLICT DO UPDATE SET hits = hits + 1 RETURNING hits`, SQLite ≥ 3.35
  and PostgreSQL alike): concurrent requests each get their own number, so exactly
  `limit` of them pass in a window whatever the number of processes.
- **Fixed windows** aligned on the epoch (`window_start` = now rounded down to the
  window's length): simple and exact; a client may make up to twice the limit across
  a window's boundary, which is well below what trying codes would need.
- **Never kept in clear.** The address is stored as its HMAC with the server's secret.
- **Refused plainly.** Over the limit, a page answers 429 with a page that says when to
  try again, the JSON API 429 `{"error": {"code": "throttled", "message", "extra":
  {"retry_after"}}}`, both with `Retry-After`, in the user's language. The check comes
  before the view, so nothing is read or written, and nothing already saved changes.
- **Pruned** by the periodic job `common.prune_throttle_counts` (`common/tasks.py`).
- **Configured** by `settings.QINQING_THROTTLES` (scope -> (requests, seconds)); a
  limit of 0 switches a scope off. A database that cannot count lets the request
  through (logged): a throttle must not turn an outage of its own into refusals.

Pages: `@throttle(RECEIPT_LOOKUP)` (counts POSTs: the lookups, not the empty form), or
`@throttle(ANONYMOUS_SUBMIT, only_anonymous=True)`. JSON operations:
`@throttle_api(RECEIPT_LOOKUP)` below `@router.post(...)`.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.db import DatabaseError, connections, router, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .client_address import client_address
from .errors import ApplicationError
from .models import ThrottleCount

if TYPE_CHECKING:
    from django.db.models import Field

logger = logging.getLogger(__name__)

RECEIPT_LOOKUP = "receipt_lookup"
ANONYMOUS_SUBMIT = "anonymous_submit"

# The scopes and their limits when the settings name none: (requests, window seconds).
DEFAULT_THROTTLES: dict[str, tuple[int, int]] = {
    RECEIPT_LOOKUP: (30, 600),
    ANONYMOUS_SUBMIT: (10, 3600),
}

_HMAC_SALT = "qinqing.common.throttle.client"

V = TypeVar("V", bound=Callable[..., Any])


class Throttled(ApplicationError):
    code = "throttled"
    http_status = 429
    default_message = _("Too many requests from your address. Please try again later.")


@dataclass(frozen=True)
class Verdict:
    """One request counted: allowed or not, the count so far in its window, the limit,
    and the whole seconds until the window ends (when a refused client may try again)."""

    allowed: bool
    hits: int
    limit: int
    retry_after: int


def throttle_limits(scope: str) -> tuple[int, int]:
    """(requests, window seconds) of `scope`: the setting's, else the default."""
    configured = getattr(settings, "QINQING_THROTTLES", {}) or {}
    limit, seconds = configured.get(scope, DEFAULT_THROTTLES[scope])
    return int(limit), int(seconds)


def client_key(request: HttpRequest) -> str:
    """What is stored of the request's client address: its keyed hash (hex)."""
    return salted_hmac(_HMAC_SALT, client_address(request), algorithm="sha256").hexdigest()


def window_of(now: dt.datetime, seconds: int) -> dt.datetime:
    """The start of the fixed window of `seconds` that holds `now` (UTC)."""
    epoch = math.floor(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def _increment(scope: str, client: str, window_start: dt.datetime) -> int:
    """Count one request in the window, atomically; the count after it."""
    alias = router.db_for_write(ThrottleCount)
    connection = connections[alias]
    qn = connection.ops.quote_name
    meta = ThrottleCount._meta
    table = qn(meta.db_table)
    columns = {
        name: qn(cast("Field[Any, Any]", meta.get_field(name)).column)
        for name in ("scope", "client", "window_start", "hits")
    }
    target = ", ".join(columns[name] for name in ("scope", "client", "window_start"))
    sql = (
        f"INSERT INTO {table} ({target}, {columns['hits']}) VALUES (%s, %s, %s, 1) "  # noqa: S608 - names from the model, quoted
        f"ON CONFLICT ({target}) DO UPDATE SET {columns['hits']} = {table}.{columns['hits']} + 1 "
        f"RETURNING {columns['hits']}"
    )
    value = connection.ops.adapt_datetimefield_value(window_start)
    # A savepoint inside a caller's transaction, so that a failed count leaves it usable.
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        cursor.execute(sql, [scope, client, value])
        row = cursor.fetchone()
    return int(row[0])


def throttle_hit(scope: str, client: str, *, now: dt.datetime | None = None) -> Verdict:
    """Count one request of `client` (a `client_key`) in `scope` and say whether it is
    within the limit. A scope switched off, or a count the database refused, allows."""
    limit, seconds = throttle_limits(scope)
    if limit <= 0 or seconds <= 0:
        return Verdict(allowed=True, hits=0, limit=0, retry_after=0)
    now = now or timezone.now()
    start = window_of(now, seconds)
    try:
        hits = _increment(scope, client, start)
    except DatabaseError:
        logger.warning("throttle %s could not count a request; let through", scope, exc_info=True)
        return Verdict(allowed=True, hits=0, limit=limit, retry_after=0)
    retry_after = max(1, math.ceil((start + dt.timedelta(seconds=seconds) - now).total_seconds()))
    allowed = hits <= limit
    if not allowed and hits == limit + 1:
        # Once per client and window: the first refusal is worth a line in the log.
        logger.warning("throttle %s: client %s over %s requests", scope, client[:12], limit)
    return Verdict(allowed=allowed, hits=hits, limit=limit, retry_after=retry_after)


def throttle_request(request: HttpRequest, scope: str) -> Verdict:
    return throttle_hit(scope, client_key(request))


def is_anonymous(request: HttpRequest) -> bool:
    """Neither a signed-in browser nor an API client naming a token (a token that does
    not authenticate is refused by the API before anything is written)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    return not request.headers.get("Authorization")


def throttled_message(retry_after: int) -> str:
    minutes = max(1, math.ceil(retry_after / 60))
    return ngettext(
        "Too many requests from your address in a short time. Please try again in %(minutes)s minute.",
        "Too many requests from your address in a short time. Please try again in %(minutes)s minutes.",
        minutes,
    ) % {"minutes": minutes}


def throttled_error(verdict: Verdict) -> Throttled:
    return Throttled(throttled_message(verdict.retry_after), extra={"retry_after": verdict.retry_after})


def throttled_headers(response: HttpResponse, verdict: Verdict) -> HttpResponse:
    """`Retry-After` and no caching, on any answer to a refused request."""
    response["Retry-After"] = str(verdict.retry_after)
    add_never_cache_headers(response)
    return response


def throttled_page(request: HttpRequest, verdict: Verdict) -> HttpResponse:
    """The page a refused request gets: 429, what happened and when to try again."""
    response = render(
        request,
        "common/throttled.html",
        {"message": throttled_message(verdict.retry_after), "sent_form": request.method == "POST"},
        status=429,
    )
    return throttled_headers(response, verdict)


def throttled_json(verdict: Verdict) -> HttpResponse:
    """The JSON API's answer to a refused request, in its one error format."""
    error = throttled_error(verdict)
    return throttled_headers(JsonResponse({"error": error.as_dict()}, status=error.http_status), verdict)


def _check_scope(scope: str) -> None:
    if scope not in DEFAULT_THROTTLES:
        raise ValueError(f"unknown throttle scope {scope!r}; use one of {', '.join(DEFAULT_THROTTLES)}")


def throttle(
    scope: str, *, methods: Iterable[str] = ("POST",), only_anonymous: bool = False
) -> Callable[[V], V]:
    """A page's throttle: its requests of `methods` (the lookups and submissions, not
    the empty form) are counted per client address; over the limit, a 429 page. With
    `only_anonymous`, requests of signed-in users are neither counted nor refused."""
    _check_scope(scope)
    counted = frozenset(m.upper() for m in methods)

    def decorator(view: V) -> V:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if request.method in counted and (not only_anonymous or is_anonymous(request)):
                verdict = throttle_request(request, scope)
                if not verdict.allowed:
                    return throttled_page(request, verdict)
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def throttle_api(scope: str, *, only_anonymous: bool = False) -> Callable[[V], V]:
    """A JSON operation's throttle (django-ninja), placed below `@router.<method>`:
    every call is counted per client address before the operation authenticates or
    reads its input; over the limit, the API's error format with 429."""
    from ninja.decorators import decorate_view

    _check_scope(scope)

    def around(run: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(run)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            if not only_anonymous or is_anonymous(request):
                verdict = throttle_request(request, scope)
                if not verdict.allowed:
                    return throttled_json(verdict)
            return run(request, *args, **kwargs)

        return wrapped

    return decorate_view(around)


def throttle_counts_prune(*, now: dt.datetime | None = None) -> int:
    """Delete the counts of windows that have ended; the number of rows deleted. A scope
    no longer configured keeps its rows a day, then they go too."""
    at = now or timezone.now()
    scopes = set(DEFAULT_THROTTLES) | set(getattr(settings, "QINQING_THROTTLES", {}) or {})
    deleted = 0
    for scope in sorted(scopes):
        _limit, seconds = (
            throttle_limits(scope) if scope in DEFAULT_THROTTLES else settings.QINQING_THROTTLES[scope]
        )
        ended = at - dt.timedelta(seconds=max(int(seconds), 0))
        count, _by_model = ThrottleCount.objects.filter(scope=scope, window_start__lte=ended).delete()
        deleted += count
    stale, _by_model = (
        ThrottleCount.objects.exclude(scope__in=scopes)
        .filter(window_start__lt=at - dt.timedelta(days=1))
        .delete()
    )
    return deleted + stale
