"""Rules established from problems (建章立制)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Organisation, Role
from qinqing.accounts.scoping import scope_for
from qinqing.audit.services import audit_record
from qinqing.common.errors import PermissionDenied, ValidationFailed

from ..models import Campaign, OutcomeKind, Problem, RuleOutcome
from .common import clean_text, is_department_for, is_dispatcher, require_user, today


def rule_outcome_record(
    *,
    actor: Any,
    title: Any,
    organisation: Organisation,
    issued_on: dt.date,
    problems: Sequence[Problem],
    kind: str = OutcomeKind.RULE,
    document_number: Any = "",
    summary: Any = "",
    url: Any = "",
    campaign: Campaign | None = None,
) -> RuleOutcome:
    """A department (for its own rules) or the commission records the rule, document or
    mechanism that problems produced, linked to them."""
    user = require_user(actor)
    scope = scope_for(user)
    own = any(organisation.path.startswith(p) for p in scope.paths_for(Role.OFFICER, Role.DEPARTMENT_HEAD))
    reach = any(organisation.path.startswith(p) for p in scope.paths_for(Role.SUPERVISOR))
    if not own and not reach:
        raise PermissionDenied(_("Only the issuing department or the commission records its rules."))
    if kind not in OutcomeKind.values:
        raise ValidationFailed(fields={"kind": [str(_("Choose one of the offered values."))]})
    if not isinstance(issued_on, dt.date) or issued_on > today():
        raise ValidationFailed(fields={"issued_on": [str(_("Enter a date that is not in the future."))]})
    if not problems:
        raise ValidationFailed(fields={"problems": [str(_("Link the problems this rule answers."))]})
    # As they are now, not as the caller last saw them (a reassignment moves them).
    problems = list(
        Problem.objects.filter(pk__in=[p.pk for p in problems]).select_related(
            "organisation", "intake", "supervising_group"
        )
    )
    for problem in problems:
        if not (is_department_for(user, problem) or is_dispatcher(user, problem) or reach):
            raise PermissionDenied(_("A linked problem lies outside your reach."))
    link = clean_text(url, "url", required=False, limit=200)
    if link and not link.startswith(("https://", "http://")):
        raise ValidationFailed(fields={"url": [str(_("Enter a web address."))]})
    with transaction.atomic(durable=True):
        outcome = RuleOutcome.objects.create(
            title=clean_text(title, "title", limit=200),
            kind=kind,
            document_number=clean_text(document_number, "document_number", required=False, limit=100),
            issued_on=issued_on,
            organisation=organisation,
            campaign=campaign,
            summary=clean_text(summary, "summary", required=False),
            url=link,
            recorded_by=user,
        )
        outcome.problems.set(problems)
        audit_record(
            actor=user,
            action="ledger.outcome.record",
            obj=outcome,
            organisation=organisation,
            after={"title": outcome.title, "kind": kind, "problems": sorted(p.pk for p in problems)},
        )
    return outcome
