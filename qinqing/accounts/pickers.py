"""Organisations offered in a select, in the tree's order.

A materialised path compared as text puts "/1/10/" before "/1/2/", so a list ordered by
`path` interleaves the city's departments with the counties' subtrees. Every picker
goes through `organisation_choices` (plain choices) or `OrganisationChoiceField` /
`OrganisationMultipleChoiceField` (model choices): the tree's order by the path's
numbers; a list of departments grouped under their parent (the city, each district or
county, a management committee) as option groups, a list holding nodes and their
descendants indented instead.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator

from .models import Organisation
from .scoping import ancestor_paths

# Indentation of a node under an ancestor listed with it (an ideographic space).
INDENT = "\u3000"

Choice = tuple[Any, Any]


def tree_key(path: str) -> tuple[int, ...]:
    """The path's numbers: sorting by them lists each node after its parent and before
    its parent's next sibling."""
    return tuple(int(part) for part in path.strip("/").split("/") if part.isdigit())


def in_tree_order(organisations: Iterable[Organisation]) -> list[Organisation]:
    return sorted(organisations, key=lambda o: tree_key(o.path))


def _parents(organisations: Sequence[Organisation]) -> dict[int, Organisation]:
    """The parents of `organisations`, from the rows' cache where select_related filled
    it, else in one query."""
    wanted = {o.parent_id for o in organisations if o.parent_id is not None}
    known = {
        o.parent_id: o.parent
        for o in organisations
        if o.parent_id is not None and Organisation.parent.is_cached(o)  # type: ignore[attr-defined]
    }
    missing = wanted - known.keys()
    if missing:
        known.update(Organisation.objects.in_bulk(missing))
    return {pk: parent for pk, parent in known.items() if parent is not None}


def tree_choices(
    organisations: Iterable[Organisation], choice: Callable[[Organisation], Choice]
) -> list[Choice]:
    """`choice(o)` for each organisation, in the tree's order: grouped by parent when
    none of them is an ancestor of another (a list of departments), else indented by
    depth below the shallowest."""
    ordered = in_tree_order(organisations)
    if not ordered:
        return []
    paths = {o.path for o in ordered}
    nested = any(a in paths for o in ordered for a in ancestor_paths(o.path)[:-1])
    if nested:
        top = min(o.depth for o in ordered)
        indented: list[Choice] = []
        for o in ordered:
            value, label = choice(o)
            indented.append((value, INDENT * (o.depth - top) + str(label)))
        return indented
    groups: dict[int | None, list[Choice]] = {}
    for o in ordered:
        groups.setdefault(o.parent_id, []).append(choice(o))
    if len(groups) == 1:
        return next(iter(groups.values()))
    parents = _parents(ordered)
    # Groups in the tree's order of their parents: the city's own departments before
    # the districts', whenever each was created.
    out: list[Choice] = list(groups.pop(None, []))
    for parent_id in sorted(groups, key=lambda pk: tree_key(parents[pk].path) if pk in parents else ()):
        parent = parents.get(parent_id) if parent_id is not None else None
        out.append((parent.name if parent is not None else "", groups[parent_id]))
    return out


def organisation_choices(organisations: Iterable[Organisation]) -> list[Choice]:
    """(public id, name) choices for a ChoiceField, in the tree's order."""
    return tree_choices(organisations, lambda o: (str(o.public_id), o.name))


def option_groups(choices: Sequence[Choice]) -> list[tuple[str, list[Choice]]]:
    """Choices as (group label, options) for a template writing its own <select>: options
    outside any group under the label ""."""
    out: list[tuple[str, list[Choice]]] = []
    for value, label in choices:
        if isinstance(label, list | tuple):
            out.append((str(value), list(label)))
        elif out and out[-1][0] == "":
            out[-1][1].append((value, label))
        else:
            out.append(("", [(value, label)]))
    return out


class _TreeIterator(ModelChoiceIterator):
    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # The whole list is read to be ordered (a picker's few hundred rows at most).
        yield from tree_choices(self.queryset, self.choice)


class OrganisationChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A model choice of organisations in the tree's order (see the module), by name."""

    iterator = _TreeIterator

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class OrganisationMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    iterator = _TreeIterator

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)
