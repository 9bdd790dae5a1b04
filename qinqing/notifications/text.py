"""Message texts that wait for their reader's language.

`_("Case %(reference)s opened") % {...}` renders at once, in the language of whoever
caused the event (or the default), and the inbox keeps that rendering for good.
`message(_("Case %(reference)s opened"), reference=...)` stays lazy: `notify()` renders
it once per recipient in the recipient's own language, the template and each parameter
alike (a parameter may itself be lazy: a step's name, an amount of money).

The inbox also keeps such a text's *form* (`text_form`): the msgid and its parameters as
JSON, a lazy translation as its msgid (with its context or plural), so that a message
reads in whatever language its reader uses now (`texts_render`), not only the one they
used when it was written. A lazy value of any other kind (a function of the reader's
language, like a step's name or an amount in yuan) is kept as its rendering in each of
the platform's languages. A form that cannot be read (an older shape, a hand-edited
value, a translation whose placeholders no longer match) falls back to the stored text.
"""

from __future__ import annotations

import logging
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.conf import settings
from django.utils import functional, translation
from django.utils import text as text_module
from django.utils.functional import Promise, lazy
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext, npgettext, pgettext

logger = logging.getLogger(__name__)

# What format_lazy() defers to (a private name of Django's: a version without it leaves
# format_lazy texts to the fallback, their rendering in each language).
_format_lazy_func = getattr(text_module, "_format_lazy", None)

FORM_VERSION = 1
SUBJECT_MAX = 200
# Nesting deeper than any caller writes: a deeper stored value is malformed.
_MAX_DEPTH = 8


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


# --- The stored form ------------------------------------------------------------------------


class _Unreadable(Exception):
    """A stored form that cannot be rendered: the caller shows the stored text."""


def _lazy_call(value: Promise) -> tuple[Any, tuple[Any, ...], dict[str, Any]] | None:
    """The function and arguments behind a `lazy()` value (what pickling it keeps)."""
    try:
        unpickle, args = value.__reduce__()[:2]
    except (TypeError, ValueError):
        return None
    if unpickle is not getattr(functional, "_lazy_proxy_unpickle", None) or len(args) < 3:
        return None
    func, call_args, call_kw = args[0], args[1], args[2]
    if not isinstance(call_args, tuple) or not isinstance(call_kw, dict):
        return None
    return func, call_args, call_kw


def _in_each_language(value: Promise) -> dict[str, Any]:
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            texts[code] = str(value)
    return {"t": "languages", "texts": texts}


def _form(value: Any) -> Any:  # noqa: PLR0911 - one return per shape
    """The JSON form of a template or a parameter."""
    if not isinstance(value, Promise):
        if value is None or isinstance(value, str | bool | int | float):
            return value
        if isinstance(value, Decimal):
            return {"t": "decimal", "value": str(value)}
        return str(value)
    call = _lazy_call(value)
    if call is None:
        return _in_each_language(value)
    func, args, kw = call
    if func is _render and len(args) == 2 and not kw:  # noqa: PLR2004 - template and params
        template, params = args
        return {
            "t": "message",
            "template": {"t": "gettext", "msgid": template} if isinstance(template, str) else _form(template),
            "params": {str(key): _form(param) for key, param in params.items()},
        }
    if func is gettext and len(args) == 1 and isinstance(args[0], str) and not kw:
        return {"t": "gettext", "msgid": args[0]}
    if func is pgettext and len(args) == 2 and all(isinstance(a, str) for a in args) and not kw:  # noqa: PLR2004
        return {"t": "pgettext", "context": args[0], "msgid": args[1]}
    if func in (ngettext, npgettext) and not args and isinstance(kw.get("number"), int):
        form = {"t": "ngettext", "singular": kw["singular"], "plural": kw["plural"], "n": kw["number"]}
        if func is npgettext:
            form["context"] = kw["context"]
        if all(isinstance(form[k], str) for k in ("singular", "plural")):
            return form
    if _format_lazy_func is not None and func is _format_lazy_func and args:
        return {
            "t": "format",
            "format": _form(args[0]),
            "args": [_form(a) for a in args[1:]],
            "kwargs": {str(k): _form(v) for k, v in kw.items()},
        }
    return _in_each_language(value)


def text_form(text: str | Promise) -> Any:
    """The JSON form of a subject or body to render again later, or None for a plain
    str (it is final: no language to follow) or a lazy text that cannot be rendered."""
    if not isinstance(text, Promise):
        return None
    try:
        return _form(text)
    except Exception:
        # Never lose the message over its form: the inbox then shows the stored text.
        logger.warning("a notification text could not be kept for later rendering", exc_info=True)
        return None


