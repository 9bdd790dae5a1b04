"""Forms of the registry pages. They only shape input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import industry as industry_codes
from .labels import KNOWN
from .models import EnterpriseStatus
from .selectors import region_nodes


def _label_choices() -> list[tuple[str, Any]]:
    choices: list[tuple[str, Any]] = [("", _("Any label"))]
    for key, kind in KNOWN.items():
        if kind.values:
            choices.extend((f"{key}={v}", f"{kind.name} {v}") for v in kind.values)
        else:
            choices.append((key, kind.name))
    return choices


class EnterpriseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("Name, pinyin, initials or credit code"),
                "autocomplete": "off",
            }
        ),
    )
    region = forms.ChoiceField(label=_("Region"), required=False)
    industry = forms.ChoiceField(label=_("Industry"), required=False)
    label = forms.ChoiceField(label=_("Label"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *EnterpriseStatus.choices]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.regions = {node.code: node for node in region_nodes()}
        region_field: Any = self.fields["region"]
        region_field.choices = [("", _("Whole city")), *((c, n.name) for c, n in self.regions.items())]
        industry_field: Any = self.fields["industry"]
        industry_field.choices = [("", _("Any industry")), *industry_codes.section_choices()]
        label_field: Any = self.fields["label"]
        label_field.choices = _label_choices()
        for field in self.fields.values():
            css = "form-select form-select-sm" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments; invalid input filters nothing rather than failing."""
        if not self.is_valid():
            return {"q": "", "region": None, "industry": "", "label": "", "status": ""}
        data = self.cleaned_data
        return {
            "q": data["q"],
            "region": self.regions.get(data["region"]),
            "industry": data["industry"],
            "label": data["label"],
            "status": data["status"],
        }


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or Excel file"),
        help_text=_("CSV in UTF-8 or GB18030, or an .xlsx workbook; at most 20 MB and 200,000 rows."),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx"}),
    )


class PinyinForm(forms.Form):
    reading = forms.CharField(
        label=_("Pinyin reading"),
        required=False,
        max_length=600,
        help_text=_(
            "Syllables separated by spaces, e.g. shan xian. Leave empty to compute it from the name."
        ),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


class LabelsForm(forms.Form):
    labels = forms.CharField(
        label=_("Labels"),
        required=False,
        max_length=2000,
        help_text=_("name=value pairs separated by semicolons, e.g. high_tech=yes;scenic_grade=3A."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )


class VerifyBankAccountForm(forms.Form):
    account_number = forms.CharField(widget=forms.HiddenInput, max_length=64)
