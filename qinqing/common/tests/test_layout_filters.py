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
