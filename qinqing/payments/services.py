"""Direct payment (直达付): instruct, send, resolve, settle, retry, reconcile.

The one rule: a transfer is never sent twice for one key, and never silently left
unsent. Sending goes in three steps:

1. in a short committed transaction the instruction is locked and moved
   PENDING → SENDING with `attempts + 1` and a lease (PAYMENT_LEASE_SECONDS, longer
   than the gateway's timeout);
2. the gateway is called outside any transaction;
3. its answer is recorded in another transaction.

A job that finds SENDING with a live lease leaves it alone (another worker is on it).
SENDING past its lease (the sender died between 2 and 3), UNKNOWN (the gateway timed
out) and ACCEPTED without a settlement notice are resolved ONLY by asking the gateway
by key: found → settled; not found → PENDING, and sent again. Nothing sends except
from PENDING, and only the holder of the claim sends. Every call is logged as a
`PaymentAttempt` row.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Organisation
from qinqing.accounts.scoping import scope_for
from qinqing.audit.services import audit_record
from qinqing.common.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed

from .gateways import Answer, GatewayAnswer, GatewayTimeout, GatewayUnavailable, Transfer, get_gateway
from .models import (
    KEY_MAX,
    AttemptKind,
    AttemptOutcome,
    PaymentAttempt,
    PaymentInstruction,
    PaymentStatus,
    TreasuryBehaviour,
    TreasuryMode,
)
from .signals import (
    payment_failed,
    payment_payee_asked,
    payment_resent,
    payment_retry_asked,
    payment_settled,
)

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
# DecimalField(14, 2): at most 12 digits before the point.
AMOUNT_LIMIT = Decimal("1000000000000")


def _seconds(name: str, default: int) -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, name, default)))


def lease_duration() -> dt.timedelta:
    return _seconds("PAYMENT_LEASE_SECONDS", 120)


# --- Locks -------------------------------------------------------------------------------


def lock_instruction(instruction_id: int) -> PaymentInstruction:
    instruction = PaymentInstruction.objects.select_for_update().filter(pk=instruction_id).first()
    if instruction is None:
        raise NotFound()
    return instruction


def lock_instruction_by_key(key: str) -> PaymentInstruction | None:
    return PaymentInstruction.objects.select_for_update().filter(key=key).first()


# --- Creating ----------------------------------------------------------------------------


def _clean_amount(amount: Any) -> Decimal:
    invalid = ValidationFailed(
        _("The amount must be a positive sum of yuan with at most two decimal places."),
        fields={"amount": [str(_("Enter a positive amount in yuan, at most two decimal places."))]},
    )
    if isinstance(amount, bool | float):  # money is never a float
        raise invalid
    try:
        value = amount if isinstance(amount, Decimal) else Decimal(str(amount))
        if not value.is_finite() or value <= 0 or value >= AMOUNT_LIMIT or value != value.quantize(CENT):
            raise invalid
        return value.quantize(CENT)
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise invalid from exc


def _clean_text(fields: dict[str, list[str]], name: str, value: Any, limit: int, *, required: bool) -> str:
    text = str(value or "").strip()
    if required and not text:
        fields.setdefault(name, []).append(str(_("This field is required.")))
    elif len(text) > limit:
        fields.setdefault(name, []).append(str(_("This value is too long.")))
    return text


def _clean_payee(fields: dict[str, list[str]], name: str, account: str, bank: str) -> tuple[str, str, str]:
    return (
        _clean_text(fields, "payee_name", name, 200, required=True),
        # Spaces are how people write account numbers, not part of them.
        _clean_text(fields, "payee_account", "".join(str(account or "").split()), 64, required=True),
        _clean_text(fields, "payee_bank", bank, 200, required=False),
    )


def payment_instruction_create(
    *,
    actor: Any,
    key: str,
    source_type: str,
    source_id: str,
    organisation: Organisation,
    payee_name: str,
    payee_account: str,
    payee_bank: str,
    amount: Decimal,
    purpose: str,
) -> PaymentInstruction:
    """Instruct one payment, inside the caller's transaction (not durable).

    Idempotent by `key`: the same key returns the existing instruction unchanged, or
    raises Conflict when the amount, payee, organisation or source differ. The send job
    is enqueued when the caller's transaction commits.
    """
    fields: dict[str, list[str]] = {}
    key = _clean_text(fields, "key", key, KEY_MAX, required=True)
    source_type = _clean_text(fields, "source_type", source_type, 64, required=True)
    source_id = _clean_text(fields, "source_id", str(source_id), 64, required=True)
    purpose = _clean_text(fields, "purpose", purpose, 200, required=True)
    payee_name, payee_account, payee_bank = _clean_payee(fields, payee_name, payee_account, payee_bank)
    try:
        value = _clean_amount(amount)
    except ValidationFailed as exc:
        fields.update(exc.fields)
        value = Decimal("0")
    if organisation is None or getattr(organisation, "pk", None) is None:
        fields.setdefault("organisation", []).append(str(_("This field is required.")))
    if fields:
        raise ValidationFailed(fields=fields)
    wanted = {
        "source_type": source_type,
        "source_id": source_id,
        "organisation_id": organisation.pk,
        "payee_name": payee_name,
        "payee_account": payee_account,
        "payee_bank": payee_bank,
        "amount": value,
    }
    with transaction.atomic():
        existing = lock_instruction_by_key(key)
        if existing is None:
            try:
                with transaction.atomic():
                    instruction = PaymentInstruction.objects.create(key=key, purpose=purpose, **wanted)
            except IntegrityError:
                # Another transaction created it first and has committed since.
                existing = lock_instruction_by_key(key)
                if existing is None:
                    raise
        if existing is not None:
            _require_same(existing, wanted)
            return existing
        audit_record(
            actor=actor,
            action="payment.instruct",
            obj=instruction,
            organisation=organisation,
            after={
                "key": key,
                "source": f"{source_type}:{source_id}",
                "payee_name": payee_name,
                "payee_account": payee_account,
                "payee_bank": payee_bank,
                "amount": value,
                "purpose": purpose,
                "status": instruction.status,
            },
        )
        _enqueue_send(instruction.pk)
    return instruction


def _require_same(existing: PaymentInstruction, wanted: dict[str, Any]) -> None:
    differing = sorted(name for name, value in wanted.items() if getattr(existing, name) != value)
    if differing:
        raise Conflict(
            _("A payment with this key already exists with a different amount or payee."),
            code="payment_key_conflict",
            extra={"differing": differing},
        )


def _enqueue_send(instruction_id: int, *, delay: dt.timedelta | None = None) -> None:
    """The send job, once the current transaction commits. A job lost on the way (a
    crash right after the commit) is enqueued again by the reconciliation."""

    def enqueue() -> None:
        from .tasks import send_payment

        job = send_payment.using(run_after=timezone.now() + delay) if delay else send_payment
        job.enqueue(instruction_id=instruction_id)

    transaction.on_commit(enqueue, robust=True)


# --- Transitions -------------------------------------------------------------------------


def _transition(instruction: PaymentInstruction, to: str) -> None:
    if to not in PaymentInstruction.TRANSITIONS[instruction.status]:
        raise InvalidTransition(
            _("A payment cannot go from %(current)s to %(target)s.")
            % {"current": instruction.get_status_display(), "target": PaymentStatus(to).label}
        )
    instruction.status = to


def _audit(instruction: PaymentInstruction, action: str, before: str, **after: Any) -> None:
    audit_record(
        actor=None,
        action=action,
        obj=instruction,
        organisation=instruction.organisation_id,
        before={"status": before},
        after={"status": instruction.status, "attempts": instruction.attempts, **after},
    )


def _move(instruction: PaymentInstruction, to: str, action: str, **after: Any) -> None:
    before = instruction.status
    _transition(instruction, to)
    if to != PaymentStatus.SENDING:
        instruction.lease_until = None
    instruction.save()
    _audit(instruction, action, before, **after)


def _settle(instruction: PaymentInstruction, *, reference: str, now: dt.datetime, via: str) -> bool:
    """Record the settlement once; later reports of it change nothing and signal nothing."""
    if instruction.status == PaymentStatus.SETTLED:
        return False
    instruction.settled_at = now
    instruction.gateway_reference = reference[:100]
    instruction.failure_reason = ""
    _move(instruction, PaymentStatus.SETTLED, "payment.settle", reference=reference, via=via)
    payment_settled.send(sender=PaymentInstruction, instruction=instruction)
    return True


def _fail(instruction: PaymentInstruction, *, reason: str) -> None:
    instruction.failure_reason = Truncator(reason or "rejected").chars(500)
    _move(instruction, PaymentStatus.FAILED, "payment.fail", reason=instruction.failure_reason)
    payment_failed.send(sender=PaymentInstruction, instruction=instruction)


def _needs_query(instruction: PaymentInstruction, now: dt.datetime) -> bool:
    """States only a query by key may resolve."""
    if instruction.status == PaymentStatus.UNKNOWN:
        return True
    if instruction.status == PaymentStatus.SENDING:
        return instruction.lease_until is None or instruction.lease_until <= now
    if instruction.status == PaymentStatus.ACCEPTED:
        # Accepted and no settlement notice for a lease's length: ask.
        return instruction.updated_at <= now - lease_duration()
    return False


def _transfer(instruction: PaymentInstruction) -> Transfer:
    return Transfer(
        key=instruction.key,
        amount=instruction.amount,
        payee_name=instruction.payee_name,
        payee_account=instruction.payee_account,
        payee_bank=instruction.payee_bank,
        purpose=instruction.purpose,
    )


def _backoff(attempts: int) -> dt.timedelta:
    base = int(getattr(settings, "PAYMENT_RETRY_SECONDS", 60))
    return dt.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


# --- Sending -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claim:
    action: str  # "send", "query" or "none"
    status: str
    transfer: Transfer | None = None
    number: int = 0
    attempt_id: int = 0


def payment_send(*, instruction_id: int, now: dt.datetime | None = None) -> str:
    """Send one instruction if it is PENDING, resolve it by query if its outcome is
    unknown, else do nothing; returns its status afterwards. Safe to run twice and
    concurrently: only the holder of the SENDING claim calls the gateway's send."""
    # Most repeated runs find the payment finished: one plain read, no lock.
    current = PaymentInstruction.objects.filter(pk=instruction_id).values_list("status", flat=True).first()
    if current is None:
        raise NotFound()
    if current in (PaymentStatus.SETTLED, PaymentStatus.FAILED):
        return current
    claim = _claim_send(instruction_id, now or timezone.now())
    if claim.action == "query":
        return payment_resolve(instruction_id=instruction_id, now=now)
    if claim.action != "send":
        return claim.status
    transfer = claim.transfer
    assert transfer is not None
    outcome, reference, detail = _call_gateway(lambda: get_gateway().send(transfer), instruction_id)
    return _record_send(claim, outcome, reference=reference, detail=detail)


