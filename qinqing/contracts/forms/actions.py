"""The loop's action forms on an obligation, each carrying the revision it was taken on."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ..models import ClaimOutcome
from .base import DATE, EVIDENCE_ACCEPT, MONEY, TEXTAREA, Styled

# --- The loop's actions ---------------------------------------------------------------------


class _ActionForm(Styled):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class ClaimForm(_ActionForm):
    met_on = forms.DateField(label=_("Met on"), widget=DATE)
    achieved_value = forms.DecimalField(
        label=_("Figure reached"),
        max_digits=18,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        widget=forms.TextInput(attrs=MONEY),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    evidence = MultipleFileField(
        label=_("Evidence (PDF, PNG or JPEG)"),
        required=False,
        help_text=_("One or more documents or photos; at most 10 MB per file."),
    )
    photo = MultipleFileField(
        label=_("Or take a photo"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def __init__(self, *args: Any, target: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.target = target
        # One of the two is needed: neither is marked optional.
        for name in ("evidence", "photo"):
            self.fields[name].show_optional = False  # type: ignore[attr-defined]
        if target:
            self.fields["achieved_value"].required = True
        else:
            del self.fields["achieved_value"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["files"] = [*(data.get("evidence") or []), *(data.get("photo") or [])]
        if not data["files"] and not self.has_error("evidence"):
            self.add_error("evidence", _("Attach at least one document or photo as evidence."))
        return data


class RevisionForm(_ActionForm):
    """An action that needs nothing but the revision (withdraw, confirm)."""


class ConfirmForm(_ActionForm):
    """Confirm a claim. The reason is asked for only when confirming moves a contract's
    date already missed: the service then refuses without one, and the form comes back
    bound, with the field and the dates it moves."""

    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed when confirming moves the contract's due date of an obligation already "
            "missed that counts from this one: it is kept on that obligation, and the committee "
            "and the supervisors are told."
        ),
    )

    def __init__(self, *args: Any, ask_reason: bool | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not (self.is_bound if ask_reason is None else ask_reason):
            del self.fields["reason"]
        else:
            # Required only when the confirmation moves a missed date: its help says when.
            self.fields["reason"].show_optional = False  # type: ignore[attr-defined]


class ReasonForm(_ActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))


class DecideForm(ReasonForm):
    outcome = forms.ChoiceField(label=_("Decision"), choices=ClaimOutcome.choices, widget=forms.RadioSelect)
    field_order = ["outcome", "reason"]


class PlanForm(_ActionForm):
    cause = forms.CharField(
        label=_("Cause of the delay"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )
    remedy = forms.CharField(label=_("Remedy"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))
    proposed_date = forms.DateField(label=_("New date"), widget=DATE)


class PlanDecideForm(_ActionForm):
    accept = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Accept the plan: the due date moves")), ("0", pgettext_lazy("plan", "Reject"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("accept") is False and not data.get("reason"):
            self.add_error("reason", _("Say why the plan is rejected."))
        return data
