"""The life of a case: opened (an invitation confirmed, or an application), its steps
approved, rejected or returned for materials, withdrawn, objected to, paid.

Each transition is one function below, in one durable transaction, with the rows it
changes locked parent before child (policy, then case, then invitation) and its audit
event written alongside. Money moves only through the payments app: the last approval
creates the payment instruction keyed by the case in the same transaction, and the
payments app's signals mark the case paid (or its payment failed).

Rules enforced here, whatever the page or API calling:
- four eyes: a person who acted on a case never acts on it again (so never on two
  steps, and the payer is never an approver);
- recusal: an official with a declared relation to the enterprise never acts on it;
- the budget is reserved at the first approval under the policy's row lock (and a
  database constraint), released if the case is rejected or withdrawn;
- a per-enterprise cap is held at opening (award reduced to what is left) and at
  reservation;
- an action names the case revision it was taken on: a stale one is a clear conflict.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Role, RoleAssignment, User
from qinqing.accounts.scoping import ancestor_paths, scope_for
from qinqing.audit.services import audit_record
from qinqing.common.contact import is_reachable_contact
from qinqing.common.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from qinqing.deadlines.models import DeadlineStatus
from qinqing.deadlines.services import (
    deadline_close,
    deadline_hand_over,
    deadline_open,
    deadline_pause,
    deadline_resume,
    lock_deadline,
)
from qinqing.enterprises.models import Enterprise
from qinqing.notifications.services import notify
from qinqing.notifications.text import message
from qinqing.policies.ladders import OBJECTION_DEADLINE_KIND, STEP_DEADLINE_KIND
from qinqing.policies.models import (
    CASE_TRANSITIONS,
    Case,
    CaseMaterial,
    CaseOrigin,
    CaseReturn,
    CaseStatus,
    CaseStep,
    Invitation,
    InvitationLapse,
    InvitationStatus,
    Objection,
    ObjectionKind,
    ObjectionStatus,
    Policy,
    PolicyMode,
    PolicyVersion,
    StepKind,
    StepOutcome,
)
from qinqing.policies.rules import evaluate, parse_facts, parse_rule
from qinqing.policies.services.catalogue import current_version
from qinqing.policies.services.matching import policy_in_force, policy_period
from qinqing.policies.steps import step_label
from qinqing.policies.summaries import yuan
from qinqing.policies.uploads import check_upload, store
from qinqing.workdays.calendar import current_calendar

ZERO = Decimal("0.00")

CASE_OBJECT_TYPE = "policies.case"
STEP_OBJECT_TYPE = "policies.casestep"
OBJECTION_OBJECT_TYPE = "policies.objection"
MAX_TEXT = 2000

# Cases that count against the per-enterprise cap: everything not withdrawn or rejected.
_COUNTING = Q(
    status__in=[s for s in CaseStatus.values if s not in (CaseStatus.WITHDRAWN, CaseStatus.REJECTED)]
)


# --- Locks and checks ---------------------------------------------------------------------


def lock_case(case_id: int) -> Case:
    case = Case.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    return case


def _lock_policy_and_case(case: Case) -> tuple[Policy, Case]:
    """Policy row first (it holds the budget), then the case: the one order everywhere."""
    policy = Policy.objects.select_for_update().get(pk=case.policy_id)
    return policy, lock_case(case.pk)


def _transition(case: Case, target: str) -> None:
    if target not in CASE_TRANSITIONS[case.status]:
        raise InvalidTransition(
            _("A case cannot go from “%(current)s” to “%(target)s”.")
            % {"current": case.get_status_display(), "target": CaseStatus(target).label}
        )


def _check_revision(case: Case, revision: int | None) -> None:
    """Of two people acting on the same view of a case, the second is told what happened."""
    if revision is not None and revision != case.revision:
        raise Conflict(
            _(
                "Someone else acted on this case while you were looking at it; it is now "
                "“%(status)s”. Reload the case to see what changed."
            )
            % {"status": case.get_status_display()},
            code="case_changed",
            extra={"revision": case.revision, "status": case.status},
        )


def _text(value: str, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(fields={field: [str(_("This cannot be empty."))]})
    if len(value) > MAX_TEXT:
        raise ValidationFailed(fields={field: [str(_("At most 2000 characters."))]})
    return value


def _user(actor: Any) -> User | None:
    return actor if isinstance(actor, User) and actor.is_authenticated else None


def _require_enterprise_user(actor: Any, enterprise_id: int) -> User:
    user = _user(actor)
    if user is None or enterprise_id not in scope_for(user).enterprise_ids:
        raise PermissionDenied(_("Only the enterprise's own users may do this."))
    return user


def related_officials(enterprise_id: int) -> set[int]:
    """Officials with a declared relation to the enterprise in force (recusal)."""
    from qinqing.integrity.selectors import officials_related_to

    return set(officials_related_to(enterprise_id))


def recusal_refusal(user: Any, enterprise_id: int) -> str | None:
    """Recusal, the one check of it for every action on a case: why `user` may not act on
    the enterprise's cases (a declared relation in force), or None."""
    if getattr(user, "pk", None) in related_officials(enterprise_id):
        return str(_("You declared a relation to this enterprise, so you may not act on its cases."))
    return None


def case_actor_ids(case: Case, *, but_step: CaseStep | None = None) -> set[int]:
    """Who took part in the case (four eyes): the officials who took a step, returned it
    for materials, or decided an objection. `but_step`: leave out who returned that step
    (the officer who asked for materials may decide the step once they are in)."""
    steps = CaseStep.objects.filter(case=case, actor__isnull=False).values_list("actor_id", flat=True)
    returns = CaseReturn.objects.filter(case=case)
    if but_step is not None:
        returns = returns.exclude(step=but_step)
    handled = Objection.objects.filter(case=case, handled_by__isnull=False).values_list(
        "handled_by_id", flat=True
    )
    return {*steps, *returns.values_list("requested_by_id", flat=True), *handled}


def open_step(case: Case) -> CaseStep | None:
    return CaseStep.objects.filter(case=case, position=case.current_step, ended_at__isnull=True).first()


