"""Telling enterprises of their invitations: one job per matching run, in chunks."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Role, RoleAssignment, User
from qinqing.notifications.services import NotificationSpec, notify_many
from qinqing.notifications.text import message
from qinqing.policies.models import Invitation, InvitationLapse, InvitationStatus, Policy

_CHUNK = 2000


def _yuan(raw: object) -> str:
    # Imported here: the summaries read the catalogue, which lapses invitations.
    from qinqing.policies.summaries import yuan

    return yuan(raw)


_lazy_yuan = lazy(_yuan, str)


def invitations_lapse(
    policy_id: int, *, reason: InvitationLapse, now: dt.datetime, where: Q | None = None
) -> int:
    """The open invitations of `policy_id` (those `where` holds) lapse for `reason`, in
    one UPDATE; how many did. Answered invitations keep their answer. Once the
    transaction commits, a job tells the enterprises' users what lapsed at `now`, unless
    it lapsed because its window or period ended, which they were told with it."""
    lapsed = (
        Invitation.objects.filter(policy_id=policy_id, status=InvitationStatus.OPEN)
        .filter(where or Q())
        .update(status=InvitationStatus.LAPSED, lapsed_reason=reason, responded_at=now)
    )
    if lapsed and reason != InvitationLapse.ENDED:
        transaction.on_commit(lambda: enqueue_notify(policy_id, now.isoformat(), lapsed=True))
    return lapsed


def enqueue_notify(policy_id: int, batch: str, *, lapsed: bool = False) -> None:
    from qinqing.policies.tasks import notify_invitations

    notify_invitations.enqueue(policy_id=policy_id, batch=batch, lapsed=lapsed)


def invitations_notify(*, policy_id: int, batch: dt.datetime, lapsed: bool = False) -> int:
    """Notify the users of every enterprise invited to `policy_id` in the run `batch` or,
    with `lapsed`, whose invitation lapsed at `batch`.

    The notification's event key is the invitation (and the lapse), so a second run adds
    nothing. Enterprises without a user on the platform are reached when one registers
    (their invitations wait on their page). Returns the notifications written.
    """
    policy = Policy.objects.filter(pk=policy_id).first()
    if policy is None:
        return 0
    invitations = Invitation.objects.filter(policy_id=policy_id)
    if lapsed:
        invitations = invitations.filter(responded_at=batch, status=InvitationStatus.LAPSED)
    else:
        invitations = invitations.filter(created_at=batch, status=InvitationStatus.OPEN)
    rows = invitations.values_list("pk", "public_id", "enterprise_id", "award", "lapsed_reason")
    written = 0
    chunk: list[_Row] = []
    for row in rows.iterator(chunk_size=_CHUNK):
        chunk.append(row)
        if len(chunk) >= _CHUNK:
            written += _notify_chunk(policy, chunk)
            chunk = []
    if chunk:
        written += _notify_chunk(policy, chunk)
    return written


_Row = tuple[int, object, int, object, str]


def _notify_chunk(policy: Policy, rows: list[_Row]) -> int:
    users: dict[int, list[User]] = defaultdict(list)
    for assignment in RoleAssignment.objects.filter(
        role=Role.ENTERPRISE, enterprise_id__in=[r[2] for r in rows], user__is_active=True
    ).select_related("user"):
        assert assignment.enterprise_id is not None
        users[assignment.enterprise_id].append(assignment.user)
    specs = [_spec(policy, row, users[row[2]]) for row in rows if users.get(row[2])]
    if not specs:
        return 0
    with transaction.atomic():
        return notify_many(specs)


def _spec(policy: Policy, row: _Row, recipients: list[User]) -> NotificationSpec:
    pk, public_id, _enterprise_id, award, lapsed_reason = row
    url = f"/policies/invitations/{public_id}/"
    if lapsed_reason:
        return NotificationSpec(
            recipients=recipients,
            event_key=f"invitation:{pk}:lapsed",
            kind="policy_invitation",
            subject=message(_("Your invitation to “%(policy)s” has lapsed"), policy=policy.title),
            body=InvitationLapse(lapsed_reason).label,
            url=url,
        )
    return NotificationSpec(
        recipients=recipients,
        event_key=f"invitation:{pk}",
        kind="policy_invitation",
        subject=message(
            _("You qualify for “%(policy)s”: %(award)s"), policy=policy.title, award=_lazy_yuan(award)
        ),
        body=_("Confirm in one tap on the invitation's page; no application is needed."),
        url=url,
    )
