"""`whole`: a value set inside a translated sentence stays on one line, escaped."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.utils import translation


def test_a_date_inside_a_translated_sentence_is_kept_whole_and_escaped():
    template = Template(
        '{% load i18n layout %}{% blocktranslate with when=day|date:"Y-m-d"|whole who=who %}'
        "Remedy plan by {{ who }} on {{ when }}{% endblocktranslate %}"
    )
    with translation.override("en"):
        html = template.render(Context({"day": dt.date(2026, 12, 8), "who": "<b>Li</b>"}))
    assert html == 'Remedy plan by &lt;b&gt;Li&lt;/b&gt; on <span class="text-nowrap">2026-12-08</span>'


def test_nothing_to_keep_whole_gives_nothing():
    template = Template("{% load layout %}[{{ missing|whole }}][{{ text|whole }}]")
    assert template.render(Context({"text": "a<b"})) == '[][<span class="text-nowrap">a&lt;b</span>]'


# --- whole_figures: a message's dates and amounts, the rest wrapping as usual -------------


def _figures(text: object) -> str:
    return Template("{% load layout %}{{ text|whole_figures }}").render(Context({"text": text}))


def test_each_date_and_amount_in_a_text_is_kept_whole_and_the_rest_escaped():
    html = _figures(
        "<b>案件</b>于2026-03-08到期，奖励600,000 元、500万元；due 2026-03-10 09:30, 1,000.50 yuan & more"
    )
    assert html == (
        "&lt;b&gt;案件&lt;/b&gt;于"
        '<span class="text-nowrap">2026-03-08</span>到期，奖励'
        '<span class="text-nowrap">600,000 元</span>、'
        '<span class="text-nowrap">500万元</span>；due '
        '<span class="text-nowrap">2026-03-10 09:30</span>, '
        '<span class="text-nowrap">1,000.50 yuan</span> &amp; more'
    )


def test_the_text_itself_is_unchanged_only_marked_up():
    # What a reader copies is what was written: no character is replaced.
    text = "请于2026-03-08前办理，金额1,200 元。\n第二行：2026-03-09"
    html = _figures(text)
    assert html.replace('<span class="text-nowrap">', "").replace("</span>", "") == text


def test_a_line_break_before_a_unit_is_not_joined_and_lookalikes_are_left_alone():
    # A body keeps its line breaks: a number ending a line and 元 starting the next stay apart.
    assert _figures("共600,000\n元") == "共600,000\n元"
    # Not a date: more digits on either side; not an amount: part of a code.
    assert _figures("12026-03-08 2026-03-081 AB12元") == "12026-03-08 2026-03-081 AB12元"


def test_markup_already_safe_is_left_as_it_is():
    from django.utils.safestring import mark_safe

    assert _figures(mark_safe('<a href="/x?d=2026-03-08">2026-03-08</a>')) == (
        '<a href="/x?d=2026-03-08">2026-03-08</a>'
    )
    assert _figures(None) == ""
    assert _figures("") == ""
