"""Input forms of the admin's calendar page; the rules live in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DayKind, HolidayName


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=DayKind.choices)
    name = forms.ChoiceField(label=_("Festival"), choices=HolidayName.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CalendarYearForm(forms.Form):
    complete = forms.BooleanField(
        label=_("This year's arrangement is entered in full"),
        required=False,
        help_text=_("Only complete years are used for working-day arithmetic."),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=_("The notice the days were taken from, e.g. its title and address."),
    )
