"""The ledger's open doors are throttled per client address (common/throttle.py):
following a problem by its receipt code (the follow page, its return-visit and
reopening forms, and `POST /follow`, `/follow/visit`, `/follow/reopen`), and reporting
at a monitoring point without an account (its page and `POST /points/{token}/report`).
Past the limit: 429 with Retry-After and a message in the user's language; nothing is
recorded and nothing already recorded changes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from qinqing.common.throttle import ANONYMOUS_SUBMIT, RECEIPT_LOOKUP
from qinqing.ledger import services
from qinqing.ledger.models import Category, Channel, Problem, ProblemStatus

from .conftest import World

pytestmark = pytest.mark.django_db

API = "/api/v1/ledger"
ZH_MESSAGE = re.compile(r"您所在地址在短时间内的请求过多，请在 \d+ 分钟后再试。")
EN_MESSAGE = re.compile(
    r"Too many requests from your address in a short time\. Please try again in \d+ minutes?\."
)
LANGUAGES = [("zh-hans", ZH_MESSAGE, "请求过于频繁"), ("en", EN_MESSAGE, "Too many requests")]


@pytest.fixture(autouse=True)
def limits(settings: Any) -> None:
    settings.QINQING_THROTTLES = {RECEIPT_LOOKUP: (2, 600), ANONYMOUS_SUBMIT: (1, 3600)}


@pytest.fixture
def reported(ledger: World) -> tuple[Problem, str]:
    return services.problem_report_at_point(
        token=ledger.point.token,
        title="园区道路积水",
        description="雨后积水严重。",
        category=Category.CULTURAL,
    )


def url(name: str, *args: Any) -> str:
    return reverse(f"ledger:{name}", args=args)


def _refused_page(response: Any, message: re.Pattern[str], title: str) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600
    html = response.content.decode()
    assert title in html
    assert message.search(html)


def _refused_json(response: Any, message: re.Pattern[str]) -> None:
    assert response.status_code == 429
    seconds = int(response["Retry-After"])
    assert 1 <= seconds <= 3600
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert message.fullmatch(error["message"])
    assert error["extra"] == {"retry_after": seconds}


# --- Pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "message", "title"), LANGUAGES)
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("follow", {"code": "{code}"}),
        ("follow_visit", {"code": "{code}", "score": "5", "fixed": "1", "comment": "好"}),
        ("follow_reopen", {"code": "{code}", "reason": "又积水了"}),
    ],
)
def test_each_follow_page_refuses_lookups_past_the_limit(
    reported: tuple[Problem, str],
    name: str,
    data: dict[str, str],
    language: str,
    message: re.Pattern[str],
    title: str,
) -> None:
    problem, code = reported
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    body = {k: v.replace("{code}", code) for k, v in data.items()}
    # Showing the follow page counts nothing
    for _ in range(3):
        assert client.get(url("follow")).status_code == 200
    answered = [client.post(url(name), body).status_code for _ in range(2)]
    assert all(status < 429 for status in answered), answered
    _refused_page(client.post(url(name), body), message, title)
    # Nothing changed: the problem waits as it was
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.REGISTERED
    # Another address still may
    assert Client(REMOTE_ADDR="198.51.100.30").post(url("follow"), {"code": code}).status_code == 200


@pytest.mark.parametrize(("language", "message", "title"), LANGUAGES)
def test_a_monitoring_point_refuses_reports_past_the_limit(
    ledger: World, language: str, message: re.Pattern[str], title: str
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    page = url("point_report", ledger.point.token)
    report = {
        "title": "停车场收费不明",
        "description": "园区停车收费没有公示标准。",
        "category": Category.MARKET,
    }
    assert client.post(page, report).status_code == 303
    # The form is still shown to the same visitor
    assert client.get(page).status_code == 200
    refused = client.post(page, {**report, "title": "第二条"})
    _refused_page(refused, message, title)
    assert 'data-testid="throttled-kept"' in refused.content.decode()
    # One problem registered, the first, and its receipt page still shows its code
    assert list(Problem.objects.filter(channel=Channel.MONITORING).values_list("title", flat=True)) == [
        "停车场收费不明"
    ]
    assert 'data-testid="receipt"' in client.get(url("point_receipt", ledger.point.token)).content.decode()


# --- Over JSON -------------------------------------------------------------------------------


def _post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(f"{API}{path}", json.dumps(body), content_type="application/json")


@pytest.mark.parametrize(("language", "message", "title"), LANGUAGES)
@pytest.mark.parametrize(
    ("path", "extra"),
    [
        ("/follow", {}),
        ("/follow/visit", {"score": 5, "fixed": True, "comment": "好"}),
        ("/follow/reopen", {"reason": "又积水了"}),
    ],
)
def test_each_follow_endpoint_refuses_lookups_past_the_limit(
    reported: tuple[Problem, str],
    path: str,
    extra: dict[str, Any],
    language: str,
    message: re.Pattern[str],
    title: str,
) -> None:
    problem, code = reported
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    answered = [_post(client, path, {"receipt": code, **extra}).status_code for _ in range(2)]
    assert all(status < 429 for status in answered), answered
    _refused_json(_post(client, path, {"receipt": code, **extra}), message)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.REGISTERED


@pytest.mark.parametrize(("language", "message", "title"), LANGUAGES)
def test_the_point_report_endpoint_refuses_reports_past_the_limit(
    ledger: World, language: str, message: re.Pattern[str], title: str
) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    path = f"{API}/points/{ledger.point.token}/report"
    report = {"title": "窗口午休不办理", "description": "中午窗口无人。", "category": "government"}
    first = client.post(path, report)
    assert first.status_code == 201, first.content
    _refused_json(client.post(path, {**report, "title": "第二条"}), message)
    assert Problem.objects.filter(channel=Channel.MONITORING).count() == 1
    # The receipt given first still follows the problem
    followed = _post(client, "/follow", {"receipt": first.json()["receipt"]})
    assert followed.status_code == 200 and followed.json()["reference"] == first.json()["reference"]
