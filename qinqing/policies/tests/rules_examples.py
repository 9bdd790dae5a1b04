"""Rules shaped like real policies, shared by the tests."""

from __future__ import annotations

from typing import Any

CLAUSE_3A = {"document": "泉政文〔2023〕15号", "text": "第五条：新评为国家3A级旅游景区的，奖励60万元。"}

SCENIC_AWARD: dict[str, Any] = {
    "conditions": {
        "all": [
            {"attr": "status", "op": "eq", "value": "active"},
            {
                "attr": "region_code",
                "op": "prefix",
                "value": "3505",
                "clause": {"document": "泉政文〔2023〕15号"},
            },
            {"label": "scenic_grade", "op": "in", "value": ["3A", "4A", "5A"], "clause": CLAUSE_3A},
        ]
    },
    "award": {
        "kind": "tiered",
        "label": "scenic_grade",
        "tiers": [
            {"value": "3A", "amount": "600000"},
            {"value": "4A", "amount": "1000000"},
            {"value": "5A", "amount": "2000000"},
        ],
    },
}