def _call_gateway(call: Callable[[], GatewayAnswer], instruction_id: int) -> tuple[str, str, str]:
    """(outcome, reference, detail) of one gateway call, its failures included."""
    try:
        answer = call()
    except GatewayUnavailable as exc:
        return AttemptOutcome.UNAVAILABLE, "", str(exc)
    except GatewayTimeout as exc:
        return AttemptOutcome.TIMEOUT, "", str(exc)
    except Exception as exc:
        # Whatever went wrong, a transfer may have been made: only a query may tell.
        logger.exception("payment %s: the gateway raised", instruction_id)
        return AttemptOutcome.ERROR, "", f"{type(exc).__name__}: {exc}"
    return str(answer.outcome), answer.reference, answer.reason


def _claim_send(instruction_id: int, now: dt.datetime) -> _Claim:
    with transaction.atomic(durable=True):
        instruction = lock_instruction(instruction_id)
        if _needs_query(instruction, now):
            return _Claim("query", instruction.status)
        if instruction.status != PaymentStatus.PENDING:
            return _Claim("none", instruction.status)
        instruction.attempts += 1
        instruction.lease_until = now + lease_duration()
        instruction.sent_at = now
        _move(instruction, PaymentStatus.SENDING, "payment.send")
        attempt = PaymentAttempt.objects.create(
            instruction=instruction, kind=AttemptKind.SEND, number=instruction.attempts, started_at=now
        )
        return _Claim(
            "send",
            instruction.status,
            transfer=_transfer(instruction),
            number=instruction.attempts,
            attempt_id=attempt.pk,
        )