def step_refusal(user: Any, case: Case, step: CaseStep | None) -> str | None:
    """Why `user` may not act on the case's open step, or None if they may."""
    if step is None:
        return str(_("The case has no step waiting for a decision."))
    scope = scope_for(user)
    path = case.organisation.path
    if not any(path.startswith(p) for p in scope.paths_for(step.role)):
        return str(
            _("This step is taken by a %(role)s of the issuing department.") % {"role": Role(step.role).label}
        )
    if user.pk in case_actor_ids(case, but_step=step):
        return str(_("Four eyes: you have already acted on this case, so someone else must take this step."))
    return recusal_refusal(user, case.enterprise_id)


def _require_department_official(actor: Any, case: Case, message: Any) -> User:
    """An officer or head of the case's department (or above): the people who decide
    objections and order payments. Admins and supervisors are not among them."""
    user = _user(actor)
    paths = scope_for(user).paths_for(Role.OFFICER, Role.DEPARTMENT_HEAD)
    if user is None or not any(case.organisation.path.startswith(p) for p in paths):
        raise PermissionDenied(message)
    return user


def _require_step_actor(user: Any, case: Case, step: CaseStep | None) -> CaseStep:
    refusal = step_refusal(user, case, step)
    if refusal is not None:
        raise PermissionDenied(refusal)
    assert step is not None
    return step


def eligible_step_actors(case: Case, role: str, *, exclude: Iterable[int] = ()) -> list[User]:
    """Active holders of `role` at or above the case's department who may act on it."""
    barred = case_actor_ids(case) | related_officials(case.enterprise_id) | set(exclude)
    people = {
        a.user_id: a.user
        for a in RoleAssignment.objects.filter(
            role=role, user__is_active=True, organisation__path__in=ancestor_paths(case.organisation.path)
        ).select_related("user")
        if a.user_id not in barred
    }
    return sorted(people.values(), key=lambda u: u.pk)


def _least_loaded(candidates: list[User], open_work: QuerySet[Any]) -> User | None:
    """The candidate with the fewest rows of `open_work` (rows with an `assignee`)
    assigned to them; among equals, the earliest account."""
    if not candidates:
        return None
    load = dict(
        open_work.filter(assignee__in=candidates)
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    return min(candidates, key=lambda u: (load.get(u.pk, 0), u.pk))


def _pick_assignee(case: Case, role: str) -> User | None:
    """The eligible person with the fewest open steps: the one warned of the deadline."""
    return _least_loaded(eligible_step_actors(case, role), CaseStep.objects.filter(ended_at__isnull=True))


def _enterprise_users(enterprise_id: int) -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.ENTERPRISE,
            role_assignments__enterprise_id=enterprise_id,
        ).distinct()
    )


def _case_url(case: Case) -> str:
    return f"/policies/cases/{case.public_id}/"


# Rendered when each recipient's message is written, in the recipient's language.
_lazy_yuan = lazy(yuan, str)
_lazy_step_label = lazy(step_label, str)


def _tell_enterprise(case: Case, event: str, subject: Any, body: Any = "", *, urgent: bool = False) -> None:
    """Tell the enterprise's users what happened to their case. Urgent only when they
    must act; each message settles the earlier ones about the case (they said where it
    stood then)."""
    notify(
        recipients=_enterprise_users(case.enterprise_id),
        event_key=f"case:{case.pk}:{event}:{case.revision}",
        kind="policy_case",
        subject=subject,
        body=body,
        url=_case_url(case),
        urgent=urgent,
        supersedes=f"case:{case.pk}:",
    )


def _state(case: Case) -> dict[str, Any]:
    return {
        "status": case.status,
        "step": case.current_step,
        "revision": case.revision,
        "award": case.award,
        "reserved": case.reserved,
    }


def _save(case: Case, *fields: str) -> None:
    case.revision += 1
    case.save(update_fields=[*fields, "revision", "updated_at"])


# --- Opening a case -----------------------------------------------------------------------


def _cap_left(policy: Policy, enterprise_id: int, *, excluding: int | None = None) -> Decimal | None:
    if policy.cap_per_enterprise is None:
        return None
    others = Case.objects.filter(_COUNTING, policy=policy, enterprise_id=enterprise_id)
    if excluding is not None:
        others = others.exclude(pk=excluding)
    used = others.aggregate(total=Sum("award"))["total"] or ZERO
    return max(policy.cap_per_enterprise - Decimal(used), ZERO)


def award_on_confirming(policy: Policy, enterprise_id: int, award: Decimal) -> Decimal:
    """What a case opened today would be granted for the rule's `award`: the award within
    what the per-enterprise cap leaves after the enterprise's other cases, as `_open_case`
    grants it. For the invitation's page and API, which show it beside the invitation's
    award (brought up to date daily)."""
    left = _cap_left(policy, enterprise_id)
    return max(award if left is None else min(award, left), ZERO)


def _existing_case(policy: Policy, enterprise_id: int, period: str) -> Case | None:
    return (
        Case.objects.filter(policy=policy, enterprise_id=enterprise_id, period=period)
        .exclude(status=CaseStatus.WITHDRAWN)
        .first()
    )


def _duplicate(existing: Case) -> Conflict:
    return Conflict(
        _("The enterprise already has case %(reference)s under this policy for this period.")
        % {"reference": existing.reference},
        code="case_exists",
        extra={"case": str(existing.public_id), "reference": existing.reference or ""},
    )


