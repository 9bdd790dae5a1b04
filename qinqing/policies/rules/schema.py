# ruff: noqa: PLR0911, PLR0912
# (A validator returns at each fault it finds; splitting it up would only scatter the grammar.)
"""The rule language: JSON in, a checked tree out.

A rule is `{"conditions": <condition>, "award": <formula>}`. Conditions:

- `{"all": [...]}`, `{"any": [...]}` (each with at least one member), `{"not": <condition>}`;
- `{"attr": "<field>", "op": "<op>", "value": ...}` over a whitelisted Enterprise field;
- `{"label": "<key>", "op": "exists" | "eq" | "ne" | "in" | "not_in", "value": ...}`
  over EnterpriseLabel rows;
- `{"fact": "<name>", "op": "<op>", "value": ...}` over a fact the application supplies,
  declared with its type in the rule's `"facts": {"<name>": "int" | "money" | "date" |
  "code" | "bool"}`. A rule with facts cannot be matched before someone applies. A
  declaration may also name the fact for people: `{"type": "int", "label": {"zh-hans":
  "新招用高校毕业生人数", "en": "Graduates newly hired"}}` (or one text for every
  language); the form, the explanations and the case pages show the label, never the name.
  An application's `int` fact is a count and its `money` fact an amount: neither is negative.

Any leaf may carry `"clause": {"document": "...", "text": "...", "url": "..."}`, the
legal text it rests on, repeated in every explanation.

Missing values: a leaf whose value is missing (a null `founded_on`, an absent label) is
not held, whatever its operator (`ne` and `not_in` included); `not` is plain negation of
held / not held. Logic is two-valued so the SQL compilation and the evaluator agree.

Money, rates and amounts are decimal strings (never JSON numbers, which parse as float);
counts are JSON integers; dates are ISO strings. Strings are compared for equality,
membership and prefix only: ordering strings depends on the database collation.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from qinqing.common.errors import ValidationFailed
from qinqing.enterprises.models import EnterpriseStatus

Kind = Literal["int", "money", "date", "code", "choice", "bool"]

# Attributes a rule may read, with their types. `nullable` marks fields that may be NULL.
ATTRIBUTES: dict[str, Kind] = {
    "employees": "int",
    "insured_employees": "int",
    "revenue": "money",
    "tax_paid": "money",
    "registered_capital": "money",
    "founded_on": "date",
    "industry_code": "code",
    "region_code": "code",
    "status": "choice",
    "bank_account_verified": "bool",
}
NULLABLE = frozenset({"founded_on"})
CHOICES: dict[str, tuple[str, ...]] = {"status": tuple(EnterpriseStatus.values)}

_ORDER_OPS = ("eq", "ne", "lt", "le", "gt", "ge", "between")
OPS: dict[Kind, tuple[str, ...]] = {
    "int": (*_ORDER_OPS, "in", "not_in"),
    "money": _ORDER_OPS,
    "date": (*_ORDER_OPS, "age_ge", "age_lt"),
    "code": ("eq", "ne", "in", "not_in", "prefix"),
    "choice": ("eq", "ne", "in", "not_in"),
    "bool": ("eq", "ne"),
}
LABEL_OPS = ("exists", "eq", "ne", "in", "not_in")

# SQLite keeps decimals as doubles: 15 significant digits survive exactly, so constants
# stay below 10^13 yuan with 2 places and comparisons agree with Python's Decimal.
MONEY_LIMIT = Decimal("10000000000000")
INT_LIMIT = 2**31 - 1
RATE_PLACES = 4
MAX_AGE_YEARS = 200
MAX_DEPTH = 20
_LABEL_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
_CODE = re.compile(r"[0-9A-Z]{1,18}")


@dataclass(frozen=True)
class Clause:
    document: str
    text: str = ""
    url: str = ""

    def as_json(self) -> dict[str, str]:
        return {k: v for k, v in (("document", self.document), ("text", self.text), ("url", self.url)) if v}


@dataclass(frozen=True)
class AttrCondition:
    path: str
    attr: str  # an Enterprise field, or the name of a fact when `fact` is set
    op: str
    # One constant, a (low, high) pair for `between`, a tuple for `in` / `not_in` /
    # `prefix`, a number of years for `age_*`.
    value: Any
    clause: Clause | None = None
    fact: bool = False


@dataclass(frozen=True)
class LabelCondition:
    path: str
    key: str
    op: str
    value: tuple[str, ...] = ()
    clause: Clause | None = None


@dataclass(frozen=True)
class AllOf:
    path: str
    members: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    path: str
    members: tuple[Condition, ...]


@dataclass(frozen=True)
class NotOf:
    path: str
    member: Condition


Condition = AttrCondition | LabelCondition | AllOf | AnyOf | NotOf


@dataclass(frozen=True)
class Tier:
    amount: Decimal
    value: str | None = None  # label or code tiers: this exact value
    start: Decimal | None = None  # numeric tiers: from this figure up


@dataclass(frozen=True)
class Award:
    kind: Literal["fixed", "tiered", "rate", "per_employee"]
    amount: Decimal = Decimal("0")
    attr: str | None = None
    label: str | None = None
    tiers: tuple[Tier, ...] = ()
    rate: Decimal = Decimal("0")
    cap: Decimal | None = None
    # A rate may apply to a money fact of the application instead of an attribute.
    fact: str | None = None


@dataclass(frozen=True)
class Rule:
    conditions: Condition
    award: Award
    facts: dict[str, Kind] = field(default_factory=dict)
    source: dict[str, Any] = field(compare=False, default_factory=dict)
    # A fact's name for people, per language ("zh-hans", "en"; "" for every language).
    fact_labels: dict[str, dict[str, str]] = field(compare=False, default_factory=dict)


class InvalidRule(ValidationFailed):
    code = "invalid_rule"
    default_message = _("The rule is not valid.")


class _Errors:
    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, path: str, message: Any, **params: Any) -> None:
        text = str(message) % {"path": path, **params}
        self.fields.setdefault(path, []).append(text)


def parse_rule(data: Any) -> Rule:
    """The checked rule, or InvalidRule listing every fault under its JSON path."""
    errors = _Errors()
    rule: Rule | None = None
    if not isinstance(data, dict):
        errors.add("$", _("%(path)s: a rule must be a JSON object."))
    else:
        for key in sorted(set(data) - {"conditions", "award", "facts"}):
            errors.add(key, _("%(path)s: unknown part of a rule."))
        labels: dict[str, dict[str, str]] = {}
        facts = _declared_facts(data.get("facts", {}), "facts", errors, labels)
        conditions = _condition(data.get("conditions"), "conditions", errors, facts or {})
        award = _award(data.get("award"), "award", errors, facts or {})
        if conditions is not None and award is not None and facts is not None:
            rule = Rule(conditions=conditions, award=award, facts=facts, source=data, fact_labels=labels)
    if errors.fields or rule is None:
        first = next(iter(errors.fields.values()))[0]
        raise InvalidRule(first, fields=errors.fields)
    return rule


FACT_KINDS: tuple[Kind, ...] = ("int", "money", "date", "code", "bool")


# The languages a fact's label may be given in (settings.LANGUAGES); a label given as one
# text is shown in every language.
LABEL_LANGUAGES = ("zh-hans", "en")
LABEL_MAX = 100


def _fact_label(data: Any, path: str, errors: _Errors) -> dict[str, str] | None:
    texts = {"": data} if isinstance(data, str) else data
    if not isinstance(texts, dict) or not texts:
        errors.add(
            path,
            _("%(path)s: a label is a text, or an object of texts by language (%(languages)s)."),
            languages=", ".join(LABEL_LANGUAGES),
        )
        return None
    labels: dict[str, str] = {}
    for language, text in texts.items():
        where = path if language == "" else f"{path}.{language}"
        if language != "" and language not in LABEL_LANGUAGES:
            errors.add(
                where, _("%(path)s: labels are given in %(languages)s."), languages=", ".join(LABEL_LANGUAGES)
            )
        elif (
            not isinstance(text, str)
            or not text.strip()
            or len(text) > LABEL_MAX
            or any(unicodedata.category(c).startswith("C") for c in text)
        ):
            errors.add(where, _("%(path)s: a label is one line of 1 to %(max)s characters."), max=LABEL_MAX)
        else:
            labels[language] = text.strip()
    return labels if len(labels) == len(texts) else None


def _declared_facts(
    data: Any, path: str, errors: _Errors, labels: dict[str, dict[str, str]]
) -> dict[str, Kind] | None:
    """The declared facts' types; their labels, where given, go into `labels`."""
    if not isinstance(data, dict):
        errors.add(path, _("%(path)s: facts are a JSON object of name and type."))
        return None
    facts: dict[str, Kind] = {}
    for name, declared in data.items():
        where = path + "." + str(name)
        kind, label = declared, None
        if isinstance(declared, dict):
            extra = sorted(set(declared) - {"type", "label"})
            for key in extra:
                errors.add(
                    where + "." + str(key), _("%(path)s: a fact is declared with its “type” and “label”.")
                )
            if extra:
                continue
            kind = declared.get("type")
            if "label" in declared:
                label = _fact_label(declared["label"], where + ".label", errors)
                if label is None:
                    continue
        if not isinstance(name, str) or not _LABEL_KEY.fullmatch(name) or name in ATTRIBUTES:
            errors.add(
                where,
                _(
                    "%(path)s: a fact name is lower-case letters, digits and underscores, and not an attribute."
                ),
            )
        elif kind not in FACT_KINDS:
            errors.add(
                where,
                _("%(path)s: a fact's type is one of %(kinds)s."),
                kinds=", ".join(FACT_KINDS),
            )
        else:
            facts[name] = kind
            if label:
                labels[name] = label
    return facts if len(facts) == len(data) else None


