"""Verify the whole audit trail: exit code 0 when intact, 1 when broken."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from qinqing.audit.services import audit_seal_pending
from qinqing.audit.verify import describe_warning, verify_chain

# How many findings the text output lists after the first one.
_LISTED = 20


class Command(BaseCommand):
    help = (
        "Recompute the audit trail's hash chain, check the signed checkpoints and name the "
        "first broken event. Exit code 0 when intact, 1 when broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--checkpoints",
            action="append",
            default=[],
            type=Path,
            metavar="FILE",
            help="a checkpoint export (or copy of the checkpoint file) kept outside; may repeat",
        )
        parser.add_argument("--json", action="store_true", help="print the report as one JSON object")
        parser.add_argument(
            "--no-seal",
            action="store_true",
            help="do not seal waiting events first (read-only, e.g. on a replica)",
        )
        parser.add_argument(
            "--no-local-file",
            action="store_true",
            help="ignore the local checkpoint file (settings.AUDIT_CHECKPOINT_FILE)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        files: list[Path] = options["checkpoints"]
        for path in files:
            if not path.is_file():
                raise CommandError(f"no such checkpoint file: {path}", returncode=2)
        if not options["no_seal"]:
            audit_seal_pending(wait=True)
        report = verify_chain(checkpoint_files=files, include_local_file=not options["no_local_file"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self._print(report)
        if not report.intact:
            first = report.first_break
            where = f"event {first.seq}" if first and first.seq is not None else "the checkpoints"
            raise CommandError(f"audit trail broken at {where}", returncode=1)

    def _print(self, report: Any) -> None:
        span = f"events 1 to {report.last_seq}" if report.last_seq else "no events"
        summary = (
            f"{report.events} events checked ({span}), {report.checkpoints_checked} signed checkpoints, "
            f"{report.pending} waiting to be sealed, in {report.duration_s:.2f} s."
        )
        for code in report.warnings:
            self.stderr.write(self.style.WARNING("Warning: " + describe_warning(code)))
        if report.intact:
            self.stdout.write(self.style.SUCCESS("Audit trail intact. ") + summary)
            return
        first = report.first_break
        self.stdout.write(
            self.style.ERROR(f"Audit trail BROKEN: {report.findings_total} problem(s). ") + summary
        )
        if first is not None:
            self.stdout.write(f"First broken: [{first.kind}] {first.describe()}")
        for finding in report.findings[1 : _LISTED + 1]:
            self.stdout.write(f"  [{finding.kind}] {finding.describe()}")
        if report.findings_total > _LISTED + 1:
            self.stdout.write(f"  ... and {report.findings_total - _LISTED - 1} more")
