"""Flags about who decided: an official related to the enterprise, and one official
deciding most of one enterprise's cases."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef, QuerySet
from django.utils.translation import gettext as _

from qinqing.accounts.models import User
from qinqing.enterprises.models import Enterprise
from qinqing.integrity.models import RelationDeclaration, RelationKind
from qinqing.policies.models import CaseStep
from qinqing.policies.steps import step_label

from .base import EnterpriseRef, Finder, Reach, RedFlag, Severity, case_ref, local
from .money import MAX_LISTED
from .timing import decided_steps

# A relation declared this soon after the decision, or ended this soon before it, weighs more.
CLOSE_DAYS = 365
# Shares are compared in whole parts of this, so that the database compares integers.
SHARE_SCALE = 10_000


# --- Official related to the enterprise ----------------------------------------------------------


class Timing:
    IN_FORCE = "in_force"
    DECLARED_AFTER = "declared_after"
    ENDED_BEFORE = "ended_before"


def relation_timing(declaration: RelationDeclaration, acted_at: dt.datetime) -> str:
    if declaration.declared_at > acted_at:
        return Timing.DECLARED_AFTER
    if declaration.ended_at is not None and declaration.ended_at <= acted_at:
        return Timing.ENDED_BEFORE
    return Timing.IN_FORCE


# Which declaration a flag tells of when an official declared several: the gravest.
_GRAVITY = {Timing.IN_FORCE: 0, Timing.DECLARED_AFTER: 1, Timing.ENDED_BEFORE: 2}


class RelatedApprover(Finder):
    """An official approved or rejected a step of a case of an enterprise towards which
    they declared a relation (`integrity`), whenever declared. Recusal bars acting
    while a declaration is in force, so the usual finding is a relation declared after
    the decision, or ended shortly before it; one in force at the time means the bar
    was passed around (a decision recorded by other means, data imported)."""

    kind = "related_approver"

    def queryset(self, reach: Reach) -> QuerySet[CaseStep]:
        declared = RelationDeclaration.objects.filter(
            official_id=OuterRef("actor_id"), enterprise_id=OuterRef("case__enterprise_id")
        )
        return decided_steps(reach).filter(Exists(declared))

    def count(self, reach: Reach) -> int:
        return self.queryset(reach).count()

    def rows(self, reach: Reach, offset: int, limit: int) -> list[RedFlag]:
        steps = list(
            self.queryset(reach)
            .select_related("case", "case__enterprise", "case__policy", "organisation", "actor")
            .order_by("-ended_at", "-id")[offset : offset + limit]
        )
        if not steps:
            return []
        pairs = {(s.actor_id, s.case.enterprise_id) for s in steps}
        declarations: dict[tuple[Any, int], list[RelationDeclaration]] = defaultdict(list)
        for d in RelationDeclaration.objects.filter(
            official_id__in=sorted({p[0] for p in pairs}), enterprise_id__in=sorted({p[1] for p in pairs})
        ).order_by("declared_at", "id"):
            declarations[(d.official_id, d.enterprise_id)].append(d)
        return [self._flag(s, declarations[(s.actor_id, s.case.enterprise_id)]) for s in steps]

    def _flag(self, step: Any, declarations: list[RelationDeclaration]) -> RedFlag:
        acted_at: dt.datetime = step.ended_at
        declaration = min(
            declarations,
            key=lambda d: (_GRAVITY[relation_timing(d, acted_at)], abs(d.declared_at - acted_at)),
        )
        timing = relation_timing(declaration, acted_at)
        params = {
            "official": str(step.actor),
            "step": step_label(step),
            "date": f"{local(acted_at):%Y-%m-%d}",
            "declared": f"{local(declaration.declared_at):%Y-%m-%d}",
            "ended": f"{local(declaration.ended_at):%Y-%m-%d}" if declaration.ended_at else "",
            "relation": RelationKind(declaration.kind).label,
        }
        if timing == Timing.IN_FORCE:
            fact = _(
                "%(official)s decided the step “%(step)s” on %(date)s while a declared relation to the "
                "enterprise was in force (declared %(declared)s: %(relation)s)"
            )
            severity = Severity.HIGH
            days = (acted_at - declaration.declared_at).days
        elif timing == Timing.DECLARED_AFTER:
            days = (declaration.declared_at - acted_at).days
            params["days"] = str(days)
            fact = _(
                "%(official)s decided the step “%(step)s” on %(date)s and declared a relation to the "
                "enterprise %(days)s days later, on %(declared)s (%(relation)s)"
            )
            severity = Severity.HIGH if days <= CLOSE_DAYS else Severity.MEDIUM
        else:
            assert declaration.ended_at is not None
            days = (acted_at - declaration.ended_at).days
            params["days"] = str(days)
            fact = _(
                "%(official)s decided the step “%(step)s” on %(date)s, %(days)s days after ending a "
                "declared relation to the enterprise (%(relation)s, ended %(ended)s)"
            )
            severity = Severity.MEDIUM if days <= CLOSE_DAYS else Severity.LOW
        case = step.case
        return RedFlag(
            kind=self.kind,
            severity=severity,
            fact=fact % params,
            at=acted_at,
            cases=(case_ref(case.public_id, case.reference),),
            enterprises=(
                EnterpriseRef(case.enterprise_id, case.enterprise.name, case.enterprise.credit_code),
            ),
            official=str(step.actor),
            official_id=step.actor_id,
            department=step.organisation.name,
            policy=case.policy.title,
            data={
                "step": step.key,
                "outcome": step.outcome,
                "timing": timing,
                "days": days,
                "relation": declaration.kind,
                "declared_at": declaration.declared_at.isoformat(),
                "ended_at": declaration.ended_at.isoformat() if declaration.ended_at else None,
            },
        )


# --- One official, most of an enterprise's cases -------------------------------------------------


class SameOfficialSameFirm(Finder):
    """One official decided a step of at least `same_official_min_cases` of one
    enterprise's cases, of at least `same_official_min_share` of the enterprise's cases
    that any official decided a step of, and of `same_official_min_lift` times the
    share of all the cases of their departments they decided (in the period, in reach).

    Four eyes keeps an official to one step per case, so this is the same hand at the
    same enterprise's door case after case; the lift leaves out what the department's
    routine explains (a head who rechecks every case, the one clerk of a small office)."""

    kind = "same_official_same_firm"

    def sql(self, reach: Reach) -> tuple[str, list[Any]]:
        """SQL of the flagged rows (official, enterprise, cases of the enterprise they
        decided, cases of the enterprise decided, cases they decided, cases decided in
        their departments) and its parameters. Each figure is grouped apart and the
        groups joined (a subquery per pair would count again for each pair)."""
        decided = decided_steps(reach).order_by()
        one_case = Count("case_id", distinct=True)
        parts = [
            # The official's cases of the enterprise.
            decided.values("actor_id", firm=F("case__enterprise_id"))
            .annotate(n=one_case)
            .filter(n__gte=reach.settings.same_official_min_cases),
            # The enterprise's cases.
            decided.values(firm=F("case__enterprise_id")).annotate(total=one_case),
            # The official's cases.
            decided.values("actor_id").annotate(mine=one_case),
            # Where the official decided, and each department's cases (a case has one).
            decided.values("actor_id", unit=F("organisation_id")).distinct(),
            decided.values(unit=F("organisation_id")).annotate(cases=one_case),
        ]
        compiled = [part.query.sql_with_params() for part in parts]
        pairs, totals, mine, units, unit_cases = (sql for sql, _params in compiled)
        params: list[Any] = [p for _sql, part_params in compiled for p in part_params]
        share = round(reach.settings.same_official_min_share * SHARE_SCALE)
        lift = round(reach.settings.same_official_min_lift * SHARE_SCALE)
        # In integers: n / total ≥ share, and n / total ≥ lift × mine / pool.
        sql = (
            "SELECT p.actor_id, p.firm, p.n, t.total, l.mine, l.pool "  # noqa: S608 - the ORM's SQL, values as parameters
            f"FROM ({pairs}) p JOIN ({totals}) t ON t.firm = p.firm "
            "JOIN (SELECT m.actor_id, m.mine, SUM(c.cases) AS pool "
            f"FROM ({mine}) m JOIN ({units}) u ON u.actor_id = m.actor_id JOIN ({unit_cases}) c ON c.unit = u.unit "
            "GROUP BY m.actor_id, m.mine) l ON l.actor_id = p.actor_id "
            f"WHERE p.n * {SHARE_SCALE} >= t.total * %s AND p.n * l.pool * {SHARE_SCALE} >= t.total * l.mine * %s"
        )
        return sql, [*params, share, lift]

    def count(self, reach: Reach) -> int:
        sql, params = self.sql(reach)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) flagged", params)  # noqa: S608 - as above
            row = cursor.fetchone()
        return int(row[0]) if row else 0

    def rows(self, reach: Reach, offset: int, limit: int) -> list[RedFlag]:
        sql, params = self.sql(reach)
        with connection.cursor() as cursor:
            cursor.execute(
                f"{sql} ORDER BY p.n DESC, t.total DESC, p.actor_id, p.firm LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            pairs = [
                # PostgreSQL sums integers as numeric: back to int.
                {"actor_id": a, "case__enterprise_id": e, "n": n, "total": t, "mine": m, "pool": int(pool)}
                for a, e, n, t, m, pool in cursor.fetchall()
            ]
        if not pairs:
            return []
        officials = User.objects.in_bulk(sorted({p["actor_id"] for p in pairs}))
        enterprises = Enterprise.objects.in_bulk(sorted({p["case__enterprise_id"] for p in pairs}))
        wanted = {(p["actor_id"], p["case__enterprise_id"]) for p in pairs}
        cases: dict[tuple[Any, int], list[Any]] = defaultdict(list)
        seen: set[tuple[Any, int, int]] = set()
        for step in (
            decided_steps(reach)
            .filter(
                actor_id__in=sorted({w[0] for w in wanted}),
                case__enterprise_id__in=sorted({w[1] for w in wanted}),
            )
            .select_related("case", "organisation")
            .order_by("-ended_at", "-id")
        ):
            key = (step.actor_id, step.case.enterprise_id)
            if key in wanted and (*key, step.case_id) not in seen:
                seen.add((*key, step.case_id))
                cases[key].append(step)
        return [
            self._flag(reach, p, officials[p["actor_id"]], enterprises[p["case__enterprise_id"]], cases)
            for p in pairs
        ]

    def _flag(
        self, reach: Reach, pair: dict[str, Any], official: Any, enterprise: Any, cases: dict[Any, list[Any]]
    ) -> RedFlag:
        n, total = pair["n"], pair["total"]
        usual = pair["mine"] / pair["pool"] if pair["pool"] else 0.0
        steps = cases[(pair["actor_id"], pair["case__enterprise_id"])]
        listed = steps[:MAX_LISTED]
        return RedFlag(
            kind=self.kind,
            severity=Severity.HIGH
            if n == total and n >= 2 * reach.settings.same_official_min_cases
            else Severity.MEDIUM,
            fact=_(
                "%(official)s decided a step of %(n)s of the %(total)s cases of %(enterprise)s "
                "decided in the period (%(share)s), against %(usual)s of all the cases of their department"
            )
            % {
                "official": str(official),
                "n": n,
                "total": total,
                "enterprise": enterprise.name,
                "share": f"{n / total * 100:.0f}%",
                "usual": f"{usual * 100:.0f}%",
            },
            at=listed[0].ended_at if listed else None,
            cases=tuple(case_ref(s.case.public_id, s.case.reference) for s in listed),
            enterprises=(EnterpriseRef(enterprise.pk, enterprise.name, enterprise.credit_code),),
            official=str(official),
            official_id=official.pk,
            department=_(", ").join(sorted({s.organisation.name for s in steps})),
            more_cases=max(0, n - len(listed)),
            data={
                "cases_decided_by_official": n,
                "cases_decided": total,
                "share": round(n / total, 4),
                "share_of_all_cases_of_their_department": round(usual, 4),
            },
        )