def _open_case(
    *,
    actor: User,
    policy: Policy,
    version: PolicyVersion,
    enterprise: Enterprise,
    origin: str,
    award: Decimal,
    explanation: dict[str, Any],
    facts: Mapping[str, Any],
    invitation: Invitation | None,
    on: dt.date,
) -> Case:
    period = policy_period(policy, on)
    existing = _existing_case(policy, enterprise.pk, period)
    if existing is not None:
        raise _duplicate(existing)
    granted = award_on_confirming(policy, enterprise.pk, award)
    if granted <= 0:
        raise ValidationFailed(
            _("The enterprise has already received the most this policy grants to one enterprise.")
        )
    now = timezone.now()
    case = Case(
        policy=policy,
        version=version,
        enterprise=enterprise,
        organisation_id=policy.department_id,
        period=period,
        origin=origin,
        invitation=invitation,
        applicant=actor,
        status=CaseStatus.IN_REVIEW,
        steps_plan=list(policy.steps),
        facts=dict(facts),
        award_computed=award,
        award=granted,
        explanation={**explanation, "version": version.number, "version_id": version.pk},
        submitted_at=now,
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError as exc:  # a concurrent opening took the slot first
        existing = _existing_case(policy, enterprise.pk, period)
        if existing is not None:
            raise _duplicate(existing) from exc
        raise
    case.reference = f"ZC{now.astimezone(timezone.get_current_timezone()):%Y}{case.pk:07d}"
    case.save(update_fields=["reference"])
    audit_record(
        actor=actor,
        action="case.open",
        obj=case,
        organisation=policy.department_id,
        after={
            "reference": case.reference,
            "policy": policy.code,
            "version": version.number,
            "enterprise": enterprise.credit_code,
            "origin": origin,
            "award": granted,
            "award_by_rule": award,
            "period": period,
        },
    )
    _start_step(case, 0, actor=actor)
    _tell_enterprise(
        case,
        "opened",
        message(_("Case %(reference)s submitted: waiting for acceptance"), reference=case.reference),
        message(
            _("The department checks the case at %(step)s first; you will be told when it is accepted."),
            step=_lazy_step_label(case.steps_plan[0]),
        ),
    )
    return case


def invitation_confirm(*, actor: Any, invitation: Invitation, on: dt.date | None = None) -> Case:
    """The enterprise confirms an invitation in one tap: the case opens with the award
    computed, judged again on today's registry data by the policy's current version."""
    on = on or timezone.localdate()
    user = _require_enterprise_user(actor, invitation.enterprise_id)
    with transaction.atomic(durable=True):
        policy = Policy.objects.select_for_update().get(pk=invitation.policy_id)
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status == InvitationStatus.CONFIRMED:
            existing = _existing_case(policy, locked.enterprise_id, locked.period)
            if existing is not None:
                raise _duplicate(existing)
        if locked.status != InvitationStatus.OPEN:
            raise InvalidTransition(_("This invitation is no longer open."))
        if policy.mode != PolicyMode.PROACTIVE:
            raise InvalidTransition(_("This policy needs an application; apply with the form."))
        if not policy_in_force(policy, on):
            raise InvalidTransition(_("The policy is not in force any more."))
        version = current_version(policy)
        rule = parse_rule(version.rule)
        enterprise = Enterprise.objects.prefetch_related("labels").get(pk=locked.enterprise_id)
        decision = evaluate(rule, enterprise, on=on)
        now = timezone.now()
        if not decision.eligible or decision.award <= 0:
            locked.status = InvitationStatus.LAPSED
            locked.lapsed_reason = InvitationLapse.NOT_ELIGIBLE
            locked.responded_at = now
            locked.save(update_fields=["status", "lapsed_reason", "responded_at"])
            audit_record(
                actor=user,
                action="invitation.lapse",
                obj=locked,
                organisation=policy.department_id,
                after={"explanation": decision.explanation},
            )
        else:
            locked.status = InvitationStatus.CONFIRMED
            locked.responded_at = now
            locked.save(update_fields=["status", "responded_at"])
            return _open_case(
                actor=user,
                policy=policy,
                version=version,
                enterprise=enterprise,
                origin=CaseOrigin.INVITATION,
                award=decision.award,
                explanation=decision.explanation,
                facts={},
                invitation=locked,
                on=on,
            )
    raise ValidationFailed(
        _("On today's registry data the enterprise no longer qualifies; see why on the policy's page."),
        code="not_eligible",
    )


def invitation_decline(*, actor: Any, invitation: Invitation) -> Invitation:
    user = _require_enterprise_user(actor, invitation.enterprise_id)
    with transaction.atomic(durable=True):
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.status != InvitationStatus.OPEN:
            raise InvalidTransition(_("This invitation is no longer open."))
        locked.status = InvitationStatus.DECLINED
        locked.responded_at = timezone.now()
        locked.save(update_fields=["status", "responded_at"])
        audit_record(
            actor=user,
            action="invitation.decline",
            obj=locked,
            organisation=locked.policy.department_id,
            before={"status": InvitationStatus.OPEN},
            after={"status": InvitationStatus.DECLINED},
        )
    return locked


def _check_materials(
    policy: Policy, files: Mapping[str, Sequence[IO[bytes]]], *, require_all: bool
) -> list[tuple[str, Any]]:
    """Every required material present, each file checked by content; nothing stored yet."""
    declared = {m["key"]: m for m in policy.materials}
    fields: dict[str, list[str]] = {}
    checked: list[tuple[str, Any]] = []
    for key in sorted(set(files) - set(declared)):
        fields[f"materials.{key}"] = [str(_("The policy asks for no such material."))]
    for key, material in declared.items():
        uploads = list(files.get(key, []))
        if not uploads and require_all and material.get("required", True):
            fields[f"materials.{key}"] = [str(_("%(name)s is required.") % {"name": material["name"]})]
        for upload in uploads:
            try:
                checked.append(
                    (
                        key,
                        check_upload(
                            upload,
                            name=getattr(upload, "name", "") or "",
                            accepted=list(material.get("accepted", ["pdf", "jpg", "png"])),
                            field=f"materials.{key}",
                        ),
                    )
                )
            except ValidationFailed as exc:
                for field, messages in exc.fields.items():
                    fields.setdefault(field, []).extend(messages)
    if fields:
        raise ValidationFailed(_("Some materials are missing or not accepted."), fields=fields)
    return checked


def _save_materials(case: Case, checked: Sequence[tuple[str, Any]], user: User) -> list[CaseMaterial]:
    saved: list[CaseMaterial] = []
    for key, item in checked:
        # A rollback leaves the stored file behind, unreferenced: harmless, never served.
        stored_name = store(item)
        saved.append(
            CaseMaterial.objects.create(
                case=case,
                key=key,
                original_name=item.original_name,
                stored_name=stored_name,
                content_type=item.content_type,
                size=len(item.data),
                sha256=item.sha256,
                uploaded_by=user,
            )
        )
    return saved


def case_apply(
    *,
    actor: Any,
    policy: Policy,
    enterprise: Enterprise,
    facts: Mapping[str, Any] | None = None,
    files: Mapping[str, Sequence[IO[bytes]]] | None = None,
    on: dt.date | None = None,
) -> Case:
    """An application: the facts the registry does not know and the materials asked for.

    The rule is evaluated with the facts first; an enterprise that does not qualify is
    told which conditions failed, and nothing is opened.
    """
    on = on or timezone.localdate()
    user = _require_enterprise_user(actor, enterprise.pk)
    files = files or {}
    with transaction.atomic(durable=True):
        locked_policy = Policy.objects.select_for_update().get(pk=policy.pk)
        if not policy_in_force(locked_policy, on):
            raise InvalidTransition(_("The policy is not in force."))
        if locked_policy.mode != PolicyMode.APPLICATION:
            raise InvalidTransition(
                _("This policy needs no application: the platform invites qualifying enterprises.")
            )
        existing = _existing_case(locked_policy, enterprise.pk, policy_period(locked_policy, on))
        if existing is not None:
            raise _duplicate(existing)
        version = current_version(locked_policy)
        rule = parse_rule(version.rule)
        parsed_facts = parse_facts(rule, facts or {})
        missing = sorted(name for name in rule.facts if name not in parsed_facts)
        if missing:
            raise ValidationFailed(
                fields={f"facts.{name}": [str(_("This figure is needed."))] for name in missing}
            )
        checked = _check_materials(locked_policy, files, require_all=True)
        subject = Enterprise.objects.prefetch_related("labels").get(pk=enterprise.pk)
        decision = evaluate(rule, subject, on=on, facts=parsed_facts)
        if not decision.eligible or decision.award <= 0:
            raise ValidationFailed(
                _("On these figures the enterprise does not qualify; the conditions not met are listed."),
                code="not_eligible",
                extra={"explanation": decision.explanation},
            )
        case = _open_case(
            actor=user,
            policy=locked_policy,
            version=version,
            enterprise=subject,
            origin=CaseOrigin.APPLICATION,
            award=decision.award,
            explanation=decision.explanation,
            facts={k: str(v) if isinstance(v, Decimal | dt.date) else v for k, v in parsed_facts.items()},
            invitation=None,
            on=on,
        )
        Invitation.objects.filter(
            policy=locked_policy, enterprise=enterprise, period=case.period, status=InvitationStatus.OPEN
        ).update(status=InvitationStatus.CONFIRMED, responded_at=timezone.now())
        _save_materials(case, checked, user)
    return case


# --- Steps --------------------------------------------------------------------------------


def _start_step(case: Case, position: int, *, actor: Any) -> CaseStep:
    plan = case.steps_plan[position]
    calendar = current_calendar()
    today = timezone.localdate()
    due = calendar.add_working_days(today, int(plan["limit"]))
    attempt = CaseStep.objects.filter(case=case, position=position).count() + 1
    assignee = None if plan["kind"] == StepKind.NOTICE else _pick_assignee(case, plan["role"])
    step = CaseStep.objects.create(
        case=case,
        organisation_id=case.organisation_id,
        position=position,
        attempt=attempt,
        key=plan["key"],
        name=plan.get("name", ""),
        kind=plan["kind"],
        role=plan["role"],
        limit_days=int(plan["limit"]),
        started_at=timezone.now(),
        due_date=due,
        assignee=assignee,
    )
    step.deadline = deadline_open(
        actor=actor,
        kind=STEP_DEADLINE_KIND,
        object_type=STEP_OBJECT_TYPE,
        object_id=step.pk,
        organisation=case.organisation,
        due_date=due,
        owner=assignee,
        title=f"{case.reference} · {step_label(plan)}",
        url=_case_url(case),
    )
    step.save(update_fields=["deadline"])
    case.current_step = position
    fields = ["current_step"]
    if plan["kind"] == StepKind.NOTICE:
        case.notice_until = due
        fields.append("notice_until")
    case.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="case.step_start",
        obj=case,
        organisation=case.organisation_id,
        after={
            "step": plan["key"],
            "position": position,
            "attempt": attempt,
            "due": due,
            "assignee": assignee.pk if assignee else None,
        },
    )
    if assignee is not None:
        notify(
            recipients=[assignee],
            event_key=f"step:{step.pk}:assigned",
            kind="policy_step",
            subject=message(
                _("Case %(reference)s waits for you: %(step)s"),
                reference=case.reference,
                step=_lazy_step_label(plan),
            ),
            body=message(_("Due %(due)s."), due=due.isoformat()),
            url=_case_url(case),
            digest=True,
        )
    return step