def _finish_attempt(attempt_id: int, outcome: str, *, reference: str = "", detail: str = "") -> None:
    PaymentAttempt.objects.filter(pk=attempt_id).update(
        outcome=outcome,
        reference=reference[:100],
        detail=Truncator(detail).chars(500),
        finished_at=timezone.now(),
    )


def _record_send(claim: _Claim, outcome: str, *, reference: str = "", detail: str = "") -> str:
    """Record the gateway's answer to a send (the third step)."""
    now = timezone.now()
    assert claim.transfer is not None
    with transaction.atomic(durable=True):
        instruction = lock_instruction_by_key(claim.transfer.key)
        if instruction is None:
            raise NotFound()
        _finish_attempt(claim.attempt_id, outcome, reference=reference, detail=detail)
        if outcome == Answer.SETTLED:
            # Money moved: that is recorded whatever happened meanwhile.
            _settle(instruction, reference=reference, now=now, via="send")
            return instruction.status
        if instruction.status != PaymentStatus.SENDING or instruction.attempts != claim.number:
            # A notice or a reconciliation got there first; nothing to change.
            return instruction.status
        if outcome == Answer.ACCEPTED:
            instruction.gateway_reference = reference[:100]
            _move(instruction, PaymentStatus.ACCEPTED, "payment.accept", reference=reference)
        elif outcome == Answer.REJECTED:
            _fail(instruction, reason=detail)
        elif outcome == AttemptOutcome.UNAVAILABLE:
            # The request never reached the gateway: sending again later is safe.
            _move(instruction, PaymentStatus.PENDING, "payment.retry_later", detail=detail)
            _enqueue_send(instruction.pk, delay=_backoff(instruction.attempts))
        else:
            # Timed out, an error, or an answer that makes no sense for a send.
            _move(instruction, PaymentStatus.UNKNOWN, "payment.unknown", detail=detail or outcome)
            _enqueue_send(instruction.pk, delay=_backoff(1))
        return instruction.status


