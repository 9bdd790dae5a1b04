"""Industry codes of GB/T 4754-2017 (国民经济行业分类).

A code is a section letter A–T followed by the division (2 digits), group (3) or class
(4): "C", "C18", "C181", "C1811". Registry extracts often drop the letter ("1811");
it is implied by the division, so it is restored, and a letter that contradicts the
division ("A1811") is refused.
"""

from __future__ import annotations

import re
import unicodedata

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Section letter → (first division, last division, name).
SECTIONS: dict[str, tuple[int, int, Promise]] = {
    "A": (1, 5, _("Agriculture, forestry, animal husbandry and fishery")),
    "B": (6, 12, _("Mining")),
    "C": (13, 43, _("Manufacturing")),
    "D": (44, 46, _("Electricity, heat, gas and water production and supply")),
    "E": (47, 50, _("Construction")),
    "F": (51, 52, _("Wholesale and retail trade")),
    "G": (53, 60, _("Transport, storage and post")),
    "H": (61, 62, _("Accommodation and catering")),
    "I": (63, 65, _("Information transmission, software and information technology services")),
    "J": (66, 69, _("Finance")),
    "K": (70, 70, _("Real estate")),
    "L": (71, 72, _("Leasing and business services")),
    "M": (73, 75, _("Scientific research and technical services")),
    "N": (76, 79, _("Water conservancy, environment and public facilities management")),
    "O": (80, 82, _("Resident services, repair and other services")),
    "P": (83, 83, _("Education")),
    "Q": (84, 85, _("Health and social work")),
    "R": (86, 90, _("Culture, sports and entertainment")),
    "S": (91, 96, _("Public administration, social security and social organisations")),
    "T": (97, 97, _("International organisations")),
}

_PATTERN = re.compile(r"([A-T]?)(\d{2,4})?")


class InvalidIndustryCode(ValueError):
    @property
    def message(self) -> Promise:
        return _("An industry code is a GB/T 4754 section letter and up to four digits, e.g. C1811.")


def section_of_division(division: int) -> str | None:
    for letter, (first, last, _name) in SECTIONS.items():
        if first <= division <= last:
            return letter
    return None


def normalise(raw: str) -> str:
    """The code with its section letter ("1811" → "C1811"), or InvalidIndustryCode."""
    text = unicodedata.normalize("NFKC", raw or "").strip().upper().replace(" ", "")
    match = _PATTERN.fullmatch(text)
    if not text or match is None:
        raise InvalidIndustryCode(raw)
    letter, digits = match.group(1), match.group(2) or ""
    if not digits:
        return letter
    implied = section_of_division(int(digits[:2]))
    if implied is None or (letter and letter != implied):
        raise InvalidIndustryCode(raw)
    return implied + digits


def section_name(code: str) -> Promise | str:
    section = SECTIONS.get(code[:1])
    return section[2] if section else ""


def section_choices() -> list[tuple[str, str]]:
    return [(letter, f"{letter} {name}") for letter, (_f, _l, name) in SECTIONS.items()]
