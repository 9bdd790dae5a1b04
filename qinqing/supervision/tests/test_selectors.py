"""Field-by-field changes and the supervisor's reach over events."""

from __future__ import annotations

from qinqing.audit.models import AuditEvent
from qinqing.supervision.selectors import (
    Change,
    audit_events_visible,
    field_changes,
    is_city_wide_supervisor,
    object_type_name,
)


def test_changes_are_listed_field_by_field():
    changes = field_changes({"status": "a", "same": 1}, {"status": "b", "same": 1, "new": True})
    assert changes == [
        Change(field="new", before=None, after=True, changed=True),
        Change(field="same", before=1, after=1, changed=False),
        Change(field="status", before="a", after="b", changed=True),
    ]


def test_values_that_are_not_objects_are_compared_whole():
    assert field_changes([1, 2], [1, 3]) == [Change(field="", before=[1, 2], after=[1, 3], changed=True)]
    assert field_changes(None, None) == []


def test_reach_of_each_role(city, trail):
    assert is_city_wide_supervisor(city.city_supervisor)
    assert not is_city_wide_supervisor(city.supervisor)
    group = set(audit_events_visible(user=city.supervisor).values_list("pk", flat=True))
    assert group == {e.pk for e in trail["drc"]}
    everything = set(audit_events_visible(user=city.city_supervisor).values_list("pk", flat=True))
    assert everything == set(AuditEvent.objects.values_list("pk", flat=True))
    for who in ["officer", "head", "enterprise_user", "admin"]:
        assert not audit_events_visible(user=getattr(city, who)).exists()


def test_record_types_are_named_when_known():
    assert object_type_name("audit.auditevent") == "审计事件"
    assert object_type_name("no.such") == "no.such"
    assert object_type_name("not-a-label") == "not-a-label"
