"""Helpers for the payments tests: instructions made through the real service, a
scripted gateway, and a switch for the simulated treasury's behaviour."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from qinqing.payments.gateways import GatewayAnswer, Transfer
from qinqing.payments.models import PaymentInstruction, TreasuryMode
from qinqing.payments.services import payment_instruction_create

ACCOUNT = "6222020200112233445"


def instruct(organisation, key: str = "test:1", **overrides: Any) -> PaymentInstruction:
    data: dict[str, Any] = {
        "actor": None,
        "key": key,
        "source_type": "test.case",
        "source_id": key.rsplit(":", 1)[-1],
        "organisation": organisation,
        "payee_name": "泉州清源山旅游有限公司",
        "payee_account": ACCOUNT,
        "payee_bank": "中国工商银行泉州分行",
        "amount": Decimal("600000.00"),
        "purpose": "A级旅游景区创建奖励",
    }
    data.update(overrides)
    return payment_instruction_create(**data)


def treasury(behaviour: str, **rates: Any) -> TreasuryMode:
    mode, _ = TreasuryMode.objects.update_or_create(pk=1, defaults={"behaviour": behaviour, **rates})
    return mode


class ScriptedGateway:
    """Answers (or raises) what the test put in `sends` and `queries`, in order."""

    sends: ClassVar[list[Any]] = []
    queries: ClassVar[list[Any]] = []
    sent: ClassVar[list[Transfer]] = []
    asked: ClassVar[list[str]] = []

    @classmethod
    def reset(cls) -> None:
        cls.sends, cls.queries, cls.sent, cls.asked = [], [], [], []

    def send(self, transfer: Transfer) -> GatewayAnswer:
        ScriptedGateway.sent.append(transfer)
        return _next(ScriptedGateway.sends)

    def query(self, key: str) -> GatewayAnswer:
        ScriptedGateway.asked.append(key)
        return _next(ScriptedGateway.queries)


def _next(script: list[Any]) -> GatewayAnswer:
    item = script.pop(0)
    if isinstance(item, BaseException):
        raise item
    return item  # type: ignore[no-any-return]
