"""Writes on the policy catalogue: create, edit a draft, publish, amend, withdraw.

Only a department head or officer of the issuing department (or of a node above it),
or an admin, may write a department's policies. A published policy is never changed
in place without a trace: an amendment (its rule, texts, window, budget, cap,
materials or steps, with the reason) adds a version that holds the rule and the terms
in force from then on, so decisions already made keep naming what they were judged by.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Organisation, Role
from qinqing.accounts.scoping import scope_for
from qinqing.audit.services import audit_record
from qinqing.common.errors import Conflict, InvalidTransition, NotFound, PermissionDenied, ValidationFailed
from qinqing.policies.models import (
    STATUS_TRANSITIONS,
    InvitationLapse,
    PeriodKind,
    Policy,
    PolicyMode,
    PolicyStatus,
    PolicyVersion,
)
from qinqing.policies.rules import Rule, parse_rule
from qinqing.policies.services.invitations import invitations_lapse
from qinqing.policies.steps import check_steps
from qinqing.policies.uploads import SIGNATURES

_WRITERS = (Role.OFFICER, Role.DEPARTMENT_HEAD)
_MONEY_LIMIT = Decimal("1000000000000")
_CENT = Decimal("0.01")
_MATERIAL_KEYS = {"key", "name", "required", "accepted"}


def can_write_policies(actor: Any, department: Organisation) -> bool:
    scope = scope_for(actor)
    if scope.is_admin:
        return True
    return any(department.path.startswith(p) for p in scope.paths_for(*_WRITERS))


def _require_writer(actor: Any, department: Organisation) -> None:
    if not can_write_policies(actor, department):
        raise PermissionDenied(
            _("Only an officer or the head of the issuing department may change its policies.")
        )


def lock_policy(policy_id: int) -> Policy:
    policy = Policy.objects.select_for_update().select_related("department").filter(pk=policy_id).first()
    if policy is None:
        raise NotFound()
    return policy


def current_version(policy: Policy) -> PolicyVersion:
    # .all() so that a prefetched list (the catalogue pages) costs no query per policy.
    versions = list(policy.versions.all())
    if not versions:  # every policy is created with version 1
        raise NotFound()
    return max(versions, key=lambda v: v.number)


def _check_materials(materials: Any) -> list[dict[str, Any]]:
    fields: dict[str, list[str]] = {}
    if not isinstance(materials, list):
        raise ValidationFailed(fields={"materials": [str(_("A list of materials is expected."))]})
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, item in enumerate(materials):
        path = f"materials[{i}]"
        if not isinstance(item, dict) or set(item) - _MATERIAL_KEYS or not {"key", "name"} <= set(item):
            fields[path] = [
                str(_("Each material needs a key and a name (and optionally required, accepted)."))
            ]
            continue
        key, name = item["key"], item["name"]
        accepted = item.get("accepted", ["pdf", "jpg", "png"])
        required = item.get("required", True)
        if not isinstance(key, str) or not key or key in seen:
            fields[path + ".key"] = [str(_("The key must be a non-empty text, unique within the policy."))]
        if not isinstance(name, str) or not name.strip():
            fields[path + ".name"] = [str(_("The name must not be empty."))]
        if not isinstance(required, bool):
            fields[path + ".required"] = [str(_("Required must be true or false."))]
        if not isinstance(accepted, list) or not accepted or not all(isinstance(a, str) for a in accepted):
            fields[path + ".accepted"] = [str(_("Accepted types must be a non-empty list of file types."))]
        elif unknown := sorted(set(accepted) - set(SIGNATURES)):
            # An upload is checked by its content: a type it cannot recognise could never
            # be uploaded, and nobody could apply.
            fields[path + ".accepted"] = [
                str(_("Unknown file type %(types)s: the platform accepts %(known)s."))
                % {"types": ", ".join(unknown), "known": ", ".join(SIGNATURES)}
            ]
        if isinstance(key, str):
            seen.add(key)
        out.append({"key": key, "name": name, "required": required, "accepted": accepted})
    if fields:
        raise ValidationFailed(fields=fields)
    return out


def _check_money(budget_total: Decimal, cap_per_enterprise: Decimal | None) -> None:
    fields: dict[str, list[str]] = {}
    if budget_total < 0:
        fields["budget_total"] = [str(_("The budget must not be negative."))]
    # The columns hold 14 digits with 2 places; a larger figure would be a database error.
    for name, amount in (("budget_total", budget_total), ("cap_per_enterprise", cap_per_enterprise)):
        if amount is not None and abs(amount) >= _MONEY_LIMIT:
            fields.setdefault(name, []).append(str(_("The amount is too large.")))
    if cap_per_enterprise is not None and cap_per_enterprise <= 0:
        fields["cap_per_enterprise"] = [str(_("The cap must be positive, or left empty."))]
    if fields:
        raise ValidationFailed(fields=fields)


def policy_create(
    *,
    actor: Any,
    department: Organisation,
    code: str,
    title: str,
    basis_number: str,
    basis_title: str,
    valid_from: dt.date,
    valid_until: dt.date,
    budget_total: Decimal,
    rule: dict[str, Any],
    cap_per_enterprise: Decimal | None = None,
    period_kind: str = PeriodKind.ONCE,
    basis_url: str = "",
    basis_text: str = "",
    summary: str = "",
    materials: list[dict[str, Any]] | None = None,
    mode: str = PolicyMode.PROACTIVE,
    steps: list[dict[str, Any]] | None = None,
) -> Policy:
    """A draft policy with its rule as version 1."""
    _require_writer(actor, department)
    parsed = parse_rule(rule)
    _check_mode(mode, parsed)
    checked_steps = check_steps(steps) if steps is not None else None
    if valid_until < valid_from:
        raise ValidationFailed(fields={"valid_until": [str(_("The end of the window is before its start."))]})
    if period_kind not in PeriodKind.values:
        raise ValidationFailed(fields={"period_kind": [str(_("Unknown period."))]})
    _check_money(budget_total, cap_per_enterprise)
    # The link is shown as a public href: only web addresses, never javascript: or data:.
    try:
        if basis_url:
            URLValidator(schemes=["http", "https"])(basis_url)
    except DjangoValidationError as exc:
        raise ValidationFailed(fields={"basis_url": [str(_("Enter an http or https address."))]}) from exc
    checked_materials = _check_materials(materials or [])
    try:
        with transaction.atomic(durable=True):
            policy = Policy.objects.create(
                department=department,
                code=code,
                title=title,
                summary=summary,
                basis_number=basis_number,
                basis_title=basis_title,
                basis_url=basis_url,
                basis_text=basis_text,
                valid_from=valid_from,
                valid_until=valid_until,
                budget_total=budget_total,
                cap_per_enterprise=cap_per_enterprise,
                period_kind=period_kind,
                materials=checked_materials,
                mode=mode,
                **({"steps": checked_steps} if checked_steps is not None else {}),
            )
            PolicyVersion.objects.create(
                policy=policy, number=1, rule=rule, terms=policy_terms(policy), created_by=_user(actor)
            )
            audit_record(
                actor=actor,
                action="policy.create",
                obj=policy,
                organisation=department,
                after={"code": code, "title": title, "version": 1, "rule": rule},
            )
    except IntegrityError as exc:
        raise Conflict(
            _("A policy with this code already exists."), fields={"code": [str(_("Already taken."))]}
        ) from exc
    return policy


def _check_mode(mode: str, rule: Rule) -> None:
    if mode not in PolicyMode.values:
        raise ValidationFailed(fields={"mode": [str(_("Unknown mode."))]})
    if rule.facts and mode == PolicyMode.PROACTIVE:
        raise ValidationFailed(
            fields={
                "mode": [
                    str(
                        _(
                            "The rule reads facts from an application, so enterprises must apply: "
                            "choose the application mode."
                        )
                    )
                ]
            }
        )


def policy_update_rule(
    *, actor: Any, policy: Policy, rule: dict[str, Any], reason: str = ""
) -> PolicyVersion:
    """Replace a draft's rule; on a published policy add a new version in force at once
    (the rule alone, as `PUT …/rule` has always done: the reason is optional here, where
    `policy_amend`, which may change the terms too, requires it)."""
    parsed = parse_rule(rule)
    with transaction.atomic(durable=True):
        locked = lock_policy(policy.pk)
        _require_writer(actor, locked.department)
        _check_mode(locked.mode, parsed)
        version = current_version(locked)
        before = {"version": version.number, "rule": version.rule}
        if locked.status == PolicyStatus.DRAFT:
            version.rule = rule
            version.created_by = _user(actor)
            version.save(update_fields=["rule", "created_by"])
        elif locked.status == PolicyStatus.PUBLISHED:
            version = _add_version(
                locked, after=version, rule=rule, reason=(reason or "").strip()[:500], actor=actor
            )
        else:
            raise InvalidTransition(_("A withdrawn policy cannot be changed."))
        audit_record(
            actor=actor,
            action="policy.rule_update",
            obj=locked,
            organisation=locked.department,
            before=before,
            after={"version": version.number, "rule": rule},
        )
    return version


def _transition(policy: Policy, target: str) -> None:
    if target not in STATUS_TRANSITIONS[policy.status]:
        raise InvalidTransition(
            _("A policy cannot go from %(current)s to %(target)s.")
            % {"current": policy.get_status_display(), "target": PolicyStatus(target).label}
        )


def policy_publish(*, actor: Any, policy: Policy, today: dt.date | None = None) -> Policy:
    """Draft → published, once its rule is valid and its window has not already ended."""
    today = today or timezone.localdate()
    with transaction.atomic(durable=True):
        locked = lock_policy(policy.pk)
        _require_writer(actor, locked.department)
        _transition(locked, PolicyStatus.PUBLISHED)
        if locked.valid_until < today:
            raise ValidationFailed(
                _("The policy's validity window has already ended."),
                fields={"valid_until": [str(_("The end of the window is in the past."))]},
            )
        version = current_version(locked)
        parse_rule(version.rule)
        now = timezone.now()
        locked.status = PolicyStatus.PUBLISHED
        locked.published_at = now
        locked.save(update_fields=["status", "published_at", "updated_at"])
        version.published_at = now
        version.terms = policy_terms(locked)
        version.save(update_fields=["published_at", "terms"])
        if locked.mode == PolicyMode.PROACTIVE and not parse_rule(version.rule).facts:
            # 政策找企: the enterprises that qualify are invited as soon as it is out.
            transaction.on_commit(lambda: _enqueue_match(locked.pk))
        audit_record(
            actor=actor,
            action="policy.publish",
            obj=locked,
            organisation=locked.department,
            before={"status": PolicyStatus.DRAFT},
            after={"status": PolicyStatus.PUBLISHED, "version": version.number},
        )
    return locked


def _enqueue_match(policy_id: int) -> None:
    from qinqing.policies.tasks import match_policy

    match_policy.enqueue(policy_id=policy_id)


def policy_withdraw(*, actor: Any, policy: Policy, reason: str = "") -> Policy:
    with transaction.atomic(durable=True):
        locked = lock_policy(policy.pk)
        _require_writer(actor, locked.department)
        before = locked.status
        _transition(locked, PolicyStatus.WITHDRAWN)
        locked.status = PolicyStatus.WITHDRAWN
        locked.withdrawn_at = timezone.now()
        locked.save(update_fields=["status", "withdrawn_at", "updated_at"])
        # Its open invitations lapse with it: confirming one could only be refused now.
        lapsed = invitations_lapse(locked.pk, reason=InvitationLapse.WITHDRAWN, now=locked.withdrawn_at)
        audit_record(
            actor=actor,
            action="policy.withdraw",
            obj=locked,
            organisation=locked.department,
            before={"status": before},
            after={"status": PolicyStatus.WITHDRAWN, "reason": reason, "invitations_lapsed": lapsed},
        )
    return locked


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


# Fields of a draft that `policy_update` may change (the code stays: it names the policy
# in links and exports; the department stays: it decides who may write).
DRAFT_FIELDS = (
    "title",
    "summary",
    "basis_number",
    "basis_title",
    "basis_url",
    "basis_text",
    "valid_from",
    "valid_until",
    "budget_total",
    "cap_per_enterprise",
    "period_kind",
    "mode",
    "materials",
    "steps",
)


def _check_draft_fields(values: dict[str, Any], rule: Rule | None) -> dict[str, Any]:
    """Every fault of the fields at once, each under its name or JSON path."""
    fields: dict[str, list[str]] = {}
    checked = dict(values)
    for name, longest in (("title", 200), ("basis_number", 100), ("basis_title", 200)):
        text = str(values[name] or "").strip()
        if not text:
            fields[name] = [str(_("This cannot be empty."))]
        elif len(text) > longest:
            fields[name] = [str(_("At most %(n)d characters.") % {"n": longest})]
    if values["valid_until"] < values["valid_from"]:
        fields["valid_until"] = [str(_("The end of the window is before its start."))]
    if values["period_kind"] not in PeriodKind.values:
        fields["period_kind"] = [str(_("Unknown period."))]

    def check_mode() -> None:
        if rule is not None:
            _check_mode(values["mode"], rule)
        elif values["mode"] not in PolicyMode.values:
            raise ValidationFailed(fields={"mode": [str(_("Unknown mode."))]})

    def check_url() -> None:
        if values["basis_url"]:
            try:
                URLValidator(schemes=["http", "https"])(values["basis_url"])
            except DjangoValidationError as exc:
                raise ValidationFailed(
                    fields={"basis_url": [str(_("Enter an http or https address."))]}
                ) from exc

    def check_materials() -> None:
        checked["materials"] = _check_materials(values["materials"])

    def check_steps_() -> None:
        checked["steps"] = check_steps(values["steps"])

    def check_money() -> None:
        _check_money(values["budget_total"], values["cap_per_enterprise"])

    for check in (check_mode, check_url, check_money, check_materials, check_steps_):
        try:
            check()
        except ValidationFailed as exc:
            fields.update(exc.fields)
    if fields:
        raise ValidationFailed(_("Some of the policy's parts are not valid."), fields=fields)
    for name in ("budget_total", "cap_per_enterprise"):  # as the column holds them
        if isinstance(checked[name], Decimal):
            checked[name] = checked[name].quantize(_CENT)
    return checked


def _apply(locked: Policy, before: dict[str, Any], checked: dict[str, Any]) -> list[str]:
    """Set and save the fields `checked` changes against `before`; their names."""
    changed = [name for name in DRAFT_FIELDS if checked[name] != before[name]]
    for name in changed:
        setattr(locked, name, checked[name])
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
    return changed


def policy_update(
    *, actor: Any, policy: Policy, rule: dict[str, Any] | None = None, **changes: Any
) -> Policy:
    """Change a draft: its texts, window, money, period, mode, materials and steps, and
    (optionally, in the same transaction) its rule. A published policy is amended as a
    new version (`policy_amend`)."""
    unknown = sorted(set(changes) - set(DRAFT_FIELDS))
    if unknown:
        raise ValidationFailed(fields={name: [str(_("This cannot be changed."))] for name in unknown})
    parsed: Rule | None = None
    rule_faults: dict[str, list[str]] = {}
    if rule is not None:
        try:
            parsed = parse_rule(rule)
        except ValidationFailed as exc:
            rule_faults = exc.fields
    with transaction.atomic(durable=True):
        locked = lock_policy(policy.pk)
        _require_writer(actor, locked.department)
        if locked.status != PolicyStatus.DRAFT:
            raise InvalidTransition(
                _("Only a draft can be edited; a published policy changes its rule as a new version.")
            )
        before = {name: getattr(locked, name) for name in DRAFT_FIELDS}
        values = {**before, **changes}
        if parsed is None and rule is None:
            parsed = parse_rule(current_version(locked).rule)
        try:
            checked = _check_draft_fields(values, parsed)
        except ValidationFailed as exc:
            raise ValidationFailed(exc.message, fields={**rule_faults, **exc.fields}) from exc
        if rule_faults:
            raise ValidationFailed(_("The rule is not valid."), code="invalid_rule", fields=rule_faults)
        changed = _apply(locked, before, checked)
        after: dict[str, Any] = {name: checked[name] for name in changed}
        if rule is not None:
            version = current_version(locked)
            if version.rule != rule:
                before["rule"] = version.rule
                version.rule = rule
                version.created_by = _user(actor)
                version.save(update_fields=["rule", "created_by"])
                after["rule"] = rule
        if after:
            audit_record(
                actor=actor,
                action="policy.update",
                obj=locked,
                organisation=locked.department,
                before={name: before[name] for name in after},
                after=after,
            )
    return locked


# A version's terms: every field a draft may set (the code and the department name the
# policy and never change).
VERSIONED_TERMS = DRAFT_FIELDS

# What an amendment of a published policy may change. The period and the mode stay:
# they decide which cases are duplicates of each other and how enterprises come to the
# policy, so changing them is a new policy.
AMENDABLE_FIELDS = tuple(name for name in DRAFT_FIELDS if name not in ("period_kind", "mode"))


def policy_terms(policy: Policy) -> dict[str, Any]:
    """The policy's versioned terms as JSON (dates as ISO text, yuan as decimal text)."""
    terms: dict[str, Any] = {}
    for name in VERSIONED_TERMS:
        value = getattr(policy, name)
        if isinstance(value, dt.date):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = f"{value:.2f}"
        terms[name] = value
    return terms