def _end_step(step: CaseStep, *, actor: Any, outcome: str, comment: str = "") -> None:
    step.ended_at = timezone.now()
    step.outcome = outcome
    step.actor = _user(actor)
    step.comment = comment
    step.save(update_fields=["ended_at", "outcome", "actor", "comment"])
    if (
        step.deadline_id is not None
        and step.deadline is not None
        and step.deadline.status == DeadlineStatus.OPEN
    ):
        if step.deadline.paused:
            deadline_resume(actor=actor, deadline=step.deadline)
            step.deadline.refresh_from_db()
        deadline_close(
            actor=actor,
            deadline=step.deadline,
            status=DeadlineStatus.MET if outcome != StepOutcome.CLOSED else DeadlineStatus.CANCELLED,
        )


def _reserve(policy: Policy, case: Case) -> None:
    """Reserve the award from the budget; the policy row is locked by the caller."""
    if case.reserved > 0:
        return
    left = _cap_left(policy, case.enterprise_id, excluding=case.pk)
    if left is not None and case.award > left:
        raise Conflict(
            _("The award would take the enterprise past the policy's cap of %(cap)s yuan.")
            % {"cap": policy.cap_per_enterprise},
            code="cap_exceeded",
        )
    available = policy.budget_total - policy.budget_reserved
    if case.award > available:
        raise Conflict(
            _("The policy's budget is used up: %(left)s yuan left, the case needs %(award)s yuan.")
            % {"left": available, "award": case.award},
            code="budget_exhausted",
        )
    policy.budget_reserved += case.award
    policy.save(update_fields=["budget_reserved", "updated_at"])
    case.reserved = case.award


def _release(policy: Policy, case: Case) -> None:
    if case.reserved > 0:
        policy.budget_reserved -= case.reserved
        policy.save(update_fields=["budget_reserved", "updated_at"])
        case.reserved = ZERO


def enterprise_payee(enterprise: Enterprise) -> dict[str, str]:
    """Where an enterprise's award goes: its bank account as the registry holds it,
    verified; no payment is ordered or sent again to anything else."""
    if not enterprise.bank_account_verified or not enterprise.bank_account_number:
        raise ValidationFailed(
            _("The enterprise's bank account is not verified; payment cannot be ordered."),
            code="account_unverified",
        )
    return {
        "payee_name": enterprise.bank_account_name or enterprise.name,
        "payee_account": enterprise.bank_account_number,
        "payee_bank": enterprise.bank_name,
    }


