from __future__ import annotations

from django.utils import translation

from qinqing.policies.summaries import award_lines, condition_lines

from .rules_examples import SCENIC_AWARD


def test_tiered_award_and_conditions_in_english():
    with translation.override("en"):
        assert award_lines(SCENIC_AWARD) == [
            "Graded scenic area 3A: 600,000 yuan",
            "Graded scenic area 4A: 1,000,000 yuan",
            "Graded scenic area 5A: 2,000,000 yuan",
        ]
        assert condition_lines(SCENIC_AWARD) == [
            (0, "All of:"),
            (1, "Status is Active"),
            (1, "Region code starts with 3505"),
            (1, "Label Graded scenic area is one of 3A, 4A, 5A"),
        ]


def test_other_award_kinds():
    with translation.override("en"):
        rate = {"award": {"kind": "rate", "attr": "revenue", "rate": "0.01", "cap": "500000"}}
        assert award_lines(rate) == ["1% of Revenue, at most 500,000 yuan"]
        per = {"award": {"kind": "per_employee", "amount": "1000.50"}}
        assert award_lines(per) == ["1,000.50 yuan per insured employee"]
        assert condition_lines({"conditions": {"not": {"label": "x", "op": "exists"}}}) == [
            (0, "None of:"),
            (1, "Label x is recorded"),
        ]


def test_labels_are_named_in_the_readers_language():
    from django.utils import translation

    from qinqing.policies.summaries import condition_lines

    rule = {
        "conditions": {"label": "scenic_grade", "op": "in", "value": ["3A", "4A"]},
        "award": {"kind": "fixed", "amount": "1"},
    }
    with translation.override("zh-hans"):
        text = " ".join(line for _depth, line in condition_lines(rule))
    assert "scenic_grade" not in text
    assert "A级旅游景区" in text
