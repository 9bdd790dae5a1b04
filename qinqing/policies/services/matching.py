"""Proactive matching (政策找企 / 免申即享): invitations written set-based.

`policy_match` compiles the policy's rule to one query and writes every new match as
an invitation with its award in ONE `INSERT … SELECT` (PostgreSQL and SQLite alike):
no enterprise passes through Python. `enterprise_rematch` does the converse for one
enterprise whose figures changed, with the reference evaluator (one enterprise: no
loop over enterprises).
Notifying the invited enterprises' users is a job, enqueued after commit.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinqing.audit.services import audit_record
from qinqing.common.errors import InvalidTransition, PermissionDenied
from qinqing.enterprises.models import Enterprise, EnterpriseLabel
from qinqing.policies.models import (
    OPEN_OR_DECIDED,
    Case,
    Invitation,
    InvitationLapse,
    InvitationStatus,
    PeriodKind,
    Policy,
    PolicyMode,
    PolicyStatus,
    PolicyVersion,
)
from qinqing.policies.public_ids import uuid7, uuid7_sql
from qinqing.policies.rules import Rule, award_expression, decide, eligible_q, parse_rule
from qinqing.policies.rules.compile import MONEY, prefix_ranges_pay
from qinqing.policies.services.catalogue import can_write_policies, current_version, lock_policy
from qinqing.policies.services.invitations import enqueue_notify, invitations_lapse

_CENT = Decimal("0.01")


def policy_period(policy: Policy, on: dt.date) -> str:
    """The period a case made on `on` belongs to: one slot per enterprise and period."""
    return _period(policy.period_kind, on)


def _period(period_kind: str, on: dt.date) -> str:
    return str(on.year) if period_kind == PeriodKind.YEARLY else "once"


def policy_in_force(policy: Policy, on: dt.date) -> bool:
    return policy.status == PolicyStatus.PUBLISHED and policy.valid_from <= on <= policy.valid_until


def _matchable(policy: Policy, rule: Rule, on: dt.date) -> bool:
    """Invitations are 免申即享's: a proactive policy in force whose rule the registry
    decides alone. An application-mode policy is applied for (the enterprise's "policies
    that fit me" lists it with its form), never confirmed from an invitation."""
    return policy_in_force(policy, on) and policy.mode == PolicyMode.PROACTIVE and not rule.facts


def matches_queryset(policy: Policy, version: PolicyVersion, rule: Rule, on: dt.date) -> Any:
    """The enterprises newly eligible under `policy` in its current period, each with its
    award after the per-enterprise cap, as `m_enterprise`, `m_award` rows: one query."""
    period = policy_period(policy, on)
    taken = Invitation.objects.filter(policy=policy, period=period, enterprise=OuterRef("pk"))
    held = Case.objects.filter(
        policy=policy, period=period, enterprise=OuterRef("pk"), status__in=OPEN_OR_DECIDED
    )
    return (
        Enterprise.objects.filter(eligible_q(rule, on=on, prefix_ranges=prefix_ranges_pay()))
        .filter(~Exists(taken), ~Exists(held))
        .annotate(match_award=_award(policy, rule))
        .filter(match_award__gt=0)
        .order_by()
        # Named columns, so the INSERT … SELECT can refer to them on either database.
        .values(m_enterprise=F("pk"), m_award=F("match_award"))
    )


def _award(policy: Policy, rule: Rule) -> Any:
    """The rule's award after the policy's cap per enterprise, as an SQL expression."""
    award = award_expression(rule.award)
    if policy.cap_per_enterprise is not None:
        award = Least(award, policy.cap_per_enterprise, output_field=MONEY)
    return award


def _refresh_open(
    policy: Policy, version: PolicyVersion, rule: Rule, on: dt.date, now: dt.datetime
) -> dict[str, int]:
    """Hold the (locked) policy's open invitations to what the version in force gives on
    `on`, set-based as the match: an earlier period's lapse (ended), those whose
    enterprise no longer qualifies lapse (not eligible), the rest carry the version in
    force and its award. So an amended cap or rule, or registry figures that changed,
    show on the invitation before the enterprise confirms (which judges it again anyway)."""
    period = policy_period(policy, on)
    ended = invitations_lapse(policy.pk, reason=InvitationLapse.ENDED, now=now, where=~Q(period=period))
    qualifying = (
        Enterprise.objects.filter(eligible_q(rule, on=on, prefix_ranges=prefix_ranges_pay()))
        .filter(pk=OuterRef("enterprise_id"))
        .annotate(match_award=_award(policy, rule))
        .filter(match_award__gt=0)
    )
    lapsed = invitations_lapse(
        policy.pk,
        reason=InvitationLapse.NOT_ELIGIBLE,
        now=now,
        where=Q(period=period) & ~Q(Exists(qualifying)),
    )
    current = Invitation.objects.filter(policy=policy, status=InvitationStatus.OPEN, period=period)
    award = Subquery(qualifying.values("match_award")[:1], output_field=MONEY)
    # What qualifies still but under another version or for another amount.
    refreshed = current.exclude(version=version, award=award).update(version=version, award=award)
    return {"ended": ended, "lapsed": lapsed, "refreshed": refreshed}


def policy_match(
    *, actor: Any, policy: Policy, on: dt.date | None = None, record_unchanged: bool = True
) -> int:
    """Invite every enterprise that newly qualifies for `policy`; returns how many.
    First its open invitations are held to the version in force (`_refresh_open`).

    Safe to run again (already invited or holding a case: skipped) and concurrently (the
    unique (policy, enterprise, period) constraint and ON CONFLICT DO NOTHING).
    """
    on = on or timezone.localdate()
    with transaction.atomic(durable=True):
        locked = Policy.objects.select_for_update().select_related("department").get(pk=policy.pk)
        # A person must be a writer of the issuing department; None is the system's job.
        if actor is not None and not can_write_policies(actor, locked.department):
            raise PermissionDenied(
                _("Only an officer or the head of the issuing department may match its policies.")
            )
        version = current_version(locked)
        rule = parse_rule(version.rule)
        if not _matchable(locked, rule, on):
            raise InvalidTransition(_not_matchable_message(locked, rule))
        now = timezone.now()
        kept = _refresh_open(locked, version, rule, on, now)
        select_sql, params = matches_queryset(locked, version, rule, on).query.sql_with_params()
        table = Invitation._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} "  # noqa: S608 - names from the model, values bound
                "(public_id, policy_id, version_id, enterprise_id, period, award, status, created_at) "
                f"SELECT {uuid7_sql(connection.vendor)}, %s, %s, m.m_enterprise, %s, m.m_award, %s, %s "
                f"FROM ({select_sql}) AS m "
                # WHERE true: SQLite would read ON CONFLICT as a join's ON without it.
                "WHERE true ON CONFLICT DO NOTHING",
                [
                    locked.pk,
                    version.pk,
                    policy_period(locked, on),
                    str(InvitationStatus.OPEN),
                    connection.ops.adapt_datetimefield_value(now),
                    *params,
                ],
            )
            created = max(cursor.rowcount, 0)
        # The daily pass records a match only when it changed something (the scheduler
        # keeps its runs); any other match is recorded always.
        if record_unchanged or created or any(kept.values()):
            audit_record(
                actor=actor,
                action="policy.match",
                obj=locked,
                organisation=locked.department_id,
                after={"version": version.number, "on": on, "invited": created, **kept},
            )
        if created:
            batch = now.isoformat()
            transaction.on_commit(lambda: enqueue_notify(locked.pk, batch))
    return created


