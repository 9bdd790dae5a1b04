from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from .models import Role
from .scoping import scope_for

router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str
    organisation: str | None
    enterprise: str | None


class MeOut(Schema):
    username: str
    display_name: str
    roles: list[RoleOut]


@router.get("/me", response=MeOut, summary="Who am I: user and roles")
def me(request: HttpRequest) -> MeOut:
    user = request.user
    scope_for(user)
    roles = [
        RoleOut(
            role=a.role,
            organisation=a.organisation.code if a.organisation else None,
            enterprise=a.enterprise.credit_code if a.enterprise else None,
        )
        for a in user.role_assignments.select_related("organisation", "enterprise")  # type: ignore[union-attr]
    ]
    return MeOut(username=user.username, display_name=getattr(user, "display_name", ""), roles=roles)


__all__ = ["Role", "router"]
