"""Sent once, and followed by a receipt: what the ledger's reports and the policies'
objections to a notice share.

A form that registers something carries a key of its own (`OnceForm`); an API call may
send one (`Idempotency-Key`). The service stores the SHA-256 of who sent it and the key
(`idempotency_digest`), unique: a form sent twice (a double click, a reload of the
answer, a retry after a lost answer) gets what the first sending made, and concurrent
sendings meet at the unique index. Someone without an account follows what they sent
with a 16-digit receipt code, stored only hashed (`receipt_hash`): a fresh one
(`new_receipt`) or, for a keyed sending, one derived from the key with the server's
secret (`keyed_receipt`), so a second sending shows the same code although neither the
code nor the key is stored.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from typing import Any

from django import forms
from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .errors import ValidationFailed

RECEIPT_DIGITS = 16

# How long a form's key is taken: a form left open longer asks to be sent again (it
# keeps what was typed), so an old page in a shared browser's history cannot be sent
# again to read the answer of what was sent from it. The salt keeps the name it had
# when only the ledger's forms carried keys, so that keys already issued stay valid.
FORM_KEY_MAX_AGE = 24 * 60 * 60
FORM_KEY_SALT = "qinqing.ledger.form_key"

# A form's key is secrets.token_urlsafe(24); an API client's key, a UUID will do.
IDEMPOTENCY_KEY = re.compile(r"[-_A-Za-z0-9]{16,128}")


def receipt_hash(code: str) -> str:
    """What is stored of a receipt code: the SHA-256 of its digits."""
    digits = "".join(ch for ch in str(code) if ch.isdigit())
    return hashlib.sha256(digits.encode()).hexdigest()


def new_receipt() -> str:
    """Sixteen random digits, shown once."""
    return "".join(secrets.choice("0123456789") for _ in range(RECEIPT_DIGITS))


def keyed_receipt(purpose: str, sender: str, key: str) -> str:
    """The receipt code of what `sender` sent under `key` for `purpose`: the same for
    every sending of one form, unguessable without the server's secret."""
    digest = salted_hmac(purpose, f"{sender}\n{key}", algorithm="sha256").digest()
    return f"{int.from_bytes(digest, 'big') % 10**RECEIPT_DIGITS:0{RECEIPT_DIGITS}d}"


def idempotency_digest(sender: str, key: Any) -> str:
    """What is stored of `key` sent by `sender` ("user:12", "point:3"); "" for no key."""
    text = str(key or "")
    if not text:
        return ""
    if not IDEMPOTENCY_KEY.fullmatch(text):
        raise ValidationFailed(
            fields={
                "idempotency_key": [
                    str(_("An idempotency key is 16 to 128 letters, digits, “-” or “_” (a UUID will do)."))
                ]
            }
        )
    return hashlib.sha256(f"{sender}\n{text}".encode()).hexdigest()


def issue_form_key() -> str:
    """A fresh key for one form, signed with the time it was issued."""
    return signing.TimestampSigner(salt=FORM_KEY_SALT).sign(secrets.token_urlsafe(24))


class OnceForm(forms.Form):
    """A form that registers something, sent once: it carries a key of its own, which
    the service stores (`idempotency_key`), so sending it twice (a double click, a reload,
    the back button) gives what the first sending made. `cleaned_data["form_key"]` is
    the key, or "" when the form came without one."""

    form_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["form_key"] = issue_form_key()

    def clean_form_key(self) -> str:
        raw = str(self.cleaned_data.get("form_key") or "")
        if not raw:
            return ""
        try:
            return str(signing.TimestampSigner(salt=FORM_KEY_SALT).unsign(raw, max_age=FORM_KEY_MAX_AGE))
        except signing.BadSignature:
            self.renew_form_key()
            self.add_error(None, _("This form has expired. Check your answers and send it again."))
            return ""

    def renew_form_key(self) -> None:
        """Put a fresh key in the form shown again: what it sends next is new."""
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict
        data[self.add_prefix("form_key")] = issue_form_key()
        self.data = data


__all__ = [
    "FORM_KEY_MAX_AGE",
    "FORM_KEY_SALT",
    "IDEMPOTENCY_KEY",
    "RECEIPT_DIGITS",
    "OnceForm",
    "idempotency_digest",
    "issue_form_key",
    "keyed_receipt",
    "new_receipt",
    "receipt_hash",
]
