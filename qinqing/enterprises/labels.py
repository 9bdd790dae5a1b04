"""Enterprise labels: the keys policy rules test (高新技术企业, A级景区, 专精特新, …).

Any slug may be a key, so a new policy can introduce a label without a release; the
keys listed here get a display name and, where the value is constrained (a scenic
grade is 1A–5A), validation. A yes/no label is stored as "yes" when held and not
stored at all otherwise, so a rule tests one thing: the row exists.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

KEY_MAX = 64
VALUE_MAX = 100
_KEY = re.compile(r"[a-z][a-z0-9_]{0,63}")
_YES = {"yes", "y", "true", "1", "是", "有"}
_NO = {"no", "n", "false", "0", "否", "无", ""}


@dataclass(frozen=True)
class LabelKind:
    name: Promise
    values: tuple[str, ...] | None = None  # None: yes/no


KNOWN: dict[str, LabelKind] = {
    "high_tech": LabelKind(_("High-tech enterprise")),
    "tech_sme": LabelKind(_("Technology-based SME")),
    "specialised_sme": LabelKind(_("Specialised and innovative SME")),
    "little_giant": LabelKind(_("Specialised and innovative “little giant”")),
    "above_scale": LabelKind(_("Enterprise above designated size")),
    "listed": LabelKind(_("Listed company")),
    "foreign_invested": LabelKind(_("Foreign-invested enterprise")),
    "time_honoured": LabelKind(_("China time-honoured brand")),
    "scenic_grade": LabelKind(_("Graded scenic area"), ("1A", "2A", "3A", "4A", "5A")),
}


# Keys whose value is free text (a year, …): named for people, not validated.
NAMED: dict[str, Promise] = {
    "newly_above_scale": _("Year first counted above designated size"),
    "first_export": _("Year of first export"),
}


class InvalidLabel(ValueError):
    def __init__(self, reason: str, key: str, value: str = "") -> None:
        self.reason = reason
        self.key = key
        self.value = value
        super().__init__(reason, key, value)

    @property
    def message(self) -> str:
        if self.reason == "key":
            return str(
                _("“%(key)s” is not a label name: use lower-case letters, digits and underscores.")
                % {"key": self.key}
            )
        if self.reason == "syntax":
            return str(
                _(
                    "Write labels as name=value pairs separated by semicolons, e.g. high_tech=yes;scenic_grade=3A."
                )
            )
        kind = KNOWN.get(self.key)
        if kind is not None and kind.values:
            return str(
                _("“%(value)s” is not a value of %(label)s; allowed: %(allowed)s.")
                % {"value": self.value, "label": kind.name, "allowed": ", ".join(kind.values)}
            )
        if kind is not None:
            return str(_("%(label)s takes yes or no.") % {"label": kind.name})
        return str(_("A label value has 1 to 100 printable characters."))


def display_name(key: str) -> Promise | str:
    """The label's name for people; a key the platform does not know, made readable."""
    kind = KNOWN.get(key)
    if kind is not None:
        return kind.name
    return NAMED.get(key) or key.replace("_", " ")


def clean_labels(labels: Mapping[str, str]) -> dict[str, str]:
    """Validated labels, keys sorted; yes/no labels held as "yes", "no" dropped."""
    cleaned: dict[str, str] = {}
    for raw_key, raw_value in labels.items():
        key = unicodedata.normalize("NFKC", str(raw_key)).strip().lower()
        value = unicodedata.normalize("NFKC", str(raw_value if raw_value is not None else "")).strip()
        if not _KEY.fullmatch(key):
            raise InvalidLabel("key", key)
        kind = KNOWN.get(key)
        if kind is not None and kind.values is None:
            if value.lower() in _YES:
                cleaned[key] = "yes"
                continue
            if value.lower() in _NO:
                continue
            raise InvalidLabel("value", key, value)
        if kind is not None and kind.values is not None:
            value = value.upper()
            if value not in kind.values:
                raise InvalidLabel("value", key, value)
        if not value or len(value) > VALUE_MAX or any(unicodedata.category(c) in {"Cc", "Cs"} for c in value):
            raise InvalidLabel("value", key, value)
        cleaned[key] = value
    return dict(sorted(cleaned.items()))


def parse_labels(text: str) -> dict[str, str]:
    """Labels from "high_tech=yes;scenic_grade=3A" (full-width ；＝ and commas accepted)."""
    normalised = unicodedata.normalize("NFKC", text or "").replace(",", ";").replace("、", ";")
    pairs: dict[str, str] = {}
    for piece in normalised.split(";"):
        item = piece.strip()
        if not item:
            continue
        if "=" not in item:
            # A bare name means the yes/no label is held ("high_tech").
            key, value = item, "yes"
        else:
            key, _sep, value = item.partition("=")
        key = key.strip()
        if not key:
            raise InvalidLabel("syntax", item)
        if key.lower() in pairs:
            raise InvalidLabel("syntax", item)
        pairs[key.lower()] = value.strip()
    return clean_labels(pairs)


def format_labels(labels: Mapping[str, str]) -> str:
    return ";".join(f"{k}={v}" for k, v in sorted(labels.items()))
