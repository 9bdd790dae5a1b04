from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qinqing.audit.services import audit_record
from qinqing.common.errors import ValidationFailed

from .models import ApiToken, LoginFailure, Organisation, OrganisationKind, Role, RoleAssignment, User

# Which kinds of node may sit under which.
_ALLOWED_PARENTS: dict[str, set[str]] = {
    OrganisationKind.CITY: set(),
    OrganisationKind.DISTRICT: {OrganisationKind.CITY},
    OrganisationKind.DEPARTMENT: {
        OrganisationKind.CITY,
        OrganisationKind.DISTRICT,
        OrganisationKind.COMMITTEE,
        OrganisationKind.DEPARTMENT,
    },
    OrganisationKind.COMMITTEE: {OrganisationKind.CITY, OrganisationKind.DISTRICT},
    OrganisationKind.COMMISSION: {OrganisationKind.CITY, OrganisationKind.DISTRICT},
    OrganisationKind.SUPERVISION_GROUP: {OrganisationKind.COMMISSION},
}


def organisation_create(
    *,
    actor: Any,
    code: str,
    name: str,
    kind: str,
    parent: Organisation | None = None,
    name_en: str = "",
    region_code: str = "",
    zone_name: str = "",
) -> Organisation:
    allowed = _ALLOWED_PARENTS.get(kind)
    if allowed is None:
        raise ValidationFailed(fields={"kind": [str(_("Unknown kind of organisation."))]})
    if parent is None and allowed:
        raise ValidationFailed(fields={"parent": [str(_("This kind of organisation needs a parent."))]})
    if parent is not None and parent.kind not in allowed:
        raise ValidationFailed(
            fields={"parent": [str(_("This kind of organisation cannot sit under that parent."))]}
        )
    if Organisation.objects.filter(code=code).exists():
        raise ValidationFailed(fields={"code": [str(_("An organisation with this code exists."))]})
    with transaction.atomic():
        org = Organisation.objects.create(
            code=code,
            name=name,
            name_en=name_en,
            kind=kind,
            parent=parent,
            region_code=region_code,
            zone_name=zone_name,
            depth=(parent.depth + 1) if parent else 0,
        )
        org.path = f"{parent.path if parent else '/'}{org.pk}/"
        org.save(update_fields=["path"])
        audit_record(
            actor=actor,
            action="organisation.create",
            obj=org,
            organisation=org,
            after={"code": code, "name": name, "kind": kind, "parent": parent.pk if parent else None},
        )
    return org


def supervision_group_set_supervised(
    *, actor: Any, group: Organisation, supervised: list[Organisation]
) -> None:
    if group.kind != OrganisationKind.SUPERVISION_GROUP:
        raise ValidationFailed(_("Only a supervision group supervises departments."))
    with transaction.atomic():
        before = sorted(group.supervised.values_list("pk", flat=True))
        group.supervised.set(supervised)
        audit_record(
            actor=actor,
            action="organisation.set_supervised",
            obj=group,
            organisation=group,
            before={"supervised": before},
            after={"supervised": sorted(o.pk for o in supervised)},
        )


def user_create(
    *,
    actor: Any,
    username: str,
    password: str | None,
    display_name: str = "",
    email: str = "",
    phone: str = "",
    check_password: bool = True,
) -> User:
    user = User(username=username, display_name=display_name, email=email, phone=phone)
    if password is not None and check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed(fields={"password": list(exc.messages)}) from exc
    if User.objects.filter(username=username).exists():
        raise ValidationFailed(fields={"username": [str(_("This user name is taken."))]})
    with transaction.atomic():
        if password is None:
            user.set_unusable_password()
        else:
            user.set_password(password)
        user.save()
        audit_record(
            actor=actor,
            action="user.create",
            obj=user,
            after={"username": username, "display_name": display_name},
        )
    return user


def _offered_languages() -> set[str]:
    return {code for code, _name in settings.LANGUAGES}


def _language_store(actor: User, language: str, *, unless: Q, **noted: Any) -> bool:
    """Store `language` as `actor`'s, with its audit event, unless the stored one
    matches `unless`; whether it was stored. Runs in the caller's transaction."""
    stored = User.objects.filter(pk=actor.pk).exclude(unless).update(language=language)
    if stored:
        audit_record(
            actor=actor,
            action="user.language",
            obj=actor,
            before={"language": actor.language},
            after={"language": language, **noted},
        )
    return bool(stored)