def case_payee(*, case_id: int) -> dict[str, str]:
    """The payee of a case's payment today (asked by the payments app before a retry:
    an account corrected and verified in the registry since is the one paid)."""
    case = Case.objects.select_related("enterprise").get(pk=case_id)
    return enterprise_payee(case.enterprise)


def _instruct_payment(case: Case, actor: User) -> None:
    from qinqing.payments.services import payment_instruction_create

    payment_instruction_create(
        actor=actor,
        key=payment_key(case),
        source_type=CASE_OBJECT_TYPE,
        source_id=str(case.pk),
        organisation=case.organisation,
        amount=case.reserved,
        purpose=f"{case.reference} {case.policy.title}"[:200],
        **enterprise_payee(case.enterprise),
    )


def case_approve(*, actor: Any, case: Case, revision: int | None = None, comment: str = "") -> Case:
    """Approve the open step: the next step starts, or (the payment step) the payment
    instruction is created and the case is paying."""
    comment = _text(comment, "comment", required=False)
    with transaction.atomic(durable=True):
        policy, locked = _lock_policy_and_case(case)
        _check_revision(locked, revision)
        if locked.status != CaseStatus.IN_REVIEW:
            raise InvalidTransition(
                _("The case is “%(status)s”: there is no step to approve.")
                % {"status": locked.get_status_display()}
            )
        step = _require_step_actor(actor, locked, open_step(locked))
        if step.kind == StepKind.NOTICE:
            raise InvalidTransition(
                _("The public notice ends by itself once its period has run without an open objection.")
            )
        before = _state(locked)
        _reserve(policy, locked)
        _end_step(step, actor=actor, outcome=StepOutcome.APPROVED, comment=comment)
        if step.kind == StepKind.PAYMENT:
            _transition(locked, CaseStatus.PAYING)
            locked.status = CaseStatus.PAYING
            locked.decided_at = timezone.now()
            _save(locked, "status", "decided_at", "reserved")
            _instruct_payment(locked, actor)
        else:
            _save(locked, "reserved")
            _start_step(locked, step.position + 1, actor=actor)
        audit_record(
            actor=actor,
            action="case.approve",
            obj=locked,
            organisation=locked.organisation_id,
            before=before,
            after={**_state(locked), "step": step.key, "comment": comment},
        )
        if locked.status == CaseStatus.PAYING:
            _tell_enterprise(
                locked,
                "approved",
                message(
                    _("Case %(reference)s approved: %(award)s on its way"),
                    reference=locked.reference,
                    award=_lazy_yuan(locked.award),
                ),
            )
        elif step.position == 0:
            _tell_enterprise(
                locked,
                "accepted",
                message(_("Case %(reference)s accepted"), reference=locked.reference),
                message(
                    _("%(step)s passed; next: %(next)s."),
                    step=_lazy_step_label(step),
                    next=_lazy_step_label(locked.steps_plan[step.position + 1]),
                ),
            )
    return locked


def _reject(policy: Policy, case: Case, step: CaseStep | None, *, actor: Any, reason: str) -> None:
    """End the open step as rejected, free the reservation, and decide the case."""
    if step is not None:
        _end_step(step, actor=actor, outcome=StepOutcome.REJECTED, comment=reason)
    _release(policy, case)
    case.status = CaseStatus.REJECTED
    case.reason = reason
    case.decided_at = timezone.now()
    _save(case, "status", "reason", "decided_at", "reserved")


def case_reject(*, actor: Any, case: Case, reason: str, revision: int | None = None) -> Case:
    reason = _text(reason, "reason")
    with transaction.atomic(durable=True):
        policy, locked = _lock_policy_and_case(case)
        _check_revision(locked, revision)
        _transition(locked, CaseStatus.REJECTED)
        step = _require_step_actor(actor, locked, open_step(locked))
        before = _state(locked)
        _reject(policy, locked, step, actor=actor, reason=reason)
        audit_record(
            actor=actor,
            action="case.reject",
            obj=locked,
            organisation=locked.organisation_id,
            before=before,
            after={**_state(locked), "step": step.key, "reason": reason},
        )
        _tell_enterprise(
            locked,
            "rejected",
            message(_("Case %(reference)s rejected"), reference=locked.reference),
            message(_("Reason: %(reason)s. You may lodge an objection from the case page."), reason=reason),
        )
    return locked


def case_return(*, actor: Any, case: Case, request: str, revision: int | None = None) -> Case:
    """Return the case for more materials: the step's clock stops until the answer."""
    request = _text(request, "request")
    with transaction.atomic(durable=True):
        _policy, locked = _lock_policy_and_case(case)
        _check_revision(locked, revision)
        _transition(locked, CaseStatus.RETURNED)
        step = _require_step_actor(actor, locked, open_step(locked))
        if step.kind != StepKind.REVIEW:
            raise InvalidTransition(_("Materials can be asked for only at a review step."))
        user = _user(actor)
        assert user is not None
        CaseReturn.objects.create(
            case=locked, step=step, requested_by=user, requested_at=timezone.now(), request=request
        )
        if step.deadline is not None and not step.deadline.paused:
            deadline_pause(actor=actor, deadline=step.deadline, reason=str(_("Returned for materials")))
        before = _state(locked)
        locked.status = CaseStatus.RETURNED
        _save(locked, "status")
        audit_record(
            actor=actor,
            action="case.return",
            obj=locked,
            organisation=locked.organisation_id,
            before=before,
            after={**_state(locked), "step": step.key, "request": request},
        )
        _tell_enterprise(
            locked,
            "returned",
            message(_("Case %(reference)s: more materials needed"), reference=locked.reference),
            request,
            # The case stands still until the enterprise answers.
            urgent=True,
        )
    return locked


