"""relation_declare and relation_end: who may, what is refused, what is recorded."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from qinqing.audit.models import AuditEvent
from qinqing.common.errors import Conflict, InvalidTransition, PermissionDenied, ValidationFailed
from qinqing.integrity.models import RelationDeclaration, RelationKind
from qinqing.integrity.services import relation_declare, relation_end


@pytest.mark.parametrize("who", ["officer", "head", "committee_member"])
def test_an_official_declares_a_relation_of_their_own(city, who):
    official = getattr(city, who)
    declaration = relation_declare(
        actor=official, enterprise=city.enterprise, kind=RelationKind.RELATIVE_EMPLOYEE
    )
    assert declaration.official == official
    assert declaration.in_force
    event = AuditEvent.objects.get(action="relation.declare", object_id=str(declaration.pk))
    assert event.actor_id == official.pk
    assert event.after["enterprise"] == city.enterprise.credit_code
    assert event.after["kind"] == "relative_employee"


@pytest.mark.parametrize("who", ["admin", "supervisor", "city_supervisor", "enterprise_user"])
def test_who_holds_no_government_role_cannot_declare(city, who):
    with pytest.raises(PermissionDenied):
        relation_declare(actor=getattr(city, who), enterprise=city.enterprise, kind=RelationKind.SHAREHOLDING)
    assert not RelationDeclaration.objects.exists()
    assert not AuditEvent.objects.filter(action="relation.declare").exists()


def test_other_needs_a_description(city):
    with pytest.raises(ValidationFailed) as exc:
        relation_declare(
            actor=city.officer, enterprise=city.enterprise, kind=RelationKind.OTHER, description="  "
        )
    assert set(exc.value.fields) == {"description"}
    assert not RelationDeclaration.objects.exists()


def test_an_unknown_kind_is_refused_with_a_field_message(city):
    with pytest.raises(ValidationFailed) as exc:
        relation_declare(actor=city.officer, enterprise=city.enterprise, kind="cousin")
    assert set(exc.value.fields) == {"kind"}


def test_a_too_long_description_is_refused(city):
    with pytest.raises(ValidationFailed) as exc:
        relation_declare(
            actor=city.officer, enterprise=city.enterprise, kind=RelationKind.OTHER, description="长" * 1001
        )
    assert set(exc.value.fields) == {"description"}


def test_control_characters_are_dropped_from_the_description(city):
    declaration = relation_declare(
        actor=city.officer,
        enterprise=city.enterprise,
        kind=RelationKind.OTHER,
        description="妻弟\x00任\n监事",
    )
    assert declaration.description == "妻弟任 监事"


def test_the_same_relation_twice_in_force_is_a_conflict(city, declare):
    first = declare(city.officer, city.enterprise)
    with pytest.raises(Conflict) as exc:
        declare(city.officer, city.enterprise)
    assert exc.value.code == "relation_already_declared"
    assert exc.value.extra == {"public_id": str(first.public_id)}
    # Another kind, or another official, is a separate declaration.
    declare(city.officer, city.enterprise, RelationKind.FORMER_EMPLOYMENT)
    declare(city.head, city.enterprise)
    assert RelationDeclaration.objects.count() == 3


def test_the_database_refuses_a_second_declaration_in_force(city, declare):
    first = declare(city.officer, city.enterprise)
    with pytest.raises(IntegrityError), transaction.atomic():
        RelationDeclaration.objects.create(official=city.officer, enterprise=city.enterprise, kind=first.kind)


def test_the_official_ends_a_declaration_with_a_reason_and_it_stays(city, declare):
    declaration = declare(city.officer, city.enterprise)
    ended = relation_end(actor=city.officer, declaration=declaration, reason="配偶已于本月退股")
    assert not ended.in_force
    assert ended.ended_reason == "配偶已于本月退股"
    assert RelationDeclaration.objects.filter(pk=declaration.pk, ended_at__isnull=False).exists()
    event = AuditEvent.objects.get(action="relation.end", object_id=str(declaration.pk))
    assert event.after["ended_reason"] == "配偶已于本月退股"
    # Ended, the same relation can be declared again.
    again = declare(city.officer, city.enterprise)
    assert again.pk != declaration.pk


@pytest.mark.parametrize("who", ["head", "other_officer", "admin", "city_supervisor"])
def test_nobody_else_ends_an_officials_declaration(city, declare, who):
    declaration = declare(city.officer, city.enterprise)
    with pytest.raises(PermissionDenied):
        relation_end(actor=getattr(city, who), declaration=declaration, reason="不再相关")
    declaration.refresh_from_db()
    assert declaration.in_force


def test_ending_needs_a_reason(city, declare):
    declaration = declare(city.officer, city.enterprise)
    with pytest.raises(ValidationFailed) as exc:
        relation_end(actor=city.officer, declaration=declaration, reason=" \n ")
    assert set(exc.value.fields) == {"reason"}
    with pytest.raises(ValidationFailed):
        relation_end(actor=city.officer, declaration=declaration, reason="x" * 501)


def test_an_ended_declaration_cannot_end_again(city, declare):
    declaration = declare(city.officer, city.enterprise)
    relation_end(actor=city.officer, declaration=declaration, reason="离职满三年")
    with pytest.raises(InvalidTransition):
        relation_end(actor=city.officer, declaration=declaration, reason="再次")
    assert AuditEvent.objects.filter(action="relation.end").count() == 1
