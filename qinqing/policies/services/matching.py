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
import functools
import uuid
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinqing.audit.services import audit_record
from qinqing.common.errors import InvalidTransition, PermissionDenied
from qinqing.enterprises.models import Enterprise
from qinqing.policies.models import (
    OPEN_OR_DECIDED,
    Case,
    Invitation,
    InvitationStatus,
    PeriodKind,
    Policy,
    PolicyStatus,
    PolicyVersion,
)
from qinqing.policies.rules import Rule, award_expression, eligible_q, evaluate, parse_rule
from qinqing.policies.rules.compile import MONEY
from qinqing.policies.rules.evaluate import enterprise_labels
from qinqing.policies.services.catalogue import can_write_policies, current_version


def policy_period(policy: Policy, on: dt.date) -> str:
    """The period a case made on `on` belongs to: one slot per enterprise and period."""
    return str(on.year) if policy.period_kind == PeriodKind.YEARLY else "once"


def policy_in_force(policy: Policy, on: dt.date) -> bool:
    return policy.status == PolicyStatus.PUBLISHED and policy.valid_from <= on <= policy.valid_until


def _matchable(policy: Policy, rule: Rule, on: dt.date) -> bool:
    return policy_in_force(policy, on) and not rule.facts


def matches_queryset(policy: Policy, version: PolicyVersion, rule: Rule, on: dt.date) -> Any:
    """The enterprises newly eligible under `policy` in its current period, each with its
    award after the per-enterprise cap, as `m_enterprise`, `m_award` rows: one query."""
    period = policy_period(policy, on)
    taken = Invitation.objects.filter(policy=policy, period=period, enterprise=OuterRef("pk"))
    held = Case.objects.filter(
        policy=policy, period=period, enterprise=OuterRef("pk"), status__in=OPEN_OR_DECIDED
    )
    award = award_expression(rule.award)
    if policy.cap_per_enterprise is not None:
        award = Least(award, policy.cap_per_enterprise, output_field=MONEY)
    return (
        Enterprise.objects.filter(eligible_q(rule, on=on))
        .filter(~Exists(taken), ~Exists(held))
        .annotate(match_award=award)
        .filter(match_award__gt=0)
        .order_by()
        # Named columns, so the INSERT … SELECT can refer to them on either database.
        .values(m_enterprise=F("pk"), m_award=F("match_award"))
    )


def _uuid_sql() -> str:
    # Django keeps UUIDs as `uuid` on PostgreSQL and as 32 hex characters on SQLite.
    if connection.vendor == "postgresql":
        return "gen_random_uuid()"
    return "lower(hex(randomblob(16)))"


def policy_match(*, actor: Any, policy: Policy, on: dt.date | None = None) -> int:
    """Invite every enterprise that newly qualifies for `policy`; returns how many.

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
            raise InvalidTransition(_not_matchable_message(rule))
        now = timezone.now()
        select_sql, params = matches_queryset(locked, version, rule, on).query.sql_with_params()
        table = Invitation._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} "  # noqa: S608 - names from the model, values bound
                "(public_id, policy_id, version_id, enterprise_id, period, award, status, created_at) "
                f"SELECT {_uuid_sql()}, %s, %s, m.m_enterprise, %s, m.m_award, %s, %s "
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
        audit_record(
            actor=actor,
            action="policy.match",
            obj=locked,
            organisation=locked.department_id,
            after={"version": version.number, "on": on, "invited": created},
        )
        if created:
            batch = now.isoformat()
            transaction.on_commit(lambda: _enqueue_notify(locked.pk, batch))
    return created


def _not_matchable_message(rule: Rule) -> Any:
    if rule.facts:
        return _("This policy's rule reads facts from an application; enterprises apply for it.")
    return _("Only a published policy within its validity window can be matched.")


def _enqueue_notify(policy_id: int, batch: str) -> None:
    from qinqing.policies.tasks import notify_invitations

    notify_invitations.enqueue(policy_id=policy_id, batch=batch)


@functools.lru_cache(maxsize=4096)
def _published_rule(version_id: int, published_at: dt.datetime | None) -> Rule:
    """A published version's rule never changes (an edit adds a version), so its parse is
    kept; the publication time is part of the key because a draft's rule, edited in place,
    becomes published under the same id."""
    version = PolicyVersion.objects.get(pk=version_id)
    return parse_rule(version.rule)


def enterprise_rematch(*, enterprise_id: int, on: dt.date | None = None) -> list[Invitation]:
    """Re-match one enterprise against every matchable policy after its figures changed;
    new matches become invitations. Returns the invitations created.

    One enterprise, so the reference evaluator decides (`rules.evaluate`, which the
    compiled query is property-tested against), with each published rule parsed once
    per process: a handful of queries whatever the number of policies.
    """
    on = on or timezone.localdate()
    policies = Policy.objects.filter(
        status=PolicyStatus.PUBLISHED, valid_from__lte=on, valid_until__gte=on
    ).prefetch_related("versions")
    enterprise = Enterprise.objects.filter(pk=enterprise_id).prefetch_related("labels").first()
    if enterprise is None:
        return []
    labels = enterprise_labels(enterprise)
    now = timezone.now()
    candidates: list[tuple[Policy, PolicyVersion, Decimal]] = []
    for policy in policies:
        version = current_version(policy)
        rule = _published_rule(version.pk, version.published_at)
        if rule.facts:
            continue
        decision = evaluate(rule, enterprise, on=on, labels=labels)
        award = decision.award
        if policy.cap_per_enterprise is not None:
            award = min(award, policy.cap_per_enterprise)
        if decision.eligible and award > 0:
            candidates.append((policy, version, award))
    if not candidates:
        return []
    held = set(
        Case.objects.filter(
            enterprise_id=enterprise_id,
            policy__in=[p for p, _v, _a in candidates],
            status__in=OPEN_OR_DECIDED,
        ).values_list("policy_id", "period")
    )
    fresh = [
        Invitation(
            public_id=uuid.uuid4(),
            policy=policy,
            version=version,
            enterprise_id=enterprise_id,
            period=policy_period(policy, on),
            award=award.quantize(Decimal("0.01")),
            status=InvitationStatus.OPEN,
            created_at=now,
        )
        for policy, version, award in candidates
        if (policy.pk, policy_period(policy, on)) not in held
    ]
    with transaction.atomic():
        Invitation.objects.bulk_create(fresh, ignore_conflicts=True)
        created = list(
            Invitation.objects.filter(enterprise_id=enterprise_id, created_at=now).select_related("policy")
        )
        for invitation in created:
            transaction.on_commit(
                lambda inv=invitation: _enqueue_notify(inv.policy_id, now.isoformat())  # type: ignore[misc]
            )
    return created
