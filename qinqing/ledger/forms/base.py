"""Shared by the ledger's forms: Bootstrap classes, file fields, and a service's errors
put on a form."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.core import signing
from django.utils.translation import gettext_lazy as _

from qinqing.common.errors import ApplicationError

TEXTAREA = {"class": "form-control", "rows": 3}
# What evidence may be: the content is checked again by the services.
EVIDENCE_ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"

# Service field names that the forms call otherwise.
FIELD_ALIASES = {"files": "evidence", "receipt": "code"}


class Styled(forms.Form):
    """Bootstrap classes on every widget (no inline style: the CSP forbids it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
                widget.attrs["class"] = "form-check-input"
                continue
            if isinstance(widget, forms.HiddenInput | forms.CheckboxInput):
                if isinstance(widget, forms.CheckboxInput):
                    widget.attrs["class"] = "form-check-input"
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            classes = widget.attrs.get("class", "")
            if css not in classes:
                widget.attrs["class"] = f"{classes} {css}".strip()


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; an empty list when none was chosen."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def photo_field(label: Any) -> MultipleFileField:
    """A camera button on a phone: images only, the back camera."""
    return MultipleFileField(
        label=label, widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"})
    )


# How long a form's key is taken: a form left open longer asks to be sent again (it
# keeps what was typed), so an old page in a shared browser's history cannot be sent
# again to read the answer of a report made from it.
FORM_KEY_MAX_AGE = 24 * 60 * 60
FORM_KEY_SALT = "qinqing.ledger.form_key"


def issue_form_key() -> str:
    """A fresh key for one form, signed with the time it was issued."""
    return signing.TimestampSigner(salt=FORM_KEY_SALT).sign(secrets.token_urlsafe(24))


class OnceForm(forms.Form):
    """A form that registers something, sent once: it carries a key of its own, which
    the service stores (`idempotency_key`), so sending it twice (a double click, a reload,
    the back button) gives what the first sending made. `cleaned_data["form_key"]` is
    the key, or "" when the form came without one."""

    form_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["form_key"] = issue_form_key()

    def clean_form_key(self) -> str:
        raw = str(self.cleaned_data.get("form_key") or "")
        if not raw:
            return ""
        try:
            return str(signing.TimestampSigner(salt=FORM_KEY_SALT).unsign(raw, max_age=FORM_KEY_MAX_AGE))
        except signing.BadSignature:
            self.renew_form_key()
            self.add_error(None, _("This form has expired. Check your answers and send it again."))
            return ""

    def renew_form_key(self) -> None:
        """Put a fresh key in the form shown again: what it sends next is new."""
        data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict or a dict
        data[self.add_prefix("form_key")] = issue_form_key()
        self.data = data


def apply_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Each fault of `exc` under the field it concerns; the rest above the form."""
    if not exc.fields:
        form.add_error(None, str(exc.message))
        return
    for raw_key, messages in exc.fields.items():
        head = raw_key.split(".", 1)[0].split("[", 1)[0]
        name: str | None = head if head in form.fields else FIELD_ALIASES.get(head)
        if name not in form.fields:
            name = None
        for message in messages:
            form.add_error(name, str(message))