def parse_facts(rule: Rule, data: Any) -> dict[str, Any]:
    """An application's facts checked against the rule's declarations; missing ones stay missing."""
    errors = _Errors()
    facts: dict[str, Any] = {}
    if not isinstance(data, dict):
        errors.add("facts", _("%(path)s: facts are a JSON object of name and value."))
    else:
        for name in sorted(set(data) - set(rule.facts)):
            errors.add("facts." + name, _("%(path)s: the rule declares no such fact."))
        for name, kind in rule.facts.items():
            if data.get(name) is not None:
                value = _constant(data[name], kind, name, "facts." + name, errors)
                # A count or an amount of the applicant's: a negative one is a typing error.
                if kind in ("int", "money") and value is not None and value < 0:
                    errors.add(
                        "facts." + name,
                        _("%(label)s cannot be negative."),
                        label=fact_label(rule.fact_labels.get(name), name),
                    )
                    continue
                facts[name] = value
    if errors.fields:
        raise InvalidRule(next(iter(errors.fields.values()))[0], fields=errors.fields)
    return facts


def fact_label(labels: dict[str, str] | None, name: str) -> str:
    """A fact's label in the reader's language: the one given for it, else the one for
    every language, else the default language's, else any; a fact declared without a
    label (rules written before labels) is named by its name, made readable."""
    texts = labels or {}
    current = (translation.get_language() or LABEL_LANGUAGES[0]).lower()
    for language in (current, current.split("-")[0], "", LABEL_LANGUAGES[0], *LABEL_LANGUAGES):
        if texts.get(language):
            return texts[language]
    return name.replace("_", " ").strip() or name


