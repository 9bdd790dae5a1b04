"""Problems coming in: from every channel, and the campaigns, walk-throughs, monitoring
points and observers they come through.

A problem is registered at the commission that covers it (`intake`). Someone who may
also assign it (the commission's staff or the supervising group, or the department's
own head recording a walk-through) may name the responsible department and the time
limit at once: it is then assigned in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Organisation, OrganisationKind, Role, User
from qinqing.accounts.scoping import scope_for
from qinqing.common.contact import is_reachable_contact
from qinqing.common.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from qinqing.common.once import idempotency_digest, keyed_receipt, new_receipt, receipt_hash
from qinqing.enterprises.models import Enterprise

from ..models import (
    SUBCATEGORIES,
    Campaign,
    CampaignStatus,
    CampaignTopic,
    Category,
    Channel,
    DeadlineMode,
    Institutional,
    MonitoringPoint,
    Observer,
    Problem,
    Severity,
    UpdateKind,
    WalkThrough,
)
from . import notices
from .common import (
    add_update,
    audit,
    clean_text,
    commission_for,
    is_department,
    now,
    record_transition,
    require_user,
    stage_clocks,
    today,
)
from .evidence import attach_files
from .loop import assign_locked

MAX_STEPS = 50
# Channels the commission's and the groups' own people register.
SUPERVISOR_CHANNELS = frozenset({Channel.INSPECTION, Channel.TOPIC, Channel.VISIT})
# What a department's officer or head registers of their own department's.
DEPARTMENT_CHANNELS = frozenset({Channel.INSPECTION, Channel.VISIT})


def _choice(value: Any, choices: Any, field: str) -> str:
    text = str(value or "")
    if text not in choices.values:
        raise ValidationFailed(fields={field: [str(_("Choose one of the offered values."))]})
    return text


def _classification(
    category: Any, subcategory: Any, severity: Any, institutional: Any
) -> tuple[str, str, str, str]:
    cat = _choice(category, Category, "category")
    sub = str(subcategory or "")
    if sub and sub not in {code for code, _label in SUBCATEGORIES[cat]}:
        raise ValidationFailed(
            fields={"subcategory": [str(_("This sub-type does not belong to the category."))]}
        )
    sev = _choice(severity or Severity.MINOR, Severity, "severity")
    inst = _choice(institutional or "", Institutional, "institutional")
    return cat, sub, sev, inst


# --- sent once -----------------------------------------------------------------------------
#
# A form carries a key of its own (`common.once.OnceForm`), an API call may send one
# (`Idempotency-Key`). Stored as the SHA-256 of who sent it and the key, unique: a form
# sent twice (a double click, a reload of the answer, a retry after a lost answer)
# gets the problem the first sending registered, and concurrent sendings meet at the
# unique index. A monitoring point's reporter gets the same receipt code again: it is
# derived from the key with the server's secret, so neither the code nor the key is
# stored.

# The code of the conflict: the key came with another report than the first time.
KEY_REUSED = "idempotency_key_reused"


def _reused() -> Conflict:
    return Conflict(
        _(
            "This form was already sent, with other contents. To report another problem, check "
            "the answers and send the form again."
        ),
        code=KEY_REUSED,
    )


def _sent_before(digest: str, *, title: Any, description: Any) -> Problem | None:
    """The problem registered under `digest`, if any; a different report under the same
    key is a conflict, never a silent answer with the other problem."""
    if not digest:
        return None
    earlier = Problem.objects.filter(idempotency_key=digest).first()
    if earlier is None:
        return None
    sent = (clean_text(title, "title", limit=200), clean_text(description, "description"))
    if (earlier.title, earlier.description) != sent:
        raise _reused()
    return earlier


def point_receipt(point: MonitoringPoint, key: str) -> str:
    """The receipt code of a report sent at `point` under `key`: the same for every
    sending of one form, unguessable without the server's secret."""
    return keyed_receipt("qinqing.ledger.point_receipt", str(point.pk), key)


