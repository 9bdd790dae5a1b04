"""Words that mean different things in two apps are told apart by a context: Django
merges every app's catalogue and the first app's translation of a msgid wins, so a
second wording of the same msgid is silently lost."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext, pgettext


@pytest.mark.parametrize(
    ("context", "msgid", "plain", "in_context"),
    [
        # A payment's bank serial number; elsewhere a record's number
        ("payment", "Reference", "编号", "流水号"),
        # When a payment instruction was created; elsewhere a count of rows created
        ("time", "Created", "新建", "创建时间"),
        # A monitoring point or observer still in force; elsewhere an enterprise's
        # registered status
        ("in force", "Active", "存续", "有效"),
        # A report's period; elsewhere an e-mail's sender
        ("period", "from", "发件人", "开始日期"),
    ],
)
def test_a_word_with_two_meanings_reads_right_in_each(context, msgid, plain, in_context):
    with translation.override("zh-hans"):
        assert (gettext(msgid), pgettext(context, msgid)) == (plain, in_context)
