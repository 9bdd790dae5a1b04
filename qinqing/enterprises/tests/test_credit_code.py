"""The credit code (GB 32100-2015): every valid code accepted, every single
substitution and adjacent transposition refused, input normalised first."""

from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from qinqing.enterprises import credit_code as cc

ALPHABET = cc.ALPHABET
DIGITS = "0123456789"

# Published codes (check characters computed by the standard's own examples).
KNOWN_VALID = ["91350100M000100Y43", "91110000802100433B", "12100000400000624D"]


ANY_FIRST = st.sampled_from(ALPHABET)


@st.composite
def valid_codes(draw, first=ANY_FIRST):
    body = (
        draw(first)
        + draw(st.sampled_from(ALPHABET))
        + "".join(draw(st.lists(st.sampled_from(DIGITS), min_size=6, max_size=6)))
        + "".join(draw(st.lists(st.sampled_from(ALPHABET), min_size=9, max_size=9)))
    )
    return cc.make(body)


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_published_codes_are_valid(code):
    assert cc.validate(code) == code


@given(valid_codes())
def test_every_valid_code_is_accepted(code):
    assert cc.validate(code) == code
    assert cc.is_valid(code)
    assert cc.region_code(code) == code[2:8]


@given(valid_codes(first=st.sampled_from("NYA5")))
def test_letter_led_codes_are_accepted(code):
    assert code[0] in "NYA5"
    assert cc.validate(code) == code


@settings(max_examples=60)
@given(valid_codes())
def test_every_single_substitution_is_refused(code):
    for index in range(cc.LENGTH):
        for replacement in ALPHABET:
            if replacement == code[index]:
                continue
            mistyped = code[:index] + replacement + code[index + 1 :]
            with pytest.raises(cc.InvalidCreditCode):
                cc.validate(mistyped)


@given(valid_codes(), st.integers(0, cc.LENGTH - 1), st.sampled_from("IOSVZ!?#中"))
def test_substitution_by_a_foreign_character_is_refused(code, index, replacement):
    mistyped = code[:index] + replacement + code[index + 1 :]
    with pytest.raises(cc.InvalidCreditCode) as excinfo:
        cc.validate(mistyped)
    assert excinfo.value.reason == "character"
    assert excinfo.value.position == index + 1


@settings(max_examples=200)
@given(valid_codes())
def test_every_adjacent_swap_of_differing_characters_is_refused(code):
    for index in range(cc.LENGTH - 1):
        if code[index] == code[index + 1]:
            continue
        swapped = code[:index] + code[index + 1] + code[index] + code[index + 2 :]
        with pytest.raises(cc.InvalidCreditCode):
            cc.validate(swapped)


@given(valid_codes())
def test_full_width_lower_case_and_spaced_input_is_normalised(code):
    assert cc.validate(_full_width(code)) == code
    assert cc.validate(code.lower()) == code
    assert cc.validate(f" {code[:6]} {code[6:12]}-{code[12:]} ") == code
    assert cc.validate(_full_width(code.lower())) == code


def test_check_character_31_becomes_0():
    # A body whose weighted sum is 0 mod 31 has check value 31 − 0 = 31, written 0.
    body = "00000000000000000"
    assert cc.check_character(body) == "0"
    assert cc.is_valid(body + "0")


@pytest.mark.parametrize(
    ("raw", "reason", "position"),
    [
        ("91350100M000100Y4", "length", None),
        ("91350100M000100Y433", "length", None),
        ("91350100M00O100Y43", "character", 12),
        ("91A50100M000100Y43", "region", 3),
        ("91350100M000100Y44", "checksum", 18),
    ],
)
def test_each_failure_has_a_reason_and_a_position(raw, reason, position):
    with pytest.raises(cc.InvalidCreditCode) as excinfo:
        cc.validate(raw)
    assert excinfo.value.reason == reason
    assert excinfo.value.position == position


def test_messages_explain_the_failure_in_english_and_chinese():
    cases = {
        "91350100M000100Y4": ("18 characters; this one has 17", "18 位"),
        "91350100M00O100Y43": ("Character 12 (“O”)", "第 12 位"),
        "91A50100M000100Y43": ("region code", "行政区划码"),
        "91350100M000100Y44": ("mistyped", "输错"),
    }
    for raw, (english, chinese) in cases.items():
        with pytest.raises(cc.InvalidCreditCode) as excinfo:
            cc.validate(raw)
        with translation.override("en"):
            assert english in str(excinfo.value.message)
        with translation.override("zh-hans"):
            assert chinese in str(excinfo.value.message)


def test_make_refuses_a_bad_body():
    with pytest.raises(cc.InvalidCreditCode):
        cc.make("91350100M000100")
    with pytest.raises(cc.InvalidCreditCode):
        cc.make("9135010OM000100Y4")
