"""Input forms of the admin's calendar page; the rules live in services.py."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DayKind, HolidayName, YearStatus


class CalendarDayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=DayKind.choices)
    name = forms.ChoiceField(label=_("Festival"), choices=HolidayName.choices)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class CalendarYearForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status of the year"),
        choices=YearStatus.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Complete: the State Council's notice is entered in full. Provisional: an assumption "
            "until then, flagged wherever it is used. Not complete: working-day arithmetic refuses "
            "dates in the year."
        ),
    )
    source = forms.CharField(
        label=_("Source"),
        max_length=300,
        required=False,
        help_text=_("The notice the days were taken from, e.g. its title and address."),
    )
