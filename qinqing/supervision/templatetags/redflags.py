"""{% load redflags %}{% if request.user|reads_red_flags %}: whether to offer the red flags."""

from __future__ import annotations

from typing import Any

from django import template

from qinqing.supervision.redflags import can_read_red_flags

register = template.Library()


@register.filter
def reads_red_flags(user: Any) -> bool:
    return can_read_red_flags(user)
