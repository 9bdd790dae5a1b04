"""Flags about money: one bank account used by several enterprises, and amounts just
under a threshold the data holds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import reduce
from operator import or_
from typing import Any

from django.db import connection
from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Replace
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qinqing.enterprises.models import Enterprise
from qinqing.payments.models import PaymentInstruction
from qinqing.policies.models import Case, CaseStatus, CaseStep, PolicyVersion, StepOutcome
from qinqing.policies.rules import InvalidRule, parse_rule
from qinqing.policies.rules.schema import AllOf, AnyOf, AttrCondition, Condition, NotOf, fact_label
from qinqing.policies.summaries import yuan

from .base import EnterpriseRef, Finder, Reach, RedFlag, Severity, case_ref

# The payments app's name for an instruction paying a case (qinqing/policies/receivers.py).
CASE_SOURCE = "policies.case"
# Cases listed under one flag; the rest are counted.
MAX_LISTED = 10


def account_key(field: str) -> Replace:
    """An account number as compared: without the spaces and hyphens people type."""
    return Replace(Replace(F(field), Value(" "), Value("")), Value("-"), Value(""))


def masked(account: str) -> str:
    """All but the last four digits hidden, as the registry shows an account."""
    return "*" * max(len(account) - 4, 4) + account[-4:]


# --- One bank account, several enterprises -------------------------------------------------------


class SharedBankAccount(Finder):
    """One account number (spaces and hyphens aside) held in the registry by, or paid
    to for the cases of, several enterprises with cases submitted in the period in
    reach. Both sources count: the registry's account is where the next payment goes,
    a payment instruction's payee is where money went (the account may have changed
    since). Enterprises and cases outside the supervisor's reach are not shown."""

    kind = "shared_bank_account"

    def cases(self, reach: Reach) -> QuerySet[Case]:
        return Case.objects.filter(reach.q("organisation"), reach.within("submitted_at"))

    def _paid_to(self) -> Subquery:
        instructions = PaymentInstruction.objects.filter(
            source_type=CASE_SOURCE, source_id=Cast(OuterRef("pk"), CharField())
        ).exclude(payee_account="")
        return Subquery(instructions.annotate(account=account_key("payee_account")).values("account")[:1])

    def pairs_sql(self, reach: Reach) -> tuple[str, tuple[Any, ...]]:
        """SQL of the distinct (account, enterprise) pairs, and its parameters."""
        cases = self.cases(reach)
        registry = (
            Enterprise.objects.filter(pk__in=cases.values("enterprise_id"))
            .exclude(bank_account_number="")
            .annotate(account=account_key("bank_account_number"))
            .order_by()
            .values_list("account", "id")
        )
        paid = (
            cases.annotate(account=self._paid_to())
            .filter(account__isnull=False)
            .order_by()
            .values_list("account", "enterprise_id")
        )
        sql, params = registry.union(paid).query.sql_with_params()
        return sql, tuple(params)

    def _shared(self, reach: Reach, tail: str, extra: list[Any]) -> list[tuple[Any, ...]]:
        sql, params = self.pairs_sql(reach)
        # The union removes repeated pairs: a group's rows are its distinct enterprises.
        query = (
            f"SELECT account, COUNT(*) AS n FROM ({sql}) pairs GROUP BY account HAVING COUNT(*) > 1 {tail}"  # noqa: S608 - the ORM's SQL, values as parameters
        )
        with connection.cursor() as cursor:
            cursor.execute(query, [*params, *extra])
            return list(cursor.fetchall())

    def count(self, reach: Reach) -> int:
        sql, params = self.pairs_sql(reach)
        query = f"SELECT COUNT(*) FROM (SELECT account FROM ({sql}) pairs GROUP BY account HAVING COUNT(*) > 1) shared"  # noqa: S608 - as above
        with connection.cursor() as cursor:
            cursor.execute(query, list(params))
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def rows(self, reach: Reach, offset: int, limit: int) -> list[RedFlag]:
        shared = self._shared(reach, "ORDER BY n DESC, account LIMIT %s OFFSET %s", [limit, offset])
        if not shared:
            return []
        accounts = [row[0] for row in shared]
        cases = (
            self.cases(reach)
            .annotate(registered=account_key("enterprise__bank_account_number"), paid=self._paid_to())
            .filter(Q(registered__in=accounts) | Q(paid__in=accounts))
            .select_related("enterprise", "organisation", "policy")
            .order_by("enterprise__name", "enterprise_id", "-submitted_at", "-id")
        )
        by_account: dict[str, list[Any]] = defaultdict(list)
        paid_enterprises: dict[str, set[int]] = defaultdict(set)
        for case in cases:
            for account in {case.registered, case.paid} & set(accounts):
                by_account[account].append(case)
            if case.paid in accounts:
                paid_enterprises[case.paid].add(case.enterprise_id)
        return [self._flag(account, by_account[account], paid_enterprises[account]) for account, _n in shared]

    def _flag(self, account: str, cases: list[Any], paid: set[int]) -> RedFlag:
        enterprises = list({c.enterprise_id: c.enterprise for c in cases}.values())
        n = len(enterprises)
        fact = _("The account ending in %(last4)s is used by %(n)s enterprises with cases: %(names)s") % {
            "last4": account[-4:],
            "n": n,
            "names": _(", ").join(e.name for e in enterprises),
        }
        if len(paid) > 1:
            fact += _("; money was paid to it for the cases of %(n)s of them") % {"n": len(paid)}
        elif paid:
            fact += _("; money was paid to it for the cases of one of them")
        return RedFlag(
            kind=self.kind,
            severity=Severity.HIGH if n > 2 or len(paid) > 1 else Severity.MEDIUM,
            fact=fact,
            at=None,
            cases=tuple(case_ref(c.public_id, c.reference) for c in cases[:MAX_LISTED]),
            enterprises=tuple(EnterpriseRef(e.pk, e.name, e.credit_code) for e in enterprises),
            department=_(", ").join(sorted({c.organisation.name for c in cases})),
            more_cases=max(0, len(cases) - MAX_LISTED),
            data={
                "account_masked": masked(account),
                "enterprises": n,
                "enterprises_paid_to_it": len(paid),
                "cases": len(cases),
            },
        )