def _campaign_and_topic(
    campaign: Campaign | None, topic: CampaignTopic | None, channel: str
) -> tuple[Campaign | None, CampaignTopic | None]:
    if topic is not None:
        if campaign is not None and topic.campaign_id != campaign.pk:
            raise ValidationFailed(fields={"topic": [str(_("This topic belongs to another campaign."))]})
        campaign = topic.campaign
    if campaign is not None:
        if campaign.status != CampaignStatus.ACTIVE:
            raise ValidationFailed(fields={"campaign": [str(_("This campaign is closed."))]})
        if campaign.channel != channel:
            raise ValidationFailed(fields={"campaign": [str(_("This campaign belongs to another channel."))]})
    return campaign, topic


def _create(
    *,
    actor: User | None,
    channel: str,
    title: Any,
    description: Any,
    category: Any,
    subcategory: Any = "",
    severity: Any = "",
    institutional: Any = "",
    location: Any = "",
    intake: Organisation,
    campaign: Campaign | None = None,
    topic: CampaignTopic | None = None,
    walk_through: WalkThrough | None = None,
    monitoring_point: MonitoringPoint | None = None,
    observer: Observer | None = None,
    reporter_enterprise: Enterprise | None = None,
    reporter_name: str = "",
    reporter_contact: str = "",
    hide_reporter: bool = False,
    receipt: str = "",
    idempotency_key: str = "",
    at: dt.datetime,
) -> Problem:
    cat, sub, sev, inst = _classification(category, subcategory, severity, institutional)
    problem = Problem.objects.create(
        title=clean_text(title, "title", limit=200),
        description=clean_text(description, "description"),
        location=clean_text(location, "location", required=False, limit=200),
        channel=channel,
        campaign=campaign,
        topic=topic,
        walk_through=walk_through,
        monitoring_point=monitoring_point,
        observer=observer,
        reporter_user=actor,
        reporter_enterprise=reporter_enterprise,
        reporter_name=reporter_name,
        reporter_contact=reporter_contact,
        hide_reporter=hide_reporter,
        receipt_hash=receipt_hash(receipt) if receipt else "",
        idempotency_key=idempotency_key,
        organisation=intake,
        intake=intake,
        category=cat,
        subcategory=sub,
        severity=sev,
        institutional=inst,
        registered_by=actor,
        registered_at=at,
    )
    problem.reference = f"TZ{at.year}{problem.pk:07d}"
    problem.save(update_fields=["reference"])
    record_transition(problem, from_status="", actor=actor, action="register", at=at)
    stage_clocks(problem, from_status="", actor=actor, at=at)
    add_update(problem, kind=UpdateKind.REGISTERED, actor=actor, at=at)
    audit(
        actor=actor,
        action="problem.register",
        problem=problem,
        after={
            "channel": channel,
            "category": cat,
            "severity": sev,
            "institutional": inst,
            "status": "registered",
        },
    )
    return problem


def _may_dispatch_at(user: User, intake: Organisation) -> bool:
    return any(intake.path.startswith(p) for p in scope_for(user).paths_for(Role.SUPERVISOR))


@dataclass(frozen=True)
class _Route:
    """Where a logged-in person's report goes, and as whom."""

    intake: Organisation
    department: Organisation | None = None
    enterprise: Enterprise | None = None
    observer: Observer | None = None
    self_assign: bool = False


