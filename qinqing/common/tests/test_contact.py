"""A contact left by someone without an account must reach them: a telephone number or
an e-mail address."""

from __future__ import annotations

import pytest

from qinqing.common.contact import is_reachable_contact


@pytest.mark.parametrize(
    "contact",
    [
        "13800000000",
        "138 0000 0000",
        "0595-22881234",
        "(0595) 2288 1234",
        "+86 138-0000-0000",
        "zhang@example.cn",
    ],
)
def test_numbers_and_addresses_reach_someone(contact: str) -> None:
    assert is_reachable_contact(contact)


@pytest.mark.parametrize(
    "contact",
    [
        "",
        "abc",
        "y",
        "123456",
        "1234567890123456",
        "159****1234",
        "zhang@",
        "找张经理",
        "１３８００００００００",
    ],
)
def test_anything_else_does_not(contact: str) -> None:
    assert not is_reachable_contact(contact)