def _check_amendment(
    policy: Policy, before: dict[str, Any], after: dict[str, Any], today: dt.date
) -> dict[str, list[str]]:
    """What a published policy may not become, beyond what a draft may not be (`after`
    as asked, not yet checked as a draft's fields)."""
    fields: dict[str, list[str]] = {}
    if isinstance(after["budget_total"], Decimal) and after["budget_total"] < policy.budget_reserved:
        fields["budget_total"] = [
            str(
                _("The budget cannot fall below the %(reserved)s yuan that approved cases already hold.")
                % {"reserved": policy.budget_reserved}
            )
        ]
    if after["valid_from"] != before["valid_from"]:
        if before["valid_from"] <= today:
            fields["valid_from"] = [str(_("The policy is already in force: its start cannot move."))]
        elif after["valid_from"] < today:
            fields["valid_from"] = [str(_("The start cannot be in the past."))]
    if after["valid_until"] != before["valid_until"] and after["valid_until"] < today:
        fields["valid_until"] = [
            str(_("The window cannot end before today: withdraw the policy to stop it now."))
        ]
    materials = after["materials"] if isinstance(after["materials"], list) else None
    kept = {m.get("key") for m in materials or [] if isinstance(m, dict)}
    if materials is not None and (removed := sorted({m["key"] for m in before["materials"]} - kept)):
        fields["materials"] = [
            str(
                _(
                    "Cases already filed refer to the material %(keys)s: keep it "
                    "(it may become optional, with another name or types)."
                )
                % {"keys": ", ".join(removed)}
            )
        ]
    return fields


