"""Signed checkpoints: their signed form, the file outside the database, the export.

A checkpoint says "event `seq` of the chain has hash `hash`", signed with the Ed25519
key kept outside the database. Each one is stored in the database and appended, as one
JSON line, to settings.AUDIT_CHECKPOINT_FILE. The supervisor's export is the same lines
between a header (with the public key) and a trailer that signs the whole file. Keep a
copy anywhere else: `manage.py verify_audit --checkpoints FILE` then catches a database
whose chain or checkpoints were rewritten or cut short since.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinqing.common.errors import ApplicationError

from .models import AuditCheckpoint
from .signing import signature_valid, signing_key

logger = logging.getLogger(__name__)

CHECKPOINT_TYPE = "qinqing.audit.checkpoint"
EXPORT_FORMAT = "qinqing.audit.checkpoints"
EXPORT_CONTEXT = b"qinqing.audit.export\n"
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


class AuditSigningKeyMissing(ApplicationError):
    code = "audit_signing_key_missing"
    http_status = 503
    default_message = _(
        "Checkpoints exist but their signing key is missing; an administrator must restore "
        "the key before more can be signed or exported."
    )


def checkpoint_signing_key() -> Ed25519PrivateKey:
    """The key that signs checkpoints and exports. Created on first use, but never
    once checkpoints exist: a new key would silently orphan every earlier signature."""
    key = signing_key(create=False)
    if key is None:
        if AuditCheckpoint.objects.exists():
            raise AuditSigningKeyMissing()
        key = signing_key(create=True)
        assert key is not None
    return key


def iso_utc(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def checkpoint_payload(*, seq: int, hash: str, at: str, key_id: str) -> bytes:
    """The exact bytes signed for a checkpoint."""
    body = {"v": 1, "type": CHECKPOINT_TYPE, "seq": seq, "hash": hash, "at": at, "key_id": key_id}
    return _dumps(body).encode()


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint from any source: the database, the local file or a kept export."""

    seq: int
    hash: str
    at: str
    key_id: str
    public_key: str
    signature: str
    source: str

    @classmethod
    def of(cls, cp: AuditCheckpoint, source: str = "database") -> SignedCheckpoint:
        return cls(
            seq=cp.seq,
            hash=cp.hash,
            at=iso_utc(cp.created_at),
            key_id=cp.key_id,
            public_key=cp.public_key,
            signature=cp.signature,
            source=source,
        )

    def payload(self) -> bytes:
        return checkpoint_payload(seq=self.seq, hash=self.hash, at=self.at, key_id=self.key_id)

    def signed_by(self, public_key: str) -> bool:
        return signature_valid(public_key, self.payload(), self.signature)

    def as_line(self) -> dict[str, Any]:
        return {
            "type": "checkpoint",
            "v": 1,
            "seq": self.seq,
            "hash": self.hash,
            "at": self.at,
            "key_id": self.key_id,
            "public_key": self.public_key,
            "signature": self.signature,
        }


def append_to_file(checkpoint: SignedCheckpoint, path: Path | None = None) -> None:
    """Append one checkpoint line to the file outside the database (O_APPEND under an
    exclusive lock, then fsync: several processes may sign at once)."""
    target = Path(path or settings.AUDIT_CHECKPOINT_FILE)
    target.parent.mkdir(parents=True, exist_ok=True)
    line = (_dumps(checkpoint.as_line()) + "\n").encode()
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)


def file_checkpoint_seqs(path: Path | None = None) -> set[int]:
    """Sequence numbers already in the local checkpoint file."""
    target = Path(path or settings.AUDIT_CHECKPOINT_FILE)
    if not target.exists():
        return set()
    parsed = parse_checkpoint_lines(target.read_text(encoding="utf-8").splitlines(), source=str(target))
    return {cp.seq for cp in parsed.checkpoints}


# --- The export -----------------------------------------------------------------------------


def export_lines(
    checkpoints: Iterable[AuditCheckpoint], *, public_key: str, key_id: str, sign: Any
) -> Iterator[str]:
    """The export, line by line: a header with the public key, one line per checkpoint,
    and a trailer signing the SHA-256 of everything before it. `sign` signs bytes."""
    digest = hashlib.sha256()

    def emit(body: dict[str, Any]) -> str:
        line = _dumps(body) + "\n"
        digest.update(line.encode())
        return line

    items = list(checkpoints)
    yield emit(
        {
            "type": "header",
            "v": 1,
            "format": EXPORT_FORMAT,
            "exported_at": iso_utc(timezone.now()),
            "public_key": public_key,
            "key_id": key_id,
            "checkpoints": len(items),
        }
    )
    for cp in items:
        yield emit(SignedCheckpoint.of(cp).as_line())
    sha = digest.hexdigest()
    yield (
        _dumps({"type": "signature", "sha256": sha, "signature": sign(EXPORT_CONTEXT + sha.encode())}) + "\n"
    )


@dataclass
class ParsedCheckpoints:
    checkpoints: list[SignedCheckpoint]
    header_key: str | None
    # (line number, problem) for unreadable lines and a trailer that does not verify.
    problems: list[tuple[int, str]]
    trailer_checked: bool


def parse_checkpoint_lines(lines: Iterable[str], *, source: str) -> ParsedCheckpoints:
    """Read the local file or an export. Checkpoint lines carry their public key; an
    export's trailer, if present, must sign everything before it with the header's key."""
    out = ParsedCheckpoints(checkpoints=[], header_key=None, problems=[], trailer_checked=False)
    digest = hashlib.sha256()
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        try:
            body = json.loads(line)
            kind = body.get("type", "checkpoint")
        except (ValueError, AttributeError):
            out.problems.append((number, "unreadable line"))
            continue
        if kind == "signature":
            sha = digest.hexdigest()
            ok = (
                body.get("sha256") == sha
                and out.header_key is not None
                and signature_valid(out.header_key, EXPORT_CONTEXT + sha.encode(), str(body.get("signature")))
            )
            if not ok:
                out.problems.append((number, "the export's signature does not match its content"))
            out.trailer_checked = True
            continue
        digest.update((line + "\n").encode())
        if kind == "header":
            out.header_key = body.get("public_key")
            continue
        try:
            out.checkpoints.append(
                SignedCheckpoint(
                    seq=int(body["seq"]),
                    hash=str(body["hash"]),
                    at=str(body["at"]),
                    key_id=str(body["key_id"]),
                    public_key=str(body.get("public_key") or out.header_key or ""),
                    signature=str(body["signature"]),
                    source=f"{source}:{number}",
                )
            )
        except (KeyError, TypeError, ValueError):
            out.problems.append((number, "not a checkpoint"))
    return out
