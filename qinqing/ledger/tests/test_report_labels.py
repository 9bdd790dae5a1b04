"""A report's period reads as dates, not as an e-mail's sender and recipient: the same
msgids in the notifications app translate as 发件人 and 收件人, and the first app's
translation of a msgid wins, so the ledger's are in a context of their own."""

from __future__ import annotations

from django.utils import translation

from qinqing.ledger.models import LedgerReport
from qinqing.notifications.models import OutboxMessage


def test_a_report_period_is_named_as_dates():
    with translation.override("zh-hans"):
        labels = [
            str(LedgerReport._meta.get_field(name).verbose_name) for name in ("period_start", "period_end")
        ]
        mail = [str(OutboxMessage._meta.get_field(name).verbose_name) for name in ("from_address", "to")]
    assert labels == ["开始日期", "结束日期"]
    assert mail == ["发件人", "收件人"]