def texts_form(subject: str | Promise, body: str | Promise) -> dict[str, Any] | None:
    """What `Notification.texts` keeps, less the language of the stored rendering
    (`texts_for`): the forms of the subject and body; None when neither is lazy."""
    subject_form, body_form = text_form(subject), text_form(body)
    if subject_form is None and body_form is None:
        return None
    return {"v": FORM_VERSION, "subject": subject_form, "body": body_form}


def texts_for(form: dict[str, Any] | None, *, language: str) -> dict[str, Any] | None:
    """`form` for one recipient whose stored texts were rendered in `language`."""
    return None if form is None else {**form, "language": language}


# --- Rendering it again ---------------------------------------------------------------------


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise _Unreadable
    return value


def _value(form: Any, depth: int) -> Any:
    """A parameter's value in the active language."""
    if isinstance(form, dict):
        if form.get("t") == "decimal":
            try:
                return Decimal(_str(form.get("value")))
            except InvalidOperation:
                raise _Unreadable from None
        return _text(form, depth)
    if form is None or isinstance(form, str | bool | int | float):
        return form
    raise _Unreadable


def _text(form: Any, depth: int = 0) -> str:  # noqa: PLR0911 - one return per shape
    """A template or a lazy parameter in the active language."""
    if depth > _MAX_DEPTH or not isinstance(form, dict):
        raise _Unreadable
    kind = form.get("t")
    if kind == "gettext":
        return gettext(_str(form.get("msgid")))
    if kind == "pgettext":
        return pgettext(_str(form.get("context")), _str(form.get("msgid")))
    if kind == "ngettext":
        return _plural(form)
    if kind == "languages":
        return _in_active_language(form)
    if kind == "message":
        return _message(form, depth)
    if kind == "format":
        return _format(form, depth)
    raise _Unreadable


def _plural(form: dict[str, Any]) -> str:
    n = form.get("n")
    if not isinstance(n, int):
        raise _Unreadable
    singular, plural = _str(form.get("singular")), _str(form.get("plural"))
    if "context" in form:
        return npgettext(_str(form.get("context")), singular, plural, n)
    return ngettext(singular, plural, n)


def _in_active_language(form: dict[str, Any]) -> str:
    texts = form.get("texts")
    if not isinstance(texts, dict) or not texts:
        raise _Unreadable
    language = translation.get_language() or settings.LANGUAGE_CODE
    for code in (language, settings.LANGUAGE_CODE):
        if code in texts:
            return _str(texts[code])
    return _str(next(iter(texts.values())))


def _format(form: dict[str, Any], depth: int) -> str:
    args, kwargs = form.get("args"), form.get("kwargs")
    if not isinstance(args, list) or not isinstance(kwargs, dict):
        raise _Unreadable
    # format_lazy's format string may be a plain str: used as it is.
    fmt = form.get("format")
    try:
        return (fmt if isinstance(fmt, str) else _text(fmt, depth + 1)).format(
            *[_value(a, depth + 1) for a in args],
            **{str(k): _value(v, depth + 1) for k, v in kwargs.items()},
        )
    except (IndexError, KeyError, ValueError) as exc:
        raise _Unreadable from exc


def _message(form: dict[str, Any], depth: int) -> str:
    params_form = form.get("params")
    if not isinstance(params_form, dict):
        raise _Unreadable
    template = form.get("template")
    text = _text(template, depth + 1)
    params = {str(key): _value(value, depth + 1) for key, value in params_form.items()}
    if not params:
        return text
    try:
        return text % params
    except (KeyError, TypeError, ValueError):
        # The translation's placeholders do not match what was kept: the msgid's own.
        pass
    if not isinstance(template, dict) or template.get("t") != "gettext":
        raise _Unreadable
    try:
        return _str(template.get("msgid")) % params
    except (KeyError, TypeError, ValueError) as exc:
        raise _Unreadable from exc


def _shown(form: Any, stored: str) -> str:
    if form is None:
        return stored
    try:
        return _text(form)
    except _Unreadable:
        return stored
    except Exception:
        # A stored value no shape above anticipated: still never an error page.
        logger.warning("a notification text could not be rendered again", exc_info=True)
        return stored


def texts_render(texts: Any, *, subject: str, body: str) -> tuple[str, str]:
    """The subject and body of a message in the active language: rendered again from
    `texts` (what `texts_form` made) where it holds a form, the stored ones otherwise."""
    if not isinstance(texts, dict) or texts.get("v") != FORM_VERSION:
        return subject, body
    language = translation.get_language() or settings.LANGUAGE_CODE
    if texts.get("language") == language:
        # Stored in the reader's language: exactly what was written.
        return subject, body
    shown_subject = Truncator(_shown(texts.get("subject"), subject)).chars(SUBJECT_MAX)
    return shown_subject, _shown(texts.get("body"), body)


__all__ = ["message", "text_form", "texts_for", "texts_form", "texts_render"]
