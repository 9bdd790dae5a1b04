"""Layout filters: values set inside translated sentences, and the dates and amounts
inside a text, kept on one line."""

from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeData, SafeString, mark_safe

register = template.Library()

# A date with its time if it has one (2026-03-08, 2026-03-08 09:30), and an amount with
# its unit (600,000 元, 500万元, 1,000.50 yuan): Chinese line breaking splits a date after
# a hyphen and puts 元 alone on the next line. The space before a unit is a plain or a
# no-break one, never a line break (a body keeps its own line breaks).
_FIGURE = re.compile(
    r"(?<![\d-])\d{4}-\d{2}-\d{2}(?:[ T]\d{2}:\d{2}(?::\d{2})?)?(?![\d-])"
    r"|(?<![0-9A-Za-z.,])\d[\d,]*(?:\.\d+)?[万亿]?[ \u00a0]?(?:元|yuan\b)"
)


@register.filter
def whole(value: Any) -> SafeString | str:
    """`value` escaped, in a span that never breaks across lines: a date or a reference
    given to `blocktranslate`, which Chinese line breaking would split at a hyphen."""
    if value is None or value == "":
        return ""
    return format_html('<span class="text-nowrap">{}</span>', value)


@register.filter
def whole_figures(value: Any) -> SafeString | str:
    """A text escaped, each date and each amount with its unit in it in a span that never
    breaks across lines, the rest wrapping as usual: a message, an award's line. The text
    itself is unchanged (copying it copies the plain characters). Markup already made
    safe is left as it is: its figures cannot be told from its tags here."""
    if value is None or value == "":
        return ""
    if isinstance(value, SafeData):
        return SafeString(value)
    text = str(value)
    pieces: list[str] = []
    start = 0
    for match in _FIGURE.finditer(text):
        pieces.append(conditional_escape(text[start : match.start()]))
        pieces.append(format_html('<span class="text-nowrap">{}</span>', match.group()))
        start = match.end()
    pieces.append(conditional_escape(text[start:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece escaped above
