"""Charts for printed reports, drawn as SVG in pure Python.

Report PDFs (WeasyPrint) cannot run the ECharts the dashboards use, and a stored report
must come out byte for byte the same from the same figures, so the charts are drawn
here: no ids, no randomness, every coordinate printed with the same fixed precision.
Every piece of text is XML-escaped before the markup is marked safe, so a department
named `<b>&"` is drawn as those characters inside the report's HTML.

    bar_chart(["市场监管局", "税务局"], [Series("已整改", [12, 7])], title="整改情况")
    line_chart(["1月", "2月"], [Series("新增问题", [5, 9])])
    donut_chart([("政务环境", 30), ("市场环境", 12)], title="问题类别")

The palette is ECharts' default one, so a chart in a PDF looks like its twin on the
dashboard.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

Number = int | float | Decimal
Formatter = Callable[[float], str]

PALETTE = (
    "#5470c6",
    "#91cc75",
    "#fac858",
    "#ee6666",
    "#73c0de",
    "#3ba272",
    "#fc8452",
    "#9a60b4",
    "#ea7ccc",
)
# Named by fontconfig on the servers (fonts-noto-cjk, or WenQuanYi on older machines).
FONT_FAMILY = "'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif"
TEXT_COLOUR = "#333333"
MUTED_COLOUR = "#666666"
GRID_COLOUR = "#e0e6f1"
AXIS_COLOUR = "#6e7079"

TITLE_SIZE = 15
LABEL_SIZE = 11
VALUE_SIZE = 10
LEGEND_SIZE = 11
SWATCH = 10
PAD = 10

# Characters XML 1.0 forbids even when escaped; a pasted control character must not
# make the whole report unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Series:
    """One named row of values, one per category; None leaves a gap."""

    name: str
    values: Sequence[Number | None]


# --- Text -------------------------------------------------------------------------------------


def _esc(text: object) -> str:
    return escape(_NOT_XML.sub("", str(text)), quote=True)


def _char_width(char: str) -> float:
    # Full-width (CJK) characters are one em wide, Latin ones about half: a CJK
    # character counts double when deciding whether a label fits.
    return 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.55


def text_width(text: str, size: float) -> float:
    """The estimated width in pixels of `text` at font `size` (no font metrics here)."""
    return sum(_char_width(c) for c in text) * size


def _fit(text: str, width: float, size: float) -> str:
    """`text`, cut with an ellipsis so that it is no wider than `width`."""
    if text_width(text, size) <= width:
        return text
    room = width - text_width("…", size)
    used = 0.0
    kept = []
    for char in text:
        used += _char_width(char) * size
        if used > room:
            break
        kept.append(char)
    return "".join(kept) + "…"


def _n(value: float) -> str:
    """A coordinate with at most two decimals, always printed the same way."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def default_format(value: float) -> str:
    """Whole numbers without decimals, others with up to two; thousands grouped."""
    if abs(value - round(value)) < 1e-9:
        return f"{round(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _tick_format(step: float) -> Formatter:
    decimals = max(0, -math.floor(math.log10(step) + 1e-9)) if step > 0 else 0
    if decimals and abs(step * 10**decimals - round(step * 10**decimals)) > 1e-9:
        decimals += 1  # 0.25 steps need two places, not one

    def fmt(value: float) -> str:
        return f"{value:,.{decimals}f}"

    return fmt


def _float(value: Number | None) -> float | None:
    return None if value is None else float(value)


# --- Scale ------------------------------------------------------------------------------------