# --- Resolving an unknown outcome --------------------------------------------------------


def payment_resolve(*, instruction_id: int, now: dt.datetime | None = None) -> str:
    """Ask the gateway by key what became of an instruction whose outcome is unknown;
    returns its status afterwards. Never sends."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        instruction = lock_instruction(instruction_id)
        if not _needs_query(instruction, now):
            return instruction.status
        status, number, key = instruction.status, instruction.attempts, instruction.key
        attempt = PaymentAttempt.objects.create(
            instruction=instruction, kind=AttemptKind.QUERY, number=number, started_at=timezone.now()
        )
    outcome, reference, detail = _call_gateway(lambda: get_gateway().query(key), instruction_id)
    with transaction.atomic(durable=True):
        instruction = lock_instruction(instruction_id)
        _finish_attempt(attempt.pk, outcome, reference=reference, detail=detail)
        if outcome == Answer.SETTLED:
            _settle(instruction, reference=reference, now=timezone.now(), via="query")
            return instruction.status
        # Any other answer is about the state that was asked about; if a send was
        # claimed or the state moved since, it is stale.
        answered = outcome in (Answer.ACCEPTED, Answer.REJECTED, Answer.NOT_FOUND)
        if not answered or instruction.attempts != number or instruction.status != status:
            return instruction.status
        if outcome == Answer.NOT_FOUND:
            if status == PaymentStatus.ACCEPTED:
                logger.error("payment %s: accepted by the gateway, which now knows no transfer", key)
                return instruction.status
            _move(instruction, PaymentStatus.PENDING, "payment.not_found")
            _enqueue_send(instruction.pk)
        elif outcome == Answer.ACCEPTED and status != PaymentStatus.ACCEPTED:
            instruction.gateway_reference = reference[:100]
            _move(instruction, PaymentStatus.ACCEPTED, "payment.accept", reference=reference)
        elif outcome == Answer.REJECTED:
            _fail(instruction, reason=detail)
        return instruction.status


# --- Notices from the gateway ------------------------------------------------------------


def payment_settle(
    *, key: str, reference: str, amount: Decimal | None = None, now: dt.datetime | None = None
) -> PaymentInstruction:
    """The gateway's settlement notice for `key`. Idempotent: a notice delivered twice
    settles once and signals once (both notices are logged)."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        instruction = lock_instruction_by_key(str(key))
        if instruction is None:
            raise NotFound()
        if amount is not None and Decimal(amount) != instruction.amount:
            raise Conflict(
                _("The settlement notice names a different amount than the instruction."),
                code="payment_amount_mismatch",
            )
        PaymentAttempt.objects.create(
            instruction=instruction,
            kind=AttemptKind.NOTICE,
            number=instruction.attempts,
            outcome=AttemptOutcome.SETTLED,
            reference=reference[:100],
            detail="" if instruction.status != PaymentStatus.SETTLED else "already settled",
            started_at=now,
            finished_at=now,
        )
        _settle(instruction, reference=reference, now=now, via="notice")
    return instruction


