"""Field rules shared by the services and the import: industry codes, labels, amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from qinqing.enterprises import industry, labels
from qinqing.enterprises.validation import (
    FieldProblem,
    clean_bank_account_number,
    clean_fields,
    clean_founded_on,
    clean_money,
    clean_name,
    clean_people,
    clean_status,
)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("C1811", "C1811"),
        ("1811", "C1811"),
        ("c18", "C18"),
        ("Ｃ１８１１", "C1811"),
        ("C", "C"),
        ("7861", "N7861"),
    ],
)
def test_industry_code_is_normalised_and_the_section_restored(raw, code):
    assert industry.normalise(raw) == code


@pytest.mark.parametrize("raw", ["", "A1811", "Z12", "C1", "C18111", "99", "C 18 11 x"])
def test_industry_code_refused(raw):
    with pytest.raises(industry.InvalidIndustryCode):
        industry.normalise(raw)


def test_industry_section_name():
    assert str(industry.section_name("C1811"))
    assert industry.section_name("") == ""


def test_labels_parsed_from_text():
    assert labels.parse_labels("high_tech=yes;scenic_grade=3a") == {"high_tech": "yes", "scenic_grade": "3A"}
    assert labels.parse_labels("high_tech；scenic_grade＝４Ａ") == {"high_tech": "yes", "scenic_grade": "4A"}
    assert labels.parse_labels("high_tech=否;listed=是") == {"listed": "yes"}
    assert labels.parse_labels("") == {}
    assert labels.parse_labels("zone=晋江经济开发区") == {"zone": "晋江经济开发区"}


@pytest.mark.parametrize(
    "text",
    [
        "scenic_grade=6A",
        "high_tech=maybe",
        "高新=yes",
        "=yes",
        "high_tech=yes;high_tech=no",
        "Bad Key=1",
        "x=\x00",
    ],
)
def test_labels_refused(text):
    with pytest.raises(labels.InvalidLabel) as excinfo:
        labels.parse_labels(text)
    assert excinfo.value.message


def test_labels_round_trip_through_text():
    values = {"high_tech": "yes", "scenic_grade": "5A"}
    assert labels.parse_labels(labels.format_labels(values)) == values


@pytest.mark.parametrize(
    ("raw", "amount"),
    [
        ("1,200,000.00", Decimal("1200000.00")),
        ("¥35.5元", Decimal("35.50")),
        (1234.5, Decimal("1234.50")),
        (None, Decimal("0.00")),
        ("", Decimal("0.00")),
        ("1.500", Decimal("1.50")),
    ],
)
def test_money_accepted(raw, amount):
    assert clean_money("revenue", raw) == amount


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("-1", "negative"),
        ("1.234", "places"),
        ("abc", "amount"),
        ("NaN", "amount"),
        ("1e30", "range"),
        (True, "amount"),
    ],
)
def test_money_refused(raw, code):
    with pytest.raises(FieldProblem) as excinfo:
        clean_money("revenue", raw)
    assert (excinfo.value.field, excinfo.value.code) == ("revenue", code)


def test_people():
    assert clean_people("employees", "1,200") == 1200
    assert clean_people("employees", 35.0) == 35
    assert clean_people("employees", "") == 0
    for bad in ("-1", "2.5", "many", 10**9):
        with pytest.raises(FieldProblem):
            clean_people("employees", bad)


def test_founding_date_formats():
    day = dt.date(2001, 3, 5)
    for raw in (
        "2001-03-05",
        "2001/3/5",
        "2001.03.05",
        "20010305",
        "2001年3月5日",
        dt.datetime(2001, 3, 5, 0, 0),
        day,
    ):
        assert clean_founded_on(raw) == day
    assert clean_founded_on("") is None
    for bad in ("05/03/2001", "1899-12-31", (timezone.localdate() + dt.timedelta(days=1)).isoformat()):
        with pytest.raises(FieldProblem):
            clean_founded_on(bad)


def test_bank_account_number_keeps_digits_only():
    assert clean_bank_account_number("6222 0212 3456 7890") == "6222021234567890"
    assert clean_bank_account_number("") == ""
    for bad in ("12345", "6222-abcd-1234", "1" * 33):
        with pytest.raises(FieldProblem):
            clean_bank_account_number(bad)


def test_status_words_in_both_languages():
    assert clean_status("存续") == "active"
    assert clean_status("Suspended") == "suspended"
    assert clean_status("注销") == "deregistered"
    assert clean_status("") == "active"
    with pytest.raises(FieldProblem):
        clean_status("bankrupt")


def test_names_with_control_characters_are_refused():
    assert clean_name("  泉州  鸿盛 鞋业 ") == "泉州 鸿盛 鞋业"
    with pytest.raises(FieldProblem):
        clean_name("泉州\x00鞋业")
    with pytest.raises(FieldProblem):
        clean_name("x" * 201)


def test_clean_fields_collects_every_problem():
    cleaned, problems = clean_fields({"credit_code": "bad", "name": "", "employees": "3"})
    assert cleaned == {"employees": 3}
    assert {p.field for p in problems} == {"credit_code", "name"}