def _clause(data: Any, path: str, errors: _Errors) -> Clause | None:
    if data is None:
        return None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("document"), str)
        or not data["document"].strip()
    ):
        errors.add(path, _("%(path)s: a clause needs the document number in “document”."))
        return None
    for key in sorted(set(data) - {"document", "text", "url"}):
        errors.add(path + "." + key, _("%(path)s: unknown part of a clause."))
    for key in ("text", "url"):
        if not isinstance(data.get(key, ""), str):
            errors.add(path + "." + key, _("%(path)s: must be text."))
            return None
    url = data.get("url", "")
    # Shown as a link in every explanation: only web addresses, never javascript: and the like.
    if url and not url.startswith(("https://", "http://")):
        errors.add(path + ".url", _("%(path)s: a link starts with https:// or http://."))
        return None
    return Clause(document=data["document"].strip(), text=data.get("text", ""), url=data.get("url", ""))


def _condition(data: Any, path: str, errors: _Errors, facts: dict[str, Kind]) -> Condition | None:
    if not isinstance(data, dict):
        errors.add(path, _("%(path)s: a condition must be a JSON object."))
        return None
    # Each level of nesting adds one dot to the path; the bound keeps recursion (here, in
    # the evaluator and in the SQL compiler) far from Python's limit.
    if path.count(".") > MAX_DEPTH:
        errors.add(path, _("%(path)s: conditions are nested more than %(max)s deep."), max=MAX_DEPTH)
        return None
    for combinator in ("all", "any"):
        if combinator in data:
            members = data[combinator]
            inner = path + "." + combinator
            if len(data) != 1:
                errors.add(path, _("%(path)s: “all” and “any” stand alone in their object."))
                return None
            if not isinstance(members, list) or not members:
                errors.add(inner, _("%(path)s: must be a list of at least one condition."))
                return None
            parsed = [_condition(m, f"{inner}[{i}]", errors, facts) for i, m in enumerate(members)]
            if any(p is None for p in parsed):
                return None
            checked = tuple(p for p in parsed if p is not None)
            return AllOf(path, checked) if combinator == "all" else AnyOf(path, checked)
    if "not" in data:
        if len(data) != 1:
            errors.add(path, _("%(path)s: “not” stands alone in its object."))
            return None
        member = _condition(data["not"], path + ".not", errors, facts)
        return NotOf(path, member) if member is not None else None
    clause = _clause(data.get("clause"), path + ".clause", errors)
    if "attr" in data:
        return _attr_condition(data, path, clause, errors, known=ATTRIBUTES, subject="attr")
    if "fact" in data:
        return _attr_condition(data, path, clause, errors, known=facts, subject="fact")
    if "label" in data:
        return _label_condition(data, path, clause, errors)
    errors.add(path, _("%(path)s: a condition needs “attr”, “fact”, “label”, “all”, “any” or “not”."))
    return None