def policies_match_due(*, on: dt.date | None = None) -> dict[str, int]:
    """The daily pass that keeps invitations to the catalogue (the scheduler runs it).

    Open invitations of a withdrawn policy lapse (withdrawn), of a policy whose window
    has ended (ended), of a policy that takes applications (application: made before
    only proactive policies invited, or written behind the services' back; confirming
    one is refused). Then every proactive policy in force is matched again
    (`policy_match`, one transaction each): a policy announced ahead invites when its
    window opens, a yearly one invites for the new year, an amended one and figures
    changed in the registry show on the open invitations. Safe to run twice: a second
    run finds nothing new. Returns the counts, also written to the audit trail.
    """
    on = on or timezone.localdate()
    counts = {"withdrawn": 0, "ended": 0, "application": 0, "policies": 0, "invited": 0}
    out_of_force = Policy.objects.filter(
        Q(status=PolicyStatus.WITHDRAWN) | Q(valid_until__lt=on) | ~Q(mode=PolicyMode.PROACTIVE),
        Exists(Invitation.objects.filter(policy=OuterRef("pk"), status=InvitationStatus.OPEN)),
    ).values_list("pk", flat=True)
    for policy_id in out_of_force:
        with transaction.atomic(durable=True):
            locked = lock_policy(policy_id)
            reason = _lapse_reason(locked, on)
            if reason is None:
                continue  # its window was extended since it was listed
            lapsed = invitations_lapse(locked.pk, reason=reason, now=timezone.now())
            counts[str(reason)] += lapsed
            audit_record(
                actor=None,
                action="policy.invitations_lapse",
                obj=locked,
                organisation=locked.department_id,
                after={"on": on, "reason": reason, "lapsed": lapsed},
            )
    in_force = Policy.objects.filter(
        status=PolicyStatus.PUBLISHED, mode=PolicyMode.PROACTIVE, valid_from__lte=on, valid_until__gte=on
    ).order_by("pk")
    for policy in in_force:
        if parse_rule(current_version(policy).rule).facts:
            continue  # enterprises apply for it: nothing to match
        try:
            counts["invited"] += policy_match(actor=None, policy=policy, on=on, record_unchanged=False)
        except InvalidTransition:
            continue  # withdrawn since it was listed: the next run lapses its invitations
        counts["policies"] += 1
    return counts


