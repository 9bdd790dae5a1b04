"""The loop's action forms on a problem, each carrying the revision it was shown (the
note excepted: it changes nothing another person could be acting on)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qinqing.accounts.models import Organisation, OrganisationKind, Role
from qinqing.accounts.pickers import OrganisationChoiceField, OrganisationMultipleChoiceField
from qinqing.accounts.scoping import scope_for, subtree_q

from ..models import (
    SUBCATEGORIES,
    Category,
    DeadlineMode,
    Institutional,
    Outcome,
    Problem,
    ReferralLevel,
    ReturnVisitMode,
    Severity,
)
from .base import TEXTAREA, MultipleFileField, Styled, photo_field


class _ActionForm(Styled):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


def _text(label: Any, *, required: bool = True, max_length: int = 4000) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs=TEXTAREA)
    )


YES_NO = [("1", pgettext_lazy("answer", "Yes")), ("0", pgettext_lazy("answer", "No"))]


def _yes_no(label: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=YES_NO, coerce=lambda v: v == "1", widget=forms.RadioSelect
    )


def _roots(problem: Problem, user: Any) -> list[str]:
    """Where a dispatcher may send a problem: the city or county its commission serves,
    and whatever else the dispatcher's own reach covers (the city's commission assigns a
    problem received in a county to a city department)."""
    commission = problem.intake
    roots = [commission.parent.path if commission.parent_id and commission.parent else commission.path]
    if user is not None:
        roots += list(scope_for(user).paths_for(Role.SUPERVISOR))
    return roots


def departments_for(problem: Problem, user: Any = None) -> Any:
    """The departments a problem received at a commission may go to."""
    return Organisation.objects.filter(
        subtree_q("path", _roots(problem, user)), kind=OrganisationKind.DEPARTMENT
    ).order_by("path")


def groups_for(problem: Problem, user: Any = None) -> Any:
    return Organisation.objects.filter(
        subtree_q("path", _roots(problem, user)), kind=OrganisationKind.SUPERVISION_GROUP
    ).order_by("path")


class AssignForm(_ActionForm):
    department = OrganisationChoiceField(
        label=_("Responsible department"), queryset=Organisation.objects.none(), to_field_name="public_id"
    )
    co_departments = OrganisationMultipleChoiceField(
        label=_("Also responsible"),
        queryset=Organisation.objects.none(),
        to_field_name="public_id",
        required=False,
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
    )
    deadline_mode = forms.ChoiceField(
        label=_("Time limit"),
        choices=DeadlineMode.choices,
        initial=DeadlineMode.WORKING_DAYS,
        widget=forms.RadioSelect,
    )
    deadline_days = forms.IntegerField(
        label=_("Working days to fix"),
        required=False,
        min_value=1,
        max_value=365,
        help_text=_("Needed for a limit in working days."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    supervising_group = OrganisationChoiceField(
        label=_("Supervising group"),
        queryset=Organisation.objects.none(),
        to_field_name="public_id",
        required=False,
        empty_label=_("The group that watches the department"),
    )
    note = _text(_("Note"), required=False)

    def __init__(self, *args: Any, problem: Problem, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        departments = departments_for(problem, user)
        self.fields["department"].queryset = departments  # type: ignore[attr-defined]
        self.fields["co_departments"].queryset = departments  # type: ignore[attr-defined]
        self.fields["supervising_group"].queryset = groups_for(problem, user)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        missing = data.get("deadline_mode") == DeadlineMode.WORKING_DAYS and not data.get("deadline_days")
        if missing and not self.has_error("deadline_days"):
            self.add_error("deadline_days", _("Give the working days to fix it (1 or more)."))
        return data


class ProgressForm(_ActionForm):
    text = _text(_("Progress"))
    public = forms.BooleanField(label=_("Show this to the reporter"), required=False, initial=True)
    evidence = MultipleFileField(label=_("Files (PDF, PNG or JPEG)"))
    photo = photo_field(_("Or take a photo"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["files"] = [*(data.get("evidence") or []), *(data.get("photo") or [])]
        return data


class SubmitForm(_ActionForm):
    text = _text(_("What was done"))
    evidence = MultipleFileField(
        label=_("Evidence (PDF, PNG or JPEG)"),
        help_text=_("One or more documents or photos; at most 10 MB per file."),
    )
    photo = photo_field(_("Or take a photo"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # One of the two is needed: neither is marked optional.
        for name in ("evidence", "photo"):
            self.fields[name].show_optional = False  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["files"] = [*(data.get("evidence") or []), *(data.get("photo") or [])]
        if not data["files"] and not self.has_error("evidence"):
            self.add_error("evidence", _("Attach at least one document or photo as evidence."))
        return data


class VerifyForm(_ActionForm):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(Outcome.FIXED, Outcome.FIXED.label), (Outcome.PARTLY_FIXED, Outcome.PARTLY_FIXED.label)],
        initial=Outcome.FIXED,
        widget=forms.RadioSelect,
    )
    text = _text(_("Comment (say what remains when partly fixed)"), required=False)


class ReasonForm(_ActionForm):
    reason = _text(_("Reason"))


class OptionalReasonForm(_ActionForm):
    reason = _text(_("Reason"), required=False)


def _modes(reporter: bool) -> list[tuple[str, Any]]:
    if reporter:
        return [(ReturnVisitMode.ONLINE, ReturnVisitMode.ONLINE.label)]
    return [
        (ReturnVisitMode.PHONE, ReturnVisitMode.PHONE.label),
        (ReturnVisitMode.ON_SITE, ReturnVisitMode.ON_SITE.label),
    ]


class _VisitForm(_ActionForm):
    mode = forms.ChoiceField(label=_("How the reporter was asked"), choices=(), widget=forms.RadioSelect)

    def __init__(self, *args: Any, reporter: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["mode"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = _modes(reporter)
        if reporter:
            field.widget = forms.HiddenInput()
            field.initial = ReturnVisitMode.ONLINE
        else:
            field.initial = ReturnVisitMode.PHONE


class ReturnVisitForm(_VisitForm):
    fixed = _yes_no(_("Is the problem really fixed?"))
    score = forms.TypedChoiceField(
        label=_("Satisfaction (1 = very unsatisfied, 5 = very satisfied)"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = _text(_("Comment (say what is still wrong when not fixed)"), required=False)
    field_order = ["fixed", "score", "comment", "mode"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("fixed") is False and not data.get("comment") and not self.has_error("comment"):
            self.add_error("comment", _("Say what is still wrong."))
        return data


class CheckWithdrawalForm(_VisitForm):
    agrees = _yes_no(_("Does the reporter agree to the withdrawal?"))
    comment = _text(_("Comment"), required=False)
    field_order = ["agrees", "comment", "mode"]


class MergeForm(_ActionForm):
    into = forms.CharField(
        label=_("Reference of the problem it repeats"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocomplete": "off", "placeholder": "TZ2026…"}),
    )
    reason = _text(_("Reason"), required=False)


class ReferForm(_ActionForm):
    level = forms.ChoiceField(label=_("Referred to which level"), choices=ReferralLevel.choices)
    referred_to = forms.CharField(label=_("Referred to whom"), max_length=200)
    reason = _text(_("Why it cannot be fixed here"))


def subcategory_choices() -> list[tuple[Any, Any]]:
    """The sub-types grouped by category (codes are unique across categories)."""
    groups: list[tuple[Any, Any]] = [("", _("— none —"))]
    for category, subs in SUBCATEGORIES.items():
        groups.append((Category(category).label, [(code, label) for code, label in subs]))
    return groups


class ClassifyForm(_ActionForm):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    subcategory = forms.ChoiceField(label=_("Sub-type"), choices=subcategory_choices, required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    institutional = forms.ChoiceField(label=_("Institutional"), choices=Institutional.choices, required=False)


class NoteForm(Styled):
    text = _text(_("Note"))
    public = forms.BooleanField(label=_("Show this to the reporter"), required=False)
