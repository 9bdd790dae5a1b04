"""What a payment gateway must do, and what it may answer.

`send(transfer)` asks for one transfer; `query(key)` asks whether a transfer with that
key was made. Answers:

- ACCEPTED (with a reference): taken; a settlement notice follows (`payment_settle`);
- SETTLED (with a reference): the money moved;
- REJECTED (with a reason): definitively refused, no money moved;
- NOT_FOUND (query only): no transfer with this key exists.

Two exceptions carry the failures that are not answers: `GatewayUnavailable` when the
request certainly did not reach the gateway (connection refused), so sending again is
safe; `GatewayTimeout` when it may have, so only a query may tell. Anything else a
gateway raises is treated as a timeout.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.utils.module_loading import import_string

DEFAULT_GATEWAY = "qinqing.payments.gateways.treasury.SimulatedTreasury"


class Answer(enum.StrEnum):
    ACCEPTED = "accepted"
    SETTLED = "settled"
    REJECTED = "rejected"
    NOT_FOUND = "not_found"


@dataclass(frozen=True)
class GatewayAnswer:
    outcome: Answer
    reference: str = ""
    reason: str = ""


@dataclass(frozen=True)
class Transfer:
    key: str
    amount: Decimal
    payee_name: str
    payee_account: str
    payee_bank: str
    purpose: str


class GatewayError(Exception):
    """A call that ended without an answer."""


class GatewayTimeout(GatewayError):
    """No answer in time: the transfer may or may not have been made."""


class GatewayUnavailable(GatewayError):
    """The request did not reach the gateway: nothing was done."""


@runtime_checkable
class PaymentGateway(Protocol):
    def send(self, transfer: Transfer) -> GatewayAnswer: ...

    def query(self, key: str) -> GatewayAnswer: ...


def get_gateway() -> PaymentGateway:
    path = getattr(settings, "PAYMENT_GATEWAY", "") or DEFAULT_GATEWAY
    gateway = import_string(path)()
    if not isinstance(gateway, PaymentGateway):
        raise TypeError("PAYMENT_GATEWAY must name a class with send(transfer) and query(key)")
    return gateway  # type: ignore[no-any-return]
