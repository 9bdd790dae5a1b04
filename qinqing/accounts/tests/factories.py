from __future__ import annotations

import factory

from qinqing.accounts.models import Organisation, OrganisationKind, Role, RoleAssignment, User

DEFAULT_PASSWORD = "Qinqing-test-2026"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"org-{n}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = OrganisationKind.DEPARTMENT
    parent = None

    @factory.post_generation
    def _path(obj: Organisation, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        obj.depth = obj.parent.depth + 1 if obj.parent else 0
        obj.path = f"{obj.parent.path if obj.parent else '/'}{obj.pk}/"
        if create:
            obj.save(update_fields=["path", "depth"])


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")

    @factory.post_generation
    def password(obj: User, create: bool, extracted: str | None, **kwargs: object) -> None:  # noqa: N805
        obj.set_password(extracted or DEFAULT_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


def give_role(user: User, role: str, *, organisation: Organisation | None = None, enterprise=None) -> User:
    RoleAssignment.objects.create(user=user, role=role, organisation=organisation, enterprise=enterprise)
    if hasattr(user, "_qinqing_scope"):
        del user._qinqing_scope
    return user


__all__ = ["DEFAULT_PASSWORD", "OrganisationFactory", "Role", "UserFactory", "give_role"]
