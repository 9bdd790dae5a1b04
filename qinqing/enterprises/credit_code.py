"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters over the 31-character set 0-9 A-H J-N P-R T-U W-Y (no I, O, S, V, Z):
1 registering authority, 2 kind of entity, 3–8 the division code (digits), 9–17 the
organisation code, 18 a check character. With weights 3^(i-1) mod 31, the check
character is 31 − (Σ code(c_i)·w_i mod 31), where 31 becomes 0.

Written here because python-stdnum rejects valid codes whose first characters are
letters (e.g. 91…, but also N…, Y…).
"""

from __future__ import annotations

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
LENGTH = 18


class InvalidCreditCode(ValueError):
    """The reason is a stable code: length, character, region, checksum."""

    def __init__(self, reason: str, position: int | None = None) -> None:
        self.reason = reason
        self.position = position
        super().__init__(reason if position is None else f"{reason} at {position}")


def normalise(raw: str) -> str:
    """Full width to half width (NFKC), spaces and hyphens out, upper case."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if not ch.isspace() and ch not in "-_").upper()


def check_character(first17: str) -> str:
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    value = 31 - total % 31
    return ALPHABET[0 if value == 31 else value]


def validate(raw: str) -> str:
    """Return the normalised code, or raise InvalidCreditCode saying what is wrong."""
    code = normalise(raw)
    if len(code) != LENGTH:
        raise InvalidCreditCode("length")
    for index, ch in enumerate(code, start=1):
        if ch not in _VALUE:
            raise InvalidCreditCode("character", index)
    if not code[2:8].isdigit():
        raise InvalidCreditCode("region")
    if check_character(code[:17]) != code[17]:
        raise InvalidCreditCode("checksum", LENGTH)
    return code


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except InvalidCreditCode:
        return False
    return True


def region_code(code: str) -> str:
    return code[2:8]


def make(first17: str) -> str:
    """Complete 17 characters with their check character (for demo data and tests)."""
    body = normalise(first17)
    if len(body) != LENGTH - 1 or any(c not in _VALUE for c in body) or not body[2:8].isdigit():
        raise InvalidCreditCode("length" if len(body) != LENGTH - 1 else "character")
    return body + check_character(body)