def _unknown_keys(data: dict[str, Any], allowed: set[str], path: str, errors: _Errors) -> bool:
    extra = sorted(set(data) - allowed)
    for key in extra:
        errors.add(path + "." + key, _("%(path)s: unknown part of a condition."))
    return bool(extra)


def _attr_condition(
    data: dict[str, Any],
    path: str,
    clause: Clause | None,
    errors: _Errors,
    *,
    known: dict[str, Kind],
    subject: Literal["attr", "fact"],
) -> AttrCondition | None:
    attr = data[subject]
    if not isinstance(attr, str) or attr not in known:
        if subject == "fact":
            errors.add(path + ".fact", _("%(path)s: “%(attr)s” is not declared under “facts”."), attr=attr)
        else:
            errors.add(
                path + ".attr",
                _("%(path)s: “%(attr)s” is not an attribute rules may use (%(known)s)."),
                attr=attr,
                known=", ".join(known),
            )
        return None
    kind = known[attr]
    op = data.get("op")
    if op not in OPS[kind]:
        errors.add(
            path + ".op",
            _("%(path)s: “%(op)s” does not apply to %(attr)s; use one of %(ops)s."),
            op=op,
            attr=attr,
            ops=", ".join(OPS[kind]),
        )
        return None
    if _unknown_keys(data, {subject, "op", "value", "clause"}, path, errors):
        return None
    value_path = path + ".value"
    raw = data.get("value")
    value: Any
    if op == "between":
        if not isinstance(raw, list) or len(raw) != 2:
            errors.add(value_path, _("%(path)s: “between” takes a list of two bounds, low and high."))
            return None
        low = _constant(raw[0], kind, attr, value_path + "[0]", errors)
        high = _constant(raw[1], kind, attr, value_path + "[1]", errors)
        if low is None or high is None:
            return None
        if low > high:
            errors.add(value_path, _("%(path)s: the low bound is above the high bound."))
            return None
        value = (low, high)
    elif op in ("in", "not_in", "prefix"):
        items = [raw] if op == "prefix" and isinstance(raw, str) else raw
        if not isinstance(items, list) or not items:
            errors.add(value_path, _("%(path)s: must be a list of at least one value."))
            return None
        parsed = [_constant(v, kind, attr, f"{value_path}[{i}]", errors) for i, v in enumerate(items)]
        if any(p is None for p in parsed):
            return None
        value = tuple(parsed)
    elif op in ("age_ge", "age_lt"):
        if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw <= MAX_AGE_YEARS:
            errors.add(value_path, _("%(path)s: a number of years from 0 to %(max)s."), max=MAX_AGE_YEARS)
            return None
        value = raw
    else:
        value = _constant(raw, kind, attr, value_path, errors)
        if value is None:
            return None
    return AttrCondition(path=path, attr=attr, op=op, value=value, clause=clause, fact=subject == "fact")


