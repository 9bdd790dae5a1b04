"""Forms of the commission's and the departments' office pages: the dashboard's filter,
a campaign with its topics, a walk-through with its steps and the problems found, a
monitoring point, an observer, a rule established.

Forms check the shape of what was typed; the rules (who may, which dates, which
problems) are the services', whose refusals the views put back on these forms.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinqing.accounts.models import Organisation
from qinqing.accounts.pickers import organisation_choices
from qinqing.common.once import OnceForm

from .forms.base import MultipleFileField
from .models import (
    CAMPAIGN_CHANNELS,
    SUBCATEGORIES,
    Category,
    Channel,
    DeadlineMode,
    Institutional,
    OutcomeKind,
    Severity,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = {"class": "form-control", "rows": 3}
# Problem references as people quote them: TZ, the year and seven digits.
REFERENCE = re.compile(r"TZ\d{11}", re.IGNORECASE)


class Styled(forms.Form):
    """Bootstrap classes on every widget (no inline style: the CSP forbids it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.HiddenInput | forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            classes = widget.attrs.get("class", "")
            if css not in classes:
                widget.attrs["class"] = f"{classes} {css}".strip()


def org_choices(orgs: list[Organisation]) -> list[Any]:
    """Public id and name, in the tree's order (grouped by parent, or indented)."""
    return organisation_choices(orgs)


def subcategory_choices() -> list[tuple[Any, Any]]:
    grouped: list[tuple[Any, Any]] = [("", _("(none)"))]
    labels = dict(Category.choices)
    for category, subs in SUBCATEGORIES.items():
        grouped.append((labels[category], [(code, label) for code, label in subs]))
    return grouped


class ChosenOrganisation(Styled):
    """A form with an `organisation` picked among the organisations given."""

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._organisations = {str(o.public_id): o for o in organisations}
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = org_choices(organisations)
        if len(organisations) == 1 and not self.is_bound:
            self.initial.setdefault("organisation", str(organisations[0].public_id))

    def chosen_organisation(self) -> Organisation:
        return self._organisations[self.cleaned_data["organisation"]]


# --- The dashboard ------------------------------------------------------------------------------


class DashboardFilterForm(Styled):
    """The period (by the day problems were registered) and the district or county."""

    def __init__(self, *args: Any, districts: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The query string's names are "from" and "to", like the problem list's.
        self.fields["from"] = forms.DateField(label=_("Registered from"), required=False, widget=DATE)
        self.fields["to"] = forms.DateField(label=_("Registered until"), required=False, widget=DATE)
        self.fields["area"] = forms.ChoiceField(
            label=_("District or county"),
            required=False,
            choices=[
                ("", _("All in my reach")),
                ("city", _("City departments")),
                *org_choices(districts),
            ],
        )
        for name in ("from", "to", "area"):
            self.fields[name].widget.attrs["class"] = (
                "form-select form-select-sm" if name == "area" else "form-control form-control-sm"
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and end < start:
            self.add_error("to", _("The end of the period cannot come before its start."))
            data.pop("to", None)
        return data


# --- Campaigns ----------------------------------------------------------------------------------


class CampaignForm(ChosenOrganisation):
    channel = forms.ChoiceField(
        label=_("Kind of campaign"),
        choices=[(v, label) for v, label in Channel.choices if v in CAMPAIGN_CHANNELS],
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    organisation = forms.ChoiceField(label=_("Organised by"))
    starts_on = forms.DateField(label=_("Starts on"), widget=DATE)
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=DATE)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("starts_on"), data.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("The end cannot come before the start."))
        return data


class TopicForm(Styled):
    title = forms.CharField(label=_("Topic"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)

    def has_changed(self) -> bool:
        # A category chosen alone does not make a topic.
        return bool(self["title"].value())


class BaseRows(forms.BaseFormSet):  # type: ignore[type-arg]
    """A formset of rows; rows left empty are ignored (see `filled_rows`)."""


def filled_rows(formset: forms.BaseFormSet) -> list[tuple[int, forms.Form]]:  # type: ignore[type-arg]
    """The rows of a valid formset that were filled in, with their index in the formset
    (the services number the rows they are given; the views map them back)."""
    return [(i, form) for i, form in enumerate(formset.forms) if form.has_changed() and form.cleaned_data]


TopicFormSet = forms.formset_factory(TopicForm, formset=BaseRows, extra=3, max_num=30, validate_max=True)


# --- Walk-throughs ------------------------------------------------------------------------------


class WalkForm(Styled, OnceForm):
    department = forms.ChoiceField(label=_("Department"))
    process_name = forms.CharField(label=_("Process walked"), max_length=200)
    walked_on = forms.DateField(label=_("Walked on"), widget=DATE)
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(
        self,
        *args: Any,
        departments: list[Organisation],
        campaigns: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._departments = {str(o.public_id): o for o in departments}
        department = self.fields["department"]
        assert isinstance(department, forms.ChoiceField)
        department.choices = org_choices(departments)
        campaign = self.fields["campaign"]
        assert isinstance(campaign, forms.ChoiceField)
        campaign.choices = [("", _("(none)")), *campaigns]

    def clean_walked_on(self) -> dt.date:
        from django.utils import timezone

        day: dt.date = self.cleaned_data["walked_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("Enter a date that is not in the future."))
        return day

    def chosen_department(self) -> Organisation:
        return self._departments[self.cleaned_data["department"]]


class StepForm(Styled):
    name = forms.CharField(label=_("Step"), max_length=100)
    minutes = forms.IntegerField(label=_("Minutes"), min_value=0, max_value=60 * 24 * 60)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["minutes"].widget.attrs["inputmode"] = "numeric"


StepFormSet = forms.formset_factory(StepForm, formset=BaseRows, extra=4, max_num=50, validate_max=True)


class FoundProblemForm(Styled):
    title = forms.CharField(label=_("Problem found"), max_length=200)
    description = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2}))
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    subcategory = forms.ChoiceField(label=_("Sub-type"), required=False, choices=subcategory_choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices, initial=Severity.MINOR)
    institutional = forms.ChoiceField(label=_("Institutional"), choices=Institutional.choices, required=False)
    deadline_mode = forms.ChoiceField(
        label=_("Time limit"), choices=DeadlineMode.choices, initial=DeadlineMode.WORKING_DAYS
    )
    deadline_days = forms.IntegerField(
        label=_("Working days to fix"), min_value=1, max_value=365, required=False
    )

    def has_changed(self) -> bool:
        # The defaults of the selects alone do not make a problem.
        return any(self[name].value() for name in ("title", "description", "deadline_days"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("deadline_mode") == DeadlineMode.WORKING_DAYS and not data.get("deadline_days"):
            self.add_error("deadline_days", _("Give the working days to fix it (1 or more)."))
        category, sub = data.get("category"), data.get("subcategory")
        if category and sub and sub not in {code for code, _label in SUBCATEGORIES.get(category, ())}:
            self.add_error("subcategory", _("This sub-type does not belong to the category."))
        return data

    def as_service(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "category": data["category"],
            "subcategory": data.get("subcategory") or "",
            "severity": data["severity"],
            "institutional": data.get("institutional") or "",
            "deadline_mode": data["deadline_mode"],
            "deadline_days": data.get("deadline_days")
            if data["deadline_mode"] == DeadlineMode.WORKING_DAYS
            else None,
        }


FoundProblemFormSet = forms.formset_factory(
    FoundProblemForm, formset=BaseRows, extra=1, max_num=30, validate_max=True
)


# --- A finding of the commission, a group or a department ---------------------------------------


class FindingForm(FoundProblemForm, OnceForm):
    """A problem found on an inspection tour, in a topic campaign or on a visit (the
    commission and the groups, who may assign it at once), or a department's own
    finding (assigned to the department at once). `channels`, `campaigns` ("c:<uuid>"
    for a campaign, "t:<id>" for one of its topics) and `departments` are what the user
    may choose; a department's own finding must name one of its departments."""

    channel = forms.ChoiceField(label=_("Found through"))
    campaign = forms.ChoiceField(label=_("Campaign or topic"), required=False)
    location = forms.CharField(label=_("Where"), max_length=200, required=False)
    department = forms.ChoiceField(label=_("Responsible department"), required=False)
    evidence = MultipleFileField(label=_("Photos or documents (PDF, PNG or JPEG)"))
    field_order = [
        "channel",
        "campaign",
        "title",
        "description",
        "category",
        "subcategory",
        "severity",
        "institutional",
        "location",
        "department",
        "deadline_mode",
        "deadline_days",
        "evidence",
    ]

    def __init__(
        self,
        *args: Any,
        channels: list[tuple[str, Any]],
        campaigns: list[tuple[str, str]],
        departments: list[tuple[str, str]],
        department_required: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = channels  # type: ignore[attr-defined]
        self.fields["campaign"].choices = [("", _("— none —")), *campaigns]  # type: ignore[attr-defined]
        department = self.fields["department"]
        department.required = department_required
        department.choices = [  # type: ignore[attr-defined]
            ("", _("— choose —") if department_required else _("Assign later")),
            *departments,
        ]
        if not department_required:
            department.help_text = _("Assign it at once, or leave it for the commission to assign.")
        self.order_fields(self.field_order)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        data["files"] = list(data.get("evidence") or [])
        if not data.get("department"):
            # Registered without assigning: the time limit is the assignment's, not asked.
            self.errors.pop("deadline_days", None)
        return data


# --- Monitoring points and observers ------------------------------------------------------------


class PointForm(ChosenOrganisation):
    name = forms.CharField(label=_("Name of the monitoring point"), max_length=200)
    organisation = forms.ChoiceField(label=_("Appointed by"))
    credit_code = forms.CharField(
        label=_("Enterprise's unified social credit code"),
        max_length=18,
        min_length=18,
        required=False,
        help_text=_("When the point is an enterprise."),
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    appointed_on = forms.DateField(label=_("Appointed on"), widget=DATE)

    def clean_credit_code(self) -> str:
        return str(self.cleaned_data.get("credit_code") or "").strip().upper()


class ObserverForm(ChosenOrganisation):
    username = forms.CharField(
        label=_("User name of the person appointed"),
        max_length=150,
        help_text=_("The person must already have an account."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    organisation = forms.ChoiceField(label=_("Appointed by"))
    affiliation = forms.CharField(label=_("Affiliation"), max_length=200, required=False)
    appointed_on = forms.DateField(label=_("Appointed on"), widget=DATE)


# --- Rules established --------------------------------------------------------------------------


class OutcomeForm(Styled):
    title = forms.CharField(label=_("Title of the rule or document"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=OutcomeKind.choices)
    document_number = forms.CharField(label=_("Document number"), max_length=100, required=False)
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE)
    organisation = forms.ChoiceField(label=_("Issued by"))
    campaign = forms.ChoiceField(label=_("Campaign"), required=False)
    references = forms.CharField(
        label=_("Problems it answers"),
        help_text=_("Their references (such as TZ20260000123), separated by spaces, commas or new lines."),
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 2, "autocapitalize": "characters"}),
    )
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    url = forms.CharField(label=_("Link"), max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        organisations: list[Organisation],
        campaigns: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._organisations = {str(o.public_id): o for o in organisations}
        org = self.fields["organisation"]
        assert isinstance(org, forms.ChoiceField)
        org.choices = org_choices(organisations)
        campaign = self.fields["campaign"]
        assert isinstance(campaign, forms.ChoiceField)
        campaign.choices = [("", _("(none)")), *campaigns]

    def clean_references(self) -> list[str]:
        text = str(self.cleaned_data.get("references") or "")
        tokens = [t for t in re.split(r"[\s,，;；、]+", text) if t]
        bad = [t for t in tokens if not REFERENCE.fullmatch(t)]
        if bad:
            raise forms.ValidationError(
                _("Not a problem reference: %(refs)s"), params={"refs": "、".join(bad[:10])}
            )
        if not tokens:
            raise forms.ValidationError(_("Link the problems this rule answers."))
        return list(dict.fromkeys(t.upper() for t in tokens))

    def chosen_organisation(self) -> Organisation:
        return self._organisations[self.cleaned_data["organisation"]]
