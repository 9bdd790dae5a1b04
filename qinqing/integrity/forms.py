"""Forms of the integrity pages. They only shape input; the rules are in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DESCRIPTION_MAX, REASON_MAX, RelationKind, RelationState


class EnterpriseSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Enterprise: credit code or name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off", "type": "search"}),
    )


class DeclareForm(forms.Form):
    enterprise = forms.UUIDField(
        label=_("Enterprise"),
        error_messages={"required": _("Choose the enterprise."), "invalid": _("Choose the enterprise.")},
    )
    kind = forms.ChoiceField(
        label=_("Kind of relation"),
        choices=[("", "—"), *RelationKind.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    description = forms.CharField(
        label=_("Description"),
        help_text=_("Who is related and how (required for another relation)."),
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
    )


class EndForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for ending"),
        max_length=REASON_MAX,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class SupervisedFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Enterprise or official"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm", "type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind of relation"),
        choices=[("", _("All kinds")), *RelationKind.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("In force and ended")), *RelationState.choices],
        required=False,
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )

    def values(self) -> dict[str, str]:
        if not self.is_valid():
            return {"q": "", "kind": "", "state": ""}
        return {k: self.cleaned_data.get(k) or "" for k in ("q", "kind", "state")}