def policy_amend(
    *,
    actor: Any,
    policy: Policy,
    reason: str,
    rule: dict[str, Any] | None = None,
    today: dt.date | None = None,
    **changes: Any,
) -> PolicyVersion:
    """Amend a published policy (追加预算, a longer window, a corrected text, another
    rule…): a new version in force at once, holding the rule and the terms, with the
    reason, which the public page shows. Cases already opened keep their own steps and
    the version they were judged by; the budget never falls below what is reserved; a
    material cases refer to stays. A proactive policy is matched again afterwards, so an
    enterprise the new terms admit is invited."""
    today = today or timezone.localdate()
    reason, parsed, faults = _amendment_input(reason, rule, changes)
    with transaction.atomic(durable=True):
        locked = lock_policy(policy.pk)
        _require_writer(actor, locked.department)
        if locked.status != PolicyStatus.PUBLISHED:
            raise InvalidTransition(
                _("Only a published policy is amended: a draft is edited, a withdrawn one cannot change.")
            )
        version = current_version(locked)
        before = {name: getattr(locked, name) for name in DRAFT_FIELDS}
        values = {**before, **changes}
        checked: dict[str, Any] = values
        try:
            checked = _check_draft_fields(values, parsed if rule is not None else parse_rule(version.rule))
        except ValidationFailed as exc:
            faults.update(exc.fields)
        for name, messages in _check_amendment(locked, before, values, today).items():
            faults.setdefault(name, []).extend(m for m in messages if m not in faults.get(name, []))
        if faults:
            raise ValidationFailed(_("Some of the amendment's parts are not valid."), fields=faults)
        new_rule = rule if rule is not None and rule != version.rule else None
        if new_rule is None and all(checked[name] == before[name] for name in DRAFT_FIELDS):
            raise ValidationFailed(_("Nothing was changed: the policy stays as it is."))
        changed = _apply(locked, before, checked)
        amended = _add_version(
            locked,
            after=version,
            rule=new_rule if new_rule is not None else version.rule,
            reason=reason,
            actor=actor,
        )
        audit_before: dict[str, Any] = {name: before[name] for name in changed}
        audit_after: dict[str, Any] = {name: checked[name] for name in changed}
        if new_rule is not None:
            audit_before["rule"], audit_after["rule"] = version.rule, new_rule
        audit_record(
            actor=actor,
            action="policy.amend",
            obj=locked,
            organisation=locked.department,
            before={**audit_before, "version": version.number},
            after={**audit_after, "version": amended.number, "reason": reason},
        )
    return amended


