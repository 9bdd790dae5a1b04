"""Every user-facing string has its Chinese: no empty or fuzzy entry in any catalogue."""

from __future__ import annotations

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[3]


def test_every_catalogue_is_complete():
    catalogues = sorted((ROOT / "qinqing").rglob("locale/zh_Hans/LC_MESSAGES/django.po"))
    assert catalogues, "no zh_Hans catalogue found"
    problems = []
    for path in catalogues:
        po = polib.pofile(str(path))
        for entry in po:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{path.relative_to(ROOT)}: fuzzy: {entry.msgid!r}")
            elif entry.msgid_plural and not all(entry.msgstr_plural.values()):
                problems.append(f"{path.relative_to(ROOT)}: untranslated plural: {entry.msgid!r}")
            elif not entry.msgid_plural and not entry.msgstr:
                problems.append(f"{path.relative_to(ROOT)}: untranslated: {entry.msgid!r}")
    assert problems == []