def _route(  # noqa: PLR0912 - one branch per channel, read top to bottom
    user: User,
    *,
    channel: str,
    campaign: Campaign | None,
    topic: CampaignTopic | None,
    enterprise: Enterprise | None,
    department: Organisation | None,
) -> _Route:
    scope = scope_for(user)
    if channel in (Channel.COMPLAINT, Channel.TOPIC) and scope.enterprise_ids and not scope.is_government:
        if enterprise is None:
            if len(scope.enterprise_ids) != 1:
                raise ValidationFailed(
                    fields={"enterprise": [str(_("Choose the enterprise you speak for."))]}
                )
            enterprise = Enterprise.objects.select_related("region").get(pk=next(iter(scope.enterprise_ids)))
        if enterprise.pk not in scope.enterprise_ids:
            raise PermissionDenied(_("You may only report for your own enterprise."))
        if channel == Channel.TOPIC and topic is None:
            raise ValidationFailed(fields={"topic": [str(_("Choose the campaign topic."))]})
        return _Route(intake=commission_for(enterprise.region), enterprise=enterprise)
    if channel == Channel.OBSERVER:
        observer = Observer.objects.select_related("organisation").filter(user=user, active=True).first()
        if observer is None:
            raise PermissionDenied(_("Only an appointed observer reports through this channel."))
        return _Route(intake=commission_for(observer.organisation), observer=observer)
    if channel in SUPERVISOR_CHANNELS and scope.is_supervisor:
        if channel != Channel.VISIT and campaign is None:
            raise ValidationFailed(fields={"campaign": [str(_("Name the campaign this comes from."))]})
        if department is None:
            return _Route(intake=_supervisor_commission(user))
        if not is_department(department):
            raise ValidationFailed(fields={"department": [str(_("Choose a department."))]})
        intake = commission_for(department)
        if not _may_dispatch_at(user, intake):
            raise PermissionDenied(_("This department lies outside your commission."))
        return _Route(intake=intake, department=department)
    if channel == Channel.WALK:
        raise ValidationFailed(fields={"channel": [str(_("Record a walk-through to report what it found."))]})
    if scope.has_role(Role.OFFICER, Role.DEPARTMENT_HEAD) and channel in DEPARTMENT_CHANNELS:
        # A department's own finding, assigned to itself.
        department = department or _own_department(user)
        if not any(
            department.path.startswith(p) for p in scope.paths_for(Role.OFFICER, Role.DEPARTMENT_HEAD)
        ):
            raise PermissionDenied(_("You may only register problems of your own department."))
        return _Route(intake=commission_for(department), department=department, self_assign=True)
    raise PermissionDenied(_("You may not report through this channel."))


def problem_report(
    *,
    actor: Any,
    channel: str,
    title: Any,
    description: Any,
    category: Any,
    subcategory: Any = "",
    severity: Any = "",
    institutional: Any = "",
    location: Any = "",
    campaign: Campaign | None = None,
    topic: CampaignTopic | None = None,
    enterprise: Enterprise | None = None,
    hide_reporter: bool = False,
    department: Organisation | None = None,
    co_departments: Sequence[Organisation] = (),
    deadline_mode: str | None = None,
    deadline_days: int | None = None,
    files: Sequence[IO[bytes]] = (),
    idempotency_key: Any = "",
    at: dt.datetime | None = None,
) -> Problem:
    """Register a problem reported by a logged-in person. Sent again with the same
    `idempotency_key` (a form's, an API call's), it answers the problem registered the
    first time (a conflict when the title or the details differ).

    - an enterprise user: a complaint (or, naming a topic of an active topic campaign,
      a report under that topic), about its own enterprise's dealings;
    - an appointed observer: through the observer channel;
    - the commission's or a group's people: from an inspection tour, a topic campaign or
      a visit, and they may assign it at once (`department`, `deadline_mode`);
    - a department's officer or head: what they found in their own department, assigned
      to it at once (walk-throughs go through `walkthrough_record`).
    """
    user = require_user(actor)
    when = at or now()
    digest = idempotency_digest(f"user:{user.pk}", idempotency_key)
    earlier = _sent_before(digest, title=title, description=description)
    if earlier is not None:
        return earlier
    channel = _choice(channel, Channel, "channel")
    campaign, topic = _campaign_and_topic(campaign, topic, channel)
    route = _route(
        user, channel=channel, campaign=campaign, topic=topic, enterprise=enterprise, department=department
    )
    department = route.department
    try:
        with transaction.atomic(durable=True):
            problem = _create(
                actor=user,
                channel=channel,
                title=title,
                description=description,
                category=category,
                subcategory=subcategory,
                severity=severity,
                institutional=institutional,
                location=location,
                intake=route.intake,
                campaign=campaign,
                topic=topic,
                observer=route.observer,
                reporter_enterprise=route.enterprise,
                hide_reporter=bool(hide_reporter),
                idempotency_key=digest,
                at=when,
            )
            if files:
                attach_files(problem, None, files, actor=user, required=False)
            if department is not None:
                assign_locked(
                    actor=user,
                    problem=problem,
                    department=department,
                    co_departments=co_departments,
                    deadline_mode=deadline_mode or DeadlineMode.WORKING_DAYS,
                    deadline_days=deadline_days,
                    supervising_group=None,
                    note="",
                    at=when,
                    check=not route.self_assign,
                )
            notices.problem_registered(problem)
    except IntegrityError:
        # Sent twice at once: the other sending committed first (the unique index held
        # this one until then).
        earlier = _sent_before(digest, title=title, description=description) if digest else None
        if earlier is None:
            raise
        return earlier
    return problem


