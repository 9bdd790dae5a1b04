"""The shared throttle (common/throttle.py): one atomic count per scope, client address
and window; exactly the limit passes in a window, the next window starts afresh; over
the limit a page or the API answers 429 in the user's language with Retry-After, and the
view is not run; addresses are kept only hashed; ended windows are pruned by a job."""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from typing import Any

import pytest
from django.db import DatabaseError, connection
from django.test import Client
from django.utils import timezone, translation

from qinqing.accounts.tests.factories import UserFactory
from qinqing.common import throttle as throttle_module
from qinqing.common.models import ThrottleCount
from qinqing.common.tasks import prune_throttle_counts
from qinqing.common.throttle import (
    ANONYMOUS_SUBMIT,
    RECEIPT_LOOKUP,
    Verdict,
    throttle,
    throttle_counts_prune,
    throttle_hit,
    throttled_json,
    throttled_message,
    window_of,
)
from qinqing.scheduling.registry import periodic_jobs

from . import throttle_urls

T0 = dt.datetime(2026, 3, 2, 8, 0, 0, tzinfo=dt.UTC)  # on a 600-second boundary


@pytest.fixture
def limits(settings: Any) -> None:
    settings.QINQING_THROTTLES = {RECEIPT_LOOKUP: (3, 600), ANONYMOUS_SUBMIT: (2, 3600)}


@pytest.fixture(autouse=True)
def _seen() -> Any:
    throttle_urls.SEEN.clear()
    yield
    throttle_urls.SEEN.clear()


