"""Shared by the ledger's forms: Bootstrap classes, file fields, and a service's errors
put on a form."""

from __future__ import annotations

from typing import Any

from django import forms

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