def case_answer(
    *,
    actor: Any,
    case: Case,
    answer: str,
    files: Mapping[str, Sequence[IO[bytes]]] | None = None,
) -> Case:
    """The enterprise answers a request for materials: the clock runs again."""
    user = _require_enterprise_user(actor, case.enterprise_id)
    answer = _text(answer, "answer")
    with transaction.atomic(durable=True):
        _policy, locked = _lock_policy_and_case(case)
        if locked.status != CaseStatus.RETURNED:
            raise InvalidTransition(_("The case is not waiting for materials."))
        checked = _check_materials(locked.policy, files or {}, require_all=False)
        pending = (
            CaseReturn.objects.filter(case=locked, answered_at__isnull=True).order_by("-requested_at").first()
        )
        if pending is not None:
            pending.answered_at = timezone.now()
            pending.answer = answer
            pending.save(update_fields=["answered_at", "answer"])
        step = open_step(locked)
        if step is not None and step.deadline is not None and step.deadline.paused:
            deadline_resume(actor=actor, deadline=step.deadline)
            step.deadline.refresh_from_db()
            CaseStep.objects.filter(pk=step.pk).update(due_date=step.deadline.due_date)
        _save_materials(locked, checked, user)
        before = _state(locked)
        locked.status = CaseStatus.IN_REVIEW
        _save(locked, "status")
        audit_record(
            actor=user,
            action="case.answer",
            obj=locked,
            organisation=locked.organisation_id,
            before=before,
            after={**_state(locked), "answer": answer, "files": len(checked)},
        )
    return locked


def case_withdraw(*, actor: Any, case: Case, reason: str = "") -> Case:
    """The enterprise withdraws before a decision; the slot and the budget are freed."""
    user = _require_enterprise_user(actor, case.enterprise_id)
    reason = _text(reason, "reason", required=False)
    with transaction.atomic(durable=True):
        policy, locked = _lock_policy_and_case(case)
        if locked.status not in (CaseStatus.IN_REVIEW, CaseStatus.RETURNED):
            raise InvalidTransition(_("A case can be withdrawn only before it is decided."))
        before = _state(locked)
        step = open_step(locked)
        if step is not None:
            _end_step(step, actor=user, outcome=StepOutcome.CLOSED, comment=reason)
            step.actor = None  # closing is not acting: four eyes counts decisions only
            step.save(update_fields=["actor"])
        _release(policy, locked)
        locked.status = CaseStatus.WITHDRAWN
        locked.reason = reason
        _save(locked, "status", "reason", "reserved")
        audit_record(
            actor=user,
            action="case.withdraw",
            obj=locked,
            organisation=locked.organisation_id,
            before=before,
            after={**_state(locked), "reason": reason},
        )
    return locked


# --- Objections ---------------------------------------------------------------------------


def objection_limit_days() -> int:
    """Working days the department has to decide an objection (setting
    `POLICY_OBJECTION_WORKING_DAYS`, 5 by default)."""
    return int(getattr(settings, "POLICY_OBJECTION_WORKING_DAYS", 5))


def _objection_owner(heads: list[User], officers: list[User]) -> User | None:
    """Who answers for an objection: of the eligible department heads (else officers),
    the one with the fewest open objections."""
    return _least_loaded(heads or officers, Objection.objects.filter(status=ObjectionStatus.OPEN))


def objection_lodge(
    *,
    actor: Any,
    case: Case,
    text: str,
    contact: str = "",
    notice_only: bool = False,
    receipt_hash: str = "",
    idempotency_key: str = "",
) -> Objection:
    """异议: the enterprise objects to its rejection (once), or anyone objects to an award
    during its public notice. It goes to an official of the issuing department who took
    no part in the case and has no declared relation to the enterprise (a department head
    if there is one, the least loaded), with a deadline in working days: warned before,
    alarmed to the supervisors once overdue. Every eligible official is told; any of them
    may decide it.

    `notice_only`: lodged through the public notice, so never an objection to a
    rejection (the case may have been rejected since the notice was read), kept with the
    hashed `receipt_hash` and the `idempotency_key` (`services.notice_objections`)."""
    text = _text(text, "text")
    contact = _text(contact, "contact", required=False)[:100]
    with transaction.atomic(durable=True):
        _policy, locked = _lock_policy_and_case(case)
        step = open_step(locked)
        if locked.status == CaseStatus.REJECTED and not notice_only:
            user = _require_enterprise_user(actor, locked.enterprise_id)
            if Objection.objects.filter(case=locked, kind=ObjectionKind.APPEAL).exists():
                raise InvalidTransition(_("An objection to this rejection has already been decided."))
            kind = ObjectionKind.APPEAL
            before = _state(locked)
            locked.status = CaseStatus.APPEALED
            _save(locked, "status")
        elif locked.status == CaseStatus.IN_REVIEW and step is not None and step.kind == StepKind.NOTICE:
            user = _user(actor)  # type: ignore[assignment]
            if user is None and not contact:
                raise ValidationFailed(fields={"contact": [str(_("Leave a way to reach you."))]})
            if contact and not is_reachable_contact(contact):
                raise ValidationFailed(
                    fields={
                        "contact": [str(_("Give a telephone number or an e-mail address to reach you at."))]
                    }
                )
            kind = ObjectionKind.NOTICE
            before = _state(locked)
        else:
            raise InvalidTransition(
                _("Objections are lodged against a rejection, or against an award under public notice.")
            )
        heads = eligible_step_actors(locked, Role.DEPARTMENT_HEAD)
        officers = eligible_step_actors(locked, Role.OFFICER)
        handlers = heads + officers
        due = current_calendar().add_working_days(timezone.localdate(), objection_limit_days())
        objection = Objection.objects.create(
            case=locked,
            kind=kind,
            lodged_by=user,
            contact=contact,
            text=text,
            lodged_at=timezone.now(),
            assignee=_objection_owner(heads, officers),
            due_date=due,
            receipt_hash=receipt_hash,
            idempotency_key=idempotency_key,
        )
        objection.deadline = deadline_open(
            actor=user,
            kind=OBJECTION_DEADLINE_KIND,
            object_type=OBJECTION_OBJECT_TYPE,
            object_id=objection.pk,
            organisation=locked.organisation,
            due_date=due,
            owner=objection.assignee,
            title=str(_("Objection to case %(reference)s") % {"reference": locked.reference}),
            url=_case_url(locked),
        )
        objection.save(update_fields=["deadline"])
        audit_record(
            actor=user,
            action="case.objection",
            obj=locked,
            organisation=locked.organisation_id,
            before=before,
            after={
                **_state(locked),
                "objection": str(objection.public_id),
                "kind": kind,
                "text": text,
                "assignee": objection.assignee_id,
                "due_date": objection.due_date,
            },
        )
        notify(
            recipients=handlers,
            event_key=f"objection:{objection.pk}",
            kind="policy_objection",
            subject=message(_("Objection to case %(reference)s"), reference=locked.reference),
            body=text,
            url=_case_url(locked),
            urgent=True,
        )
    return objection


