"""The report charts: well-formed SVG, escaped labels, the same bytes for the same data,
and a clean chart (never an exception) for empty, single and overlong data."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import translation

from qinqing.common.svgcharts import Series, bar_chart, donut_chart, line_chart, text_width

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = "A<&\"B'>"
CATEGORIES = ["市场监督管理局", "税务局", HOSTILE]
SERIES = [Series("已整改", [12, 7, 3]), Series("整改中", [Decimal("3.5"), None, 1])]


def every_chart(categories=CATEGORIES, series=SERIES, x_label="", y_label="", **kwargs):
    slices = list(zip(categories, series[0].values if series else [], strict=False))
    axes = {"x_label": x_label, "y_label": y_label}
    return {
        "bars": bar_chart(categories, series, **axes, **kwargs),
        "stacked bars": bar_chart(categories, series, stacked=True, **axes, **kwargs),
        "horizontal bars": bar_chart(categories, series, horizontal=True, **axes, **kwargs),
        "horizontal stacked bars": bar_chart(
            categories, series, horizontal=True, stacked=True, **axes, **kwargs
        ),
        "line": line_chart(categories, series, **axes, **kwargs),
        "donut": donut_chart(slices, **kwargs),
        "pie": donut_chart(slices, hole=0, **kwargs),
    }


def texts(svg: str) -> list[str]:
    """The visible text of each <text> element (without its tooltip)."""
    root = ET.fromstring(svg)
    return [(t.text or "") + "".join((c.tail or "") for c in t) for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize("kind", list(every_chart()))
def test_each_chart_is_well_formed_svg_with_its_labels(kind):
    # Given a chart of three departments, one named with markup characters
    svg = every_chart(title="整改情况", x_label="部门", y_label="问题数")[kind]

    # Then it parses as XML, is an <svg> sized by its viewBox, and names the CJK fonts
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == f"0 0 {root.get('width')} {root.get('height')}"
    assert "Noto Sans CJK SC" in root.get("font-family")
    assert "WenQuanYi Micro Hei" in root.get("font-family")
    shown = " ".join(texts(svg))
    assert "整改情况" in shown
    assert "市场监督管理局" in svg


@pytest.mark.parametrize("kind", list(every_chart()))
def test_labels_are_escaped(kind):
    svg = every_chart(title=HOSTILE, x_label=HOSTILE)[kind]

    # The raw markup carries the characters only as entities...
    assert "A&lt;&amp;&quot;B&#x27;&gt;" in svg
    assert HOSTILE not in svg
    # ...and a parser reads them back as the text they were.
    root = ET.fromstring(svg)
    assert root.get("aria-label") == HOSTILE
    assert any(HOSTILE in "".join(t.itertext()) for t in root.iter(f"{SVG}text"))


def test_control_characters_cannot_break_the_xml():
    svg = bar_chart(["a\x00b\x1fc"], [Series("s\x0b", [1])], title="t\x08")
    ET.fromstring(svg)
    assert "abc" in svg


@pytest.mark.parametrize("kind", list(every_chart()))
def test_same_data_gives_the_same_bytes(kind):
    first = every_chart(title="标题")[kind]
    second = every_chart(title="标题")[kind]
    assert first == second
    # No random ids, and every number printed with at most two decimals.
    assert " id=" not in first
    numbers = re.findall(r"-?\d+\.\d+", re.sub(r"<text[^>]*>.*?</text>", "", first))
    assert all(len(n.split(".")[1]) <= 2 for n in numbers), numbers


def test_different_data_gives_a_different_chart():
    assert bar_chart(["a"], [Series("s", [1])]) != bar_chart(["a"], [Series("s", [2])])


@pytest.mark.parametrize(
    ("categories", "series"),
    [
        ([], []),
        (["a", "b"], []),
        ([], [Series("s", [])]),
        (["a", "b"], [Series("s", [None, None])]),
    ],
)
def test_empty_data_gives_a_no_data_chart(categories, series):
    with translation.override("zh-hans"):
        charts = every_chart(categories, series, title="空")
    for kind, svg in charts.items():
        shown = texts(svg)
        assert "暂无数据" in shown, kind
        assert "空" in shown, kind
        assert "<rect" in svg and "<path" not in svg and "<polyline" not in svg, kind


def test_a_donut_of_zeros_is_no_data_and_the_message_can_be_chosen():
    svg = donut_chart([("a", 0), ("b", None)], empty_message="本期无问题")
    assert "本期无问题" in texts(svg)


def test_single_values_are_drawn():
    bars = bar_chart(["唯一"], [Series("数", [5])])
    assert "5" in texts(bars)
    assert bars.count("<rect") >= 1

    line = line_chart(["1月"], [Series("数", [5])])
    assert "<circle" in line
    assert "<polyline" not in line  # one point makes no line

    ring = donut_chart([("唯一", 3)])
    assert "<circle" in ring and "<path" not in ring  # a full ring, not a degenerate arc
    assert "100.0%" in " ".join(texts(ring))


def test_negative_values_and_gaps():
    svg = bar_chart(["a", "b", "c"], [Series("s", [5, -3, None])])
    assert "-3" in texts(svg)
    line = line_chart(["a", "b", "c", "d"], [Series("s", [1, 2, None, 4])])
    assert line.count("<polyline") == 1  # the gap breaks the line; the lone point has a marker
    assert line.count("<circle") == 3


def test_very_long_cjk_labels_are_cut_to_fit_with_the_whole_label_kept_as_a_tooltip():
    long_name = "泉州市台商投资区管理委员会经济发展局招商引资服务中心" * 8
    for kind, svg in every_chart(
        [long_name, "短"], [Series(long_name, [3, 4]), Series("b", [1, 2])], title=long_name
    ).items():
        root = ET.fromstring(svg)
        width = float(root.get("width"))
        for element in root.iter(f"{SVG}text"):
            visible = (element.text or "") + "".join((c.tail or "") for c in element)
            size = float(element.get("font-size"))
            assert text_width(visible, size) <= width, (kind, visible)
            if visible.endswith("…"):
                assert element.find(f"{SVG}title").text.startswith(long_name[:20]), kind
        assert long_name not in texts(svg), kind


def test_cjk_characters_count_double_in_the_width_estimate():
    assert text_width("中文", 10) == pytest.approx(20)
    assert text_width("ab", 10) == pytest.approx(11)
    assert text_width("中", 10) > 1.8 * text_width("a", 10)


def test_value_format_is_used_for_labels_and_axis():
    svg = bar_chart(["a", "b"], [Series("rate", [0.25, 0.5])], value_format=lambda v: f"{v:.0%}")
    shown = texts(svg)
    assert "25%" in shown and "50%" in shown


def test_the_legend_names_each_series_and_a_donut_lists_value_and_share():
    bars = bar_chart(["a"], [Series("已整改", [1]), Series("整改中", [2])])
    assert {"已整改", "整改中"} <= set(texts(bars))
    donut = donut_chart([("政务环境", 3), ("市场环境", 1)])
    assert any(t.startswith("政务环境") and "75.0%" in t for t in texts(donut))
