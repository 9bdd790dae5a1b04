"""A way to reach a person who has no account (an anonymous objector, a reporter): a
telephone number or an e-mail address, nothing else (\"abc\" was accepted)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# Separators people type in a number: spaces, hyphens, dots, brackets, a leading "+".
_SEPARATORS = re.compile(r"[\s\-.()（）]")


def is_reachable_contact(value: str) -> bool:
    """A telephone number (7 to 15 digits once the separators are taken out: a local
    landline to an international number, E.164's longest) or an e-mail address."""
    value = value.strip()
    digits = _SEPARATORS.sub("", value.removeprefix("+"))
    if digits.isascii() and digits.isdigit():
        return 7 <= len(digits) <= 15
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True
