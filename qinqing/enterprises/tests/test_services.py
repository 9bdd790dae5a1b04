"""Services: every change checked, locked, and written to the audit trail."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qinqing.accounts.models import Role
from qinqing.accounts.tests.factories import UserFactory, give_role
from qinqing.audit.models import AuditEvent
from qinqing.common.errors import Conflict, PermissionDenied, ValidationFailed
from qinqing.enterprises.models import Enterprise, EnterpriseLabel
from qinqing.enterprises.services import (
    DuplicateCreditCode,
    enterprise_create,
    enterprise_set_labels,
    enterprise_set_pinyin,
    enterprise_update,
    enterprise_verify_bank_account,
)
from qinqing.enterprises.tests.factories import random_credit_code


def _events(action, enterprise):
    return list(AuditEvent.objects.filter(action=action, object_id=str(enterprise.pk)))


def _create(actor, **overrides):
    values = {
        "credit_code": random_credit_code("350503"),
        "name": "丰泽鸿盛鞋业有限公司",
        "industry_code": "1952",
    }
    values.update(overrides)
    return enterprise_create(actor=actor, **values)


def test_create_computes_pinyin_resolves_region_and_audits(city):
    code = random_credit_code("350503")
    e = _create(
        city.admin,
        credit_code=code.lower(),
        revenue="1,200,000.50",
        employees="80",
        labels={"high_tech": "yes", "scenic_grade": "3a"},
        bank_account_number="6222 0212 3456 7890",
    )
    e.refresh_from_db()
    assert e.credit_code == code
    assert e.region == city.district  # 350503 is 丰泽区
    assert e.region_code == "350503"
    assert e.industry_code == "C1952"
    assert (e.name_pinyin, e.name_initials) == ("fengzehongshengxieyeyouxiangongsi", "fzhsxyyxgs")
    assert e.revenue == Decimal("1200000.50")
    assert e.bank_account_number == "6222021234567890"
    assert not e.bank_account_verified
    assert dict(e.labels.values_list("key", "value")) == {"high_tech": "yes", "scenic_grade": "3A"}
    (event,) = _events("enterprise.create", e)
    assert event.actor_id == city.admin.pk
    assert event.organisation_id == city.district.pk
    assert event.after["credit_code"] == code
    assert event.after["labels"] == {"high_tech": "yes", "scenic_grade": "3A"}
    assert event.before is None


def test_create_with_an_unknown_region_code_falls_back_to_the_city(city):
    e = _create(city.admin, credit_code=random_credit_code("350599"))
    assert e.region == city.city
    assert e.region_code == "350599"


def test_create_with_an_explicit_region(city):
    e = _create(city.admin, region=city.city)
    assert e.region == city.city


def test_create_refuses_a_department_as_region(city):
    with pytest.raises(ValidationFailed) as excinfo:
        _create(city.admin, region=city.drc)
    assert "region" in excinfo.value.fields


def test_create_collects_every_field_problem(city):
    with pytest.raises(ValidationFailed) as excinfo:
        enterprise_create(
            actor=city.admin,
            credit_code="91350503MA2XYZ0000",
            name="",
            industry_code="Z99",
            revenue="-5",
            labels={"scenic_grade": "9A"},
        )
    assert set(excinfo.value.fields) == {"credit_code", "name", "industry_code", "revenue", "labels"}
    assert Enterprise.objects.count() == 2  # only the fixture's
    assert not AuditEvent.objects.filter(action="enterprise.create").exists()


def test_duplicate_code_refused_also_in_full_width_or_lower_case(city):
    code = city.enterprise.credit_code
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    with pytest.raises(DuplicateCreditCode) as excinfo:
        _create(city.admin, credit_code=full_width)
    assert excinfo.value.code == "duplicate_credit_code"
    assert excinfo.value.http_status == 409


@pytest.mark.parametrize(
    "who", ["officer", "head", "committee_member", "supervisor", "city_supervisor", "enterprise_user"]
)
def test_only_the_admin_writes(city, who):
    user = getattr(city, who)
    with pytest.raises(PermissionDenied):
        _create(user)
    with pytest.raises(PermissionDenied):
        enterprise_update(actor=user, enterprise=city.enterprise, data={"employees": 1})
    with pytest.raises(PermissionDenied):
        enterprise_set_labels(actor=user, enterprise=city.enterprise, labels={})
    with pytest.raises(PermissionDenied):
        enterprise_set_pinyin(actor=user, enterprise=city.enterprise, reading="a")
    with pytest.raises(PermissionDenied):
        enterprise_verify_bank_account(actor=user, enterprise=city.enterprise, account_number="123456")
    assert not AuditEvent.objects.filter(action__startswith="enterprise.").exists()


def test_an_admin_who_is_also_a_supervisor_does_not_write(city):
    both = give_role(UserFactory(), Role.ADMIN, organisation=city.city)
    give_role(both, Role.SUPERVISOR, organisation=city.commission)
    with pytest.raises(PermissionDenied):
        _create(both)


def test_the_system_writes_without_an_actor(city):
    e = _create(None)
    (event,) = _events("enterprise.create", e)
    assert event.actor_id is None
    assert event.actor_label == "system"


def test_update_changes_fields_and_audits_only_the_difference(city):
    e = city.enterprise
    enterprise_update(
        actor=city.admin, enterprise=e, data={"employees": "120", "revenue": "99.5", "address": "丰泽街1号"}
    )
    e.refresh_from_db()
    assert (e.employees, e.revenue, e.address) == (120, Decimal("99.50"), "丰泽街1号")
    (event,) = _events("enterprise.update", e)
    assert set(event.after) == {"employees", "revenue", "address"}
    assert event.before["employees"] == 50
    assert event.after["revenue"] == "99.50"


def test_update_without_a_change_writes_no_event(city):
    enterprise_update(actor=city.admin, enterprise=city.enterprise, data={"employees": 50})
    assert _events("enterprise.update", city.enterprise) == []


def test_update_recomputes_pinyin_of_a_new_name(city):
    e = enterprise_update(actor=city.admin, enterprise=city.enterprise, data={"name": "石狮服装有限公司"})
    assert (e.name_pinyin, e.name_initials) == ("shishifuzhuangyouxiangongsi", "ssfzyxgs")


def test_update_keeps_a_hand_corrected_pinyin(city):
    e = enterprise_set_pinyin(actor=city.admin, enterprise=city.enterprise, reading="shan xian shi pin")
    e = enterprise_update(actor=city.admin, enterprise=e, data={"name": "单县食品有限公司"})
    assert e.name_pinyin == "shanxianshipin"
    assert e.pinyin_override


def test_update_refuses_the_credit_code_and_unknown_fields(city):
    with pytest.raises(ValidationFailed) as excinfo:
        enterprise_update(
            actor=city.admin, enterprise=city.enterprise, data={"credit_code": "x", "colour": "red"}
        )
    assert set(excinfo.value.fields) == {"credit_code", "colour"}


def test_update_to_a_department_region_is_refused(city):
    with pytest.raises(ValidationFailed):
        enterprise_update(actor=city.admin, enterprise=city.enterprise, data={"region": city.drc})
    e = enterprise_update(actor=city.admin, enterprise=city.enterprise, data={"region": city.city})
    assert e.region_id == city.city.pk


def test_changing_the_bank_account_drops_its_verification(city):
    e = enterprise_update(
        actor=city.admin, enterprise=city.enterprise, data={"bank_account_number": "62220212345678"}
    )
    e = enterprise_verify_bank_account(actor=city.admin, enterprise=e, account_number="62220212345678")
    assert e.bank_account_verified
    e = enterprise_update(actor=city.admin, enterprise=e, data={"bank_account_number": "62220299999999"})
    assert not e.bank_account_verified
    assert e.bank_account_verified_at is None
    event = _events("enterprise.update", e)[-1]
    assert event.before["bank_account_verified"] is True
    assert event.after["bank_account_verified"] is False


def test_set_labels_replaces_the_set_and_audits(city):
    e = city.enterprise
    EnterpriseLabel.objects.create(enterprise=e, key="listed", value="yes")
    result = enterprise_set_labels(
        actor=city.admin, enterprise=e, labels={"high_tech": "yes", "scenic_grade": "4A"}
    )
    assert result == {"high_tech": "yes", "scenic_grade": "4A"}
    assert dict(e.labels.values_list("key", "value")) == result
    (event,) = _events("enterprise.set_labels", e)
    assert event.before == {"labels": {"listed": "yes"}}
    assert event.after == {"labels": result}
    enterprise_set_labels(actor=city.admin, enterprise=e, labels={"scenic_grade": "4a", "high_tech": "yes"})
    assert len(_events("enterprise.set_labels", e)) == 1  # same labels: no change, no event


def test_set_labels_refuses_a_bad_value(city):
    with pytest.raises(ValidationFailed) as excinfo:
        enterprise_set_labels(actor=city.admin, enterprise=city.enterprise, labels={"scenic_grade": "6A"})
    assert "labels" in excinfo.value.fields


def test_verify_bank_account(city):
    e = enterprise_update(
        actor=city.admin, enterprise=city.enterprise, data={"bank_account_number": "6222021234567890"}
    )
    e = enterprise_verify_bank_account(actor=city.admin, enterprise=e, account_number="6222 0212 3456 7890")
    assert e.bank_account_verified
    assert e.bank_account_verified_at is not None
    (event,) = _events("enterprise.verify_bank_account", e)
    assert event.after["bank_account_number"] == "6222021234567890"
    enterprise_verify_bank_account(actor=city.admin, enterprise=e, account_number="6222021234567890")
    assert len(_events("enterprise.verify_bank_account", e)) == 1


def test_verify_refuses_a_number_that_changed_meanwhile(city):
    e = enterprise_update(
        actor=city.admin, enterprise=city.enterprise, data={"bank_account_number": "6222021234567890"}
    )
    with pytest.raises(Conflict) as excinfo:
        enterprise_verify_bank_account(actor=city.admin, enterprise=e, account_number="6222021234560000")
    assert excinfo.value.code == "bank_account_changed"
    e.refresh_from_db()
    assert not e.bank_account_verified


def test_verify_without_an_account_is_refused(city):
    with pytest.raises(ValidationFailed):
        enterprise_verify_bank_account(
            actor=city.admin, enterprise=city.enterprise, account_number="6222021234567890"
        )


def test_set_pinyin_and_reset(city):
    e = enterprise_update(actor=city.admin, enterprise=city.enterprise, data={"name": "单县食品有限公司"})
    assert e.name_pinyin.startswith("danxian")
    e = enterprise_set_pinyin(actor=city.admin, enterprise=e, reading="Shàn xiàn shí pǐn yǒu xiàn gōng sī")
    assert (e.name_pinyin, e.name_initials, e.pinyin_override) == (
        "shanxianshipinyouxiangongsi",
        "sxspyxgs",
        True,
    )
    e = enterprise_set_pinyin(actor=city.admin, enterprise=e, reading=None)
    assert (e.name_pinyin, e.pinyin_override) == ("danxianshipinyouxiangongsi", False)
    events = _events("enterprise.set_pinyin", e)
    assert [ev.after["pinyin_override"] for ev in events] == [True, False]


def test_set_pinyin_refuses_what_is_not_pinyin(city):
    with pytest.raises(ValidationFailed) as excinfo:
        enterprise_set_pinyin(actor=city.admin, enterprise=city.enterprise, reading="单县")
    assert "reading" in excinfo.value.fields