def _own_department(user: User) -> Organisation:
    org = (
        Organisation.objects.filter(
            role_assignments__user=user,
            role_assignments__role__in=[Role.OFFICER, Role.DEPARTMENT_HEAD],
            kind=OrganisationKind.DEPARTMENT,
        )
        .order_by("id")
        .first()
    )
    if org is None:
        raise ValidationFailed(fields={"department": [str(_("Choose a department."))]})
    return org


def _supervisor_commission(user: User) -> Organisation:
    org = (
        Organisation.objects.filter(role_assignments__user=user, role_assignments__role=Role.SUPERVISOR)
        .order_by("depth", "id")
        .first()
    )
    if org is None:
        raise PermissionDenied()
    return commission_for(org)


def problem_report_at_point(
    *,
    token: str,
    title: Any,
    description: Any,
    category: Any,
    subcategory: Any = "",
    location: Any = "",
    reporter_name: Any = "",
    reporter_contact: Any = "",
    files: Sequence[IO[bytes]] = (),
    idempotency_key: Any = "",
    at: dt.datetime | None = None,
) -> tuple[Problem, str]:
    """A report through a monitoring point's own link, without an account. Returns the
    problem and the receipt code to follow it with (stored only hashed). Sent again with
    the same `idempotency_key`, it answers the problem registered the first time and the
    same receipt code (see `point_receipt`); nothing identifies the sender."""
    point = (
        MonitoringPoint.objects.select_related("organisation")
        .filter(token=str(token or ""), active=True)
        .first()
    )
    if point is None:
        raise NotFound(_("This monitoring point's link is not valid or no longer active."))
    name = clean_text(reporter_name, "reporter_name", required=False, limit=100)
    contact = clean_text(reporter_contact, "reporter_contact", required=False, limit=50)
    if contact and not is_reachable_contact(contact):
        raise ValidationFailed(
            fields={
                "reporter_contact": [str(_("Give a telephone number or an e-mail address to reach you at."))]
            }
        )
    digest = idempotency_digest(f"point:{point.pk}", idempotency_key)
    receipt = point_receipt(point, str(idempotency_key)) if digest else new_receipt()
    earlier = _sent_before(digest, title=title, description=description)
    if earlier is not None:
        return earlier, receipt
    when = at or now()
    try:
        problem = _register_at_point(
            point,
            title=title,
            description=description,
            category=category,
            subcategory=subcategory,
            location=location,
            reporter_name=name,
            reporter_contact=contact,
            files=files,
            receipt=receipt,
            idempotency_key=digest,
            at=when,
        )
    except IntegrityError:
        earlier = _sent_before(digest, title=title, description=description) if digest else None
        if earlier is None:
            raise
        return earlier, receipt
    return problem, receipt


