"""Sign a checkpoint of the audit trail now (the scheduler does it every hour)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from qinqing.audit.services import AuditChainBroken, audit_checkpoint_create, audit_checkpoint_file_sync


class Command(BaseCommand):
    help = "Seal waiting events, verify what was added since the last checkpoint and sign the head."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            checkpoint = audit_checkpoint_create()
        except AuditChainBroken as exc:
            raise CommandError(f"not signed: {exc.message} {exc.extra}", returncode=1) from exc
        copied = audit_checkpoint_file_sync()
        if checkpoint is None:
            self.stdout.write("Nothing new since the last checkpoint.")
        else:
            self.stdout.write(f"Signed checkpoint at event {checkpoint.seq} (key {checkpoint.key_id}).")
        if copied:
            self.stdout.write(f"Copied {copied} checkpoint(s) missing from the checkpoint file.")
