"""A step's and an objection's deadlines are named in the reader's language wherever
alerts are read (the title stored at opening is in the opener's)."""

from __future__ import annotations

import pytest
from django.utils import translation

from qinqing.deadlines.ladders import item_titles
from qinqing.deadlines.models import Deadline
from qinqing.policies.ladders import OBJECTION_DEADLINE_KIND, STEP_DEADLINE_KIND
from qinqing.policies.models import CaseStep
from qinqing.policies.services.cases import case_reject, invitation_confirm, objection_lodge

from .workflow import World

pytestmark = pytest.mark.django_db


def test_a_steps_deadline_is_named_in_the_readers_language(world: World) -> None:
    # Opened in Chinese (said, not assumed: an earlier test may leave another language on)
    with translation.override("zh-hans"):
        case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    step = CaseStep.objects.get(case=case, position=0)
    deadline = Deadline.objects.get(kind=STEP_DEADLINE_KIND, object_id=str(step.pk))
    assert deadline.title == f"{case.reference} · 受理"  # stored once, in the opener's language

    names = item_titles(STEP_DEADLINE_KIND, [str(step.pk), "999999", "not-an-id"])

    assert set(names) == {str(step.pk)}
    with translation.override("en"):
        assert str(names[str(step.pk)]) == f"{case.reference} · Acceptance"
    with translation.override("zh-hans"):
        assert str(names[str(step.pk)]) == f"{case.reference} · 受理"


def test_an_objections_deadline_is_named_in_the_readers_language(world: World) -> None:
    case = invitation_confirm(actor=world.spot_user, invitation=world.invite())
    case = case_reject(actor=world.officer, case=case, reason="材料不全")
    objection = objection_lodge(actor=world.spot_user, case=case, text="材料已齐")

    names = item_titles(OBJECTION_DEADLINE_KIND, [str(objection.pk)])

    with translation.override("en"):
        assert str(names[str(objection.pk)]) == f"Objection to case {case.reference}"
    with translation.override("zh-hans"):
        assert "异议" in str(names[str(objection.pk)])
