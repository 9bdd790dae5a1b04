"""Policy rules as data: parse (validate) a JSON rule, evaluate it for one enterprise with
an explanation, or compile it to one query over every enterprise."""

from qinqing.policies.rules.compile import FactsNeeded, award_expression, eligible_enterprises, eligible_q
from qinqing.policies.rules.evaluate import Decision, evaluate
from qinqing.policies.rules.schema import ATTRIBUTES, InvalidRule, Rule, parse_facts, parse_rule

__all__ = [
    "ATTRIBUTES",
    "Decision",
    "FactsNeeded",
    "InvalidRule",
    "Rule",
    "award_expression",
    "eligible_enterprises",
    "eligible_q",
    "evaluate",
    "parse_facts",
    "parse_rule",
]
