"""Every field a recorded event holds is named in the reader's language: a key with no
label of its own fell back to its name in English ("Deliveries enqueued") on a Chinese
page."""

from __future__ import annotations

import pytest
from django.utils import translation

from qinqing.supervision.readable import _EXTRA, _Reader

# (record type, key) as the services record them, found by reading every event of the
# demo city: each fell back to English before.
RECORDED = [
    ("accounts.organisation", "parent"),
    ("accounts.roleassignment", "organisation"),
    ("accounts.roleassignment", "user"),
    ("accounts.user", "at_login"),
    ("contracts.clause", "contract"),
    ("contracts.obligation", "clause"),
    ("contracts.obligation", "due_rule"),
    ("contracts.obligation", "outcome"),
    ("deadlines.scan", "advanced"),
    ("deadlines.scan", "alerts"),
    ("deadlines.scan", "by_rung"),
    ("deadlines.scan", "first_alert"),
    ("deadlines.scan", "last_alert"),
    ("deadlines.scan", "notify_job"),
    ("deadlines.scan", "today"),
    ("demo.city", "enterprises"),
    ("demo.city", "users"),
    ("enterprises.enterprise", "labels"),
    ("enterprises.enterprise", "scenic_grade"),
    ("enterprises.enterprise", "seed"),
    ("ledger.campaign", "topics"),
    ("ledger.observer", "user"),
    ("ledger.problem", "agrees"),
    ("ledger.problem", "into"),
    ("ledger.problem", "level"),
    ("ledger.ruleoutcome", "problems"),
    ("ledger.walkthrough", "problems"),
    ("notifications.event", "deliveries_enqueued"),
    ("notifications.event", "deliveries_new"),
    ("notifications.event", "digest_items_new"),
    ("notifications.event", "event_count"),
    ("notifications.event", "event_keys"),
    ("notifications.event", "inbox_new"),
    ("notifications.event", "kinds"),
    ("notifications.event", "recipients_new"),
    ("notifications.event", "superseded"),
    ("policies.case", "due_date"),
    ("policies.case", "kind"),
]


@pytest.mark.parametrize(("object_type", "key"), RECORDED)
def test_a_recorded_field_is_named_in_chinese(object_type, key):
    with translation.override("zh-hans"):
        label = _Reader([]).label(object_type, key)
    assert not label.isascii(), (object_type, key, label)


def test_every_extra_label_is_translated():
    with translation.override("zh-hans"):
        untranslated = [key for key, (label, _model) in _EXTRA.items() if str(label).isascii()]
    assert untranslated == []


def test_a_contract_date_moved_after_a_miss_is_named():
    from qinqing.supervision.actions import action_label

    with translation.override("zh-hans"):
        assert (
            str(action_label("contracts.obligation.contract_date_moved_after_miss"))
            == "逾期后合同约定期限被变更"
        )