# --- Just under a threshold --------------------------------------------------------------------


class ThresholdSource:
    # The policy's cap per enterprise (the case's version's terms, else the policy's).
    POLICY_CAP = "policy_cap"
    # The award formula's own cap (a rate or an amount per employee, capped).
    RULE_CAP = "rule_cap"
    # The most an eligibility condition allows for a figure the application gives
    # (a money or count fact compared with lt, le or the high end of between).
    FACT_MAXIMUM = "fact_maximum"


@dataclass(frozen=True)
class Threshold:
    version_id: int
    source: str
    bound: Decimal
    # The amount may equal the bound (an eligibility maximum with le, between).
    inclusive: bool = False
    fact: str = ""
    fact_label: str = ""
    money: bool = True

    def low(self, margin: Decimal) -> Decimal:
        return (self.bound * (1 - margin)).quantize(Decimal("0.01"))

    def holds(self, value: Decimal | None, margin: Decimal) -> bool:
        if value is None:
            return False
        under = value <= self.bound if self.inclusive else value < self.bound
        return under and value >= self.low(margin)


def _money(raw: Any) -> Decimal | None:
    if raw is None or isinstance(raw, bool):
        return None
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def _maxima(condition: Condition) -> list[AttrCondition]:
    """Eligibility conditions on an application's money or count facts that set a
    maximum, outside any `not` (a negated bound is a minimum)."""
    if isinstance(condition, AllOf | AnyOf):
        return [leaf for member in condition.members for leaf in _maxima(member)]
    if isinstance(condition, NotOf):
        return []
    if isinstance(condition, AttrCondition) and condition.fact and condition.op in ("lt", "le", "between"):
        return [condition]
    return []


def version_thresholds(version: PolicyVersion) -> list[Threshold]:
    """The thresholds one rule version holds, read from its JSON (a version that no
    longer parses holds none)."""
    found: list[Threshold] = []
    terms = version.terms or {}
    cap = _money(terms["cap_per_enterprise"]) if "cap_per_enterprise" in terms else None
    if "cap_per_enterprise" not in terms:
        cap = version.policy.cap_per_enterprise
    if cap is not None and cap > 0:
        found.append(Threshold(version.pk, ThresholdSource.POLICY_CAP, cap))
    try:
        rule = parse_rule(version.rule)
    except InvalidRule:
        return found
    if rule.award.cap is not None and rule.award.cap > 0:
        found.append(Threshold(version.pk, ThresholdSource.RULE_CAP, rule.award.cap))
    for leaf in _maxima(rule.conditions):
        kind = rule.facts.get(leaf.attr)
        if kind not in ("int", "money"):
            continue
        bound = _money(leaf.value[1] if leaf.op == "between" else leaf.value)
        if bound is None or bound <= 0:
            continue
        found.append(
            Threshold(
                version.pk,
                ThresholdSource.FACT_MAXIMUM,
                bound,
                inclusive=leaf.op != "lt",
                fact=leaf.attr,
                fact_label=fact_label(rule.fact_labels.get(leaf.attr), leaf.attr),
                money=kind == "money",
            )
        )
    return found