# --- The count -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("limits")
def test_exactly_the_limit_passes_in_a_window_then_it_is_refused() -> None:
    verdicts = [throttle_hit(RECEIPT_LOOKUP, "a" * 64, now=T0 + dt.timedelta(seconds=i)) for i in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert [v.hits for v in verdicts] == [1, 2, 3, 4, 5]
    # The refused are told when the window ends: 600 s after 08:00, asked at 08:00:03.
    assert verdicts[3].retry_after == 597
    row = ThrottleCount.objects.get()
    assert (row.scope, row.hits, row.window_start) == (RECEIPT_LOOKUP, 5, T0)


@pytest.mark.django_db
@pytest.mark.usefixtures("limits")
def test_the_next_window_starts_afresh() -> None:
    for i in range(4):
        throttle_hit(RECEIPT_LOOKUP, "a" * 64, now=T0 + dt.timedelta(seconds=i))
    assert not throttle_hit(RECEIPT_LOOKUP, "a" * 64, now=T0 + dt.timedelta(seconds=599)).allowed
    # When the window has run out
    later = throttle_hit(RECEIPT_LOOKUP, "a" * 64, now=T0 + dt.timedelta(seconds=600))
    # Then the client may again
    assert later.allowed and later.hits == 1
    assert ThrottleCount.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.usefixtures("limits")
def test_scopes_and_clients_are_counted_apart() -> None:
    for _ in range(3):
        throttle_hit(RECEIPT_LOOKUP, "a" * 64, now=T0)
    assert not throttle_hit(RECEIPT_LOOKUP, "a" * 64, now=T0).allowed
    assert throttle_hit(RECEIPT_LOOKUP, "b" * 64, now=T0).allowed
    assert throttle_hit(ANONYMOUS_SUBMIT, "a" * 64, now=T0).allowed


def test_windows_are_aligned_on_their_length() -> None:
    assert window_of(T0 + dt.timedelta(seconds=599), 600) == T0
    assert window_of(T0 + dt.timedelta(seconds=600), 600) == T0 + dt.timedelta(seconds=600)
    assert window_of(T0 + dt.timedelta(minutes=59), 3600) == T0


@pytest.mark.django_db
def test_a_limit_of_zero_switches_the_scope_off(settings: Any) -> None:
    settings.QINQING_THROTTLES = {RECEIPT_LOOKUP: (0, 600)}
    assert all(throttle_hit(RECEIPT_LOOKUP, "a" * 64).allowed for _ in range(50))
    assert not ThrottleCount.objects.exists()


@pytest.mark.django_db
def test_the_defaults_hold_when_the_settings_name_no_scope(settings: Any) -> None:
    settings.QINQING_THROTTLES = {}
    assert throttle_module.throttle_limits(RECEIPT_LOOKUP) == (30, 600)
    assert throttle_module.throttle_limits(ANONYMOUS_SUBMIT) == (10, 3600)


def test_an_unknown_scope_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unknown throttle scope"):
        throttle("receipt-lookups")


@pytest.mark.django_db
@pytest.mark.usefixtures("limits")
def test_a_count_the_database_refuses_lets_the_request_through(monkeypatch: Any) -> None:
    def broken(*args: Any) -> int:
        raise DatabaseError("database is locked")

    monkeypatch.setattr(throttle_module, "_increment", broken)
    assert all(throttle_hit(RECEIPT_LOOKUP, "a" * 64).allowed for _ in range(5))


def _run_threads(n: int, target: Any) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(n)

    def run() -> None:
        try:
            barrier.wait(timeout=60)
            target()
        except BaseException as exc:  # noqa: BLE001 - handed to the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def concurrent_hits_allow_exactly_the_limit(settings: Any) -> None:
    """Given a limit of 7, when 24 connections count at the same instant, then exactly 7
    are allowed, every count is distinct, and the row holds all 24."""
    settings.QINQING_THROTTLES = {RECEIPT_LOOKUP: (7, 600)}
    now = timezone.now()
    verdicts: list[Verdict] = []
    lock = threading.Lock()

    def hit() -> None:
        verdict = throttle_hit(RECEIPT_LOOKUP, "c" * 64, now=now)
        with lock:
            verdicts.append(verdict)

    assert _run_threads(24, hit) == []
    assert len(verdicts) == 24
    assert sum(v.allowed for v in verdicts) == 7
    assert sorted(v.hits for v in verdicts) == list(range(1, 25))
    assert ThrottleCount.objects.get().hits == 24


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_are_each_counted_once(settings: Any) -> None:
    # On the database of the run (SQLite by default: writers queue on its lock).
    concurrent_hits_allow_exactly_the_limit(settings)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_are_each_counted_once_on_postgresql(settings: Any) -> None:
    assert connection.vendor == "postgresql", (
        "this test needs PostgreSQL: run it with DATABASE_URL=postgres://…"
    )
    concurrent_hits_allow_exactly_the_limit(settings)


# --- Pruning ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.usefixtures("limits")
def test_pruning_deletes_the_windows_that_have_ended_and_keeps_the_current_ones() -> None:
    client = "a" * 64
    throttle_hit(RECEIPT_LOOKUP, client, now=T0)  # window 08:00-08:10
    throttle_hit(RECEIPT_LOOKUP, client, now=T0 + dt.timedelta(minutes=10))  # 08:10-08:20
    throttle_hit(ANONYMOUS_SUBMIT, client, now=T0)  # 08:00-09:00
    ThrottleCount.objects.create(
        scope="retired", client=client, window_start=T0 - dt.timedelta(days=2), hits=1
    )
    ThrottleCount.objects.create(scope="retired", client=client, window_start=T0, hits=1)
    # At 08:15, only the first lookup window and the retired scope's old row have ended
    assert throttle_counts_prune(now=T0 + dt.timedelta(minutes=15)) == 2
    left = set(ThrottleCount.objects.values_list("scope", "window_start"))
    assert left == {
        (RECEIPT_LOOKUP, T0 + dt.timedelta(minutes=10)),
        (ANONYMOUS_SUBMIT, T0),
        ("retired", T0),
    }
    # And the counts still running keep counting
    assert throttle_hit(RECEIPT_LOOKUP, client, now=T0 + dt.timedelta(minutes=15)).hits == 2


@pytest.mark.django_db
def test_the_pruning_runs_every_hour_from_the_scheduler() -> None:
    job = {j.name: j for j in periodic_jobs()}["common.prune_throttle_counts"]
    assert job.period == "hour"
    ThrottleCount.objects.create(
        scope=RECEIPT_LOOKUP, client="a" * 64, window_start=timezone.now() - dt.timedelta(hours=2), hits=3
    )
    assert prune_throttle_counts.call(period_key="2026-03-02T16") == 1
    # Safe to run twice
    assert prune_throttle_counts.call(period_key="2026-03-02T16") == 0
    assert not ThrottleCount.objects.exists()


# --- What the refused are told ---------------------------------------------------------------


def test_the_message_says_when_to_try_again_in_both_languages() -> None:
    with translation.override("en"):
        assert throttled_message(30).endswith("Please try again in 1 minute.")
        assert throttled_message(597).endswith("Please try again in 10 minutes.")
    with translation.override("zh-hans"):
        assert throttled_message(597) == "您所在地址在短时间内的请求过多，请在 10 分钟后再试。"


def test_the_api_answer_keeps_the_one_error_format() -> None:
    with translation.override("en"):
        response = throttled_json(Verdict(allowed=False, hits=4, limit=3, retry_after=120))
    assert response.status_code == 429
    assert response["Retry-After"] == "120"
    assert "no-store" in response["Cache-Control"]
    body = json.loads(response.content)
    assert body == {
        "error": {
            "code": "throttled",
            "message": "Too many requests from your address in a short time. Please try again in 2 minutes.",
            "extra": {"retry_after": 120},
        }
    }


@pytest.mark.django_db
@pytest.mark.urls("qinqing.common.tests.throttle_urls")
@pytest.mark.usefixtures("limits")
@pytest.mark.parametrize(
    ("language", "title", "message"),
    [
        ("zh-hans", "请求过于频繁", r"请在 \d+ 分钟后再试。"),
        ("en", "Too many requests", r"Please try again in \d+ minutes?\."),
    ],
)
def test_a_page_over_the_limit_answers_429_and_does_not_run(language: str, title: str, message: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    # Showing the page counts nothing; looking up does
    for _ in range(5):
        assert client.get("/throttle-test/lookup/").status_code == 200
    for _ in range(3):
        assert client.post("/throttle-test/lookup/").status_code == 200
    refused = client.post("/throttle-test/lookup/")
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 600
    page = refused.content.decode()
    assert title in page
    assert re.search(message, page)
    assert 'data-testid="throttled-kept"' in page
    # The view ran for the five showings and the three lookups only
    assert throttle_urls.SEEN == ["GET"] * 5 + ["POST"] * 3
    # Another address is not affected
    assert Client(REMOTE_ADDR="203.0.113.9").post("/throttle-test/lookup/").status_code == 200


@pytest.mark.django_db
@pytest.mark.urls("qinqing.common.tests.throttle_urls")
@pytest.mark.usefixtures("limits")
def test_an_anonymous_only_throttle_leaves_signed_in_users_alone() -> None:
    visitor = Client()
    assert [visitor.post("/throttle-test/submit/").status_code for _ in range(3)] == [200, 200, 429]
    member = Client()
    user: Any = UserFactory(username="member")
    member.force_login(user)
    assert all(member.post("/throttle-test/submit/").status_code == 200 for _ in range(5))


@pytest.mark.django_db
@pytest.mark.urls("qinqing.common.tests.throttle_urls")
@pytest.mark.usefixtures("limits")
def test_the_client_address_is_kept_only_hashed_and_proxies_are_trusted_as_configured(settings: Any) -> None:
    # Behind one proxy, the address the proxy saw is the client's
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7").post("/throttle-test/lookup/")
        assert n < 3
    assert (
        Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
        .post("/throttle-test/lookup/")
        .status_code
        == 429
    )
    assert (
        Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8")
        .post("/throttle-test/lookup/")
        .status_code
        == 200
    )
    stored = json.dumps(list(ThrottleCount.objects.values()), default=str)
    assert "198.51.100" not in stored and "10.0.0" not in stored
    assert all(len(c) == 64 for c in ThrottleCount.objects.values_list("client", flat=True))
