"""Every shape of the rule language told as a person would write it, in both languages:
each condition operator on each kind of figure, each award kind, the application's facts
under the labels the rule gives them, and the pages and API that show them."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone, translation

from qinqing.enterprises.models import EnterpriseLabel
from qinqing.policies.models import Case
from qinqing.policies.rules import InvalidRule, evaluate, parse_facts, parse_rule
from qinqing.policies.rules.schema import ATTRIBUTES, FACT_KINDS, LABEL_LANGUAGES, LABEL_OPS, OPS
from qinqing.policies.services.cases import case_apply
from qinqing.policies.summaries import award_lines, condition_lines, given_facts
from qinqing.policies.views.enterprise_forms import ApplyForm
from qinqing.policies.views.explain import explanation_rows, fact_hints

from .factories import make_policy
from .workflow import THREE_STEPS, World

# An identifier of the rule's JSON (graduates_hired, tax_paid, …) shown to a reader.
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")

FACTS: dict[str, Any] = {
    "graduates_hired": {
        "type": "int",
        "label": {"zh-hans": "当年新招用高校毕业生人数", "en": "graduates hired this year"},
    },
    "rd_expense": {"type": "money", "label": {"zh-hans": "上年度研发费用", "en": "R&D expenses last year"}},
    # One text for every language.
    "contract_signed_on": {"type": "date", "label": "劳动合同签订日期"},
    "talent_level": {"type": "code", "label": {"zh-hans": "人才类别", "en": "talent category"}},
    "first_export": {"type": "bool", "label": {"zh-hans": "首次出口", "en": "first export"}},
}

# (condition, Chinese, English): every operator of every kind of figure, with the values
# a policy would use.
LEAVES: list[tuple[dict[str, Any], str, str]] = [
    # A count (int attribute).
    ({"attr": "employees", "op": "eq", "value": 50}, "从业人数为 50", "Employees is 50"),
    ({"attr": "employees", "op": "ne", "value": 0}, "从业人数不为 0", "Employees is not 0"),
    ({"attr": "employees", "op": "lt", "value": 300}, "从业人数低于 300", "Employees is below 300"),
    (
        {"attr": "employees", "op": "le", "value": 12000},
        "从业人数不超过 12,000",
        "Employees is at most 12,000",
    ),
    ({"attr": "employees", "op": "gt", "value": 10}, "从业人数高于 10", "Employees is above 10"),
    (
        {"attr": "insured_employees", "op": "ge", "value": 20},
        "参保职工人数不低于 20",
        "Insured employees is at least 20",
    ),
    (
        {"attr": "employees", "op": "between", "value": [20, 300]},
        "从业人数介于 20 与 300 之间",
        "Employees is between 20 and 300",
    ),
    (
        {"attr": "employees", "op": "in", "value": [50, 100]},
        "从业人数为 50、100 之一",
        "Employees is one of 50, 100",
    ),
    ({"attr": "employees", "op": "not_in", "value": [0]}, "从业人数不为 0 中任一", "Employees is none of 0"),
    # Money (yuan; round figures as the documents write them in Chinese).
    (
        {"attr": "revenue", "op": "eq", "value": "20000000"},
        "营业收入为 2000万元",
        "Revenue is 20,000,000 yuan",
    ),
    ({"attr": "revenue", "op": "ne", "value": "0"}, "营业收入不为 0元", "Revenue is not 0 yuan"),
    (
        {"attr": "revenue", "op": "lt", "value": "400000000"},
        "营业收入低于 4亿元",
        "Revenue is below 400,000,000 yuan",
    ),
    (
        {"attr": "registered_capital", "op": "le", "value": "1234567.89"},
        "注册资本不超过 1,234,567.89元",
        "Registered capital is at most 1,234,567.89 yuan",
    ),
    (
        {"attr": "tax_paid", "op": "gt", "value": "15000"},
        "纳税额高于 15,000元",
        "Tax paid is above 15,000 yuan",
    ),
    (
        {"attr": "tax_paid", "op": "ge", "value": "5000000"},
        "纳税额不低于 500万元",
        "Tax paid is at least 5,000,000 yuan",
    ),
    (
        {"attr": "revenue", "op": "between", "value": ["5000000", "20000000"]},
        "营业收入介于 500万元 与 2000万元 之间",
        "Revenue is between 5,000,000 yuan and 20,000,000 yuan",
    ),
    # A date.
    (
        {"attr": "founded_on", "op": "eq", "value": "2020-01-01"},
        "成立日期为 2020-01-01",
        "Date founded is 2020-01-01",
    ),
    (
        {"attr": "founded_on", "op": "ne", "value": "2020-01-01"},
        "成立日期不为 2020-01-01",
        "Date founded is not 2020-01-01",
    ),
    (
        {"attr": "founded_on", "op": "lt", "value": "2024-01-01"},
        "成立日期低于 2024-01-01",
        "Date founded is below 2024-01-01",
    ),
    (
        {"attr": "founded_on", "op": "le", "value": "2024-01-01"},
        "成立日期不超过 2024-01-01",
        "Date founded is at most 2024-01-01",
    ),
    (
        {"attr": "founded_on", "op": "gt", "value": "2010-01-01"},
        "成立日期高于 2010-01-01",
        "Date founded is above 2010-01-01",
    ),
    (
        {"attr": "founded_on", "op": "ge", "value": "2010-01-01"},
        "成立日期不低于 2010-01-01",
        "Date founded is at least 2010-01-01",
    ),
    (
        {"attr": "founded_on", "op": "between", "value": ["2010-01-01", "2020-12-31"]},
        "成立日期介于 2010-01-01 与 2020-12-31 之间",
        "Date founded is between 2010-01-01 and 2020-12-31",
    ),
    (
        {"attr": "founded_on", "op": "age_ge", "value": 5},
        "成立日期距今满 5 年",
        "Date founded is at least 5 years ago",
    ),
    (
        {"attr": "founded_on", "op": "age_lt", "value": 3},
        "成立日期距今不满 3 年",
        "Date founded is less than 3 years ago",
    ),
    # A code.
    ({"attr": "industry_code", "op": "eq", "value": "C3911"}, "行业代码为 C3911", "Industry code is C3911"),
    (
        {"attr": "industry_code", "op": "ne", "value": "C3912"},
        "行业代码不为 C3912",
        "Industry code is not C3912",
    ),
    (
        {"attr": "industry_code", "op": "in", "value": ["C39", "C18"]},
        "行业代码为 C39、C18 之一",
        "Industry code is one of C39, C18",
    ),
    (
        {"attr": "industry_code", "op": "not_in", "value": ["A0111"]},
        "行业代码不为 A0111 中任一",
        "Industry code is none of A0111",
    ),
    (
        {"attr": "region_code", "op": "prefix", "value": ["3505", "3501"]},
        "地区代码以 3505、3501 开头",
        "Region code starts with 3505, 3501",
    ),
    # A choice.
    ({"attr": "status", "op": "eq", "value": "active"}, "经营状态为 存续", "Status is Active"),
    (
        {"attr": "status", "op": "ne", "value": "deregistered"},
        "经营状态不为 注销",
        "Status is not Deregistered",
    ),
    (
        {"attr": "status", "op": "in", "value": ["active", "suspended"]},
        "经营状态为 存续、停业 之一",
        "Status is one of Active, Suspended",
    ),
    (
        {"attr": "status", "op": "not_in", "value": ["deregistered"]},
        "经营状态不为 注销 中任一",
        "Status is none of Deregistered",
    ),
    # Yes / no.
    (
        {"attr": "bank_account_verified", "op": "eq", "value": True},
        "银行账户已核验为 是",
        "Bank account verified is yes",
    ),
    (
        {"attr": "bank_account_verified", "op": "ne", "value": False},
        "银行账户已核验不为 否",
        "Bank account verified is not no",
    ),
    # Labels: known ones by their name, a demo one by its name too.
    (
        {"label": "high_tech", "op": "exists"},
        "标签“高新技术企业”已登记",
        "Label High-tech enterprise is recorded",
    ),
    (
        {"label": "scenic_grade", "op": "eq", "value": "4A"},
        "标签“A级旅游景区”为 4A",
        "Label Graded scenic area is 4A",
    ),
    (
        {"label": "scenic_grade", "op": "ne", "value": "1A"},
        "标签“A级旅游景区”不为 1A",
        "Label Graded scenic area is not 1A",
    ),
    (
        {"label": "scenic_grade", "op": "in", "value": ["3A", "4A", "5A"]},
        "标签“A级旅游景区”为 3A、4A、5A 之一",
        "Label Graded scenic area is one of 3A, 4A, 5A",
    ),
    (
        {"label": "first_export", "op": "not_in", "value": ["2024"]},
        "标签“首次出口年份”不为 2024 中任一",
        "Label Year of first export is none of 2024",
    ),
    # The application's facts, by their labels.
    (
        {"fact": "graduates_hired", "op": "ge", "value": 5},
        "申报的当年新招用高校毕业生人数不低于 5",
        "Graduates hired this year (declared) is at least 5",
    ),
    (
        {"fact": "rd_expense", "op": "between", "value": ["1000000", "50000000"]},
        "申报的上年度研发费用介于 100万元 与 5000万元 之间",
        "R&D expenses last year (declared) is between 1,000,000 yuan and 50,000,000 yuan",
    ),
    (
        {"fact": "contract_signed_on", "op": "ge", "value": "2025-01-01"},
        "申报的劳动合同签订日期不低于 2025-01-01",
        "劳动合同签订日期 (declared) is at least 2025-01-01",
    ),
    (
        {"fact": "talent_level", "op": "in", "value": ["A", "B", "C"]},
        "申报的人才类别为 A、B、C 之一",
        "Talent category (declared) is one of A, B, C",
    ),
    (
        {"fact": "first_export", "op": "eq", "value": True},
        "申报的首次出口为 是",
        "First export (declared) is yes",
    ),
]

COMBINED: dict[str, Any] = {
    "facts": FACTS,
    "conditions": {
        "all": [
            {
                "any": [
                    {"attr": "status", "op": "eq", "value": "active"},
                    {"label": "high_tech", "op": "exists"},
                ]
            },
            {"not": {"attr": "industry_code", "op": "prefix", "value": "A"}},
            *(leaf for leaf, _zh, _en in LEAVES),
        ]
    },
    "award": {"kind": "fixed", "amount": "20000"},
}

# (award, Chinese lines, English lines): every award kind, tiers by every kind of basis.
AWARDS: list[tuple[dict[str, Any], list[str], list[str]]] = [
    ({"kind": "fixed", "amount": "20000"}, ["定额奖励 20,000 元"], ["Fixed award of 20,000 yuan"]),
    (
        {
            "kind": "tiered",
            "attr": "tax_paid",
            "tiers": [
                {"from": "5000000", "amount": "100000"},
                {"from": "10000000", "amount": "200000"},
                {"from": "30000000", "amount": "500000"},
            ],
        },
        [
            "纳税额 500万–1000万元：100,000 元",
            "纳税额 1000万–3000万元：200,000 元",
            "纳税额 3000万元及以上：500,000 元",
        ],
        [
            "Tax paid 5,000,000–10,000,000 yuan: 100,000 yuan",
            "Tax paid 10,000,000–30,000,000 yuan: 200,000 yuan",
            "Tax paid 30,000,000 yuan or more: 500,000 yuan",
        ],
    ),
    (
        {
            "kind": "tiered",
            "attr": "insured_employees",
            "tiers": [
                {"from": 20, "amount": "10000"},
                {"from": 21, "amount": "15000"},
                {"from": 100, "amount": "30000"},
            ],
        },
        ["参保职工人数 20：10,000 元", "参保职工人数 21–99：15,000 元", "参保职工人数 100及以上：30,000 元"],
        [
            "Insured employees 20: 10,000 yuan",
            "Insured employees 21–99: 15,000 yuan",
            "Insured employees 100 or more: 30,000 yuan",
        ],
    ),
    (
        {"kind": "tiered", "attr": "industry_code", "tiers": [{"value": "C39", "amount": "50000"}]},
        ["行业代码 C39：50,000 元"],
        ["Industry code C39: 50,000 yuan"],
    ),
    (
        {"kind": "tiered", "attr": "status", "tiers": [{"value": "active", "amount": "1000"}]},
        ["经营状态 存续：1,000 元"],
        ["Status Active: 1,000 yuan"],
    ),
    (
        {
            "kind": "tiered",
            "label": "scenic_grade",
            "tiers": [{"value": "3A", "amount": "600000"}, {"value": "5A", "amount": "2000000"}],
        },
        ["A级旅游景区 3A：600,000 元", "A级旅游景区 5A：2,000,000 元"],
        ["Graded scenic area 3A: 600,000 yuan", "Graded scenic area 5A: 2,000,000 yuan"],
    ),
    (
        {"kind": "rate", "attr": "revenue", "rate": "0.005", "cap": "500000"},
        ["按营业收入的 0.5% 计，最高 500,000 元"],
        ["0.5% of Revenue, at most 500,000 yuan"],
    ),
    (
        {"kind": "rate", "fact": "rd_expense", "rate": "0.10", "cap": "1000000"},
        ["按申报的上年度研发费用的 10% 计，最高 1,000,000 元"],
        ["10% of the declared R&D expenses last year, at most 1,000,000 yuan"],
    ),
    (
        {"kind": "per_employee", "amount": "1000", "cap": "100000"},
        ["每名参保职工 1,000 元，最高 100,000 元"],
        ["1,000 yuan per insured employee, at most 100,000 yuan"],
    ),
]


def _clean(text: str) -> None:
    # "None of:" is the English heading of a negation, not a missing value.
    assert "None" not in text.replace("None of:", ""), text
    assert not SNAKE.search(text), text


def test_the_examples_cover_every_operator_and_award_kind():
    attr_ops = {(ATTRIBUTES[leaf["attr"]], leaf["op"]) for leaf, _zh, _en in LEAVES if "attr" in leaf}
    assert attr_ops == {(kind, op) for kind, ops in OPS.items() for op in ops}
    assert {leaf["op"] for leaf, _zh, _en in LEAVES if "label" in leaf} == set(LABEL_OPS)
    assert {FACTS[leaf["fact"]]["type"] for leaf, _zh, _en in LEAVES if "fact" in leaf} == set(FACT_KINDS)
    assert {a["kind"] for a, _zh, _en in AWARDS} == {"fixed", "tiered", "rate", "per_employee"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_condition_reads_as_a_person_would_write_it(language):
    parse_rule(COMBINED)  # the examples are rules the platform accepts
    with translation.override(language):
        lines = condition_lines(COMBINED)
    texts = [text for _depth, text in lines]
    for text in texts:
        _clean(text)
    expected = [zh if language == "zh-hans" else en for _leaf, zh, en in LEAVES]
    assert texts[6:] == expected
    # The combinators and their members, indented.
    assert [depth for depth, _text in lines[:6]] == [0, 1, 2, 2, 1, 2]
    if language == "zh-hans":
        assert texts[:6] == [
            "同时满足：",
            "满足其一：",
            "经营状态为 存续",
            "标签“高新技术企业”已登记",
            "不满足：",
            "行业代码以 A 开头",
        ]
    else:
        assert texts[:6] == [
            "All of:",
            "Any of:",
            "Status is Active",
            "Label High-tech enterprise is recorded",
            "None of:",
            "Industry code starts with A",
        ]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(("award", "zh", "en"), AWARDS)
def test_every_award_reads_as_a_person_would_write_it(language, award, zh, en):
    rule = {**COMBINED, "award": award}
    parse_rule(rule)
    with translation.override(language):
        lines = award_lines(rule)
    for line in lines:
        _clean(line)
    assert lines == (zh if language == "zh-hans" else en)


def test_a_rule_stored_before_labels_still_reads_without_internal_names_or_none():
    legacy = {
        "facts": {"graduates_hired": "int", "equipment_investment": "money"},
        "conditions": {
            "all": [
                {"fact": "graduates_hired", "op": "ge", "value": 5},
                {"fact": "equipment_investment", "op": "ge", "value": "5000000"},
            ]
        },
        "award": {"kind": "rate", "fact": "equipment_investment", "rate": "0.08", "cap": "2000000"},
    }
    parse_rule(legacy)
    with translation.override("zh-hans"):
        assert condition_lines(legacy)[1:] == [
            (1, "申报的graduates hired不低于 5"),
            (1, "申报的equipment investment不低于 500万元"),
        ]
        assert award_lines(legacy) == ["按申报的equipment investment的 8% 计，最高 2,000,000 元"]
    with translation.override("en"):
        texts = [t for _d, t in condition_lines(legacy)] + award_lines(legacy)
    assert texts[1:] == [
        "Graduates hired (declared) is at least 5",
        "Equipment investment (declared) is at least 5,000,000 yuan",
        "8% of the declared equipment investment, at most 2,000,000 yuan",
    ]
    for text in texts:
        _clean(text)


# --- The schema of a fact's label ------------------------------------------------------------


def test_a_fact_label_is_optional_and_kept_per_language():
    rule = parse_rule(COMBINED)
    assert rule.facts["graduates_hired"] == "int"
    assert rule.fact_labels["graduates_hired"] == {
        "zh-hans": "当年新招用高校毕业生人数",
        "en": "graduates hired this year",
    }
    assert rule.fact_labels["contract_signed_on"] == {"": "劳动合同签订日期"}
    assert (
        parse_rule(
            {
                "facts": {"n": "int"},
                "conditions": {"fact": "n", "op": "ge", "value": 1},
                "award": {"kind": "fixed", "amount": "1"},
            }
        ).fact_labels
        == {}
    )


def test_labels_are_given_in_the_platforms_languages():
    assert tuple(code for code, _name in settings.LANGUAGES) == LABEL_LANGUAGES


@pytest.mark.parametrize(
    ("declared", "path"),
    [
        ({"type": "int", "label": ""}, "facts.n.label"),
        ({"type": "int", "label": "  "}, "facts.n.label"),
        ({"type": "int", "label": "x" * 101}, "facts.n.label"),
        ({"type": "int", "label": "人数\n"}, "facts.n.label"),
        ({"type": "int", "label": 5}, "facts.n.label"),
        ({"type": "int", "label": {}}, "facts.n.label"),
        ({"type": "int", "label": {"fr": "nombre"}}, "facts.n.label.fr"),
        ({"type": "int", "label": {"en": None}}, "facts.n.label.en"),
        ({"type": "int", "unit": "人"}, "facts.n.unit"),
        ({"type": "float", "label": "人数"}, "facts.n"),
        ({"label": "人数"}, "facts.n"),
    ],
)
def test_a_bad_fact_declaration_is_refused_under_its_path(declared, path):
    with pytest.raises(InvalidRule) as caught:
        parse_rule(
            {
                "facts": {"n": declared},
                "conditions": {"fact": "n", "op": "ge", "value": 1},
                "award": {"kind": "fixed", "amount": "1"},
            }
        )
    assert path in caught.value.fields


def test_an_applications_count_or_amount_is_never_negative():
    rule = parse_rule(COMBINED)
    with translation.override("zh-hans"), pytest.raises(InvalidRule) as caught:
        parse_facts(rule, {"graduates_hired": -2, "rd_expense": "-0.01"})
    assert caught.value.fields == {
        "facts.graduates_hired": ["当年新招用高校毕业生人数不能为负数。"],
        "facts.rd_expense": ["上年度研发费用不能为负数。"],
    }
    assert parse_facts(rule, {"graduates_hired": 0, "rd_expense": "0"}) == {
        "graduates_hired": 0,
        "rd_expense": Decimal("0"),
    }


# --- The form, the explanations and the case pages -------------------------------------------


def test_the_form_asks_each_fact_by_its_label_within_its_types_bounds():
    rule = parse_rule(COMBINED)
    with translation.override("zh-hans"):
        form = ApplyForm(
            {"fact_graduates_hired": "-2", "fact_rd_expense": "-5", "fact_first_export": "yes"},
            facts=dict(rule.facts),
            enterprises=[],
            hints=fact_hints(COMBINED),
            labels={"graduates_hired": "当年新招用高校毕业生人数", "rd_expense": "上年度研发费用"},
        )
        assert not form.is_valid()
        assert form.fields["fact_graduates_hired"].label == "当年新招用高校毕业生人数"
        assert form.fields["fact_graduates_hired"].hints == ["申报的当年新招用高校毕业生人数不低于 5"]  # type: ignore[attr-defined]
        assert form.errors["fact_graduates_hired"] == ["不能为负数。"]
        assert form.errors["fact_rd_expense"] == ["不能为负数。"]
        html = str(form["fact_graduates_hired"])
    assert 'min="0"' in html
    assert "-2147483647" not in html


@pytest.mark.django_db
def test_the_explanation_shows_the_enterprises_figures_in_words(city):
    enterprise = city.enterprise
    enterprise.employees = 120
    enterprise.tax_paid = Decimal("12000000.00")
    enterprise.save()
    EnterpriseLabel.objects.create(enterprise=enterprise, key="scenic_grade", value="4A")
    rule = parse_rule(COMBINED)
    facts = parse_facts(rule, {"graduates_hired": 6, "rd_expense": "1500000.00", "talent_level": "B"})
    decision = evaluate(rule, enterprise, on=timezone.localdate(), facts=facts)
    for language in ("zh-hans", "en"):
        with translation.override(language):
            rows = explanation_rows(COMBINED, decision.explanation)
        for row in rows:
            _clean(row["text"])
            _clean(row["actual"])
        by_text = {row["text"]: row["actual"] for row in rows}
        if language == "zh-hans":
            assert by_text["申报的当年新招用高校毕业生人数不低于 5"] == "6"
            assert by_text["申报的上年度研发费用介于 100万元 与 5000万元 之间"] == "1,500,000 元"
            assert by_text["申报的首次出口为 是"] == "未填写"
            assert by_text["纳税额不低于 500万元"] == "12,000,000 元"
        else:
            assert by_text["Employees is between 20 and 300"] == "120"
            assert (
                by_text["R&D expenses last year (declared) is between 1,000,000 yuan and 50,000,000 yuan"]
                == "1,500,000 yuan"
            )


def test_the_facts_given_are_listed_by_label_in_the_rules_order():
    with translation.override("en"):
        listed = given_facts(
            COMBINED, {"rd_expense": "1500000.00", "graduates_hired": 6, "retired_fact": True}
        )
    assert listed == [
        ("graduates_hired", "graduates hired this year", "6"),
        ("rd_expense", "R&D expenses last year", "1,500,000 yuan"),
        ("retired_fact", "retired fact", "yes"),
    ]


GRADUATES_RULE: dict[str, Any] = {
    "facts": {"graduates_hired": FACTS["graduates_hired"]},
    "conditions": {
        "all": [
            {"attr": "status", "op": "eq", "value": "active"},
            {"fact": "graduates_hired", "op": "ge", "value": 5},
        ]
    },
    "award": {"kind": "fixed", "amount": "20000"},
}


@pytest.fixture
def graduates_policy(world: World) -> Any:
    return make_policy(
        actor=world.officer,
        department=world.city.drc,
        publish=True,
        title="吸纳高校毕业生就业补贴",
        rule=GRADUATES_RULE,
        mode="application",
        steps=THREE_STEPS,
        valid_until=timezone.localdate().replace(month=12, day=31),
    )


@pytest.mark.django_db
def test_the_apply_page_names_the_fact_in_chinese_and_refuses_a_negative_count(
    client, world, graduates_policy
):
    client.force_login(world.spot_user)
    url = f"/policies/{graduates_policy.public_id}/apply/"
    html = client.get(url).content.decode()
    assert "当年新招用高校毕业生人数" in html
    assert "申报的当年新招用高校毕业生人数不低于 5" in html
    # The key stays in the input's name, never in what the page says.
    assert "graduates hired" not in html
    assert ">graduates" not in html
    assert "graduates_hired不低于" not in html
    response = client.post(url, {"fact_graduates_hired": "-3"})
    assert response.status_code == 400
    assert "不能为负数。" in response.content.decode()
    assert not Case.objects.filter(policy=graduates_policy).exists()


@pytest.mark.django_db
def test_the_api_refuses_a_negative_count_with_the_facts_label(client, world, graduates_policy):
    client.force_login(world.spot_user)
    response = client.post(
        f"/api/v1/policies/{graduates_policy.public_id}/apply",
        {"facts": '{"graduates_hired": -3}'},
        headers={"accept-language": "zh-hans"},
    )
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"]["facts.graduates_hired"] == [
        "当年新招用高校毕业生人数不能为负数。"
    ]


@pytest.mark.django_db
def test_the_case_pages_and_api_name_the_facts_given(client, world, graduates_policy):
    case = case_apply(
        actor=world.spot_user, policy=graduates_policy, enterprise=world.spot, facts={"graduates_hired": 6}
    )
    client.force_login(world.officer)
    officer_html = client.get(f"/policies/office/cases/{case.public_id}/").content.decode()
    assert '当年新招用高校毕业生人数</dt><dd class="col-sm-8">6</dd>' in officer_html
    assert "graduates_hired" not in officer_html
    body = client.get(f"/api/v1/policies/cases/{case.public_id}").json()
    assert body["facts"] == {"graduates_hired": 6}
    assert body["fact_labels"] == {"graduates_hired": "当年新招用高校毕业生人数"}

    client.force_login(world.spot_user)
    enterprise_html = client.get(f"/policies/cases/{case.public_id}/").content.decode()
    assert "申报的当年新招用高校毕业生人数不低于 5" in enterprise_html
    assert "graduates_hired" not in enterprise_html
    body = client.get(
        f"/api/v1/policies/mine/cases/{case.public_id}", headers={"accept-language": "en"}
    ).json()
    assert body["fact_labels"] == {"graduates_hired": "graduates hired this year"}