def _register_at_point(
    point: MonitoringPoint,
    *,
    title: Any,
    description: Any,
    category: Any,
    subcategory: Any,
    location: Any,
    reporter_name: str,
    reporter_contact: str,
    files: Sequence[IO[bytes]],
    receipt: str,
    idempotency_key: str,
    at: dt.datetime,
) -> Problem:
    with transaction.atomic(durable=True):
        problem = _create(
            actor=None,
            channel=Channel.MONITORING,
            title=title,
            description=description,
            category=category,
            subcategory=subcategory,
            location=location or point.address,
            intake=commission_for(point.organisation),
            monitoring_point=point,
            reporter_enterprise=point.enterprise,
            reporter_name=reporter_name,
            reporter_contact=reporter_contact,
            receipt=receipt,
            idempotency_key=idempotency_key,
            at=at,
        )
        if files:
            attach_files(problem, None, files, actor=None, required=False)
        notices.problem_registered(problem)
    return problem


def problem_by_receipt(code: str) -> Problem:
    digits = "".join(ch for ch in str(code or "") if ch.isdigit())
    if len(digits) != 16:
        raise ValidationFailed(fields={"receipt": [str(_("A receipt code has 16 digits."))]})
    problem = Problem.objects.filter(receipt_hash=receipt_hash(digits)).first()
    if problem is None:
        raise NotFound(_("No problem has this receipt code."))
    return problem


# --- walk-throughs -----------------------------------------------------------------------


def _steps(value: Any) -> tuple[list[dict[str, Any]], int]:
    if not isinstance(value, list) or not value:
        raise ValidationFailed(
            fields={"steps": [str(_("List the steps walked, with the minutes each took."))]}
        )
    if len(value) > MAX_STEPS:
        raise ValidationFailed(fields={"steps": [str(_("At most %(count)d steps.") % {"count": MAX_STEPS})]})
    steps: list[dict[str, Any]] = []
    total = 0
    for index, item in enumerate(value, start=1):
        name = str((item or {}).get("name", "") if isinstance(item, dict) else "").strip()
        raw = item.get("minutes") if isinstance(item, dict) else None
        try:
            minutes = int(raw)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            minutes = -1
        if not name or len(name) > 100 or minutes < 0 or minutes > 60 * 24 * 60:
            raise ValidationFailed(
                fields={
                    "steps": [
                        str(
                            _("Step %(n)d needs a name (up to 100 characters) and its minutes (0 or more).")
                            % {"n": index}
                        )
                    ]
                }
            )
        steps.append({"name": name, "minutes": minutes})
        total += minutes
    return steps, total


def walkthrough_record(
    *,
    actor: Any,
    department: Organisation,
    process_name: Any,
    walked_on: dt.date,
    steps: Any,
    notes: Any = "",
    campaign: Campaign | None = None,
    problems: Sequence[dict[str, Any]] = (),
    idempotency_key: Any = "",
    at: dt.datetime | None = None,
) -> WalkThrough:
    """A head walked one of the department's processes (局长走流程): the steps and their
    minutes, and each problem found, registered and assigned to the department at once
    (each dict: title, description, category, subcategory, severity, institutional,
    deadline_mode, deadline_days). Sent again with the same `idempotency_key`, it
    answers the walk-through recorded the first time."""
    user = require_user(actor)
    scope = scope_for(user)
    if not is_department(department) or not any(
        department.path.startswith(p) for p in scope.paths_for(Role.DEPARTMENT_HEAD, Role.OFFICER)
    ):
        raise PermissionDenied(_("Only the department's own head or officers record its walk-throughs."))
    if not isinstance(walked_on, dt.date) or isinstance(walked_on, dt.datetime) or walked_on > today():
        raise ValidationFailed(fields={"walked_on": [str(_("Enter a date that is not in the future."))]})
    name = clean_text(process_name, "process_name", limit=200)
    digest = idempotency_digest(f"user:{user.pk}", idempotency_key)
    earlier = _walked_before(digest, department=department, process_name=name)
    if earlier is not None:
        return earlier
    clean_steps, total = _steps(steps)
    campaign, _topic = _campaign_and_topic(campaign, None, Channel.WALK)
    when = at or now()
    intake = commission_for(department)
    try:
        return _record_walk(
            user,
            department=department,
            process_name=name,
            walked_on=walked_on,
            steps=clean_steps,
            total=total,
            notes=notes,
            campaign=campaign,
            intake=intake,
            problems=problems,
            idempotency_key=digest,
            at=when,
        )
    except IntegrityError:
        earlier = _walked_before(digest, department=department, process_name=name) if digest else None
        if earlier is None:
            raise
        return earlier