def user_language_set(*, actor: User, language: str) -> bool:
    """The language `actor` reads the platform in, chosen on the language switcher: what
    they are told in (notifications are rendered per recipient when written). Whether
    it changed."""
    if language not in _offered_languages():
        raise ValidationFailed(fields={"language": [str(_("Choose one of the offered languages."))]})
    with transaction.atomic(durable=True):
        changed = _language_store(actor, language, unless=Q(language=language))
    actor.language = language
    return changed


def user_language_at_login(*, actor: User, current: str) -> str:
    """The language `actor` reads the platform in once signed in: the one they keep;
    a person who has not chosen one yet keeps the one they were reading in at login
    (`current`, or the default if the platform does not offer it), stored as theirs."""
    offered = _offered_languages()
    if actor.language in offered:
        return actor.language
    language = current if current in offered else settings.LANGUAGE_CODE
    with transaction.atomic(durable=True):
        # Only while none is stored: a switch made meanwhile (another session) wins.
        if not _language_store(actor, language, unless=Q(language__in=offered), at_login=True):
            language = User.objects.values_list("language", flat=True).get(pk=actor.pk)
    actor.language = language
    return language


def role_assign(
    *,
    actor: Any,
    user: User,
    role: str,
    organisation: Organisation | None = None,
    enterprise: Any = None,
) -> RoleAssignment:
    if role not in Role.values:
        raise ValidationFailed(fields={"role": [str(_("Unknown role."))]})
    if role == Role.ENTERPRISE:
        if enterprise is None or organisation is not None:
            raise ValidationFailed(_("An enterprise user is bound to exactly one enterprise."))
    elif organisation is None or enterprise is not None:
        raise ValidationFailed(_("This role is held at an organisation."))
    if (
        role == Role.SUPERVISOR
        and organisation is not None
        and organisation.kind
        not in {
            OrganisationKind.COMMISSION,
            OrganisationKind.SUPERVISION_GROUP,
        }
    ):
        raise ValidationFailed(_("A supervisor belongs to the commission or one of its groups."))
    if (
        role == Role.COMMITTEE
        and organisation is not None
        and organisation.kind != OrganisationKind.COMMITTEE
    ):
        raise ValidationFailed(_("A committee member belongs to a management committee."))
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, organisation=organisation, enterprise=enterprise
        )
        if created:
            audit_record(
                actor=actor,
                action="role.assign",
                obj=assignment,
                organisation=organisation,
                after={
                    "user": user.pk,
                    "role": role,
                    "organisation": organisation.pk if organisation else None,
                    "enterprise": getattr(enterprise, "pk", None),
                },
            )
    return assignment


# --- Login lockout ----------------------------------------------------------------------


def _window_start() -> dt.datetime:
    return timezone.now() - dt.timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)


def login_is_locked(*, username: str, address: str) -> bool:
    since = _window_start()
    key = username.strip().lower()
    by_account = LoginFailure.objects.filter(username=key, at__gte=since).count()
    if by_account >= settings.LOGIN_MAX_FAILURES_PER_ACCOUNT:
        return True
    by_address = LoginFailure.objects.filter(address=address, at__gte=since).count()
    return by_address >= settings.LOGIN_MAX_FAILURES_PER_ADDRESS


def login_failure_record(*, username: str, address: str) -> None:
    with transaction.atomic():
        LoginFailure.objects.create(username=username.strip().lower(), address=address, at=timezone.now())
        # Old failures no longer count; prune them as we go.
        LoginFailure.objects.filter(at__lt=_window_start() - dt.timedelta(days=1)).delete()


def login_success_record(*, username: str) -> None:
    LoginFailure.objects.filter(username=username.strip().lower()).delete()


# --- API tokens -------------------------------------------------------------------------


def api_token_create(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is shown once and never stored."""
    key = "qq_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            key_hash=ApiToken.hash_key(key),
            prefix=key[:8],
            expires_at=timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS),
        )
        audit_record(actor=actor, action="api_token.create", obj=token, after={"user": user.pk, "name": name})
    return token, key


def api_token_revoke(*, actor: Any, token: ApiToken) -> None:
    with transaction.atomic():
        ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(actor=actor, action="api_token.revoke", obj=token)


def api_token_authenticate(key: str) -> User | None:
    now = timezone.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
