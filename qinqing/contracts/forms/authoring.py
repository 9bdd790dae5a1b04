"""The committee's authoring forms: project, contract, clause with its own ladder, an
obligation with its due rule, a changed rule, a project event."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinqing.common.errors import ValidationFailed
from qinqing.deadlines.ladders import rungs_from_json
from qinqing.deadlines.models import RungName
from qinqing.workdays.calendar import DayUnit

from ..models import ContractKind, DueMode, DueUnit, EventKey, ObligationKind, ObligorSide
from .base import CUSTOM_EVENT, DATE, MONEY, NEW_EVENT, TEXTAREA, Styled, set_choices

# --- Authoring ------------------------------------------------------------------------------


class ProjectForm(Styled):
    """A project's fields; on creation also the enterprise and the committee."""

    credit_code = forms.CharField(
        label=_("Enterprise's unified social credit code"),
        max_length=18,
        min_length=18,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    committee = forms.ChoiceField(label=_("Management committee"))
    reference = forms.CharField(label=_("Project number"), max_length=32)
    name = forms.CharField(label=_("Project name"), max_length=200)
    industry = forms.CharField(label=_("Industry"), max_length=100)
    planned_investment = forms.DecimalField(
        label=_("Planned investment (yuan)"),
        max_digits=16,
        decimal_places=2,
        min_value=Decimal(0),
        widget=forms.TextInput(attrs=MONEY),
    )
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    land_parcel = forms.CharField(label=_("Land parcel"), max_length=100, required=False)
    land_area_mu = forms.DecimalField(
        label=_("Land area (mu)"),
        max_digits=10,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        widget=forms.TextInput(attrs=MONEY),
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )

    EDITABLE = (
        "name",
        "industry",
        "planned_investment",
        "signed_on",
        "land_parcel",
        "land_area_mu",
        "location",
        "description",
    )

    def __init__(self, *args: Any, committees: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if committees is None:
            del self.fields["credit_code"]
            del self.fields["committee"]
            del self.fields["reference"]
        else:
            set_choices(self, "committee", committees)

    def clean_credit_code(self) -> str:
        from qinqing.enterprises.credit_code import normalise

        return normalise(self.cleaned_data["credit_code"])

    def changes(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.EDITABLE}
        for name in ("land_parcel", "location", "description"):
            data[name] = data[name] or ""
        return data


class ContractForm(Styled):
    kind = forms.ChoiceField(label=_("Kind of contract"), choices=ContractKind.choices)
    number = forms.CharField(label=_("Contract number"), max_length=64)
    title = forms.CharField(label=_("Title"), max_length=200)
    government_party = forms.ChoiceField(label=_("Government party"))
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    value = forms.DecimalField(
        label=_("Contract value (yuan)"),
        max_digits=16,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        widget=forms.TextInput(attrs=MONEY),
    )
    amends = forms.ChoiceField(label=_("Amends the contract"), required=False)

    def __init__(
        self,
        *args: Any,
        parties: list[tuple[str, str]],
        contracts: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "government_party", parties)
        set_choices(self, "amends", [("", "—"), *contracts])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == ContractKind.SUPPLEMENTARY and not data.get("amends"):
            self.add_error("amends", _("A supplementary agreement names the contract it amends."))
        return data


# The ladder rungs of a clause: each entered as days before (reminder, warning) or after
# (alarm, escalation) the due date; a blank rung is left out.
LADDER_FIELDS = (
    ("ladder_reminder", RungName.REMINDER, -1),
    ("ladder_warning", RungName.WARNING, -1),
    ("ladder_alarm", RungName.ALARM, 1),
    ("ladder_escalation", RungName.ESCALATION, 1),
)


def _days(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=3660,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
    )


class ClauseForm(Styled):
    number = forms.CharField(label=_("Clause number"), max_length=32)
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    text = forms.CharField(label=_("Text of the clause"), widget=forms.Textarea(attrs={"rows": 5}))
    own_ladder = forms.BooleanField(
        label=_("This clause has its own reminder ladder"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    ladder_reminder = _days(_("Reminder: days before the due date"))
    ladder_warning = _days(_("Warning: days before the due date (0 = on the day)"))
    ladder_alarm = _days(_("Alarm: days after the due date"))
    ladder_escalation = _days(_("Escalation: days after the due date"))
    ladder_unit = forms.ChoiceField(label=_("The ladder counts"), choices=DayUnit.choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["ladder"] = None
        if not data.get("own_ladder"):
            return data
        rungs = [
            {
                "name": str(rung),
                "offset": sign * data[name],
                "unit": data.get("ladder_unit") or DayUnit.CALENDAR,
            }
            for name, rung, sign in LADDER_FIELDS
            if data.get(name) is not None
        ]
        if not rungs:
            self.add_error(
                "ladder_reminder", _("Give at least one rung, or leave the clause on the usual ladder.")
            )
            return data
        try:
            rungs_from_json(rungs)
        except ValidationFailed as exc:
            for messages in exc.fields.values():
                for message in messages:
                    self.add_error(None, message)
            return data
        data["ladder"] = rungs
        return data


class DueRuleForm(Styled):
    """A due rule: a fixed date, or N calendar days / working days / months after another
    obligation of the project is met or a project event happens (a new event may be
    declared here, so an obligation can count from something that has not happened)."""

    due_mode = forms.ChoiceField(
        label=_("Due"),
        choices=DueMode.choices,
        initial=DueMode.ABSOLUTE,
        widget=forms.RadioSelect(attrs={"data-due-mode": ""}),
    )
    due_fixed = forms.DateField(label=_("Fixed due date"), required=False, widget=DATE)
    offset = forms.IntegerField(
        label=_("Within"),
        required=False,
        min_value=0,
        max_value=3660,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1"}),
    )
    offset_unit = forms.ChoiceField(label=_("Unit"), choices=DueUnit.choices, initial=DueUnit.CALENDAR)
    anchor = forms.ChoiceField(label=_("Counted from"), required=False)
    new_event_key = forms.ChoiceField(
        label=_("New event"),
        required=False,
        choices=[("", "—"), *EventKey.choices, (CUSTOM_EVENT, _("Another event (name it below)"))],
    )
    new_event_code = forms.SlugField(
        label=_("Code of the other event"),
        required=False,
        max_length=64,
        help_text=_("Latin letters, digits and underscores, such as fire_inspection."),
    )
    new_event_label = forms.CharField(label=_("Name of the new event"), required=False, max_length=200)

    # Required or not by the mode chosen: not marked optional on the page.
    CONDITIONAL = (
        "due_fixed",
        "offset",
        "anchor",
        "new_event_key",
        "new_event_code",
        "obligor_department",
    )

    def __init__(self, *args: Any, anchors: list[tuple[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.CONDITIONAL:
            if name in self.fields:
                self.fields[name].show_optional = False  # type: ignore[attr-defined]
        set_choices(
            self,
            "anchor",
            [("", "—"), *anchors, (NEW_EVENT, _("A new event (declare it below)"))],
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("due_mode") == DueMode.ABSOLUTE:
            if not data.get("due_fixed"):
                self.add_error("due_fixed", _("Give the due date."))
            return data
        if data.get("offset") is None:
            self.add_error("offset", _("Give the number of days or months."))
        anchor = data.get("anchor")
        if not anchor:
            self.add_error("anchor", _("Choose what the due date counts from."))
        elif anchor == NEW_EVENT:
            key = data.get("new_event_key")
            if not key:
                self.add_error("new_event_key", _("Choose the event."))
            elif key == CUSTOM_EVENT:
                if not data.get("new_event_code"):
                    self.add_error("new_event_code", _("Give the other event a code."))
                if not data.get("new_event_label"):
                    self.add_error("new_event_label", _("Give the other event a name."))
        return data

    def new_event(self) -> tuple[str, str] | None:
        """(key, label) of the event to declare first, if the rule counts from a new one."""
        data = self.cleaned_data
        if data.get("due_mode") != DueMode.RELATIVE or data.get("anchor") != NEW_EVENT:
            return None
        key = data["new_event_key"]
        if key == CUSTOM_EVENT:
            return data["new_event_code"], data["new_event_label"]
        return key, data.get("new_event_label") or str(EventKey(key).label)


class ObligationForm(DueRuleForm):
    obligor_side = forms.ChoiceField(
        label=_("Who owes it"),
        choices=ObligorSide.choices,
        widget=forms.RadioSelect(attrs={"data-obligor-side": ""}),
    )
    obligor_department = forms.ChoiceField(label=_("Obligor department"), required=False)
    kind = forms.ChoiceField(label=_("Kind of obligation"), choices=ObligationKind.choices)
    title = forms.CharField(label=_("Obligation"), max_length=200)
    description = forms.CharField(label=_("Details"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    target_value = forms.DecimalField(
        label=_("Target"),
        max_digits=18,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        widget=forms.TextInput(attrs=MONEY),
        help_text=_("Only where a figure must be reached, such as an investment amount."),
    )
    target_unit = forms.CharField(label=_("Target unit"), max_length=20, required=False)

    field_order = [
        "obligor_side",
        "obligor_department",
        "kind",
        "title",
        "description",
        "target_value",
        "target_unit",
    ]

    def __init__(self, *args: Any, departments: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self, "obligor_department", [("", "—"), *departments])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("obligor_side") == ObligorSide.GOVERNMENT and not data.get("obligor_department"):
            self.add_error("obligor_department", _("Name the department that owes it."))
        if data.get("target_value") is not None and not data.get("target_unit"):
            self.add_error("target_unit", _("Give the unit of the target, such as yuan."))
        return data


class RuleChangeForm(DueRuleForm):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    reason = forms.CharField(
        label=_("Why the rule changes"), max_length=500, widget=forms.Textarea(attrs=TEXTAREA)
    )


class EventForm(Styled):
    key = forms.ChoiceField(label=_("Event"))
    code = forms.SlugField(
        label=_("Code of the other event"),
        required=False,
        max_length=64,
        help_text=_("Latin letters, digits and underscores, such as fire_inspection."),
    )
    label = forms.CharField(label=_("Name of the event"), required=False, max_length=200)
    occurred_on = forms.DateField(label=_("Happened on"), widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=500)
    reason = forms.CharField(
        label=_("Reason for the correction"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Needed when the new date moves the contract's due date of an obligation already "
            "missed: it is kept on the obligation, and the committee and the supervisors are told."
        ),
    )

    def __init__(self, *args: Any, keys: list[tuple[str, Any]], allow_custom: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = list(keys)
        if allow_custom:
            choices.append((CUSTOM_EVENT, _("Another event (name it below)")))
            self.fields["code"].show_optional = False  # type: ignore[attr-defined]
        else:
            del self.fields["code"]
        # Required only when the correction moves a missed date: its help says when.
        self.fields["reason"].show_optional = False  # type: ignore[attr-defined]
        set_choices(self, "key", choices)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("key") == CUSTOM_EVENT:
            if not data.get("code"):
                self.add_error("code", _("Give the other event a code."))
            if not data.get("label"):
                self.add_error("label", _("Give the other event a name."))
        return data

    def event_key(self) -> str:
        key = self.cleaned_data["key"]
        return str(self.cleaned_data["code"]) if key == CUSTOM_EVENT else str(key)
