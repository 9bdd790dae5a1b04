"""The payment-gateway interface. A gateway is any class with `send(transfer)` and
`query(key)` (see `base.py`), chosen by the PAYMENT_GATEWAY setting (a dotted path),
so a real bank or treasury plugs in by configuration; the default is the simulated
treasury (`treasury.py`)."""

from .base import (
    Answer,
    GatewayAnswer,
    GatewayError,
    GatewayTimeout,
    GatewayUnavailable,
    PaymentGateway,
    Transfer,
    get_gateway,
)

__all__ = [
    "Answer",
    "GatewayAnswer",
    "GatewayError",
    "GatewayTimeout",
    "GatewayUnavailable",
    "PaymentGateway",
    "Transfer",
    "get_gateway",
]