def objection_decide(*, actor: Any, objection: Objection, uphold: bool, reply: str) -> Objection:
    """An official who took no part in the case decides an objection.

    Appeal upheld: the rejected step is taken again (by someone else: four eyes).
    Appeal dismissed: the rejection stands, for good. Notice objection upheld: the
    case is rejected; dismissed: the notice runs on.
    """
    reply = _text(reply, "reply")
    with transaction.atomic(durable=True):
        policy, locked = _lock_policy_and_case(objection.case)
        obj = Objection.objects.select_for_update().get(pk=objection.pk)
        if obj.status != ObjectionStatus.OPEN:
            raise Conflict(_("This objection has already been decided."), code="objection_decided")
        user = _require_department_official(
            actor, locked, _("An official of the issuing department decides objections.")
        )
        if user.pk in case_actor_ids(locked):
            raise PermissionDenied(_("An objection goes to an official who took no part in the case."))
        recused = recusal_refusal(user, locked.enterprise_id)
        if recused is not None:
            raise PermissionDenied(recused)
        before = _state(locked)
        obj.status = ObjectionStatus.UPHELD if uphold else ObjectionStatus.DISMISSED
        obj.handled_by = user
        obj.handled_at = timezone.now()
        obj.reply = reply
        obj.save(update_fields=["status", "handled_by", "handled_at", "reply"])
        if obj.deadline_id is not None:
            deadline = lock_deadline(obj.deadline_id)
            if deadline.status == DeadlineStatus.OPEN:
                deadline_close(actor=user, deadline=deadline, status=DeadlineStatus.MET)
        if obj.kind == ObjectionKind.APPEAL:
            if locked.status != CaseStatus.APPEALED:
                raise InvalidTransition(_("The case is not waiting for an objection decision."))
            if uphold:
                last = (
                    CaseStep.objects.filter(case=locked, outcome=StepOutcome.REJECTED)
                    .order_by("-ended_at")
                    .first()
                )
                position = last.position if last is not None else locked.current_step
                locked.status = CaseStatus.IN_REVIEW
                locked.reason = ""
                locked.decided_at = None
                if position > 0:
                    _reserve(policy, locked)
                _save(locked, "status", "reason", "decided_at", "reserved")
                _start_step(locked, position, actor=user)
            else:
                locked.status = CaseStatus.REJECTED
                _save(locked, "status")
        elif uphold:
            _reject(policy, locked, open_step(locked), actor=user, reason=reply)
        audit_record(
            actor=user,
            action="case.objection_decide",
            obj=locked,
            organisation=locked.organisation_id,
            before=before,
            after={**_state(locked), "objection": str(obj.public_id), "upheld": uphold, "reply": reply},
        )
        _tell_enterprise(
            locked,
            f"objection-{obj.pk}",
            _("Objection to case %(reference)s decided") % {"reference": locked.reference},
            reply,
        )
    return obj


# --- The system's steps -------------------------------------------------------------------


def notices_close(*, today: dt.date | None = None) -> int:
    """End every public notice whose period has run (its due date is past) and that has
    no open objection; the next step starts. Safe to run twice. Returns how many ended."""
    today = today or timezone.localdate()
    due = list(
        CaseStep.objects.filter(
            kind=StepKind.NOTICE,
            ended_at__isnull=True,
            due_date__lt=today,
            case__status=CaseStatus.IN_REVIEW,
        )
        .exclude(case__objections__status=ObjectionStatus.OPEN)
        .values_list("case_id", flat=True)
    )
    ended = 0
    for case_id in due:
        with transaction.atomic(durable=True):
            locked = lock_case(case_id)
            step = open_step(locked)
            if (
                locked.status != CaseStatus.IN_REVIEW
                or step is None
                or step.kind != StepKind.NOTICE
                or step.due_date >= today
                or Objection.objects.filter(case=locked, status=ObjectionStatus.OPEN).exists()
            ):
                continue
            _end_step(step, actor=None, outcome=StepOutcome.APPROVED)
            _save(locked)
            _start_step(locked, step.position + 1, actor=None)
            audit_record(
                actor=None,
                action="case.notice_end",
                obj=locked,
                organisation=locked.organisation_id,
                after=_state(locked),
            )
            ended += 1
    return ended


def case_mark_paid(*, case_id: int, paid_at: dt.datetime) -> None:
    """The payments app settled the case's instruction (inside its transaction)."""
    locked = lock_case(case_id)
    if locked.status == CaseStatus.PAID:
        return
    before = _state(locked)
    _transition(locked, CaseStatus.PAID)
    locked.status = CaseStatus.PAID
    locked.paid_at = paid_at
    _save(locked, "status", "paid_at")
    audit_record(
        actor=None,
        action="case.paid",
        obj=locked,
        organisation=locked.organisation_id,
        before=before,
        after=_state(locked),
    )
    _tell_enterprise(
        locked,
        "paid",
        message(
            _("Case %(reference)s: %(award)s paid"),
            reference=locked.reference,
            award=_lazy_yuan(locked.award),
        ),
    )


def _payment_handlers(case: Case) -> list[User]:
    """Who is told that a case's payment failed, to retry it: the department's heads and
    whoever ordered the payment (taking part in the case bars nobody from a retry; a
    declared relation does)."""
    related = related_officials(case.enterprise_id)
    heads = RoleAssignment.objects.filter(
        role=Role.DEPARTMENT_HEAD,
        user__is_active=True,
        organisation__path__in=ancestor_paths(case.organisation.path),
    ).values_list("user_id", flat=True)
    payer = (
        CaseStep.objects.filter(case=case, kind=StepKind.PAYMENT, actor__isnull=False)
        .order_by("-ended_at")
        .values_list("actor_id", flat=True)[:1]
    )
    ids = (set(heads) | set(payer)) - related
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def case_mark_payment_failed(*, case_id: int, reason: str) -> None:
    locked = lock_case(case_id)
    if locked.status != CaseStatus.PAYING:
        return
    before = _state(locked)
    locked.status = CaseStatus.PAYMENT_FAILED
    locked.reason = reason[:MAX_TEXT]
    _save(locked, "status", "reason")
    audit_record(
        actor=None,
        action="case.payment_failed",
        obj=locked,
        organisation=locked.organisation_id,
        before=before,
        after={**_state(locked), "reason": reason},
    )
    notify(
        recipients=_payment_handlers(locked),
        event_key=f"case:{locked.pk}:payment_failed:{locked.revision}",
        kind="policy_payment",
        subject=message(_("Payment for case %(reference)s failed"), reference=locked.reference),
        body=reason,
        url=_case_url(locked),
        urgent=True,
    )


