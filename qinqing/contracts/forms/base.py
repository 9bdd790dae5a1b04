"""Shared by the contracts forms: Bootstrap classes, choices set late, constants, and
a service's errors put on a form."""

from __future__ import annotations

from typing import Any

from django import forms

from qinqing.common.errors import ApplicationError

TEXTAREA = {"class": "form-control", "rows": 3}
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"inputmode": "decimal", "autocomplete": "off"}
# What evidence may be: the content is checked again on the server (policies.uploads).
EVIDENCE_ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"
NEW_EVENT = "new"
CUSTOM_EVENT = "custom"


class Styled(forms.Form):
    """Bootstrap classes on every widget (no inline style: the CSP forbids it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect):
                widget.attrs["class"] = "form-check-input"
                continue
            if isinstance(widget, forms.HiddenInput | forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            classes = widget.attrs.get("class", "")
            if css not in classes:
                widget.attrs["class"] = f"{classes} {css}".strip()


def set_choices(form: forms.Form, name: str, choices: list[tuple[str, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


# --- Service errors onto forms --------------------------------------------------------------

# Service field names that the forms call otherwise.
FIELD_ALIASES = {
    "files": "evidence",
    "anchor_obligation": "anchor",
    "anchor_event": "anchor",
    "date": "due_fixed",
    "unit": "offset_unit",
    "enterprise": "credit_code",
    "due_rule": "due_mode",
    "mode": "due_mode",
    "ladder": "ladder_reminder",
    "rungs": "ladder_reminder",
}


def apply_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Each fault of `exc` under the field it concerns; the rest above the form."""
    if not exc.fields:
        form.add_error(None, str(exc.message))
        return
    for raw_key, messages in exc.fields.items():
        key = raw_key.removeprefix("due_rule.")
        head = key.split(".", 1)[0].split("[", 1)[0]
        name = head if head in form.fields else FIELD_ALIASES.get(head)
        if name not in form.fields:
            name = None
        for message in messages:
            form.add_error(name, str(message))
