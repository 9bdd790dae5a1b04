from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from qinqing.common.models import TimeStampedModel

from .fields import CanonicalJSONField


class AuditEvent(models.Model):
    """One change of state. Append-only and hash-chained: `hash` covers every other
    column and `prev_hash`, so editing, deleting or reordering an event breaks the chain.

    An event is written in the transaction of the change. It is *sealed* (given `seq`,
    `prev_hash` and `hash`) either in that same transaction or right after it commits,
    depending on settings.AUDIT_SEALING; see docs/audit.md. Sealing is the one update
    the database guards allow, and only from empty to filled.
    """

    seq = models.BigIntegerField(_("sequence number"), null=True, unique=True, editable=False)
    at = models.DateTimeField(_("time"), editable=False)
    # No index: every index is paid on each insert and again when the event is sealed;
    # add one with the first page that lists events by actor.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    action = models.CharField(_("action"), max_length=100)
    before = CanonicalJSONField(_("before"), null=True, blank=True)
    after = CanonicalJSONField(_("after"), null=True, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    # NULL until sealed. Not indexed: random digits make the costliest index of all, and
    # the verifier, not an index, is what proves each hash.
    hash = models.CharField(max_length=64, null=True)  # noqa: DJ001

    class Meta:
        ordering = [F("seq").asc(nulls_last=True), "id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_record_object"),
            # The sealer's queue: only events still waiting, so it stays tiny.
            models.Index(fields=["id"], condition=Q(seq__isnull=True), name="audit_pending"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(seq__isnull=True, hash__isnull=True, prev_hash="")
                    | (Q(seq__gte=1, hash__isnull=False) & ~Q(prev_hash=""))
                ),
                name="audit_event_sealed_whole",
            ),
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        number = f"#{self.seq}" if self.seq is not None else "(pending)"
        return f"{number} {self.action} {self.object_type}:{self.object_id}"

    @property
    def is_sealed(self) -> bool:
        return self.seq is not None


class AuditHead(models.Model):
    """The chain's head: one row, locked by whoever seals, so that events are chained
    in one order. Its values are a convenience; verification never trusts them."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_head_single_row")]

    def __str__(self) -> str:
        return f"head #{self.seq}"


class AuditCheckpoint(models.Model):
    """A signed statement "event `seq` of the chain has hash `hash`", made periodically.

    Signed with an Ed25519 key kept outside the database and copied to a file outside
    it, so that a chain rewritten or cut short in the database no longer matches.
    """

    seq = models.BigIntegerField(_("sequence number"), unique=True)
    hash = models.CharField(_("hash"), max_length=64)
    created_at = models.DateTimeField(_("signed at"))
    key_id = models.CharField(_("key id"), max_length=16)
    public_key = models.CharField(_("public key"), max_length=64)
    signature = models.CharField(_("signature"), max_length=128)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit checkpoint")
        verbose_name_plural = _("audit checkpoints")

    def __str__(self) -> str:
        return f"checkpoint #{self.seq}"


class VerificationTrigger(models.TextChoices):
    MANUAL = "manual", _("Started by a supervisor")
    SCHEDULE = "schedule", _("Scheduled")
    COMMAND = "command", _("Command line")


class VerificationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    INTACT = "intact", _("Intact")
    BROKEN = "broken", _("Broken")
    FAILED = "failed", _("Could not run")


VERIFICATION_TRANSITIONS: dict[str, frozenset[str]] = {
    VerificationStatus.QUEUED: frozenset({VerificationStatus.RUNNING, VerificationStatus.FAILED}),
    VerificationStatus.RUNNING: frozenset(
        {VerificationStatus.INTACT, VerificationStatus.BROKEN, VerificationStatus.FAILED}
    ),
    VerificationStatus.INTACT: frozenset(),
    VerificationStatus.BROKEN: frozenset(),
    VerificationStatus.FAILED: frozenset(),
}


class AuditVerification(TimeStampedModel):
    """One run of the whole-chain verification and its result."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    trigger = models.CharField(_("trigger"), max_length=16, choices=VerificationTrigger.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=VerificationStatus.choices, default=VerificationStatus.QUEUED
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    events_checked = models.BigIntegerField(_("events checked"), default=0)
    last_seq = models.BigIntegerField(_("last sequence number"), null=True, blank=True)
    pending_events = models.IntegerField(_("events waiting to be sealed"), default=0)
    checkpoints_checked = models.IntegerField(_("checkpoints checked"), default=0)
    duration_ms = models.IntegerField(_("duration (ms)"), null=True, blank=True)
    first_break = models.JSONField(_("first break"), null=True, blank=True)
    findings = models.JSONField(_("findings"), default=list, blank=True)
    findings_total = models.IntegerField(_("number of findings"), default=0)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    guards_installed = models.BooleanField(_("database guards installed"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=VerificationStatus.values), name="audit_verification_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(trigger__in=VerificationTrigger.values), name="audit_verification_trigger_valid"
            ),
        ]
        verbose_name = _("audit verification")
        verbose_name_plural = _("audit verifications")

    def __str__(self) -> str:
        return f"verification {self.public_id} ({self.status})"

    @property
    def is_done(self) -> bool:
        return not VERIFICATION_TRANSITIONS[self.status]
