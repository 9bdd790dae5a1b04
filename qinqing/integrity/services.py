"""Writes on declared relations: an official declares a relation, and ends it.

Only the official concerned acts on their declarations; nobody declares or ends on
someone else's behalf (an administrator included): a declaration is the official's own
statement. Ending is recorded, never deleted.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinqing.audit.services import audit_record
from qinqing.common.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from qinqing.enterprises.models import Enterprise
from qinqing.enterprises.validation import strip_unsafe_characters
from qinqing.integrity.signals import relation_declared

from .models import DESCRIPTION_MAX, REASON_MAX, RelationDeclaration, RelationKind
from .selectors import is_official, official_organisation


def lock_declaration(declaration_id: int) -> RelationDeclaration:
    declaration = (
        RelationDeclaration.objects.select_for_update()
        .select_related("enterprise")
        .filter(pk=declaration_id)
        .first()
    )
    if declaration is None:
        raise NotFound()
    return declaration


def _clean_text(value: str) -> str:
    # Control characters (NUL among them, which PostgreSQL refuses) are dropped; line
    # breaks survive as spaces.
    return " ".join(strip_unsafe_characters(value.replace("\n", " ")).split())


def relation_declare(
    *, actor: Any, enterprise: Enterprise, kind: str, description: str = ""
) -> RelationDeclaration:
    """The actor, an official, declares a relation of their own to `enterprise`."""
    if not is_official(actor):
        raise PermissionDenied(
            _("Only officials (officers, department heads, committee members) declare relations.")
        )
    text = _clean_text(description)
    fields: dict[str, list[str]] = {}
    if kind not in RelationKind.values:
        fields["kind"] = [str(_("Choose a kind of relation."))]
    if kind == RelationKind.OTHER and not text:
        fields["description"] = [str(_("Describe the relation."))]
    if len(text) > DESCRIPTION_MAX:
        fields["description"] = [str(_("The description is too long."))]
    if fields:
        raise ValidationFailed(fields=fields)
    existing = RelationDeclaration.objects.filter(
        official=actor, enterprise=enterprise, kind=kind, ended_at__isnull=True
    ).first()
    if existing is not None:
        raise _already_declared(existing)
    organisation = official_organisation(actor)
    try:
        with transaction.atomic(durable=True):
            declaration = RelationDeclaration.objects.create(
                official=actor, enterprise=enterprise, kind=kind, description=text
            )
            # The work the official answers for on the enterprise's records goes to others.
            relation_declared.send(sender=RelationDeclaration, declaration=declaration)
            audit_record(
                actor=actor,
                action="relation.declare",
                obj=declaration,
                organisation=organisation,
                after={
                    "official": actor.username,
                    "enterprise": enterprise.credit_code,
                    "kind": kind,
                    "description": text,
                },
            )
    except IntegrityError as exc:
        # Two declarations of the same relation at once: the partial unique index
        # lets one through.
        raise _already_declared(None) from exc
    return declaration


def _already_declared(existing: RelationDeclaration | None) -> Conflict:
    return Conflict(
        _("You have already declared this relation to this enterprise, and it is in force."),
        code="relation_already_declared",
        fields={"kind": [str(_("Already declared and in force."))]},
        extra={"public_id": str(existing.public_id)} if existing is not None else None,
    )


def relation_end(*, actor: Any, declaration: RelationDeclaration, reason: str) -> RelationDeclaration:
    """The declaration's official ends it, giving the reason (the relation ceased)."""
    text = _clean_text(reason)
    if not text:
        raise ValidationFailed(fields={"reason": [str(_("Give the reason the relation ended."))]})
    if len(text) > REASON_MAX:
        raise ValidationFailed(fields={"reason": [str(_("The reason is too long."))]})
    if getattr(actor, "pk", None) != declaration.official_id:
        raise PermissionDenied(_("Only the official who declared a relation may end it."))
    organisation = official_organisation(actor)
    with transaction.atomic(durable=True):
        locked = lock_declaration(declaration.pk)
        if locked.ended_at is not None:
            raise InvalidTransition(_("This declaration has already ended."))
        locked.ended_at = timezone.now()
        locked.ended_reason = text
        locked.save(update_fields=["ended_at", "ended_reason", "updated_at"])
        audit_record(
            actor=actor,
            action="relation.end",
            obj=locked,
            organisation=organisation,
            before={"ended_at": None},
            after={"ended_at": locked.ended_at, "ended_reason": text},
        )
    return locked
