"""The simulated treasury: the default gateway, for the demo and the tests.

It keeps its own ledger (`TreasuryTransfer`) and, like a real bank, does NOT
deduplicate: every send it accepts makes a new row, whatever the key. It can be told
(the `TreasuryMode` row, the admin page, `manage.py treasury_mode`, or the
PAYMENT_TREASURY_* settings) to misbehave:

- reject a transfer (no money moves);
- time out, either before making the transfer or after having made it;
- answer twice: accept, then deliver its settlement notice twice;
- be unreachable.

An account that is not 6 to 32 digits is always rejected, as a bank rejects an account
it does not hold.
"""

from __future__ import annotations

import logging
import random
import re
import threading
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction

from .base import Answer, GatewayAnswer, GatewayTimeout, GatewayUnavailable, Transfer

logger = logging.getLogger(__name__)

_ACCOUNT = re.compile(r"^\d{6,32}$")

_random = random.Random()  # noqa: S311 - a simulation, not a secret
_random_lock = threading.Lock()


def treasury_seed(seed: int | None) -> None:
    """Make the random behaviour repeatable (tests)."""
    with _random_lock:
        _random.seed(seed)


def _roll() -> float:
    with _random_lock:
        return _random.random()


@dataclass(frozen=True)
class Behaviour:
    behaviour: str
    fail_rate: Decimal = Decimal("0")
    timeout_rate: Decimal = Decimal("0")
    duplicate_rate: Decimal = Decimal("0")
    unavailable_rate: Decimal = Decimal("0")


def treasury_behaviour() -> Behaviour:
    """The row set by an admin, or else the settings."""
    from ..models import TreasuryMode

    row = TreasuryMode.objects.filter(pk=1).first()
    if row is not None:
        return Behaviour(
            behaviour=row.behaviour,
            fail_rate=row.fail_rate,
            timeout_rate=row.timeout_rate,
            duplicate_rate=row.duplicate_rate,
            unavailable_rate=row.unavailable_rate,
        )
    return Behaviour(
        behaviour=str(getattr(settings, "PAYMENT_TREASURY_BEHAVIOUR", "normal") or "normal"),
        fail_rate=Decimal(str(getattr(settings, "PAYMENT_TREASURY_FAIL_RATE", "0"))),
        timeout_rate=Decimal(str(getattr(settings, "PAYMENT_TREASURY_TIMEOUT_RATE", "0"))),
        duplicate_rate=Decimal(str(getattr(settings, "PAYMENT_TREASURY_DUPLICATE_RATE", "0"))),
        unavailable_rate=Decimal(str(getattr(settings, "PAYMENT_TREASURY_UNAVAILABLE_RATE", "0"))),
    )


def _plan(mode: Behaviour) -> str:
    """What this send will do: one of the fixed behaviours, drawn at random in RANDOM."""
    if mode.behaviour != "random":
        return mode.behaviour
    if _roll() < mode.unavailable_rate:
        return "unavailable"
    if _roll() < mode.fail_rate:
        return "reject"
    if _roll() < mode.timeout_rate:
        return "timeout_after" if _roll() < 0.5 else "timeout_before"
    if _roll() < mode.duplicate_rate:
        return "duplicate"
    return "normal"


class SimulatedTreasury:
    def send(self, transfer: Transfer) -> GatewayAnswer:
        plan = _plan(treasury_behaviour())
        if plan == "unavailable":
            raise GatewayUnavailable("the simulated treasury is unreachable")
        if plan == "timeout_before":
            raise GatewayTimeout("the simulated treasury did not answer (nothing done)")
        if plan == "reject":
            return GatewayAnswer(Answer.REJECTED, reason="REJECTED: the treasury refused the transfer")
        if not _ACCOUNT.match(transfer.payee_account):
            return GatewayAnswer(Answer.REJECTED, reason="ACCOUNT_INVALID: no such account")
        reference = self._record(transfer)
        if plan == "timeout_after":
            raise GatewayTimeout("the simulated treasury did not answer (transfer made)")
        if plan == "duplicate":
            # Its settlement notice, delivered twice, before it answers.
            for _ in range(2):
                self._notify(transfer, reference)
            return GatewayAnswer(Answer.ACCEPTED, reference=reference)
        return GatewayAnswer(Answer.SETTLED, reference=reference)

    def query(self, key: str) -> GatewayAnswer:
        from ..models import TreasuryTransfer

        mode = treasury_behaviour()
        if mode.behaviour == "unavailable" or (
            mode.behaviour == "random" and _roll() < mode.unavailable_rate
        ):
            raise GatewayUnavailable("the simulated treasury is unreachable")
        if mode.behaviour == "timeout_before" or (mode.behaviour == "random" and _roll() < mode.timeout_rate):
            raise GatewayTimeout("the simulated treasury did not answer the query")
        row = TreasuryTransfer.objects.filter(key=key).order_by("id").first()
        if row is None:
            return GatewayAnswer(Answer.NOT_FOUND)
        return GatewayAnswer(Answer.SETTLED, reference=row.reference)

    @staticmethod
    def _record(transfer: Transfer) -> str:
        from ..models import TreasuryTransfer

        reference = "T" + uuid.uuid4().hex[:20].upper()
        # Its own commit: the bank's ledger does not roll back with the caller.
        with transaction.atomic():
            TreasuryTransfer.objects.create(
                key=transfer.key,
                amount=transfer.amount,
                account=transfer.payee_account,
                payee=transfer.payee_name,
                bank=transfer.payee_bank,
                reference=reference,
            )
        return reference

    @staticmethod
    def _notify(transfer: Transfer, reference: str) -> None:
        from ..services import payment_settle

        try:
            payment_settle(key=transfer.key, reference=reference, amount=transfer.amount)
        except Exception:  # a bank's notice that fails is retried by the bank, not by us
            logger.exception("settlement notice for %s was not taken", transfer.key)