def _walked_before(digest: str, *, department: Organisation, process_name: str) -> WalkThrough | None:
    if not digest:
        return None
    earlier = WalkThrough.objects.filter(idempotency_key=digest).first()
    if earlier is not None and (earlier.department_id, earlier.process_name) != (department.pk, process_name):
        raise _reused()
    return earlier


def _record_walk(
    user: User,
    *,
    department: Organisation,
    process_name: str,
    walked_on: dt.date,
    steps: list[dict[str, Any]],
    total: int,
    notes: Any,
    campaign: Campaign | None,
    intake: Organisation,
    problems: Sequence[dict[str, Any]],
    idempotency_key: str,
    at: dt.datetime,
) -> WalkThrough:
    name, clean_steps, when = process_name, steps, at
    with transaction.atomic(durable=True):
        walk = WalkThrough.objects.create(
            campaign=campaign,
            department=department,
            walker=user,
            walker_name=str(user)[:100],
            process_name=name,
            walked_on=walked_on,
            steps=clean_steps,
            total_minutes=total,
            notes=clean_text(notes, "notes", required=False),
            idempotency_key=idempotency_key,
        )
        for index, found in enumerate(problems):
            try:
                problem = _create(
                    actor=user,
                    channel=Channel.WALK,
                    title=found.get("title"),
                    description=found.get("description"),
                    category=found.get("category"),
                    subcategory=found.get("subcategory", ""),
                    severity=found.get("severity", ""),
                    institutional=found.get("institutional", ""),
                    intake=intake,
                    campaign=campaign,
                    walk_through=walk,
                    at=when,
                )
                assign_locked(
                    actor=user,
                    problem=problem,
                    department=department,
                    co_departments=(),
                    deadline_mode=found.get("deadline_mode") or DeadlineMode.WORKING_DAYS,
                    deadline_days=found.get("deadline_days"),
                    supervising_group=None,
                    note="",
                    at=when,
                    check=False,
                )
            except ValidationFailed as exc:
                # Name the problem the error is in, so a form of several can show it.
                raise ValidationFailed(
                    exc.message, fields={f"problems.{index}.{k}": v for k, v in exc.fields.items()}
                ) from exc
        audit_walk(user, walk)
    return walk


def audit_walk(user: User, walk: WalkThrough) -> None:
    from qinqing.audit.services import audit_record

    audit_record(
        actor=user,
        action="ledger.walkthrough.record",
        obj=walk,
        organisation=walk.department_id,
        after={
            "process": walk.process_name,
            "walked_on": walk.walked_on.isoformat(),
            "steps": len(walk.steps),
            "total_minutes": walk.total_minutes,
            "problems": walk.problems.count(),
        },
    )


# --- campaigns, monitoring points, observers ---------------------------------------------


def _require_commission_staff(user: User, org: Organisation) -> None:
    """People of the commission (or a group under it) whose reach covers `org`."""
    if not any(org.path.startswith(p) for p in scope_for(user).paths_for(Role.SUPERVISOR)) and not (
        scope_for(user).is_supervisor
        and org.kind in (OrganisationKind.COMMISSION, OrganisationKind.SUPERVISION_GROUP)
        and _holds_supervisor_at_or_above(user, org)
    ):
        raise PermissionDenied(_("Only the commission's staff may do this."))


def _holds_supervisor_at_or_above(user: User, org: Organisation) -> bool:
    from .common import _supervisor_nodes

    return any(org.path.startswith(p) for p in _supervisor_nodes(user))