def case_payment_retry_refusal(user: Any, case: Case) -> str | None:
    """Why `user` may not send the case's failed payment again, or None: recusal. The
    payments app asks this (through `payment_retry_refusal`) on every route that retries
    the case's instruction: this service, the payments API and the payments page."""
    return recusal_refusal(user, case.enterprise_id)


def case_payment_retry_blocker(user: Any, case: Case) -> str | None:
    """Why `user` cannot send the case's failed payment again now (None when they can,
    or when no payment failed): a declared relation, or no verified account to pay.
    What the case's page and the API say before anyone tries."""
    if case.status != CaseStatus.PAYMENT_FAILED:
        return None
    refusal = case_payment_retry_refusal(user, case)
    if refusal is not None:
        return refusal
    try:
        enterprise_payee(case.enterprise)
    except ValidationFailed as exc:
        return str(exc.message)
    return None


def case_payment_retry(*, actor: Any, case: Case) -> Case:
    """After a definitive failure (say, the account was corrected): send again, same key.

    Recusal applies: an official with a declared relation to the enterprise never acts
    on its cases, and choosing whether and when its money is sent again is acting on it
    (`case_payment_retry_refusal`, checked inside `payment_retry`).

    Four eyes does not: the retry decides nothing. The approvers decided the award and
    the amount; the instruction they created is sent again under the same idempotency
    key, so the gateway cannot pay twice, and to the enterprise's verified account as
    the registry holds it now (`case_payee`: a correction is made and verified there,
    never typed in by the official who retries), so nothing a second person should
    check changes. Barring
    everyone who took a step would also leave a small department, whose officials took
    every step, unable to pay an approved award at all.
    """
    from qinqing.payments.models import PaymentInstruction
    from qinqing.payments.services import payment_retry

    user = _require_department_official(
        actor, case, _("An official of the issuing department orders payments.")
    )
    if case.status != CaseStatus.PAYMENT_FAILED:
        raise InvalidTransition(_("Only a failed payment can be sent again."))
    instruction = PaymentInstruction.objects.filter(key=payment_key(case)).first()
    if instruction is None:
        raise NotFound()
    # The case moves back to paying in the retry's own transaction (the payments app's
    # `payment_resent`, answered by `case_mark_paying_again`), whichever route retried.
    payment_retry(actor=user, instruction=instruction)
    return Case.objects.get(pk=case.pk)


def case_mark_paying_again(*, case_id: int, actor: Any) -> None:
    """The case's failed payment was sent again: the case is paying again, so a second
    failure is recorded and told like the first. Runs inside the payment's retry."""
    locked = lock_case(case_id)
    if locked.status != CaseStatus.PAYMENT_FAILED:
        return
    before = _state(locked)
    locked.status = CaseStatus.PAYING
    _save(locked, "status")
    audit_record(
        actor=_user(actor),
        action="case.payment_retry",
        obj=locked,
        organisation=locked.organisation_id,
        before=before,
        after=_state(locked),
    )


def payment_key(case: Case) -> str:
    """The payment instruction's idempotency key: one instruction per case, ever."""
    return f"case-{case.public_id}"


# --- Recusal declared while the work is under way ------------------------------------------


def hand_over_for_recusal(*, official_id: int, enterprise_id: int) -> int:
    """An official has just declared a relation to an enterprise: each open step and open
    objection of its cases that they answered for goes to the least loaded official still
    eligible (or to nobody when none is: the department's queue still shows the step),
    with its deadline's warnings and alarms, and the new owner is told. Runs inside the
    declaration's transaction (`integrity.signals.relation_declared`). Returns how many
    were handed over."""
    moved = 0
    steps = (
        CaseStep.objects.filter(
            ended_at__isnull=True, assignee_id=official_id, case__enterprise_id=enterprise_id
        )
        .select_related("deadline")
        .order_by("pk")
    )
    for step in steps:
        case = lock_case(step.case_id)
        owner = _pick_assignee(case, step.role)
        CaseStep.objects.filter(pk=step.pk).update(assignee=owner)
        _hand_over(
            case,
            step.deadline,
            official_id,
            owner,
            what=step_label(step),
            said=_lazy_step_label(step),
            key=f"step-{step.pk}",
        )
        moved += 1
    objections = (
        Objection.objects.filter(
            status=ObjectionStatus.OPEN, assignee_id=official_id, case__enterprise_id=enterprise_id
        )
        .select_related("deadline")
        .order_by("pk")
    )
    for objection in objections:
        case = lock_case(objection.case_id)
        owner = _objection_owner(
            eligible_step_actors(case, Role.DEPARTMENT_HEAD), eligible_step_actors(case, Role.OFFICER)
        )
        Objection.objects.filter(pk=objection.pk).update(assignee=owner)
        said = message(_("Objection to case %(reference)s"), reference=case.reference)
        _hand_over(
            case,
            objection.deadline,
            official_id,
            owner,
            what=str(said),
            said=said,
            key=f"objection-{objection.pk}",
        )
        moved += 1
    return moved


def _hand_over(
    case: Case, deadline: Any, before: int, owner: User | None, *, what: str, said: Any, key: str
) -> None:
    """`what` (the audit's words) moves from official `before` to `owner`, who is told
    of it in their own language (`said`, lazy)."""
    if deadline is not None and deadline.status == DeadlineStatus.OPEN:
        deadline_hand_over(actor=None, deadline=deadline, owner=owner, reason="recusal")
    audit_record(
        actor=None,
        action="case.hand_over",
        obj=case,
        organisation=case.organisation_id,
        before={"what": what, "assignee": before},
        after={"what": what, "assignee": owner.pk if owner is not None else None, "reason": "recusal"},
    )
    if owner is not None:
        notify(
            recipients=[owner],
            event_key=f"hand-over:{key}:{owner.pk}",
            kind="policy_step",
            subject=message(
                _("%(what)s is now yours (a colleague declared a relation to the enterprise)"), what=said
            ),
            body=case.reference or "",
            url=_case_url(case),
        )