def _figure(value: Decimal) -> str:
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def _fact_alias(name: str) -> str:
    return f"fact_{name}"


class JustUnderThreshold(Finder):
    """A case whose award by the rule, or a figure its application gave, lies within
    `threshold_margin` below a threshold: the policy's cap per enterprise, the award
    formula's cap, or the most an eligibility condition allows. The thresholds are
    read from the rule versions of the cases in reach (a bounded number of rows), then
    the cases matched in one query. Several such cases for one enterprise, or approved
    by one official, weigh more."""

    kind = "just_under_threshold"
    # From these many flagged cases of one enterprise, or approved by one official, on.
    REPEATED_ENTERPRISE = 2
    REPEATED_OFFICIAL = 3

    def cases(self, reach: Reach) -> QuerySet[Case]:
        return Case.objects.filter(reach.q("organisation"), reach.within("submitted_at")).exclude(
            status=CaseStatus.WITHDRAWN
        )

    def thresholds(self, reach: Reach) -> dict[int, list[Threshold]]:
        def read() -> dict[int, list[Threshold]]:
            versions = (
                PolicyVersion.objects.filter(Exists(self.cases(reach).filter(version_id=OuterRef("pk"))))
                .select_related("policy")
                .only("id", "rule", "terms", "policy__cap_per_enterprise")
                .order_by("id")
            )
            out: dict[int, list[Threshold]] = {}
            for version in versions:
                found = version_thresholds(version)
                if found:
                    out[version.pk] = found
            return out

        result: dict[int, list[Threshold]] = reach.memo("thresholds", read)
        return result

    def queryset(self, reach: Reach) -> QuerySet[Case]:
        margin = reach.settings.threshold_margin
        by_version = self.thresholds(reach)
        facts: dict[str, set[int]] = defaultdict(set)
        conditions: list[Q] = []
        for version_id, found in by_version.items():
            for t in found:
                if t.source == ThresholdSource.FACT_MAXIMUM:
                    facts[t.fact].add(version_id)
                    value = _fact_alias(t.fact)
                else:
                    value = "award_computed"
                upper = "lte" if t.inclusive else "lt"
                conditions.append(
                    Q(version_id=version_id, **{f"{value}__gte": t.low(margin), f"{value}__{upper}": t.bound})
                )
        if not conditions:
            return Case.objects.none()
        # A fact is read as a number only under the versions that declare it so: the
        # same name may hold a code or a date under another policy's rule.
        figures = {
            _fact_alias(name): SqlCase(
                When(
                    version_id__in=sorted(versions),
                    then=Cast(KT(f"facts__{name}"), DecimalField(max_digits=20, decimal_places=2)),
                ),
                default=None,
                output_field=DecimalField(max_digits=20, decimal_places=2),
            )
            for name, versions in sorted(facts.items())
        }
        return self.cases(reach).annotate(**figures).filter(reduce(or_, conditions))

    def count(self, reach: Reach) -> int:
        return self.queryset(reach).count()

    def rows(self, reach: Reach, offset: int, limit: int) -> list[RedFlag]:
        flagged = self.queryset(reach)
        # The page narrow (ids and the enterprise's count: the window reads every flagged
        # case), then its cases in full.
        page = list(
            flagged.annotate(same_enterprise=Window(Count("id"), partition_by=[F("enterprise_id")]))
            .order_by("-submitted_at", "-id")
            .values_list("id", "same_enterprise")[offset : offset + limit]
        )
        if not page:
            return []
        by_id = Case.objects.select_related("enterprise", "policy", "organisation").in_bulk(
            [pk for pk, _n in page]
        )
        cases = []
        for pk, same_enterprise in page:
            case: Any = by_id[pk]
            case.same_enterprise = same_enterprise
            cases.append(case)
        # Who approved the page's cases, and how many flagged cases each approved.
        approvals = list(
            CaseStep.objects.filter(case_id__in=[c.pk for c in cases], outcome=StepOutcome.APPROVED)
            .exclude(actor=None)
            .select_related("actor")
            .order_by("case_id", "position", "attempt")
        )
        approvers: dict[int, list[Any]] = defaultdict(list)
        for step in approvals:
            approvers[step.case_id].append(step.actor)
        repeats = dict(
            CaseStep.objects.filter(
                case_id__in=flagged.values("pk"),
                outcome=StepOutcome.APPROVED,
                actor_id__in=sorted({s.actor_id for s in approvals}),
            )
            .order_by()
            .values("actor_id")
            .annotate(n=Count("case_id", distinct=True))
            .values_list("actor_id", "n")
        )
        thresholds = self.thresholds(reach)
        return [
            self._flag(reach, case, thresholds.get(case.version_id, []), approvers[case.pk], repeats)
            for case in cases
        ]

    def _flag(
        self,
        reach: Reach,
        case: Any,
        thresholds: list[Threshold],
        approvers: list[Any],
        repeats: dict[int, int],
    ) -> RedFlag:
        margin = reach.settings.threshold_margin
        parts: list[str] = []
        matched: list[dict[str, Any]] = []
        for t in thresholds:
            value = (
                _money((case.facts or {}).get(t.fact))
                if t.source == ThresholdSource.FACT_MAXIMUM
                else case.award_computed
            )
            if value is None or not t.holds(value, margin):
                continue
            parts.append(self._sentence(t, value))
            matched.append(
                {"source": t.source, "fact": t.fact, "value": str(value), "threshold": str(t.bound)}
            )
        repeated = max(approvers, key=lambda u: repeats.get(u.pk, 0), default=None)
        by_official = repeats.get(repeated.pk, 0) if repeated is not None else 0
        for_enterprise = case.same_enterprise
        if for_enterprise >= self.REPEATED_ENTERPRISE:
            parts.append(
                ngettext(
                    "%(n)s such case for this enterprise",
                    "%(n)s such cases for this enterprise",
                    for_enterprise,
                )
                % {"n": for_enterprise}
            )
        official = ""
        if repeated is not None and by_official >= self.REPEATED_OFFICIAL:
            official = str(repeated)
            parts.append(
                ngettext(
                    "%(official)s approved %(n)s such case",
                    "%(official)s approved %(n)s such cases",
                    by_official,
                )
                % {"official": official, "n": by_official}
            )
        strong = (for_enterprise >= self.REPEATED_ENTERPRISE) + (by_official >= self.REPEATED_OFFICIAL)
        return RedFlag(
            kind=self.kind,
            severity=(Severity.LOW, Severity.MEDIUM, Severity.HIGH)[strong],
            fact=_("; ").join(parts),
            at=case.submitted_at,
            cases=(case_ref(case.public_id, case.reference),),
            enterprises=(
                EnterpriseRef(case.enterprise_id, case.enterprise.name, case.enterprise.credit_code),
            ),
            official=official,
            official_id=repeated.pk if official and repeated is not None else None,
            department=case.organisation.name,
            policy=case.policy.title,
            data={
                "thresholds": matched,
                "margin": str(margin),
                "flagged_cases_of_enterprise": for_enterprise,
                "flagged_cases_approved_by_official": by_official if official else None,
            },
        )

    @staticmethod
    def _sentence(t: Threshold, value: Decimal) -> str:
        under = (t.bound - value) / t.bound * 100
        params = {
            "value": yuan(value) if t.money else _figure(value),
            "bound": yuan(t.bound) if t.money else _figure(t.bound),
            "percent": f"{under:.1f}%",
            "fact": t.fact_label,
        }
        if t.source == ThresholdSource.POLICY_CAP:
            return (
                _(
                    "The award by the rule, %(value)s, is %(percent)s under the policy's cap per enterprise of %(bound)s"
                )
                % params
            )
        if t.source == ThresholdSource.RULE_CAP:
            return (
                _(
                    "The award by the rule, %(value)s, is %(percent)s under the award formula's cap of %(bound)s"
                )
                % params
            )
        if value == t.bound:
            return _("%(fact)s given as %(value)s: the most the rule allows") % params
        return (
            _("%(fact)s given as %(value)s, %(percent)s under the most the rule allows (%(bound)s)") % params
        )