def _lapse_reason(policy: Policy, on: dt.date) -> InvitationLapse | None:
    """Why the (locked) policy's open invitations lapse on `on` in the daily pass, if
    they do: its withdrawal, its ended window, or its taking applications, in that order
    (the first that holds is what the enterprise is told)."""
    if policy.status == PolicyStatus.WITHDRAWN:
        return InvitationLapse.WITHDRAWN
    if policy.valid_until < on:
        return InvitationLapse.ENDED
    if policy.mode != PolicyMode.PROACTIVE:
        return InvitationLapse.APPLICATION
    return None


def _not_matchable_message(policy: Policy, rule: Rule) -> Any:
    if rule.facts:
        return _("This policy's rule reads facts from an application; enterprises apply for it.")
    if policy.mode != PolicyMode.PROACTIVE:
        return _("This policy takes applications; enterprises apply for it.")
    return _("Only a published policy within its validity window can be matched.")


@dataclass(frozen=True)
class _InForce:
    """What a re-match needs of one in-force policy: ids, cap, period and parsed rule."""

    policy_id: int
    version_id: int
    cap: Decimal | None
    period: str
    rule: Rule


# Parsed rules by (version id, publication time). A published version's rule never
# changes (an edit adds a version); the publication time is part of the key because a
# draft's rule, edited in place, becomes published under the same id.
_RULES: dict[tuple[int, Any], Rule] = {}
_RULES_KEPT = 4096


def _in_force_policies(on: dt.date) -> list[_InForce]:
    """The proactive policies in force on `on`, each with its current version's parsed
    rule (the policies `policy_match` matches, as `_matchable` says; their rules'
    facts are checked by the caller).

    One query reads the catalogue's state (ids, caps, periods, versions: no rule text),
    which is the cache's key: whatever a publication, a withdrawal, a new version or an
    edited cap changed, in this process or another, shows in it. Only the rules of
    versions not seen before are read and parsed. Plain SQL: building the ORM query cost
    more than running it.
    """
    policy, version = Policy._meta.db_table, PolicyVersion._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT v.policy_id, v.id, v.number, v.published_at, "  # noqa: S608 - model names
            "CAST(p.cap_per_enterprise AS TEXT), p.period_kind "
            f"FROM {version} v JOIN {policy} p ON p.id = v.policy_id "
            "WHERE p.status = %s AND p.mode = %s AND p.valid_from <= %s AND p.valid_until >= %s",
            [str(PolicyStatus.PUBLISHED), str(PolicyMode.PROACTIVE), on, on],
        )
        rows = cursor.fetchall()
    current: dict[int, tuple[Any, ...]] = {}
    for row in rows:
        if row[0] not in current or row[2] > current[row[0]][2]:
            current[row[0]] = row
    # The publication time as the database returned it: it only tells versions apart.
    missing = {row[1]: row[3] for row in current.values() if (row[1], row[3]) not in _RULES}
    if len(_RULES) + len(missing) > _RULES_KEPT:
        _RULES.clear()  # versions long replaced pile up otherwise; start again
        missing = {row[1]: row[3] for row in current.values()}
    if missing:
        for pk, rule in PolicyVersion.objects.filter(pk__in=list(missing)).values_list("pk", "rule"):
            _RULES[(pk, missing[pk])] = parse_rule(rule)
    return [
        _InForce(
            policy_id=policy_id,
            version_id=version_id,
            cap=None if cap is None else Decimal(cap),
            period=_period(period_kind, on),
            rule=_RULES[(version_id, published_at)],
        )
        for policy_id, version_id, _n, published_at, cap, period_kind in sorted(current.values())
        if (version_id, published_at) in _RULES  # a version deleted between the two reads
    ]


@dataclass(frozen=True)
class _Held:
    """A (policy, period) the enterprise holds a case (not withdrawn) or an invitation
    for; for an open invitation, its id."""

    policy_id: int
    period: str
    open_invitation: int | None = None