# --- An officer's retry ------------------------------------------------------------------


def payment_retry_refusal(actor: Any, instruction: PaymentInstruction) -> str | None:
    """Why `actor` may not retry the instruction by the rules of the app that asked for
    the payment (`payment_retry_asked`), or None; the organisation's scope and the
    instruction's status are `payment_retry`'s own checks."""
    for _receiver, refusal in payment_retry_asked.send(
        sender=PaymentInstruction, actor=actor, instruction=instruction
    ):
        if refusal:
            return str(refusal)
    return None


PAYEE_FIELDS = ("payee_name", "payee_account", "payee_bank")


def payment_source_payee(instruction: PaymentInstruction) -> dict[str, str] | None:
    """The payee the app that asked for the payment pays today, if it keeps the payee
    itself (`payment_payee_asked`), or None; raises `ValidationFailed` when it can pay
    nobody."""
    for _receiver, answer in payment_payee_asked.send(sender=PaymentInstruction, instruction=instruction):
        if answer:
            payee: dict[str, Any] = dict(cast(Any, answer))
            return {name: str(payee.get(name) or "") for name in PAYEE_FIELDS}
    return None


def payment_retry(
    *,
    actor: Any,
    instruction: PaymentInstruction,
    payee_name: str | None = None,
    payee_account: str | None = None,
    payee_bank: str | None = None,
) -> PaymentInstruction:
    """Send a definitively rejected payment again under the same key (the gateway said
    no money moved), optionally with the payee's details corrected. Officers and heads
    of the paying organisation only."""
    with transaction.atomic(durable=True):
        locked = lock_instruction(instruction.pk)
        path = Organisation.objects.filter(pk=locked.organisation_id).values_list("path", flat=True).first()
        if path is None or not scope_for(actor).covers_path(path, write=True):
            raise PermissionDenied(_("Only an officer of the paying organisation may retry a payment."))
        if locked.status != PaymentStatus.FAILED:
            raise InvalidTransition(_("Only a payment rejected by the gateway can be retried."))
        refusal = payment_retry_refusal(actor, locked)
        if refusal is not None:
            raise PermissionDenied(refusal)
        source = payment_source_payee(locked)
        if source is not None:
            # The source keeps the payee (a case pays the enterprise's verified account):
            # what is typed in may only repeat it, and a correction made at the source
            # (the registry) is what is sent.
            typed = {"payee_name": payee_name, "payee_account": payee_account, "payee_bank": payee_bank}
            differ = sorted(k for k, v in typed.items() if v is not None and v.strip() != source[k])
            if differ:
                raise ValidationFailed(
                    _(
                        "This payment goes to the account its record keeps (the enterprise's verified "
                        "bank account in the registry): correct it there, then send it again."
                    ),
                    fields={k: [str(_("Set by the registry."))] for k in differ},
                )
            payee_name, payee_account, payee_bank = (source[k] for k in PAYEE_FIELDS)
        fields: dict[str, list[str]] = {}
        name, account, bank = _clean_payee(
            fields,
            locked.payee_name if payee_name is None else payee_name,
            locked.payee_account if payee_account is None else payee_account,
            locked.payee_bank if payee_bank is None else payee_bank,
        )
        if fields:
            raise ValidationFailed(fields=fields)
        before = {
            "status": locked.status,
            "payee_name": locked.payee_name,
            "payee_account": locked.payee_account,
            "payee_bank": locked.payee_bank,
            "failure_reason": locked.failure_reason,
        }
        locked.payee_name, locked.payee_account, locked.payee_bank = name, account, bank
        locked.failure_reason = ""
        _transition(locked, PaymentStatus.PENDING)
        locked.save()
        audit_record(
            actor=actor,
            action="payment.retry",
            obj=locked,
            organisation=locked.organisation_id,
            before=before,
            after={
                "status": locked.status,
                "payee_name": name,
                "payee_account": account,
                "payee_bank": bank,
            },
        )
        payment_resent.send(sender=PaymentInstruction, actor=actor, instruction=locked)
        _enqueue_send(locked.pk)
    return locked