def _nice_scale(low: float, high: float, ticks: int = 5) -> tuple[float, float, float]:
    """Axis bounds that include zero and fall on round steps (1, 2, 2.5, 5 × 10ⁿ)."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high - low <= 0:
        high = 1.0
    raw = (high - low) / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw - 1e-12)
    # Rounded so that 0.1 + 0.2 does not print a different last digit on another run.
    return (
        round(math.floor(low / step + 1e-9) * step, 10),
        round(math.ceil(high / step - 1e-9) * step, 10),
        step,
    )


# --- Canvas -----------------------------------------------------------------------------------


class _Canvas:
    def __init__(self, width: int, height: int, title: str) -> None:
        self.width = width
        self.height = height
        self.title = title
        self.parts: list[str] = []

    def text(
        self,
        x: float,
        y: float,
        text: str,
        *,
        size: float = LABEL_SIZE,
        anchor: str = "start",
        fill: str = TEXT_COLOUR,
        bold: bool = False,
        rotate: float | None = None,
        full: str | None = None,
    ) -> None:
        attrs = f'x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" fill="{fill}"'
        if bold:
            attrs += ' font-weight="bold"'
        if rotate is not None:
            attrs += f' transform="rotate({_n(rotate)} {_n(x)} {_n(y)})"'
        # A cut label keeps its whole text as a tooltip for anyone reading the SVG on screen.
        hint = f"<title>{_esc(full)}</title>" if full is not None and full != text else ""
        self.parts.append(f"<text {attrs}>{hint}{_esc(text)}</text>")

    def rect(self, x: float, y: float, w: float, h: float, *, fill: str, hint: str | None = None) -> None:
        body = f"<title>{_esc(hint)}</title>" if hint else ""
        self.parts.append(
            f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" height="{_n(max(h, 0))}" fill="{fill}">{body}</rect>'
        )

    def line(self, x1: float, y1: float, x2: float, y2: float, *, stroke: str, width: float = 1) -> None:
        self.parts.append(
            f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" stroke="{stroke}" stroke-width="{_n(width)}"/>'
        )

    def raw(self, markup: str) -> None:
        """Markup built here from numbers and colours only (never from labels)."""
        self.parts.append(markup)

    def render(self) -> SafeString:
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'width="{self.width}" height="{self.height}" viewBox="0 0 {self.width} {self.height}" '
            f'font-family="{FONT_FAMILY}" aria-label="{_esc(self.title)}">'
        )
        # Every label went through _esc above; the rest is numbers and fixed words.
        return mark_safe(head + "".join(self.parts) + "</svg>")  # noqa: S308


def _colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def _title(canvas: _Canvas, title: str) -> float:
    """Draw the title; return the y where the rest may start."""
    if not title:
        return PAD
    canvas.text(
        canvas.width / 2,
        PAD + TITLE_SIZE,
        _fit(title, canvas.width - 2 * PAD, TITLE_SIZE),
        size=TITLE_SIZE,
        anchor="middle",
        bold=True,
        full=title,
    )
    return PAD + TITLE_SIZE + PAD


def _legend(canvas: _Canvas, names: Sequence[str], top: float) -> float:
    """Legend items in wrapped rows under the title; return the y below them."""
    if len(names) < 2:
        return top  # one series: the title says what it is
    row_height = LEGEND_SIZE + 6
    max_item = canvas.width / 2 - 2 * PAD
    rows: list[list[tuple[str, float]]] = [[]]
    used = 0.0
    for name in names:
        label = _fit(name, max_item, LEGEND_SIZE)
        width = SWATCH + 4 + text_width(label, LEGEND_SIZE) + 14
        if rows[-1] and used + width > canvas.width - 2 * PAD:
            rows.append([])
            used = 0.0
        rows[-1].append((label, width))
        used += width
    index = 0
    for n, row in enumerate(rows):
        total = sum(width for _label, width in row) - 14
        x = (canvas.width - total) / 2
        y = top + n * row_height
        for label, width in row:
            canvas.rect(x, y + 1, SWATCH, SWATCH, fill=_colour(index))
            canvas.text(x + SWATCH + 4, y + SWATCH, label, size=LEGEND_SIZE, full=names[index])
            x += width
            index += 1
    return top + len(rows) * row_height + 4


def _no_data(canvas: _Canvas, top: float, message: str | None) -> SafeString:
    text = message if message is not None else _("No data")
    canvas.rect(PAD, top, canvas.width - 2 * PAD, canvas.height - top - PAD, fill="#fafafa")
    canvas.text(
        canvas.width / 2,
        (top + canvas.height) / 2 + LABEL_SIZE / 2,
        _fit(text, canvas.width - 4 * PAD, LABEL_SIZE + 2),
        size=LABEL_SIZE + 2,
        anchor="middle",
        fill=MUTED_COLOUR,
    )
    return canvas.render()


def _has_values(series: Sequence[Series]) -> bool:
    return any(v is not None for s in series for v in s.values)


def _values(series: Series, count: int) -> list[float | None]:
    values = [_float(v) for v in series.values[:count]]
    return values + [None] * (count - len(values))


# --- Cartesian charts (bars and lines) --------------------------------------------------------


@dataclass
class _Plot:
    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


def _category_labels_vertical(canvas: _Canvas, categories: Sequence[str], plot: _Plot, x_label: str) -> None:
    """Category names under the plot: straight if they fit their slot, else slanted."""
    slot = plot.width / len(categories)
    widest = max(text_width(c, LABEL_SIZE) for c in categories)
    slanted = widest > slot - 4
    for i, name in enumerate(categories):
        x = plot.left + slot * (i + 0.5)
        if slanted:
            label = _fit(name, canvas.height - plot.bottom - 30, LABEL_SIZE)
            canvas.text(x, plot.bottom + 12, label, anchor="end", rotate=-40, full=name)
        else:
            canvas.text(x, plot.bottom + 16, name, anchor="middle")
    if x_label:
        canvas.text(
            (plot.left + plot.right) / 2,
            canvas.height - PAD / 2,
            _fit(x_label, plot.width, LABEL_SIZE),
            anchor="middle",
            fill=MUTED_COLOUR,
            full=x_label,
        )


def _bottom_room(categories: Sequence[str], width: float, left: float, x_label: str) -> float:
    slot = (width - left - PAD) / max(len(categories), 1)
    widest = max((text_width(c, LABEL_SIZE) for c in categories), default=0)
    # Slanted labels need about two thirds of their length below the axis; capped so
    # a very long name is cut rather than squeezing the plot away.
    room = 26.0 if widest <= slot - 4 else min(widest * 0.65 + 16, 110.0)
    return room + (LABEL_SIZE + 8 if x_label else 0)


def _value_axis_vertical(
    canvas: _Canvas, plot: _Plot, scale: tuple[float, float, float], fmt: Formatter, y_label: str
) -> Callable[[float], float]:
    low, high, step = scale

    def y_of(value: float) -> float:
        return plot.bottom - (value - low) / (high - low) * plot.height

    count = round((high - low) / step)
    for k in range(count + 1):
        value = low + k * step
        y = y_of(value)
        canvas.line(plot.left, y, plot.right, y, stroke=GRID_COLOUR)
        canvas.text(plot.left - 6, y + 4, fmt(value), anchor="end", fill=MUTED_COLOUR)
    if y_label:
        x = PAD + LABEL_SIZE / 2 + 2
        y = (plot.top + plot.bottom) / 2
        canvas.text(
            x,
            y,
            _fit(y_label, plot.height, LABEL_SIZE),
            anchor="middle",
            fill=MUTED_COLOUR,
            rotate=-90,
            full=y_label,
        )
    return y_of


def _tick_labels(scale: tuple[float, float, float], fmt: Formatter) -> list[str]:
    low, high, step = scale
    return [fmt(low + k * step) for k in range(round((high - low) / step) + 1)]


def _stack_bounds(series: Sequence[Series], count: int, stacked: bool) -> tuple[float, float]:
    columns = [_values(s, count) for s in series]
    if stacked:
        ups = [sum(v for col in columns if (v := col[i]) is not None and v > 0) for i in range(count)]
        downs = [sum(v for col in columns if (v := col[i]) is not None and v < 0) for i in range(count)]
        return min(downs, default=0.0), max(ups, default=0.0)
    flat = [v for col in columns for v in col if v is not None]
    return min(flat, default=0.0), max(flat, default=0.0)


def bar_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str = "",
    x_label: str = "",
    y_label: str = "",
    horizontal: bool = False,
    stacked: bool = False,
    value_labels: bool = True,
    value_format: Formatter | None = None,
    width: int = 640,
    height: int = 360,
    empty_message: str | None = None,
) -> SafeString:
    """Bars per category, one per series side by side (grouped) or on top of each other
    (`stacked`); `horizontal` puts the categories down the left, which suits long names.
    `x_label` names the category axis and `y_label` the value axis, whichever way the
    chart lies."""
    canvas = _Canvas(width, height, title)
    top = _title(canvas, title)
    names = [str(c) for c in categories]
    if not names or not series or not _has_values(series):
        return _no_data(canvas, top, empty_message)
    top = _legend(canvas, [s.name for s in series], top)
    scale = _nice_scale(*_stack_bounds(series, len(names), stacked))
    bars = _Bars(
        canvas=canvas,
        categories=names,
        series=series,
        columns=[_values(s, len(names)) for s in series],
        scale=scale,
        tick_fmt=value_format or _tick_format(scale[2]),
        label_fmt=value_format or default_format,
        stacked=stacked,
        value_labels=value_labels,
        x_label=x_label,
        y_label=y_label,
    )
    if horizontal:
        bars.draw_horizontal(top)
    else:
        bars.draw_vertical(top)
    return canvas.render()


@dataclass
class _Bars:
    canvas: _Canvas
    categories: list[str]
    series: Sequence[Series]
    columns: list[list[float | None]]
    scale: tuple[float, float, float]
    tick_fmt: Formatter
    label_fmt: Formatter
    stacked: bool
    value_labels: bool
    x_label: str
    y_label: str

    def _hint(self, k: int, i: int, value: float) -> str:
        return f"{self.categories[i]} · {self.series[k].name}: {self.label_fmt(value)}"

    def _segments(self, i: int) -> list[tuple[int, float, float]]:
        """(series, start, end) of category i's stacked segments: positives rise from
        zero, negatives sink from it."""
        up = down = 0.0
        out = []
        for k, col in enumerate(self.columns):
            value = col[i]
            if value is None or value == 0:
                continue
            if value > 0:
                out.append((k, up, up + value))
                up += value
            else:
                out.append((k, down, down + value))
                down += value
        return out

    def draw_vertical(self, top: float) -> None:
        canvas = self.canvas
        ticks = _tick_labels(self.scale, self.tick_fmt)
        left = (
            PAD + max(text_width(t, LABEL_SIZE) for t in ticks) + 8 + (LABEL_SIZE + 6 if self.y_label else 0)
        )
        bottom = canvas.height - _bottom_room(self.categories, canvas.width, left, self.x_label)
        plot = _Plot(left, top + (VALUE_SIZE + 4 if self.value_labels else 4), canvas.width - PAD, bottom)
        y_of = _value_axis_vertical(canvas, plot, self.scale, self.tick_fmt, self.y_label)
        slot = plot.width / len(self.categories)
        for i in range(len(self.categories)):
            x0 = plot.left + slot * i
            if self.stacked:
                self._stack_vertical(i, x0, slot, y_of)
            else:
                self._group_vertical(i, x0, slot, y_of)
        canvas.line(plot.left, y_of(0), plot.right, y_of(0), stroke=AXIS_COLOUR)
        _category_labels_vertical(canvas, self.categories, plot, self.x_label)

    def _stack_vertical(self, i: int, x0: float, slot: float, y_of: Callable[[float], float]) -> None:
        bar = slot * 0.6
        total = 0.0
        for k, start, end in self._segments(i):
            y_top, y_bottom = sorted((y_of(start), y_of(end)))
            self.canvas.rect(
                x0 + (slot - bar) / 2,
                y_top,
                bar,
                y_bottom - y_top,
                fill=_colour(k),
                hint=self._hint(k, i, end - start),
            )
            label = self.label_fmt(end - start)
            if (
                self.value_labels
                and y_bottom - y_top >= VALUE_SIZE + 2
                and text_width(label, VALUE_SIZE) <= bar
            ):
                self.canvas.text(
                    x0 + slot / 2,
                    (y_top + y_bottom) / 2 + VALUE_SIZE / 2 - 1,
                    label,
                    size=VALUE_SIZE,
                    anchor="middle",
                    fill="#ffffff",
                )
            total = max(total, end)
        if self.value_labels and len(self.columns) > 1 and total > 0:
            self.canvas.text(
                x0 + slot / 2, y_of(total) - 3, self.label_fmt(total), size=VALUE_SIZE, anchor="middle"
            )

    def _group_vertical(self, i: int, x0: float, slot: float, y_of: Callable[[float], float]) -> None:
        group = slot * 0.7
        bar = group / len(self.columns)
        for k, col in enumerate(self.columns):
            value = col[i]
            if value is None:
                continue
            x = x0 + (slot - group) / 2 + bar * k
            y_top, y_bottom = sorted((y_of(0), y_of(value)))
            self.canvas.rect(
                x + bar * 0.05,
                y_top,
                bar * 0.9,
                y_bottom - y_top,
                fill=_colour(k),
                hint=self._hint(k, i, value),
            )
            label = self.label_fmt(value)
            if self.value_labels and text_width(label, VALUE_SIZE) <= bar * 1.6:
                y = y_top - 3 if value >= 0 else y_bottom + VALUE_SIZE
                self.canvas.text(x + bar / 2, y, label, size=VALUE_SIZE, anchor="middle")

    def draw_horizontal(self, top: float) -> None:
        canvas = self.canvas
        low, high, step = self.scale
        ticks = _tick_labels(self.scale, self.tick_fmt)
        # Long department names are the reason to lie the chart down: give them up to a
        # third of the width, and cut beyond that.
        name_room = min(max(text_width(c, LABEL_SIZE) for c in self.categories), canvas.width / 3)
        left = PAD + (LABEL_SIZE + 6 if self.x_label else 0) + name_room + 8
        right = (
            canvas.width - PAD - max(text_width(ticks[-1], LABEL_SIZE) / 2, 36 if self.value_labels else 0)
        )
        bottom = canvas.height - PAD - LABEL_SIZE - 8 - (LABEL_SIZE + 8 if self.y_label else 0)
        plot = _Plot(left, top + 4, right, bottom)

        def x_of(value: float) -> float:
            return plot.left + (value - low) / (high - low) * plot.width

        for k, tick in enumerate(ticks):
            x = x_of(low + k * step)
            canvas.line(x, plot.top, x, plot.bottom, stroke=GRID_COLOUR)
            canvas.text(x, plot.bottom + LABEL_SIZE + 4, tick, anchor="middle", fill=MUTED_COLOUR)
        slot = plot.height / len(self.categories)
        for i, name in enumerate(self.categories):
            y0 = plot.top + slot * i
            label = _fit(name, name_room, LABEL_SIZE)
            canvas.text(plot.left - 6, y0 + slot / 2 + LABEL_SIZE / 2 - 1, label, anchor="end", full=name)
            if self.stacked:
                self._stack_horizontal(i, y0, slot, x_of)
            else:
                self._group_horizontal(i, y0, slot, x_of)
        canvas.line(x_of(0), plot.top, x_of(0), plot.bottom, stroke=AXIS_COLOUR)
        if self.x_label:
            label = _fit(self.x_label, plot.height, LABEL_SIZE)
            middle = (plot.top + plot.bottom) / 2
            canvas.text(
                PAD + LABEL_SIZE / 2 + 2,
                middle,
                label,
                anchor="middle",
                fill=MUTED_COLOUR,
                rotate=-90,
                full=self.x_label,
            )
        if self.y_label:
            label = _fit(self.y_label, plot.width, LABEL_SIZE)
            middle = (plot.left + plot.right) / 2
            canvas.text(
                middle, canvas.height - PAD / 2, label, anchor="middle", fill=MUTED_COLOUR, full=self.y_label
            )

    def _stack_horizontal(self, i: int, y0: float, slot: float, x_of: Callable[[float], float]) -> None:
        bar = slot * 0.6
        total = 0.0
        for k, start, end in self._segments(i):
            x_start, x_end = sorted((x_of(start), x_of(end)))
            self.canvas.rect(
                x_start,
                y0 + (slot - bar) / 2,
                x_end - x_start,
                bar,
                fill=_colour(k),
                hint=self._hint(k, i, end - start),
            )
            label = self.label_fmt(end - start)
            if (
                self.value_labels
                and text_width(label, VALUE_SIZE) + 4 <= x_end - x_start
                and bar >= VALUE_SIZE
            ):
                self.canvas.text(
                    (x_start + x_end) / 2,
                    y0 + slot / 2 + VALUE_SIZE / 2 - 1,
                    label,
                    size=VALUE_SIZE,
                    anchor="middle",
                    fill="#ffffff",
                )
            total = max(total, end)
        if self.value_labels and len(self.columns) > 1 and total > 0:
            self.canvas.text(
                x_of(total) + 3, y0 + slot / 2 + VALUE_SIZE / 2 - 1, self.label_fmt(total), size=VALUE_SIZE
            )

    def _group_horizontal(self, i: int, y0: float, slot: float, x_of: Callable[[float], float]) -> None:
        group = slot * 0.7
        bar = group / len(self.columns)
        for k, col in enumerate(self.columns):
            value = col[i]
            if value is None:
                continue
            y = y0 + (slot - group) / 2 + bar * k
            x_start, x_end = sorted((x_of(0), x_of(value)))
            self.canvas.rect(
                x_start,
                y + bar * 0.05,
                x_end - x_start,
                bar * 0.9,
                fill=_colour(k),
                hint=self._hint(k, i, value),
            )
            if self.value_labels and bar >= VALUE_SIZE - 2:
                anchor, x = ("start", x_end + 3) if value >= 0 else ("end", x_start - 3)
                self.canvas.text(
                    x, y + bar / 2 + VALUE_SIZE / 2 - 1, self.label_fmt(value), size=VALUE_SIZE, anchor=anchor
                )


def line_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    title: str = "",
    x_label: str = "",
    y_label: str = "",
    value_labels: bool = True,
    value_format: Formatter | None = None,
    width: int = 640,
    height: int = 360,
    empty_message: str | None = None,
) -> SafeString:
    """One line per series across the categories (months, quarters); a None value
    breaks the line rather than drawing it down to zero."""
    canvas = _Canvas(width, height, title)
    top = _title(canvas, title)
    categories = [str(c) for c in categories]
    if not categories or not series or not _has_values(series):
        return _no_data(canvas, top, empty_message)
    top = _legend(canvas, [s.name for s in series], top)
    count = len(categories)
    scale = _nice_scale(*_stack_bounds(series, count, stacked=False))
    fmt = value_format or _tick_format(scale[2])
    label_fmt = value_format or default_format
    ticks = _tick_labels(scale, fmt)
    left = PAD + max(text_width(t, LABEL_SIZE) for t in ticks) + 8 + (LABEL_SIZE + 6 if y_label else 0)
    bottom = canvas.height - _bottom_room(categories, canvas.width, left, x_label)
    plot = _Plot(left, top + (VALUE_SIZE + 4 if value_labels else 4), canvas.width - PAD, bottom)
    y_of = _value_axis_vertical(canvas, plot, scale, fmt, y_label)
    canvas.line(plot.left, y_of(0), plot.right, y_of(0), stroke=AXIS_COLOUR)
    slot = plot.width / count
    crowded = count * len(series) > 24
    for k, s in enumerate(series):
        colour = _colour(k)
        points = [(plot.left + slot * (i + 0.5), v) for i, v in enumerate(_values(s, count))]
        run: list[str] = []
        for x, v in [*points, (0.0, None)]:
            if v is None:
                if len(run) > 1:
                    canvas.raw(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" stroke-width="2"/>'
                    )
                run = []
                continue
            run.append(f"{_n(x)},{_n(y_of(v))}")
        for x, v in points:
            if v is None:
                continue
            canvas.raw(
                f'<circle cx="{_n(x)}" cy="{_n(y_of(v))}" r="3" fill="#ffffff" stroke="{colour}" stroke-width="2"/>'
            )
            label = label_fmt(v)
            if value_labels and not crowded and text_width(label, VALUE_SIZE) <= slot:
                canvas.text(x, y_of(v) - 7, label, size=VALUE_SIZE, anchor="middle", fill=colour)
    _category_labels_vertical(canvas, categories, plot, x_label)
    return canvas.render()


# --- Donut and pie ----------------------------------------------------------------------------


def donut_chart(
    slices: Sequence[tuple[str, Number | None]],
    *,
    title: str = "",
    hole: float = 0.55,
    value_labels: bool = True,
    value_format: Formatter | None = None,
    width: int = 640,
    height: int = 320,
    empty_message: str | None = None,
) -> SafeString:
    """Shares of a whole, clockwise from twelve o'clock, with a legend giving each
    slice's value and share. `hole=0` draws a pie. Slices of zero or less are listed in
    the legend but not drawn (a share of a whole cannot be negative)."""
    canvas = _Canvas(width, height, title)
    top = _title(canvas, title)
    items = [(str(name), max(float(v), 0.0) if v is not None else 0.0) for name, v in slices]
    total = sum(v for _name, v in items)
    if total <= 0:
        return _no_data(canvas, top, empty_message)
    label_fmt = value_format or default_format
    legend_width = min(width * 0.45, 280.0)
    radius = max(min((width - legend_width - 3 * PAD) / 2, (height - top - PAD) / 2), 10.0)
    inner = radius * min(max(hole, 0.0), 0.9)
    cx, cy = PAD + radius, top + (height - top - PAD) / 2
    angle = -math.pi / 2
    for k, (_name, value) in enumerate(items):
        if value <= 0:
            continue
        share = value / total
        sweep = share * 2 * math.pi
        colour = _colour(k)
        if share >= 1 - 1e-9:
            # A lone slice is a full ring: an arc cannot start and end at one point.
            if inner > 0:
                canvas.raw(
                    f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n((radius + inner) / 2)}" fill="none" stroke="{colour}" stroke-width="{_n(radius - inner)}"/>'
                )
            else:
                canvas.raw(f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(radius)}" fill="{colour}"/>')
        else:
            canvas.raw(
                f'<path d="{_slice_path(cx, cy, outer=radius, inner=inner, start=angle, end=angle + sweep)}" fill="{colour}" stroke="#ffffff" stroke-width="1"/>'
            )
        if value_labels and share >= 0.04:
            middle = angle + sweep / 2
            r = (radius + inner) / 2 if inner > 0 else radius * 0.62
            canvas.text(
                cx + r * math.cos(middle),
                cy + r * math.sin(middle) + VALUE_SIZE / 2 - 1,
                _percent(share),
                size=VALUE_SIZE,
                anchor="middle",
                fill="#ffffff",
            )
        angle += sweep
    # The legend, right of the ring: swatch, name, value and share.
    row = LEGEND_SIZE + 8
    x = cx + radius + 2 * PAD
    room = width - x - PAD - SWATCH - 6
    y = max(top, cy - len(items) * row / 2)
    for k, (name, value) in enumerate(items):
        if y + row > height:
            break  # more slices than lines: the chart stays inside its box
        suffix = f"  {label_fmt(value)} ({_percent(value / total)})"
        label = _fit(name, max(room - text_width(suffix, LEGEND_SIZE), 24), LEGEND_SIZE) + suffix
        canvas.rect(x, y + 1, SWATCH, SWATCH, fill=_colour(k))
        canvas.text(x + SWATCH + 6, y + SWATCH, label, size=LEGEND_SIZE, full=name + suffix)
        y += row
    return canvas.render()


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _slice_path(cx: float, cy: float, *, outer: float, inner: float, start: float, end: float) -> str:
    large = 1 if end - start > math.pi else 0

    def at(r: float, a: float) -> str:
        return f"{_n(cx + r * math.cos(a))} {_n(cy + r * math.sin(a))}"

    if inner <= 0:
        return f"M {_n(cx)} {_n(cy)} L {at(outer, start)} A {_n(outer)} {_n(outer)} 0 {large} 1 {at(outer, end)} Z"
    return (
        f"M {at(outer, start)} A {_n(outer)} {_n(outer)} 0 {large} 1 {at(outer, end)} "
        f"L {at(inner, end)} A {_n(inner)} {_n(inner)} 0 {large} 0 {at(inner, start)} Z"
    )
