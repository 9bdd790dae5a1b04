"""System checks of the payment settings: the lease must outlast the gateway's timeout,
or a slow send could be taken for a dead one and resolved while still in flight."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_payment_lease(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    lease = int(getattr(settings, "PAYMENT_LEASE_SECONDS", 120))
    timeout = int(getattr(settings, "PAYMENT_GATEWAY_TIMEOUT_SECONDS", 30))
    if lease <= timeout:
        return [
            Error(
                f"PAYMENT_LEASE_SECONDS ({lease}) must be longer than PAYMENT_GATEWAY_TIMEOUT_SECONDS ({timeout}).",
                id="payments.E001",
            )
        ]
    return []
