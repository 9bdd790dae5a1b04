"""The admin's ladder form: one row per rung (on or off, offset, unit)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinqing.workdays.calendar import DayUnit

from .ladders import MAX_OFFSET, Rung
from .models import RungName


class LadderForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, label in RungName.choices:
            self.fields[f"{name}_on"] = forms.BooleanField(label=label, required=False)
            self.fields[f"{name}_offset"] = forms.IntegerField(
                label=_("Days from the due date"), min_value=-MAX_OFFSET, max_value=MAX_OFFSET, required=False
            )
            self.fields[f"{name}_unit"] = forms.ChoiceField(label=_("Unit"), choices=DayUnit.choices)

    @classmethod
    def initial_for(cls, rungs: tuple[Rung, ...], note: str = "") -> dict[str, Any]:
        initial: dict[str, Any] = {"note": note}
        by_name = {r.name: r for r in rungs}
        for name in RungName.values:
            rung = by_name.get(name)
            initial[f"{name}_on"] = rung is not None
            initial[f"{name}_offset"] = rung.offset if rung else 0
            initial[f"{name}_unit"] = rung.unit if rung else DayUnit.WORKING
        return initial

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "name": name,
                "label": label,
                "on": self[f"{name}_on"],
                "offset": self[f"{name}_offset"],
                "unit": self[f"{name}_unit"],
            }
            for name, label in RungName.choices
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in RungName.values:
            if data.get(f"{name}_on") and data.get(f"{name}_offset") is None:
                self.add_error(f"{name}_offset", _("Enter the rung's offset in days."))
        if not any(data.get(f"{name}_on") for name in RungName.values):
            raise forms.ValidationError(_("Keep at least one rung."))
        return data

    def rungs_json(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {"name": name, "offset": data[f"{name}_offset"], "unit": data[f"{name}_unit"]}
            for name in RungName.values
            if data.get(f"{name}_on")
        ]