def _held(enterprise_id: int) -> list[_Held]:
    """What the enterprise already holds, cases and invitations, in one read."""
    statuses = ", ".join(["%s"] * len(OPEN_OR_DECIDED))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT policy_id, period, NULL, NULL "  # noqa: S608 - names and placeholders
            f"FROM {Case._meta.db_table} WHERE enterprise_id = %s AND status IN ({statuses}) "
            f"UNION ALL SELECT policy_id, period, id, status FROM {Invitation._meta.db_table} "
            "WHERE enterprise_id = %s",
            [enterprise_id, *OPEN_OR_DECIDED, enterprise_id],
        )
        rows = cursor.fetchall()
    return [
        _Held(policy_id, period, pk if status == InvitationStatus.OPEN else None)
        for policy_id, period, pk, status in rows
    ]


def enterprise_rematch(*, enterprise_id: int, on: dt.date | None = None) -> list[Invitation]:
    """Re-match one enterprise against every matchable policy after its figures changed:
    new matches become invitations, and its open invitations of policies it no longer
    qualifies for lapse. Returns the invitations created.

    An open invitation's award is not rewritten here: figures change often (head counts,
    revenue), and a write per change would make every registry update a commit. The daily
    pass (`policies_match_due`) brings the awards up to date, and confirming judges the
    enterprise again on the day's figures.

    One enterprise, so the reference evaluator decides (`rules.decide`: `evaluate`
    without the explanation; both are property-tested against the compiled query), over
    the in-force policies read as one small query with their rules parsed once per
    process (`_in_force_policies`). Then the enterprise with its labels (one indexed
    read), what it already holds, cases and invitations (one read), and writes only if
    something is new or lapses: three queries when nothing does.
    """
    on = on or timezone.localdate()
    policies = _in_force_policies(on)
    if not policies:
        return []
    # The enterprise and its labels in one statement: one row per label (one if none).
    rows = list(
        Enterprise.objects.raw(
            'SELECT e.*, l."key" AS label_key, l."value" AS label_value '  # noqa: S608 - model names
            f"FROM {Enterprise._meta.db_table} e LEFT JOIN {EnterpriseLabel._meta.db_table} l "
            "ON l.enterprise_id = e.id WHERE e.id = %s",
            [enterprise_id],
        )
    )
    if not rows:
        return []
    enterprise = rows[0]
    pairs = ((row.label_key, row.label_value) for row in rows)  # type: ignore[attr-defined]
    labels = {key: value for key, value in pairs if key is not None}
    # Each matchable policy's verdict: qualifies or not, and the award after its cap.
    verdicts: list[tuple[_InForce, bool, Decimal]] = []
    for policy in policies:
        if policy.rule.facts:
            continue
        eligible, award = decide(policy.rule, enterprise, on=on, labels=labels)
        if policy.cap is not None:
            award = min(award, policy.cap)
        award = award.quantize(_CENT)
        verdicts.append((policy, eligible and award > 0, award))
    held = _held(enterprise_id)
    taken = {(h.policy_id, h.period) for h in held}
    open_ = {(h.policy_id, h.period): h.open_invitation for h in held if h.open_invitation is not None}
    fresh: list[Invitation] = []
    lapse: list[tuple[int, int]] = []  # policy, invitation
    now = timezone.now()
    for policy, qualifies, award in verdicts:
        slot = (policy.policy_id, policy.period)
        held_open = open_.get(slot)
        if held_open is not None and not qualifies:
            lapse.append((policy.policy_id, held_open))
        elif qualifies and slot not in taken:
            fresh.append(
                Invitation(
                    public_id=uuid7(),
                    policy_id=policy.policy_id,
                    version_id=policy.version_id,
                    enterprise_id=enterprise_id,
                    period=policy.period,
                    award=award,
                    status=InvitationStatus.OPEN,
                    created_at=now,
                )
            )
    if not (fresh or lapse):
        return []
    with transaction.atomic():
        # Only what is still open: the enterprise may have answered meanwhile.
        lapsed = sum(
            invitations_lapse(policy_id, reason=InvitationLapse.NOT_ELIGIBLE, now=now, where=Q(pk=pk))
            for policy_id, pk in lapse
        )
        # ON CONFLICT DO NOTHING: a concurrent match may have invited it meanwhile.
        Invitation.objects.bulk_create(fresh, ignore_conflicts=True)
        created = list(
            Invitation.objects.filter(enterprise_id=enterprise_id, created_at=now).select_related("policy")
        )
        audit_record(
            actor=None,
            action="enterprise.rematch",
            obj=enterprise,
            after={
                "invited": [i.policy_id for i in created],
                "lapsed": lapsed,
                "on": on,
            },
        )
        for invitation in created:
            transaction.on_commit(
                lambda inv=invitation: enqueue_notify(inv.policy_id, now.isoformat())  # type: ignore[misc]
            )
    return created
