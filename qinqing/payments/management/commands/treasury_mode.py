"""`manage.py treasury_mode`: show or set how the simulated treasury behaves.

manage.py treasury_mode                        # show
manage.py treasury_mode normal
manage.py treasury_mode random --fail 0.1 --timeout 0.2 --duplicate 0.1
manage.py treasury_mode timeout_after          # deterministic, for a demonstration
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qinqing.payments.gateways.treasury import treasury_behaviour
from qinqing.payments.models import TreasuryBehaviour
from qinqing.payments.services import treasury_mode_set


def _rate(text: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise CommandError(f"{text!r} is not a rate between 0 and 1") from exc
    if not Decimal("0") <= value <= Decimal("1"):
        raise CommandError(f"{text!r} is not a rate between 0 and 1")
    return value


class Command(BaseCommand):
    help = "Show or set the behaviour of the simulated treasury (the default payment gateway)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("behaviour", nargs="?", choices=TreasuryBehaviour.values)
        parser.add_argument("--fail", type=_rate, default=None, help="rejection rate in random mode")
        parser.add_argument("--timeout", type=_rate, default=None, help="timeout rate in random mode")
        parser.add_argument("--duplicate", type=_rate, default=None, help="double answer rate in random mode")
        parser.add_argument("--unavailable", type=_rate, default=None, help="unreachable rate in random mode")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["behaviour"]:
            treasury_mode_set(
                actor=None,
                behaviour=options["behaviour"],
                fail_rate=options["fail"],
                timeout_rate=options["timeout"],
                duplicate_rate=options["duplicate"],
                unavailable_rate=options["unavailable"],
            )
        mode = treasury_behaviour()
        self.stdout.write(
            f"behaviour={mode.behaviour} fail={mode.fail_rate} timeout={mode.timeout_rate} "
            f"duplicate={mode.duplicate_rate} unavailable={mode.unavailable_rate}"
        )
