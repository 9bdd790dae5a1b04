"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters over the 31-character set 0-9 A-H J-N P-R T-U W-Y (no I, O, S, V, Z):
1 registering authority, 2 kind of entity, 3–8 the division code (digits), 9–17 the
organisation code, 18 a check character. With weights 3^(i-1) mod 31, the check
character is 31 − (Σ code(c_i)·w_i mod 31), where 31 becomes 0.

Because 31 is prime and no weight is 0 mod 31, every single-character substitution
is caught; because consecutive weights differ (w_{i+1} = 3·w_i), so is every swap of
two adjacent differing characters.

Written here because python-stdnum rejects valid codes whose first characters are
letters (e.g. 91…, but also N…, Y…).
"""

from __future__ import annotations

import unicodedata

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
LENGTH = 18

# Stable reason codes, shown to API clients next to the translated message.
REASON_LENGTH = "length"
REASON_CHARACTER = "character"
REASON_REGION = "region"
REASON_CHECKSUM = "checksum"


class InvalidCreditCode(ValueError):
    """The reason is a stable code: length, character, region, checksum."""

    def __init__(
        self, reason: str, position: int | None = None, *, character: str = "", length: int | None = None
    ) -> None:
        self.reason = reason
        self.position = position
        self.character = character
        self.length = length
        super().__init__(reason if position is None else f"{reason} at {position}")

    @property
    def message(self) -> Promise | str:
        """The reason in the user's language, pointing at what to fix."""
        if self.reason == REASON_LENGTH:
            return _("A unified social credit code has 18 characters; this one has %(count)d.") % {
                "count": self.length or 0
            }
        if self.reason == REASON_CHARACTER:
            return _(
                "Character %(position)d (“%(character)s”) cannot appear in a credit code; "
                "the letters I, O, S, V and Z are never used."
            ) % {"position": self.position or 0, "character": self.character}
        if self.reason == REASON_REGION:
            return _("Characters 3 to 8 of a credit code are the region code and must be digits.")
        return _("The check character does not match: the code is mistyped.")


def normalise(raw: str) -> str:
    """Full width to half width (NFKC), spaces and hyphens out, upper case."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-_").upper()


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    value = 31 - total % 31
    return ALPHABET[0 if value == 31 else value]


def validate(raw: str) -> str:
    """Return the normalised code, or raise InvalidCreditCode saying what is wrong.

    Checked in the order a person fixes a typo: length, then characters, then the
    region digits, then the check character.
    """
    code = normalise(raw)
    if len(code) != LENGTH:
        raise InvalidCreditCode(REASON_LENGTH, length=len(code))
    for index, ch in enumerate(code, start=1):
        if ch not in _VALUE:
            raise InvalidCreditCode(REASON_CHARACTER, index, character=ch)
    if not code[2:8].isdigit():
        raise InvalidCreditCode(REASON_REGION, 3)
    if check_character(code[:17]) != code[17]:
        raise InvalidCreditCode(REASON_CHECKSUM, LENGTH)
    return code


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except InvalidCreditCode:
        return False
    return True


def region_code(code: str) -> str:
    """Characters 3–8: the GB/T 2260 division code of the registering authority."""
    return code[2:8]


def make(first17: str) -> str:
    """Complete 17 characters with their check character (for demo data and tests)."""
    body = normalise(first17)
    if len(body) != LENGTH - 1:
        raise InvalidCreditCode(REASON_LENGTH, length=len(body) + 1)
    for index, ch in enumerate(body, start=1):
        if ch not in _VALUE:
            raise InvalidCreditCode(REASON_CHARACTER, index, character=ch)
    if not body[2:8].isdigit():
        raise InvalidCreditCode(REASON_REGION, 3)
    return body + check_character(body)
