"""Layout checks for browser tests at a phone's width, run as JavaScript in the page.

A phone user reads case references, credit codes, dates and amounts: each must stay on one
line (a reference split in two cannot be read out or searched), and the page must not
scroll sideways (only a wide table scrolls, inside its .table-responsive wrapper).
"""

from __future__ import annotations

from typing import Any

# Tokens that must never be split across lines: case and problem references
# (ZC20260000009), unified social credit codes (18 characters), keys built on a UUID
# (a payment instruction's case-c73313d8-55c5-414a-9f86-afc40101cffe), dates with an
# optional time, and amounts with thousands separators or cents, with their unit when
# they have one (600,000 元, 500万元, 600,000 yuan: never the unit alone on a line).
_BROKEN_TOKENS_JS = r"""
() => {
  const token = /[A-Z]{2,}\d{6,}|(?:[a-z]+-)?[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}|[0-9A-Z]{18}|\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?::\d{2})?)?|\d[\d,]*(?:\.\d+)?[万亿]?\s?(?:元|yuan\b)|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d{2}/g;
  const broken = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const parent = node.parentElement;
    if (!parent || ["SCRIPT", "STYLE", "OPTION", "TEXTAREA"].includes(parent.tagName)) { continue; }
    if (!parent.checkVisibility({ visibilityProperty: true })) { continue; }
    token.lastIndex = 0;
    let match;
    while ((match = token.exec(node.nodeValue))) {
      const range = document.createRange();
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const lines = new Set([...range.getClientRects()]
        .filter((r) => r.width > 0.5)
        .map((r) => Math.round(r.top / 4)));
      if (lines.size > 1) { broken.push(match[0]); }
    }
  }
  return broken;
}
"""


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the document is wider than the window (0 when it fits)."""
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


def broken_tokens(page: Any) -> list[str]:
    """The references, codes, dates and amounts on the page split across two lines."""
    return list(page.evaluate(_BROKEN_TOKENS_JS))


_CHART_TEXTS_JS = r"""
(el) => {
  const chart = window.echarts.getInstanceByDom(el);
  const texts = [];
  for (const item of chart.getZr().storage.getDisplayList(true)) {
    if (item.type !== "tspan" || item.ignore || item.invisible || !item.style || !item.style.text) { continue; }
    const rect = item.getBoundingRect().clone();
    const matrix = item.getComputedTransform();
    if (matrix) { rect.applyTransform(matrix); }
    texts.push({ text: String(item.style.text), x: rect.x, y: rect.y, width: rect.width, height: rect.height });
  }
  return texts;
}
"""


def chart_texts(chart: Any) -> list[dict[str, Any]]:
    """The texts an ECharts chart drew on its canvas, each with its box in the chart."""
    return list(chart.evaluate(_CHART_TEXTS_JS))


def overlapping_texts(texts: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """Pairs of chart texts drawn over each other."""

    def overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
        across = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
        down = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
        return across > 1 and down > 1

    return [(a["text"], b["text"]) for i, a in enumerate(texts) for b in texts[i + 1 :] if overlap(a, b)]
