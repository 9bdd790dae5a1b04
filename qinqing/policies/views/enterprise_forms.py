"""The forms of the enterprise's pages: an application asks only the rule's declared
facts, each under the label the rule gives it, with the input and the bounds its type
calls for (counts from 0, yuan from 0 with two places, dates, codes, yes/no)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy

from qinqing.enterprises.models import Enterprise
from qinqing.policies.rules.schema import INT_LIMIT, MONEY_LIMIT, fact_label

_NOT_NEGATIVE = gettext_lazy("This cannot be negative.")


class _CodeField(forms.RegexField):
    """A code as the rule compares it: upper-case, whatever the phone's keyboard sent."""

    def to_python(self, value: Any) -> str:
        return str(super().to_python(value)).upper()


_YES_NO = (("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No")))


def _fact_field(name: str, kind: str, label: str) -> forms.Field:
    # An application's whole number is a count (people, visitors) and its amount a sum
    # of money spent or received: neither is negative (parse_facts refuses both too).
    if kind == "int":
        return forms.IntegerField(
            label=label,
            min_value=0,
            max_value=INT_LIMIT,
            help_text=gettext_lazy("A whole number, 0 or more."),
            error_messages={"min_value": _NOT_NEGATIVE},
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
        )
    if kind == "money":
        return forms.DecimalField(
            label=label,
            max_digits=15,
            decimal_places=2,
            min_value=Decimal("0"),
            max_value=MONEY_LIMIT - Decimal("0.01"),
            error_messages={"min_value": _NOT_NEGATIVE},
            help_text=gettext_lazy("In yuan, up to two decimal places."),
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        )
    if kind == "date":
        return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    if kind == "code":
        return _CodeField(
            label=label,
            regex=r"^[0-9A-Z]{1,18}$",
            max_length=18,
            help_text=gettext_lazy("Upper-case letters and digits, such as C39."),
            error_messages={"invalid": gettext_lazy("Upper-case letters and digits only, such as C39.")},
            widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
        )
    return forms.TypedChoiceField(
        label=label,
        choices=_YES_NO,
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )


class ApplyForm(forms.Form):
    """The rule's declared facts, nothing more; materials are read from request.FILES."""

    def __init__(
        self,
        *args: Any,
        facts: dict[str, str],
        enterprises: list[Enterprise],
        hints: dict[str, list[str]] | None = None,
        labels: dict[str, str] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        if len(enterprises) > 1:
            self.fields["enterprise"] = forms.TypedChoiceField(
                label=gettext_lazy("Enterprise"),
                choices=[(str(e.public_id), e.name) for e in enterprises],
            )
        for name, kind in facts.items():
            field = _fact_field(name, kind, str(capfirst((labels or {}).get(name) or fact_label(None, name))))
            # Bootstrap's look for every input, and a generous tap target.
            if not isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs.setdefault("class", "form-control form-control-lg")
            # What the rule asks of the figure, and the clause it rests on.
            field.hints = list((hints or {}).get(name, []))  # type: ignore[attr-defined]
            self.fields[f"fact_{name}"] = field
        if "enterprise" in self.fields:
            self.fields["enterprise"].widget.attrs["class"] = "form-select form-select-lg"
        self.fact_kinds = facts

    def fact_values(self) -> dict[str, Any]:
        """The facts as `parse_facts` expects them: ints, decimal strings, ISO dates, bools."""
        out: dict[str, Any] = {}
        for name, kind in self.fact_kinds.items():
            value = self.cleaned_data.get(f"fact_{name}")
            if value is None:
                continue
            if kind == "money":
                out[name] = str(value)
            elif kind == "date":
                out[name] = value.isoformat() if isinstance(value, dt.date) else value
            else:
                out[name] = value
        return out


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Your answer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Grounds of your objection"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )
