"""Payment instructions (直达付), the log of every try, and the simulated treasury.

A `PaymentInstruction` is one transfer that must reach one payee exactly once. Its key
(chosen by the caller, say "policies.case:412") is unique, and it is the key the
gateway is asked about; the gateway itself is not trusted to deduplicate.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qinqing.common.models import TimeStampedModel

KEY_MAX = 100


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    # Claimed by one worker until `lease_until`; the gateway is being called.
    SENDING = "sending", _("Being sent")
    # The gateway took the transfer and will send its settlement notice later.
    ACCEPTED = "accepted", _("Accepted by the gateway")
    # The send ended without an answer (a timeout): resolved only by asking the gateway.
    UNKNOWN = "unknown", _("Outcome unknown")
    SETTLED = "settled", _("Paid")
    FAILED = "failed", _("Rejected by the gateway")


class PaymentInstruction(TimeStampedModel):
    """One transfer to one payee, sent at most once per key."""

    TRANSITIONS: dict[str, frozenset[str]] = {
        PaymentStatus.PENDING: frozenset({PaymentStatus.SENDING, PaymentStatus.SETTLED}),
        # PENDING: the gateway was unreachable (nothing sent), or the query after an
        # expired lease found no transfer.
        PaymentStatus.SENDING: frozenset(
            {
                PaymentStatus.ACCEPTED,
                PaymentStatus.UNKNOWN,
                PaymentStatus.SETTLED,
                PaymentStatus.FAILED,
                PaymentStatus.PENDING,
            }
        ),
        PaymentStatus.ACCEPTED: frozenset({PaymentStatus.SETTLED, PaymentStatus.FAILED}),
        PaymentStatus.UNKNOWN: frozenset(
            {PaymentStatus.ACCEPTED, PaymentStatus.SETTLED, PaymentStatus.FAILED, PaymentStatus.PENDING}
        ),
        PaymentStatus.SETTLED: frozenset(),
        # PENDING only by an officer's retry, after the cause of the rejection was fixed;
        # SETTLED when the gateway reports a transfer after all (its word on money wins).
        PaymentStatus.FAILED: frozenset({PaymentStatus.PENDING, PaymentStatus.SETTLED}),
    }
    OPEN = frozenset(
        {PaymentStatus.PENDING, PaymentStatus.SENDING, PaymentStatus.ACCEPTED, PaymentStatus.UNKNOWN}
    )

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    key = models.CharField(_("key"), max_length=KEY_MAX, unique=True)
    source_type = models.CharField(_("source type"), max_length=64)
    source_id = models.CharField(_("source id"), max_length=64)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="payment_instructions",
        verbose_name=_("paying organisation"),
    )
    payee_name = models.CharField(_("payee"), max_length=200)
    payee_account = models.CharField(_("payee account"), max_length=64)
    payee_bank = models.CharField(_("payee bank"), max_length=200, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    purpose = models.CharField(_("purpose"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("send attempts"), default=0)
    # While SENDING: no other worker touches the instruction before this time. Longer
    # than the gateway's timeout, so an expired lease means the send has ended.
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    gateway_reference = models.CharField(_("gateway reference"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("last send started at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    failure_reason = models.CharField(_("reason of the rejection"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("payment instruction")
        verbose_name_plural = _("payment instructions")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=Decimal("0")), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(status__in=PaymentStatus.values), name="payment_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=PaymentStatus.SETTLED) | Q(settled_at__isnull=False),
                name="payment_settled_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(status=PaymentStatus.SENDING) | Q(lease_until__isnull=False),
                name="payment_sending_has_lease",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "updated_at"], name="payment_status"),
            models.Index(fields=["source_type", "source_id"], name="payment_source"),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.amount} → {self.payee_name}"


class AttemptKind(models.TextChoices):
    SEND = "send", _("Send")
    QUERY = "query", _("Query by key")
    NOTICE = "notice", _("Settlement notice")


class AttemptOutcome(models.TextChoices):
    # The call started and nothing was recorded after it (a crash, or still running).
    IN_FLIGHT = "in_flight", _("No answer recorded")
    ACCEPTED = "accepted", _("Accepted")
    SETTLED = "settled", _("Settled")
    REJECTED = "rejected", _("Rejected")
    NOT_FOUND = "not_found", _("Not found")
    TIMEOUT = "timeout", _("Timed out")
    UNAVAILABLE = "unavailable", _("Gateway unavailable")
    ERROR = "error", _("Error")


class PaymentAttempt(models.Model):
    """One call to the gateway (a send or a query) or one notice from it: every try is
    kept, so a supervisor can see exactly what happened to a payment."""

    instruction = models.ForeignKey(PaymentInstruction, on_delete=models.CASCADE, related_name="attempt_log")
    kind = models.CharField(_("kind"), max_length=16, choices=AttemptKind.choices)
    # The instruction's `attempts` when this try was made (which send it belongs to).
    number = models.PositiveIntegerField(_("send number"), default=0)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=AttemptOutcome.choices, default=AttemptOutcome.IN_FLIGHT
    )
    reference = models.CharField(_("gateway reference"), max_length=100, blank=True)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        verbose_name = _("payment attempt")
        verbose_name_plural = _("payment attempts")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AttemptKind.values), name="payment_attempt_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=AttemptOutcome.values), name="payment_attempt_outcome_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instruction_id} {self.kind} #{self.number}: {self.outcome}"


# --- The simulated treasury (the default gateway) ------------------------------------------


class TreasuryTransfer(models.Model):
    """The simulated treasury's own ledger: one row per transfer it made.

    `key` is deliberately NOT unique: a bank does not deduplicate for its clients, so
    two sends of one key would make two rows here, and the tests count them.
    """

    key = models.CharField(_("key"), max_length=KEY_MAX, db_index=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=14, decimal_places=2)
    account = models.CharField(_("account"), max_length=64)
    payee = models.CharField(_("payee"), max_length=200)
    bank = models.CharField(_("bank"), max_length=200, blank=True)
    # The bank's serial number (流水号): "reference" elsewhere is a record's number (编号).
    reference = models.CharField(pgettext_lazy("payment", "reference"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("made at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("treasury transfer")
        verbose_name_plural = _("treasury transfers")

    def __str__(self) -> str:
        return f"{self.reference} {self.key}: {self.amount}"


class TreasuryBehaviour(models.TextChoices):
    NORMAL = "normal", _("Normal: every valid transfer is made and settled")
    RANDOM = "random", _("Random: fail, time out and answer twice at the given rates")
    REJECT = "reject", _("Reject every transfer")
    TIMEOUT_BEFORE = "timeout_before", _("Time out before making the transfer")
    TIMEOUT_AFTER = "timeout_after", _("Time out after making the transfer")
    DUPLICATE = "duplicate", _("Answer twice: accept, then send the settlement notice twice")
    UNAVAILABLE = "unavailable", _("Unreachable")


class TreasuryMode(TimeStampedModel):
    """How the simulated treasury behaves; one row (pk 1). Without it the
    PAYMENT_TREASURY_* settings apply."""

    behaviour = models.CharField(
        _("behaviour"), max_length=16, choices=TreasuryBehaviour.choices, default=TreasuryBehaviour.NORMAL
    )
    fail_rate = models.DecimalField(_("rejection rate"), max_digits=4, decimal_places=3, default=Decimal("0"))
    timeout_rate = models.DecimalField(
        _("timeout rate"), max_digits=4, decimal_places=3, default=Decimal("0")
    )
    duplicate_rate = models.DecimalField(
        _("double answer rate"), max_digits=4, decimal_places=3, default=Decimal("0")
    )
    unavailable_rate = models.DecimalField(
        _("unreachable rate"), max_digits=4, decimal_places=3, default=Decimal("0")
    )

    class Meta:
        verbose_name = _("treasury behaviour")
        verbose_name_plural = _("treasury behaviour")
        constraints = [
            models.CheckConstraint(
                condition=Q(behaviour__in=TreasuryBehaviour.values), name="treasury_behaviour_valid"
            ),
            *[
                models.CheckConstraint(
                    condition=Q(**{f"{rate}__gte": 0}) & Q(**{f"{rate}__lte": 1}),
                    name=f"treasury_{rate}_0_1",
                )
                for rate in ("fail_rate", "timeout_rate", "duplicate_rate", "unavailable_rate")
            ],
        ]

    def __str__(self) -> str:
        return str(self.get_behaviour_display())