def _label_condition(
    data: dict[str, Any], path: str, clause: Clause | None, errors: _Errors
) -> LabelCondition | None:
    key = data["label"]
    if not isinstance(key, str) or not _LABEL_KEY.fullmatch(key):
        errors.add(
            path + ".label", _("%(path)s: a label name is lower-case letters, digits and underscores.")
        )
        return None
    op = data.get("op")
    if op not in LABEL_OPS:
        errors.add(
            path + ".op",
            _("%(path)s: “%(op)s” does not apply to labels; use one of %(ops)s."),
            op=op,
            ops=", ".join(LABEL_OPS),
        )
        return None
    if _unknown_keys(data, {"label", "op", "value", "clause"}, path, errors):
        return None
    raw = data.get("value")
    value_path = path + ".value"
    if op == "exists":
        if raw is not None:
            errors.add(value_path, _("%(path)s: “exists” takes no value."))
            return None
        values: tuple[str, ...] = ()
    elif op in ("eq", "ne"):
        if not isinstance(raw, str) or not raw:
            errors.add(value_path, _("%(path)s: a label value is non-empty text."))
            return None
        values = (raw,)
    else:
        if not isinstance(raw, list) or not raw or not all(isinstance(v, str) and v for v in raw):
            errors.add(value_path, _("%(path)s: must be a list of at least one non-empty text."))
            return None
        values = tuple(raw)
    return LabelCondition(path=path, key=key, op=op, value=values, clause=clause)


def _is_int(raw: Any) -> bool:
    return isinstance(raw, int) and not isinstance(raw, bool)


def _money(
    raw: Any, path: str, errors: _Errors, *, places: int = 2, limit: Decimal = MONEY_LIMIT
) -> Decimal | None:
    if not isinstance(raw, str):
        errors.add(path, _('%(path)s: write amounts as text, such as "600000.00", never as a JSON number.'))
        return None
    try:
        number = Decimal(raw.strip())
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        errors.add(path, _("%(path)s: “%(value)s” is not a number."), value=raw)
        return None
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -places:
        errors.add(path, _("%(path)s: at most %(places)s decimal places."), places=places)
        return None
    if abs(number) >= limit:
        errors.add(path, _("%(path)s: the amount is too large."))
        return None
    return number


def _constant(raw: Any, kind: Kind, attr: str, path: str, errors: _Errors) -> Any:
    if kind == "int":
        if not _is_int(raw) or not -INT_LIMIT <= raw <= INT_LIMIT:
            errors.add(path, _("%(path)s: %(attr)s is compared with a whole number."), attr=attr)
            return None
        return raw
    if kind == "money":
        return _money(raw, path, errors)
    if kind == "date":
        try:
            return datetime.date.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            pass
        errors.add(path, _("%(path)s: %(attr)s is compared with a date written YYYY-MM-DD."), attr=attr)
        return None
    if kind == "code":
        if not isinstance(raw, str) or not _CODE.fullmatch(raw):
            errors.add(path, _("%(path)s: a code is upper-case letters and digits, such as “C39”."))
            return None
        return raw
    if kind == "choice":
        if raw not in CHOICES[attr]:
            errors.add(
                path,
                _("%(path)s: %(attr)s is one of %(choices)s."),
                attr=attr,
                choices=", ".join(CHOICES[attr]),
            )
            return None
        return raw
    if not isinstance(raw, bool):
        errors.add(path, _("%(path)s: %(attr)s is compared with true or false."), attr=attr)
        return None
    return raw