def campaign_create(
    *,
    actor: Any,
    channel: str,
    title: Any,
    organisation: Organisation,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    description: Any = "",
    topics: Sequence[dict[str, Any]] = (),
) -> Campaign:
    """A commission starts a walk-through programme, an inspection round, a topic
    campaign (with its chosen topics: title and category each) or a visiting programme."""
    user = require_user(actor)
    channel = _choice(channel, Channel, "channel")
    from ..models import CAMPAIGN_CHANNELS

    if channel not in CAMPAIGN_CHANNELS:
        raise ValidationFailed(fields={"channel": [str(_("This channel does not run as a campaign."))]})
    _require_commission_staff(user, organisation)
    if ends_on is not None and ends_on < starts_on:
        raise ValidationFailed(fields={"ends_on": [str(_("The end cannot come before the start."))]})
    if channel == Channel.TOPIC and not topics:
        raise ValidationFailed(fields={"topics": [str(_("A topic campaign names its topics."))]})
    with transaction.atomic(durable=True):
        campaign = Campaign.objects.create(
            channel=channel,
            title=clean_text(title, "title", limit=200),
            description=clean_text(description, "description", required=False),
            organisation=organisation,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by=user,
        )
        seen: set[str] = set()
        for position, topic in enumerate(topics):
            name = clean_text(topic.get("title"), f"topics.{position}.title", limit=200)
            if name in seen:
                raise ValidationFailed(
                    fields={f"topics.{position}.title": [str(_("This topic is listed twice."))]}
                )
            seen.add(name)
            CampaignTopic.objects.create(
                campaign=campaign,
                title=name,
                category=_choice(topic.get("category"), Category, f"topics.{position}.category"),
                position=position,
            )
        from qinqing.audit.services import audit_record

        audit_record(
            actor=user,
            action="ledger.campaign.create",
            obj=campaign,
            organisation=organisation,
            after={"channel": channel, "title": campaign.title, "topics": sorted(seen)},
        )
    return campaign


def monitoring_point_appoint(
    *,
    actor: Any,
    name: Any,
    organisation: Organisation,
    appointed_on: dt.date,
    enterprise: Enterprise | None = None,
    address: Any = "",
) -> MonitoringPoint:
    user = require_user(actor)
    _require_commission_staff(user, organisation)
    with transaction.atomic(durable=True):
        point = MonitoringPoint.objects.create(
            name=clean_text(name, "name", limit=200),
            organisation=organisation,
            enterprise=enterprise,
            address=clean_text(address, "address", required=False, limit=300),
            appointed_on=appointed_on,
        )
        from qinqing.audit.services import audit_record

        audit_record(
            actor=user,
            action="ledger.monitoring_point.appoint",
            obj=point,
            organisation=organisation,
            after={"name": point.name, "enterprise": enterprise.pk if enterprise else None},
        )
    return point


def observer_appoint(
    *,
    actor: Any,
    user: User,
    organisation: Organisation,
    appointed_on: dt.date,
    affiliation: Any = "",
) -> Observer:
    staff = require_user(actor)
    _require_commission_staff(staff, organisation)
    if Observer.objects.filter(user=user).exists():
        raise ValidationFailed(fields={"user": [str(_("This person is already an observer."))]})
    with transaction.atomic(durable=True):
        observer = Observer.objects.create(
            user=user,
            organisation=organisation,
            affiliation=clean_text(affiliation, "affiliation", required=False, limit=200),
            appointed_on=appointed_on,
        )
        from qinqing.audit.services import audit_record

        audit_record(
            actor=staff,
            action="ledger.observer.appoint",
            obj=observer,
            organisation=organisation,
            after={"user": user.pk, "affiliation": observer.affiliation},
        )
    return observer


__all__ = [
    "campaign_create",
    "monitoring_point_appoint",
    "idempotency_digest",
    "new_receipt",
    "observer_appoint",
    "point_receipt",
    "problem_by_receipt",
    "problem_report",
    "problem_report_at_point",
    "receipt_hash",
    "walkthrough_record",
]
