"""Organisations offered in a select follow the tree: by the path's numbers (not its
text, which puts "/1/10/" before "/1/2/"), departments grouped under their city, district
or committee, a list of nested nodes indented."""

from __future__ import annotations

from django import forms

from qinqing.accounts.models import Organisation, OrganisationKind
from qinqing.accounts.pickers import INDENT, option_groups, organisation_choices, tree_key


def node(
    pk: int, name: str, parent: Organisation | None, kind: str = OrganisationKind.DEPARTMENT
) -> Organisation:
    org = Organisation(pk=pk, code=f"o{pk}", name=name, kind=kind, parent=parent)
    org.path = f"{parent.path if parent else '/'}{pk}/"
    org.depth = parent.depth + 1 if parent else 0
    return org


CITY = node(1, "泉州市", None, OrganisationKind.CITY)
DISTRICT = node(3, "鲤城区", CITY, OrganisationKind.DISTRICT)
COUNTY_DEPT = node(40, "鲤城区市场监管局", DISTRICT)
HOUSING = node(9, "市住房和城乡建设局", CITY)
FINANCE = node(12, "市财政局", CITY)
DRC = node(2, "市发展改革委", CITY)


def test_the_tree_order_reads_the_paths_numbers():
    assert sorted(["/1/10/", "/1/2/", "/1/2/11/"], key=tree_key) == ["/1/2/", "/1/2/11/", "/1/10/"]
    # As text, "/1/12/" and "/1/3/40/" would both come before "/1/9/".
    assert sorted(["/1/12/", "/1/3/40/", "/1/9/"]) == ["/1/12/", "/1/3/40/", "/1/9/"]


def test_departments_are_grouped_under_their_parent_in_the_trees_order():
    choices = organisation_choices([COUNTY_DEPT, FINANCE, HOUSING, DRC])
    assert choices == [
        ("泉州市", [(str(DRC.public_id), "市发展改革委"), (str(HOUSING.public_id), "市住房和城乡建设局"),
                    (str(FINANCE.public_id), "市财政局")]),
        ("鲤城区", [(str(COUNTY_DEPT.public_id), "鲤城区市场监管局")]),
    ]  # fmt: skip
    assert option_groups(choices) == choices


def test_siblings_alone_are_a_plain_list():
    assert [label for _v, label in organisation_choices([FINANCE, HOUSING, DRC])] == [
        "市发展改革委",
        "市住房和城乡建设局",
        "市财政局",
    ]


def test_nodes_listed_with_their_descendants_are_indented():
    labels = [label for _v, label in organisation_choices([FINANCE, COUNTY_DEPT, CITY, DISTRICT, HOUSING])]
    assert labels == [
        "泉州市",
        INDENT + "鲤城区",
        INDENT * 2 + "鲤城区市场监管局",
        INDENT + "市住房和城乡建设局",
        INDENT + "市财政局",
    ]


def test_option_groups_keep_ungrouped_options_first():
    assert option_groups([("a", "A"), ("b", "B"), ("G", [("c", "C")])]) == [
        ("", [("a", "A"), ("b", "B")]),
        ("G", [("c", "C")]),
    ]
    select = forms.Select(choices=[("G", [("c", "C")])]).render("x", "c")
    assert '<optgroup label="G">' in select
