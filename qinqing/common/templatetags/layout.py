"""Layout filters for values set inside translated sentences."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def whole(value: Any) -> SafeString | str:
    """`value` escaped, in a span that never breaks across lines: a date or a reference
    given to `blocktranslate`, which Chinese line breaking would split at a hyphen."""
    if value is None or value == "":
        return ""
    return format_html('<span class="text-nowrap">{}</span>', value)
