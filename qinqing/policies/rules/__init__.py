"""Policy rules as data: parse (validate) a JSON rule, evaluate it for one enterprise with
an explanation, or compile it to one query over every enterprise.

The grammar is in `schema.py`; an example, the A-level scenic spot award::

    {
      "conditions": {"all": [
        {"attr": "status", "op": "eq", "value": "active"},
        {"attr": "region_code", "op": "prefix", "value": "3505"},
        {"attr": "founded_on", "op": "age_ge", "value": 1},
        {"label": "scenic_grade", "op": "in", "value": ["3A", "4A", "5A"],
         "clause": {"document": "泉政文〔2023〕15号", "text": "第五条 …", "url": "https://…"}}
      ]},
      "award": {"kind": "tiered", "label": "scenic_grade", "tiers": [
        {"value": "3A", "amount": "600000"},
        {"value": "4A", "amount": "1000000"},
        {"value": "5A", "amount": "2000000"}
      ]}
    }

Use::

    rule = parse_rule(data)                       # InvalidRule(fields={json path: [message]})
    decision = evaluate(rule, enterprise, on=day)  # .eligible, .award, .explanation (JSON)
    eligible, award = decide(rule, enterprise, on=day)  # the same, without the explanation
    matches = eligible_enterprises(rule, on=day)   # one query, each row annotated with .award
"""

from qinqing.policies.rules.compile import FactsNeeded, award_expression, eligible_enterprises, eligible_q
from qinqing.policies.rules.evaluate import Decision, decide, evaluate
from qinqing.policies.rules.schema import ATTRIBUTES, InvalidRule, Rule, parse_facts, parse_rule

__all__ = [
    "ATTRIBUTES",
    "Decision",
    "FactsNeeded",
    "InvalidRule",
    "Rule",
    "award_expression",
    "decide",
    "eligible_enterprises",
    "eligible_q",
    "evaluate",
    "parse_facts",
    "parse_rule",
]