def _award(data: Any, path: str, errors: _Errors, facts: dict[str, Kind]) -> Award | None:
    if not isinstance(data, dict):
        errors.add(path, _("%(path)s: an award formula must be a JSON object."))
        return None
    kind = data.get("kind")
    allowed = {
        "fixed": {"kind", "amount"},
        "tiered": {"kind", "attr", "label", "tiers"},
        "rate": {"kind", "attr", "fact", "rate", "cap"},
        "per_employee": {"kind", "amount", "cap"},
    }
    if kind not in allowed:
        errors.add(path + ".kind", _("%(path)s: the kind is one of fixed, tiered, rate, per_employee."))
        return None
    extra = sorted(set(data) - allowed[kind])
    for key in extra:
        errors.add(path + "." + key, _("%(path)s: unknown part of the award formula."))
    if extra:
        return None
    cap = None
    if "cap" in data:
        cap = _money(data["cap"], path + ".cap", errors)
        if cap is None:
            return None
    if kind in ("fixed", "per_employee"):
        amount = _money(data.get("amount"), path + ".amount", errors)
        if amount is None:
            return None
        if amount < 0:
            errors.add(path + ".amount", _("%(path)s: an award is not negative."))
            return None
        return Award(kind=kind, amount=amount, cap=cap)
    if kind == "rate":
        attr, fact = data.get("attr"), data.get("fact")
        if fact is not None:
            if attr is not None or not isinstance(fact, str) or facts.get(fact) != "money":
                errors.add(
                    path + ".fact",
                    _("%(path)s: a rate applies to one money fact declared in “facts”, or to an attribute."),
                )
                return None
        elif not isinstance(attr, str) or ATTRIBUTES.get(attr) != "money":
            errors.add(
                path + ".attr", _("%(path)s: a rate applies to a money figure (revenue, tax_paid, …).")
            )
            return None
        rate = _money(data.get("rate"), path + ".rate", errors, places=RATE_PLACES, limit=Decimal("1.0001"))
        if rate is None:
            return None
        if rate < 0:
            errors.add(path + ".rate", _("%(path)s: a rate is between 0 and 1."))
            return None
        return Award(kind="rate", attr=attr if fact is None else None, fact=fact, rate=rate, cap=cap)
    return _tiered(data, path, errors)


def _tiered(data: dict[str, Any], path: str, errors: _Errors) -> Award | None:
    attr: str | None = data.get("attr")
    label: str | None = data.get("label")
    if (attr is None) == (label is None):
        errors.add(path, _("%(path)s: a tiered award reads either one “attr” or one “label”."))
        return None
    kind = ATTRIBUTES.get(attr) if isinstance(attr, str) else None
    by_value = label is not None or kind in ("code", "choice")
    if label is not None and (not isinstance(label, str) or not _LABEL_KEY.fullmatch(label)):
        errors.add(
            path + ".label", _("%(path)s: a label name is lower-case letters, digits and underscores.")
        )
        return None
    if attr is not None and kind not in ("code", "choice", "int", "money"):
        errors.add(path + ".attr", _("%(path)s: tiers read a code, a count or a money figure."))
        return None
    raw_tiers = data.get("tiers")
    if not isinstance(raw_tiers, list) or not raw_tiers:
        errors.add(path + ".tiers", _("%(path)s: must be a list of at least one tier."))
        return None
    tiers: list[Tier] = []
    for i, raw in enumerate(raw_tiers):
        tier_path = f"{path}.tiers[{i}]"
        key = "value" if by_value else "from"
        if not isinstance(raw, dict) or set(raw) != {key, "amount"}:
            errors.add(tier_path, _("%(path)s: a tier is {“%(key)s”: …, “amount”: “…”}."), key=key)
            return None
        amount = _money(raw["amount"], tier_path + ".amount", errors)
        if amount is None:
            return None
        if by_value:
            if not isinstance(raw["value"], str) or not raw["value"]:
                errors.add(tier_path + ".value", _("%(path)s: a tier value is non-empty text."))
                return None
            tiers.append(Tier(amount=amount, value=raw["value"]))
        else:
            start = (
                Decimal(raw["from"])
                if _is_int(raw["from"])
                else _money(raw["from"], tier_path + ".from", errors)
            )
            if start is None:
                return None
            tiers.append(Tier(amount=amount, start=start))
    if by_value and len({t.value for t in tiers}) != len(tiers):
        errors.add(path + ".tiers", _("%(path)s: each tier value appears once."))
        return None
    if not by_value:
        starts = [t.start for t in tiers]
        if starts != sorted(starts) or len(set(starts)) != len(starts):  # type: ignore[type-var]
            errors.add(path + ".tiers", _("%(path)s: tiers go up: each “from” above the one before."))
            return None
    return Award(kind="tiered", attr=attr, label=label, tiers=tuple(tiers))
