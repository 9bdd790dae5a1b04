"""The case dossier (案卷) as a PDF: what each audience's copy holds and leaves out,
read back with poppler's pdftotext; who may download it, from the pages and the API;
both languages; Beijing time; the same bytes for the same inputs; a bounded number of
queries whatever the number of steps.

pdftotext comes from Debian's poppler-utils, which `./run test` and CI install; without
it these tests fail, they never skip."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qinqing.accounts.services import api_token_create
from qinqing.policies.dossier import Audience, render_dossier
from qinqing.policies.models import CaseMaterial, PolicyMode
from qinqing.policies.services.cases import case_apply, case_approve

from .dossier_world import (
    APPROVE_COMMENT,
    BASIS_URL,
    CLAUSE_TEXT,
    CLAUSE_URL,
    NAMES,
    OBJECTION_CONTACT,
    OBJECTION_REPLY,
    OBJECTION_TEXT,
    RETURN_ANSWER,
    RETURN_REQUEST,
    confirmed,
    paid_case,
    scenic_policy,
)

pytestmark = pytest.mark.django_db

__all__ = ["paid_case"]

SHANGHAI = ZoneInfo("Asia/Shanghai")
CREATED = dt.datetime(2026, 3, 20, 1, 2, 3, tzinfo=dt.UTC)  # 09:02 in Beijing
PDF_MAGIC = b"%PDF-"


@dataclass(frozen=True)
class Read:
    """A PDF as pdftotext reads it, without any whitespace (pdftotext breaks lines inside
    table cells and drops the spaces between CJK characters and digits): `text` in
    reading order, `lines` as laid out on the page, so that one line holds one row of a
    table (each cell's first line)."""

    text: str
    lines: list[str]

    def __contains__(self, part: str) -> bool:
        return part in self.text

    def row(self, start: str) -> str:
        """The first laid-out line that starts with `start` ("" when none does)."""
        return next((line for line in self.lines if line.startswith(start)), "")


def _pdftotext(path: Any, *args: str) -> str:
    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.fail("pdftotext is missing: install poppler-utils (./run test does it on Debian)")
    return subprocess.run([tool, *args, str(path), "-"], capture_output=True, check=True, text=True).stdout


def read_pdf(pdf: bytes, tmp_path: Any) -> Read:
    assert pdf.startswith(PDF_MAGIC)
    path = tmp_path / "dossier.pdf"
    path.write_bytes(pdf)
    lines = [_bare(line) for line in _pdftotext(path, "-layout").splitlines()]
    return Read(text=_bare(_pdftotext(path)), lines=[line for line in lines if line])


def _bare(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _get(client: Any, user: Any, url: str, language: str = "zh-hans") -> Any:
    client.force_login(user)
    return client.get(url, HTTP_ACCEPT_LANGUAGE=language)


def _enterprise_url(case: Any) -> str:
    return reverse("policies:case_dossier", args=[case.public_id])


def _officer_url(case: Any) -> str:
    return reverse("policies:officer_case_dossier", args=[case.public_id])


def _commission_url(case: Any) -> str:
    return reverse("supervision:policy_case_dossier", args=[case.public_id])


def _assert_download(response: Any, case: Any) -> bytes:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="case-{case.reference}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    return bytes(response.content)


# --- What each copy holds ----------------------------------------------------------------------


def test_the_officials_copy_holds_the_whole_decision_trace_and_timeline(client, paid_case, tmp_path):
    # Given the demo's 3A scenic spot, paid after a return, a notice and an objection
    world, case = paid_case.world, paid_case.case
    # When the officer downloads the dossier from the case page's link
    html = _get(client, world.officer, reverse("policies:officer_case", args=[case.public_id])).content
    assert _officer_url(case) in html.decode()
    text = read_pdf(_assert_download(client.get(_officer_url(case)), case), tmp_path)
    # Then the header names the case, the policy, the enterprise and what it was judged by
    for expected in (
        case.reference,
        "A级旅游景区创建奖励",
        paid_case.policy.code,
        "市发改委",
        world.spot.name,
        world.spot.credit_code,
        "每家企业一次",  # the period
        "确认邀请",  # the origin
        "已兑付",  # the status
        "泉政文〔2023〕15号",
        "泉州市促进文旅经济高质量发展的若干措施",
        BASIS_URL,
        _bare(CLAUSE_TEXT),
        CLAUSE_URL,
    ):
        assert _bare(expected) in text, expected
    # Each condition with the expected value, the enterprise's value, whether it held
    # and its clause: one row each
    assert text.row("经营状态为存续") == "经营状态为存续存续存续✓是—"
    assert text.row("地区代码以3505开头3505") == "地区代码以3505开头3505350500✓是泉政文〔2023〕15号"
    assert text.row("标签“A级旅游景区”为3A、4A、5A3A").startswith(
        "标签“A级旅游景区”为3A、4A、5A3A、4A、5A3A✓是泉政文〔2023〕15号—第五条"
    )
    # The award: the rule's tiers, the tier applied, the cap and what was granted
    assert "A级旅游景区3A：600,000元" in text
    assert "适用档位：3A（A级旅游景区：3A）" in text
    assert text.row("按规则核定金额") == "按规则核定金额600,000元"
    assert text.row("单户上限") == "单户上限2,000,000元"
    assert text.row("核定奖补金额") == "核定奖补金额600,000元"
    assert text.row("已预留资金") == "已预留资金600,000元"
    # Each step with its times (Beijing), due date, limit, outcome and who acted
    assert text.row("受理经办人") == "受理经办人2026-03-0209:152026-03-042026-03-0500:20已通过王建国"
    assert text.row("复核部门负责人") == "复核部门负责人2026-03-0500:202026-03-102026-03-0510:05已通过李淑芬"
    assert text.row("公示经办人") == "公示经办人2026-03-0510:052026-03-122026-03-1300:10已通过系统"
    assert text.row("拨付经办人") == "拨付经办人2026-03-1300:102026-03-162026-03-1309:10已通过陈志强"
    assert (
        text.row("提交时间—") == f"提交时间—2026-03-0209:15确认邀请{paid_case.world.spot_user.display_name}"
    )
    assert "2个工作日逾期" in text  # acceptance's limit, and it ended a day late
    assert f"意见:{_bare(APPROVE_COMMENT)}" in text
    # The pause: asked (by whom), answered, the clock stopped
    assert text.row("待补正材料") == f"待补正材料:提出于2026-03-0210:00({NAMES['officer']})—{RETURN_REQUEST}"
    assert text.row("答复于") == f"答复于2026-03-0314:20—{RETURN_ANSWER}(期间该环节暂停计时)"
    # The notice period and the objection lodged during it, decided by whom
    assert "公示期：2026-03-05至2026-03-12。" in text
    assert text.row("公示期异议") == f"公示期异议2026-03-0611:00{OBJECTION_TEXT}异议不成立{OBJECTION_REPLY}"
    assert text.row(OBJECTION_CONTACT) == f"{OBJECTION_CONTACT}2026-03-0909:30"
    assert NAMES["officer_c"] in text
    # The payment: the instruction's key, amount, times and the payee's masked account
    assert text.row("支付指令编号") == f"支付指令编号{paid_case.instruction.key}"
    assert text.row("金额") == "金额600,000元"
    assert text.row("指令生成时间") == "指令生成时间2026-03-1309:10"
    assert text.row("兑付时间") == "兑付时间2026-03-1309:11"
    assert "···5678" in text
    assert "6216610100012345678" not in text
    # The supervisors' audit trail is theirs
    assert "审计" not in text


def test_beijing_dates_decide_times_and_lateness(paid_case, tmp_path):
    # Acceptance ended at 00:20 on 5 March in Beijing: 16:20 on 4 March in UTC, its due
    # date. By China's calendar it was a day late; by UTC's it would look on time.
    _dossier, pdf = render_dossier(paid_case.case, Audience.OFFICIALS, created_at=CREATED, language="en")
    text = read_pdf(pdf, tmp_path)
    assert "2026-03-0500:20" in text
    assert "2026-03-0416:20" not in text
    assert (
        text.row("AcceptanceOfficer")
        == "AcceptanceOfficer2026-03-0209:152026-03-042026-03-0500:20Approved王建国"
    )
    assert "2workingdayslate" in text
    assert text.text.count("late") == 1  # the notice ends after its period by design: not late
    assert "GeneratedatPage" not in text
    assert "Generatedat2026-03-2009:02" in text


def test_the_enterprise_copy_leaves_out_what_its_page_leaves_out(client, paid_case, tmp_path):
    world, case = paid_case.world, paid_case.case
    # The enterprise's page names no official, no comment, no public objection's grounds
    page = _get(client, world.spot_user, reverse("policies:case", args=[case.public_id])).content.decode()
    for hidden in (
        *NAMES.values(),
        APPROVE_COMMENT,
        OBJECTION_TEXT,
        OBJECTION_CONTACT,
        paid_case.instruction.key,
    ):
        assert hidden not in page, hidden
    assert _enterprise_url(case) in page
    # Nor does its dossier
    text = read_pdf(_assert_download(client.get(_enterprise_url(case)), case), tmp_path)
    for hidden in (
        *NAMES.values(),
        APPROVE_COMMENT,
        OBJECTION_TEXT,
        OBJECTION_CONTACT,
        paid_case.instruction.key,
    ):
        assert _bare(hidden) not in text, hidden
    assert "···5678" not in text
    assert "已预留资金" not in text  # the budget reserved
    assert "意见:" not in text  # no comment heading either
    assert "办理人" not in text  # no "acted by" column
    # But it holds the rest of the record: the case, the trace, the steps' times, the
    # pause, the objection's decision and reply, the money
    for expected in (
        case.reference,
        world.spot.credit_code,
        _bare(CLAUSE_TEXT),
        RETURN_REQUEST,
        RETURN_ANSWER,
        OBJECTION_REPLY,
        "本副本供企业留存，不含工作人员姓名和内部意见。",
    ):
        assert _bare(expected) in text, expected
    assert text.row("标签“A级旅游景区”为3A、4A、5A3A").startswith(
        "标签“A级旅游景区”为3A、4A、5A3A、4A、5A3A✓是泉政文〔2023〕15号—第五条"
    )
    assert text.row("核定奖补金额") == "核定奖补金额600,000元"
    assert text.row("受理经办人") == "受理经办人2026-03-0209:152026-03-042026-03-0500:20已通过"
    assert text.row("拨付经办人") == "拨付经办人2026-03-1300:102026-03-162026-03-1309:10已通过"
    assert text.row("待补正材料") == f"待补正材料:提出于2026-03-0210:00—{RETURN_REQUEST}"
    assert text.row("公示期异议") == f"公示期异议2026-03-0611:00—异议不成立{OBJECTION_REPLY}"
    assert text.row("金额") == "金额600,000元"
    assert text.row("兑付时间") == "兑付时间2026-03-1309:11"
    # And no audit hash or sequence number
    assert "SHA-256" in text  # the materials' column heading, still there
    assert "审计" not in text


def test_the_commission_copy_holds_the_audit_events_with_their_numbers_and_hashes(
    client, paid_case, tmp_path
):
    from qinqing.audit.models import AuditEvent
    from qinqing.payments.models import PaymentInstruction

    world, case = paid_case.world, paid_case.case
    page = _get(client, world.city.city_supervisor, reverse("supervision:policy_case", args=[case.public_id]))
    assert _commission_url(case) in page.content.decode()
    text = read_pdf(_assert_download(client.get(_commission_url(case)), case), tmp_path)
    # Everything the officials' copy holds
    assert f"已通过{NAMES['officer']}" in text
    assert paid_case.instruction.key in text
    # And every audit event of the case, sealed, with its sequence number and hash
    instruction = PaymentInstruction.objects.get(source_id=str(case.pk))
    events = list(
        AuditEvent.objects.filter(object_type="policies.case", object_id=str(case.pk)).order_by("seq")
    )
    assert len(events) >= 6
    for event in events:
        assert event.seq is not None
        at = timezone.localtime(event.at, SHANGHAI).strftime("%Y-%m-%d%H:%M:%S")
        assert text.row(f"#{event.seq}{at}").startswith(f"#{event.seq}{at}{event.action}")
        assert f"哈希值（SHA-256）:{event.hash}" in text
    # Who acted, as the case page reads them: the enterprise's user with her enterprise
    # (not the case's department), the system by name
    opened = next(e for e in events if e.action == "case.open")
    at = timezone.localtime(opened.at, SHANGHAI).strftime("%Y-%m-%d%H:%M:%S")
    assert text.row(f"#{opened.seq}{at}").endswith(str(world.spot_user))
    assert f"{world.spot_user}{world.spot.name}" in text
    assert f"{world.spot_user}{case.organisation.name}" not in text
    assert "系统" in text
    paid = AuditEvent.objects.filter(object_type="payments.paymentinstruction", object_id=str(instruction.pk))
    assert paid.exists()
    assert all(f"哈希值（SHA-256）:{e.hash}" in text for e in paid)
    # With what the check of their stretch of the chain found when it was printed
    found = re.search(r"生成本案卷时，#(\d+)至#(\d+)的哈希链完整（已重新计算并核对(\d+)个事件）", text.text)
    assert found, text.text[-2000:]
    first, last, checked = (int(g) for g in found.groups())
    assert first <= events[0].seq and events[-1].seq <= last
    assert checked == last - first + 1


def test_an_application_s_facts_and_materials_are_in_the_dossier(world, file_storage, tmp_path):
    policy = scenic_policy(
        world,
        mode=PolicyMode.APPLICATION,
        rule={
            "facts": {
                "visitors": {"type": "int", "label": {"zh-hans": "年接待游客人数", "en": "visitors a year"}}
            },
            "conditions": {"all": [{"fact": "visitors", "op": "ge", "value": 10000}]},
            "award": {"kind": "fixed", "amount": "50000"},
        },
        materials=[{"key": "grade", "name": "评定公告", "accepted": ["pdf"]}],
    )
    upload = io.BytesIO(b"%PDF-1.7\n%%EOF\n")
    upload.name = "评定公告.pdf"
    case = case_apply(
        actor=world.spot_user,
        policy=policy,
        enterprise=world.spot,
        facts={"visitors": 12000},
        files={"grade": [upload]},
    )
    material = CaseMaterial.objects.get(case=case)
    for audience in (Audience.ENTERPRISE, Audience.OFFICIALS):
        _dossier, pdf = render_dossier(case, audience, created_at=CREATED, language="zh-hans")
        text = read_pdf(pdf, tmp_path)
        assert "申请时填报的数据" in text
        # By the rule's label, the value as the pages show it
        assert text.row("年接待游客人数") == "年接待游客人数12,000"
        assert text.row("申报的年接待游客人数") == "申报的年接待游客人数不低于10,00010,00012,000✓是—"
        assert "visitors" not in text
        uploaded = timezone.localtime(material.uploaded_at, SHANGHAI).strftime("%Y-%m-%d%H:%M")
        assert text.row("评定公告评定公告.pdf") == f"评定公告评定公告.pdf{material.size}{uploaded}"
        assert text.row("SHA-256:") == f"SHA-256:{material.sha256}"
        assert text.row("来源").startswith("来源依申请")


def test_a_capped_award_says_so(world, tmp_path):
    case = confirmed(world, scenic_policy(world, cap_per_enterprise=500000))
    assert case.award < case.award_computed
    _dossier, pdf = render_dossier(case, Audience.ENTERPRISE, created_at=CREATED, language="en")
    text = read_pdf(pdf, tmp_path)
    assert "Awardbytherule600,000yuan" in text
    assert "Capperenterprise500,000yuan" in text
    assert "Awardgranted500,000yuan(reducedtothepolicy'scapperenterprise)" in text
    assert "Nothinghasbeenpaid." in text


# --- Languages and bytes -----------------------------------------------------------------------


def test_english_and_chinese_copies_are_each_in_their_language(client, paid_case, tmp_path):
    world, case = paid_case.world, paid_case.case
    english = read_pdf(_get(client, world.officer, _officer_url(case), language="en").content, tmp_path)
    chinese = read_pdf(_get(client, world.officer, _officer_url(case), language="zh-hans").content, tmp_path)
    assert f"Casedossier{case.reference}" in english
    assert "Decisiontrace" in english
    assert "Page1of" in english
    assert "600,000yuan" in english
    assert "Acceptance" in english
    assert f"案卷{case.reference}" in chinese
    assert "判定过程" in chinese
    assert "第1页/共" in chinese
    assert "600,000元" in chinese
    for word in ("Decision", "Timeline", "Payment", "Conditions", "Award", "Generated"):
        assert word not in chinese, word


def test_the_same_inputs_give_the_same_bytes(paid_case):
    _d, first = render_dossier(paid_case.case, Audience.OFFICIALS, created_at=CREATED, language="zh-hans")
    _d, again = render_dossier(paid_case.case, Audience.OFFICIALS, created_at=CREATED, language="zh-hans")
    assert first == again
    later = CREATED + dt.timedelta(minutes=1)
    _d, other = render_dossier(paid_case.case, Audience.OFFICIALS, created_at=later, language="zh-hans")
    assert other != first


def test_the_generation_time_must_be_aware(paid_case):
    with pytest.raises(ValueError, match="aware"):
        render_dossier(
            paid_case.case,
            Audience.ENTERPRISE,
            created_at=dt.datetime(2026, 3, 20, 9, 0),  # noqa: DTZ001
            language="en",
        )


# --- Who may download it -----------------------------------------------------------------------


def test_another_enterprise_gets_a_404_as_on_the_page(client, paid_case):
    from qinqing.accounts.models import Role
    from qinqing.accounts.tests.factories import UserFactory, give_role

    other = give_role(UserFactory(), Role.ENTERPRISE, enterprise=paid_case.world.city.other_enterprise)
    case = paid_case.case
    assert _get(client, other, reverse("policies:case", args=[case.public_id])).status_code == 404
    assert client.get(_enterprise_url(case)).status_code == 404
    # The officials' and the supervisors' copies are not theirs either
    assert client.get(_officer_url(case)).status_code == 403
    assert client.get(_commission_url(case)).status_code == 403


def test_an_officer_of_another_department_cannot_download(client, paid_case):
    case, outsider = paid_case.case, paid_case.world.city.other_officer
    assert _get(client, outsider, reverse("policies:officer_case", args=[case.public_id])).status_code == 404
    assert client.get(_officer_url(case)).status_code == 404
    assert client.get(_commission_url(case)).status_code == 404
    # An official following the enterprise's link goes on to the officials' copy
    response = client.get(_enterprise_url(case))
    assert response.status_code == 302
    assert response["Location"] == _officer_url(case)


def test_anonymous_visitors_are_sent_to_log_in(client, paid_case):
    for url in (
        _enterprise_url(paid_case.case),
        _officer_url(paid_case.case),
        _commission_url(paid_case.case),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("accounts:login") in response["Location"]


def test_a_supervisor_reads_the_officials_copy_and_cannot_change_the_case(client, paid_case, tmp_path):
    case, supervisor = paid_case.case, paid_case.world.city.supervisor
    text = read_pdf(_assert_download(_get(client, supervisor, _officer_url(case)), case), tmp_path)
    assert f"已通过{NAMES['head']}" in text
    assert _assert_download(client.get(_commission_url(case)), case)
    # The download is a GET, and the case's actions stay refused to a supervisor
    assert client.post(_officer_url(case)).status_code == 405
    url = reverse("policies:officer_case_approve", args=[case.public_id])
    assert client.post(url, {"revision": case.revision}).status_code == 403


# --- Queries ---------------------------------------------------------------------------------------


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_query_count_does_not_grow_with_the_steps(
    client, paid_case, django_assert_max_num_queries, steady_calendar
):
    world = paid_case.world
    one_step = confirmed(world, scenic_policy(world, code="one-step-policy"))
    case_approve(actor=world.officer, case=one_step)  # two steps now
    client.force_login(world.officer)
    client.get(_officer_url(one_step))  # warm the per-process caches
    with django_assert_max_num_queries(14):
        assert client.get(_officer_url(paid_case.case)).status_code == 200
    # Four steps, a return, an objection and a payment cost what two steps cost
    assert _queries(client, _officer_url(paid_case.case)) == _queries(client, _officer_url(one_step))
    client.force_login(world.spot_user)
    client.get(_enterprise_url(one_step))
    with django_assert_max_num_queries(12):
        assert client.get(_enterprise_url(paid_case.case)).status_code == 200


def test_the_commission_copy_s_query_count_does_not_grow_with_the_events(
    client, paid_case, django_assert_max_num_queries, steady_calendar
):
    world = paid_case.world
    fresh = confirmed(world, scenic_policy(world, code="fresh-policy"))
    client.force_login(world.city.city_supervisor)
    client.get(_commission_url(fresh))
    # The audit part (sealing, the events, their stretch of the chain checked) is the
    # supervision case page's; the dossier adds its own fixed few
    with django_assert_max_num_queries(26):
        assert client.get(_commission_url(paid_case.case)).status_code == 200
    assert _queries(client, _commission_url(paid_case.case)) == _queries(client, _commission_url(fresh))


# --- The API ---------------------------------------------------------------------------------------


def _token(user: Any) -> str:
    _t, key = api_token_create(actor=user, user=user, name="dossier")
    return key


def _api(client: Any, path: str, token: str | None = None, language: str = "zh-hans") -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1{path}", HTTP_ACCEPT_LANGUAGE=language, **headers)


def test_each_audience_downloads_its_copy_over_the_api(client, paid_case, tmp_path):
    world, case = paid_case.world, paid_case.case
    mine = _api(client, f"/policies/mine/cases/{case.public_id}/dossier", _token(world.spot_user))
    text = read_pdf(_assert_download(mine, case), tmp_path)
    assert case.reference in text
    assert NAMES["officer"] not in text
    officials = _api(client, f"/policies/cases/{case.public_id}/dossier", _token(world.officer), "en")
    text = read_pdf(_assert_download(officials, case), tmp_path)
    assert f"Approved{NAMES['officer']}" in text
    commission = _api(
        client, f"/supervision/policies/cases/{case.public_id}/dossier", _token(world.city.city_supervisor)
    )
    text = read_pdf(_assert_download(commission, case), tmp_path)
    assert "审计轨迹" in text


def test_the_api_refuses_as_the_case_endpoints_do(client, paid_case):
    world, case = paid_case.world, paid_case.case
    mine = f"/policies/mine/cases/{case.public_id}/dossier"
    officials = f"/policies/cases/{case.public_id}/dossier"
    commission = f"/supervision/policies/cases/{case.public_id}/dossier"
    for path in (mine, officials, commission):
        response = _api(client, path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "unauthenticated"
    from qinqing.accounts.models import Role
    from qinqing.accounts.tests.factories import UserFactory, give_role

    other = _token(give_role(UserFactory(), Role.ENTERPRISE, enterprise=world.city.other_enterprise))
    assert _api(client, mine, other).status_code == 404
    assert _api(client, officials, other).status_code == 403
    assert _api(client, commission, other).status_code == 403
    outsider = _token(world.city.other_officer)
    assert _api(client, officials, outsider).status_code == 404
    assert _api(client, commission, outsider).status_code == 404
    assert _api(client, mine, outsider).status_code == 404
    assert _api(client, officials, _token(world.city.supervisor)).status_code == 200


def test_the_openapi_document_describes_the_three_downloads(client):
    document = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/policies/mine/cases/{case_id}/dossier",
        "/api/v1/policies/cases/{case_id}/dossier",
        "/api/v1/supervision/policies/cases/{public_id}/dossier",
    ):
        operation = document["paths"][path]["get"]
        ok = operation["responses"]["200"]
        assert "application/pdf" in ok["content"], path
        assert "Content-Disposition" in ok["headers"], path
        assert "dossier" in operation["summary"], path
