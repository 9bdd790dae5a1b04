"""Words that mean different things in two apps are told apart by a context: Django
merges every app's catalogue and the first app's translation of a msgid wins, so a
second wording of the same msgid is silently lost."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

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


def _catalogue_entries():
    """Every translated entry of every app's zh_Hans catalogue, by app."""
    import polib
    from django.apps import apps

    for config in apps.get_app_configs():
        if not config.name.startswith("qinqing."):
            continue
        path = Path(config.path) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        if not path.exists():
            continue
        for entry in polib.pofile(str(path)):
            if entry.obsolete or "fuzzy" in entry.flags:
                continue
            translated = entry.msgstr or tuple(sorted(entry.msgstr_plural.items()))
            if translated:
                yield config.label, entry, translated


def test_no_msgid_is_translated_two_ways():
    """One (context, msgid) has one translation across all catalogues: otherwise the
    app listed later in INSTALLED_APPS silently shows the first app's wording. A word
    that must read differently in one app takes a context there."""
    seen: dict[tuple[str, str, str], dict[str, object]] = defaultdict(dict)
    for app, entry, translated in _catalogue_entries():
        seen[(entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")][app] = translated
    conflicts = {key: by_app for key, by_app in seen.items() if len({repr(v) for v in by_app.values()}) > 1}
    assert conflicts == {}


def test_the_conflict_check_sees_the_catalogues():
    """The check above reads the real catalogues: shared words exist in several apps."""
    apps_per_msgid: dict[str, set[str]] = defaultdict(set)
    for app, entry, _translated in _catalogue_entries():
        apps_per_msgid[entry.msgid].add(app)
    assert len({app for apps in apps_per_msgid.values() for app in apps}) >= 10
    assert len(apps_per_msgid["Reason"]) >= 3
