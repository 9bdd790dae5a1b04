"""Telling enterprises of their invitations: one job per matching run, in chunks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Role, RoleAssignment, User
from qinqing.notifications.services import NotificationSpec, notify_many
from qinqing.policies.models import Invitation, InvitationStatus, Policy

_CHUNK = 2000


def invitations_notify(*, policy_id: int, batch: dt.datetime) -> int:
    """Notify the users of every enterprise invited to `policy_id` in the run `batch`.

    The notification's event key is the invitation, so a second run adds nothing.
    Enterprises without a user on the platform are reached when one registers (their
    invitations wait on their page). Returns the notifications written.
    """
    policy = Policy.objects.filter(pk=policy_id).first()
    if policy is None:
        return 0
    invitations = Invitation.objects.filter(
        policy_id=policy_id, created_at=batch, status=InvitationStatus.OPEN
    ).values_list("pk", "public_id", "enterprise_id", "award")
    written = 0
    chunk: list[tuple[int, object, int, object]] = []
    for row in invitations.iterator(chunk_size=_CHUNK):
        chunk.append(row)
        if len(chunk) >= _CHUNK:
            written += _notify_chunk(policy, chunk)
            chunk = []
    if chunk:
        written += _notify_chunk(policy, chunk)
    return written


def _notify_chunk(policy: Policy, rows: list[tuple[int, object, int, object]]) -> int:
    users: dict[int, list[User]] = defaultdict(list)
    for assignment in RoleAssignment.objects.filter(
        role=Role.ENTERPRISE, enterprise_id__in=[r[2] for r in rows], user__is_active=True
    ).select_related("user"):
        assert assignment.enterprise_id is not None
        users[assignment.enterprise_id].append(assignment.user)
    specs = [
        NotificationSpec(
            recipients=users[enterprise_id],
            event_key=f"invitation:{pk}",
            kind="policy_invitation",
            subject=_("You qualify for “%(policy)s”: %(award)s yuan")
            % {"policy": policy.title, "award": award},
            body=_("Confirm in one tap on the invitation's page; no application is needed."),
            url=f"/policies/invitations/{public_id}/",
            urgent=True,
        )
        for pk, public_id, enterprise_id, award in rows
        if users.get(enterprise_id)
    ]
    if not specs:
        return 0
    with transaction.atomic():
        return notify_many(specs)
