"""`{% problem_status status tone %}`: a problem's status badge (and "overdue" or "due
soon"), the same markup as the problem lists' (views/rows.py)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from ..views.rows import status_badge

register = template.Library()


@register.simple_tag
def problem_status(status: str, tone: str = "") -> SafeString:
    return status_badge(status, tone or "")
