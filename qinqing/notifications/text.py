"""Message texts that wait for their reader's language.

`_("Case %(reference)s opened") % {...}` renders at once, in the language of whoever
caused the event (or the default), and the inbox keeps that rendering for good.
`message(_("Case %(reference)s opened"), reference=...)` stays lazy: `notify()` renders
it once per recipient in the recipient's own language, the template and each parameter
alike (a parameter may itself be lazy: a step's name, an amount of money).
"""

from __future__ import annotations

from typing import Any, cast

from django.utils.functional import Promise, lazy
from django.utils.translation import gettext


def _render(template: str | Promise, params: dict[str, Any]) -> str:
    # A plain str is a msgid marked with gettext_noop; a lazy one translates itself.
    text = str(template) if isinstance(template, Promise) else gettext(template)
    if not params:
        return text
    return text % {key: str(value) if isinstance(value, Promise) else value for key, value in params.items()}


_lazy_render = lazy(_render, str)


def message(template: str | Promise, /, **params: Any) -> Promise:
    """`template` % `params`, rendered when read, in the active language then."""
    # django-stubs type lazy()'s result as the result class; it is a Promise.
    return cast(Promise, _lazy_render(template, params))


__all__ = ["message"]