def _add_version(
    locked: Policy, *, after: PolicyVersion, rule: dict[str, Any], reason: str, actor: Any
) -> PolicyVersion:
    """A published policy's next version, in force at once, with the rule and the terms
    the (locked) policy now has. A proactive policy is matched again once it commits, so
    an enterprise the new version admits is invited."""
    version = PolicyVersion.objects.create(
        policy=locked,
        number=after.number + 1,
        rule=rule,
        terms=policy_terms(locked),
        note=reason,
        created_by=_user(actor),
        published_at=timezone.now(),
    )
    if locked.mode == PolicyMode.PROACTIVE and not parse_rule(rule).facts:
        policy_id = locked.pk
        transaction.on_commit(lambda: _enqueue_match(policy_id))
    return version


def _amendment_input(
    reason: str, rule: dict[str, Any] | None, changes: dict[str, Any]
) -> tuple[str, Rule | None, dict[str, list[str]]]:
    """What can be checked before the policy is locked: the fields asked to change, the
    reason, the new rule (parsed). A field that may not change is refused at once."""
    fixed = sorted(set(changes) - set(AMENDABLE_FIELDS))
    if fixed:
        raise ValidationFailed(
            fields={name: [str(_("This cannot change once the policy is published."))] for name in fixed}
        )
    faults: dict[str, list[str]] = {}
    reason = (reason or "").strip()
    if not reason:
        faults["reason"] = [str(_("Say why the policy changes: the reason is published with it."))]
    elif len(reason) > 500:
        faults["reason"] = [str(_("At most %(n)d characters.") % {"n": 500})]
    parsed: Rule | None = None
    if rule is not None:
        try:
            parsed = parse_rule(rule)
        except ValidationFailed as exc:
            faults.update(exc.fields)
    return reason, parsed, faults


def version_changes(older: PolicyVersion | None, newer: PolicyVersion) -> list[str]:
    """The names of what `newer` changed against `older` (terms, and "rule"); every
    term for the first version. Versions saved before terms were kept compare on the
    rule alone."""
    if older is None:
        return []
    names = [
        name
        for name in VERSIONED_TERMS
        if older.terms and newer.terms and older.terms.get(name) != newer.terms.get(name)
    ]
    if older.rule != newer.rule:
        names.append("rule")
    return names
