"""The Ed25519 key that signs checkpoints. It lives outside the database.

settings.AUDIT_SIGNING_KEY holds the key itself (base64 of the 32-byte seed), or else
settings.AUDIT_SIGNING_KEY_FILE names a file holding it, created with mode 0600 the
first time a checkpoint is signed. Verification only needs the public key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import logging
import os
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


def _key_file() -> Path:
    return Path(settings.AUDIT_SIGNING_KEY_FILE)


def _decode_seed(text: str, source: str) -> Ed25519PrivateKey:
    try:
        seed = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImproperlyConfigured(f"{source} is not base64") from exc
    if len(seed) != 32:
        raise ImproperlyConfigured(f"{source} must hold a 32-byte Ed25519 seed")
    return Ed25519PrivateKey.from_private_bytes(seed)


def signing_key(*, create: bool = True) -> Ed25519PrivateKey | None:
    """The private key; created in the key file when missing if `create`, else None."""
    if settings.AUDIT_SIGNING_KEY:
        return _decode_seed(settings.AUDIT_SIGNING_KEY, "AUDIT_SIGNING_KEY")
    path = _key_file()
    if not path.exists():
        if not create:
            return None
        _create_key_file(path)
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        logger.warning("the audit signing key %s is readable by others (mode %o)", path, mode)
    return _decode_seed(path.read_text(encoding="ascii"), str(path))


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    seed = os.urandom(32)
    try:
        # O_EXCL: two processes signing their first checkpoint at once keep one key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(base64.b64encode(seed).decode() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    logger.warning("created the audit signing key %s; back it up outside this machine", path)


def public_key_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(Encoding.Raw, PublicFormat.Raw)


def public_key_b64(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    return base64.b64encode(public_key_bytes(key)).decode()


def key_id(public_b64: str) -> str:
    """A short fingerprint of a public key, to tell keys apart at a glance."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]


def trusted_public_key() -> str | None:
    """The public key checkpoints must be signed with (None: no key configured here)."""
    key = signing_key(create=False)
    return public_key_b64(key) if key is not None else None


def sign(key: Ed25519PrivateKey, payload: bytes) -> str:
    return base64.b64encode(key.sign(payload)).decode()


def signature_valid(public_b64: str, payload: bytes, signature_b64: str) -> bool:
    try:
        public = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64, validate=True))
        public.verify(base64.b64decode(signature_b64, validate=True), payload)
    except (InvalidSignature, ValueError, binascii.Error):
        return False
    return True
