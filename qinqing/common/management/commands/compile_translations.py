"""Compile every .po file of the project into its .mo, in pure Python.

Django's `compilemessages` needs GNU gettext's msgfmt, which a fresh machine may lack;
polib does the same job without it. Only stale .mo files are rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polib  # type: ignore[import-untyped]
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile the project's .po translation files to .mo (no gettext needed)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        root = Path(settings.BASE_DIR) / "qinqing"
        compiled = 0
        for po_path in sorted(root.rglob("locale/*/LC_MESSAGES/*.po")):
            mo_path = po_path.with_suffix(".mo")
            if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                continue
            po = polib.pofile(str(po_path))
            po.save_as_mofile(str(mo_path))
            compiled += 1
        if not quiet or compiled:
            self.stdout.write(f"compiled {compiled} translation file(s)")
