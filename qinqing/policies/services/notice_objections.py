"""Objections to an award under public notice (公示异议), lodged by anyone, each with a
receipt code to follow it by.

Whoever objects through the public notice, signed in or not, gets a 16-digit receipt
code, stored only hashed (`Objection.receipt_hash`), as a monitoring point's reporter
does in the ledger; with it the follow page shows the objection's state and, once
decided, the decision and the reply the department wrote for the public.

Sent once, as the ledger's forms: the notice's form carries a signed key of its own
(`qinqing.common.once.OnceForm`), an API call may send an `Idempotency-Key`.
The key is stored as the SHA-256 of who sent it (the case and the user, or "anyone")
and the key, unique: the same form sent twice (a double click, the back button and
send again, a retry after a lost answer) answers the objection the first sending
lodged, and concurrent sendings meet at the unique index. The receipt code is derived
from the key with the server's secret, so the second answer carries the same code
although the code is never stored.

Someone signed in when objecting is kept as the objection's `lodged_by` (shown to no
one else: the notice, the follow page and the department's pages name no objector), and
finds their objections listed (`notice_objections_of`, "My objections") with the same
facts the follow page shows, without the code.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from qinqing.common.errors import Conflict, NotFound, ValidationFailed
from qinqing.common.once import RECEIPT_DIGITS, idempotency_digest, keyed_receipt, new_receipt, receipt_hash
from qinqing.policies.models import Case, Objection, ObjectionKind
from qinqing.policies.services.cases import MAX_TEXT, objection_lodge

# The code of the conflict: the key came with another objection than the first time.
KEY_REUSED = "objection_key_reused"


def _sender(actor: Any, case: Case) -> str:
    user_id = getattr(actor, "pk", None) if getattr(actor, "is_authenticated", False) else None
    return f"notice:{case.pk}:" + (f"user:{user_id}" if user_id is not None else "anyone")


def objection_receipt(sender: str, key: str) -> str:
    """The receipt code of the objection `sender` sent under `key`: the same for every
    sending of one form, unguessable without the server's secret."""
    return keyed_receipt("qinqing.policies.objection_receipt", sender, key)


def _sent_before(digest: str, *, text: Any, contact: Any) -> Objection | None:
    """The objection lodged under `digest`, if any; other grounds under the same key are
    a conflict, never a silent answer with the other objection."""
    if not digest:
        return None
    earlier = Objection.objects.filter(idempotency_key=digest).first()
    if earlier is None:
        return None
    sent = (str(text or "").strip()[:MAX_TEXT], str(contact or "").strip()[:100])
    if (earlier.text, earlier.contact) != sent:
        raise Conflict(
            _(
                "This form was already sent, with other contents. To lodge another objection, check "
                "what you wrote and send the form again."
            ),
            code=KEY_REUSED,
        )
    return earlier


def notice_objection_lodge(
    *, actor: Any, case: Case, text: Any, contact: Any = "", idempotency_key: Any = ""
) -> tuple[Objection, str]:
    """Anyone objects to `case`'s award during its public notice (`objection_lodge`
    holds the rules). Returns the objection and the receipt code to follow it with,
    shown once. Sent again with the same `idempotency_key` by the same sender, it
    answers the objection lodged the first time and the same code."""
    sender = _sender(actor, case)
    digest = idempotency_digest(sender, idempotency_key)
    receipt = objection_receipt(sender, str(idempotency_key)) if digest else new_receipt()
    earlier = _sent_before(digest, text=text, contact=contact)
    if earlier is not None:
        return earlier, receipt
    try:
        objection = objection_lodge(
            actor=actor,
            case=case,
            text=str(text or ""),
            contact=str(contact or ""),
            receipt_hash=receipt_hash(receipt),
            idempotency_key=digest,
            notice_only=True,
        )
    except IntegrityError:
        # The same form sent twice at once: the other sending lodged it.
        earlier = _sent_before(digest, text=text, contact=contact)
        if earlier is None:
            raise
        return earlier, receipt
    return objection, receipt


def objection_by_receipt(code: Any) -> Objection:
    """The objection to an award under notice that `code` follows. A code of the wrong
    shape is said so; any other code that follows nothing gets one answer, whatever it
    is, so that trying codes learns nothing."""
    digits = "".join(ch for ch in str(code or "") if ch.isdigit())
    if len(digits) != RECEIPT_DIGITS:
        raise ValidationFailed(fields={"receipt": [str(_("A receipt code has 16 digits."))]})
    objection = (
        Objection.objects.select_related("case__policy", "case__enterprise", "case__organisation")
        .filter(kind=ObjectionKind.NOTICE, receipt_hash=receipt_hash(digits))
        .first()
    )
    if objection is None:
        raise NotFound(_("No objection has this receipt code. Check the 16 digits."))
    return objection


def notice_objections_of(user: Any) -> QuerySet[Objection]:
    """The objections to awards under notice that `user` lodged signed in, newest first,
    with what the follow page shows of each: theirs alone, nobody else's."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return Objection.objects.none()
    return (
        Objection.objects.filter(kind=ObjectionKind.NOTICE, lodged_by_id=user.pk)
        .select_related("case__policy", "case__enterprise", "case__organisation")
        .order_by("-lodged_at", "-id")
    )