# --- Reconciliation ----------------------------------------------------------------------


@dataclass
class ReconcileResult:
    queried: int = 0
    settled: int = 0
    requeued: int = 0
    failed: int = 0
    still_open: int = 0


def payments_reconcile(*, now: dt.datetime | None = None, limit: int = 1000) -> ReconcileResult:
    """Resolve expired leases, unknown outcomes and accepted payments without notice by
    query, and enqueue again the pending payments whose send job seems lost."""
    now = now or timezone.now()
    result = ReconcileResult()
    stale = (
        Q(status=PaymentStatus.UNKNOWN)
        | Q(status=PaymentStatus.SENDING, lease_until__lte=now)
        | Q(status=PaymentStatus.ACCEPTED, updated_at__lte=now - lease_duration())
    )
    ids = list(
        PaymentInstruction.objects.filter(stale).order_by("updated_at").values_list("pk", flat=True)[:limit]
    )
    for instruction_id in ids:
        result.queried += 1
        status = payment_resolve(instruction_id=instruction_id, now=now)
        if status == PaymentStatus.SETTLED:
            result.settled += 1
        elif status == PaymentStatus.FAILED:
            result.failed += 1
        elif status == PaymentStatus.PENDING:
            result.requeued += 1
        else:
            result.still_open += 1
    lost_before = now - _seconds("PAYMENT_REQUEUE_AFTER_SECONDS", 300)
    pending = list(
        PaymentInstruction.objects.filter(status=PaymentStatus.PENDING, updated_at__lte=lost_before)
        .order_by("updated_at")
        .values_list("pk", flat=True)[:limit]
    )
    for instruction_id in pending:
        with transaction.atomic(durable=True):
            # Touched so that it is enqueued again only after another wait, not every run.
            if PaymentInstruction.objects.filter(pk=instruction_id, status=PaymentStatus.PENDING).update(
                updated_at=now
            ):
                _enqueue_send(instruction_id)
                result.requeued += 1
    return result


# --- The simulated treasury's behaviour --------------------------------------------------


def treasury_mode_set(
    *,
    actor: Any,
    behaviour: str,
    fail_rate: Decimal | None = None,
    timeout_rate: Decimal | None = None,
    duplicate_rate: Decimal | None = None,
    unavailable_rate: Decimal | None = None,
) -> TreasuryMode:
    """Tell the simulated treasury how to behave; rates not given keep their value."""
    if behaviour not in TreasuryBehaviour.values:
        raise ValidationFailed(fields={"behaviour": [str(_("This value is not valid."))]})
    rates = {
        "fail_rate": fail_rate,
        "timeout_rate": timeout_rate,
        "duplicate_rate": duplicate_rate,
        "unavailable_rate": unavailable_rate,
    }
    fields: dict[str, list[str]] = {}
    for name, rate in rates.items():
        if rate is not None and not Decimal("0") <= Decimal(rate) <= Decimal("1"):
            fields[name] = [str(_("A rate is between 0 and 1."))]
    if fields:
        raise ValidationFailed(fields=fields)
    # Not durable: the admin's save runs inside its own transaction.
    with transaction.atomic():
        mode = TreasuryMode.objects.select_for_update().filter(pk=1).first() or TreasuryMode(pk=1)
        before = {"behaviour": mode.behaviour, **{name: getattr(mode, name) for name in rates}}
        mode.behaviour = behaviour
        for name, rate in rates.items():
            if rate is not None:
                setattr(mode, name, Decimal(rate))
        mode.save()
        audit_record(
            actor=actor,
            action="payment.treasury_mode",
            obj=mode,
            before=before,
            after={"behaviour": mode.behaviour, **{name: getattr(mode, name) for name in rates}},
        )
    return mode
