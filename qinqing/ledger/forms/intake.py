"""Reporting a problem: on a phone by a logged-in enterprise user or observer, through a
monitoring point's own link without an account; and following it by receipt code."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinqing.common.contact import is_reachable_contact
from qinqing.common.once import OnceForm

from ..models import Category
from .actions import YES_NO, subcategory_choices
from .base import TEXTAREA, MultipleFileField, Styled, photo_field


class _ReportFields(Styled, OnceForm):
    title = forms.CharField(
        label=_("What is the problem? (one line)"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Details: what happened, when, who was involved"),
        max_length=4000,
        widget=forms.Textarea(attrs={**TEXTAREA, "rows": 5}),
    )
    category = forms.ChoiceField(label=_("Category"), choices=[("", _("— choose —")), *Category.choices])
    subcategory = forms.ChoiceField(label=_("Sub-type"), choices=subcategory_choices, required=False)
    location = forms.CharField(label=_("Where"), max_length=200, required=False)
    evidence = MultipleFileField(label=_("Photos or documents (PDF, PNG or JPEG)"))
    photo = photo_field(_("Or take a photo"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["files"] = [*(data.get("evidence") or []), *(data.get("photo") or [])]
        return data


class ReportForm(_ReportFields):
    """A logged-in reporter's form. `topics` are (id, label) of the topics of the active
    topic campaigns; `enterprises` (id, name) when the user speaks for several."""

    topic = forms.ChoiceField(label=_("Topic of a campaign"), choices=(), required=False)
    enterprise = forms.ChoiceField(label=_("Reporting for"), choices=())
    hide_reporter = forms.BooleanField(
        label=_("Hide my name from the department"),
        required=False,
        help_text=_("Only the supervising group will see who reported it."),
    )
    field_order = [
        "enterprise",
        "title",
        "description",
        "category",
        "subcategory",
        "location",
        "topic",
        "hide_reporter",
        "evidence",
        "photo",
    ]

    def __init__(
        self,
        *args: Any,
        topics: list[tuple[str, str]],
        enterprises: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if topics:
            field = self.fields["topic"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("— none —")), *topics]
        else:
            del self.fields["topic"]
        if len(enterprises) > 1:
            field = self.fields["enterprise"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("— choose —")), *enterprises]
        else:
            del self.fields["enterprise"]


class PointReportForm(_ReportFields):
    reporter_name = forms.CharField(label=_("Your name"), max_length=100, required=False)
    reporter_contact = forms.CharField(
        label=_("Telephone or e-mail, if you want to be called back"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )

    def clean_reporter_contact(self) -> str:
        contact = str(self.cleaned_data.get("reporter_contact") or "").strip()
        if contact and not is_reachable_contact(contact):
            raise forms.ValidationError(_("Give a telephone number or an e-mail address to reach you at."))
        return contact


class FollowForm(Styled):
    code = forms.CharField(
        label=_("Receipt code (16 digits)"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class ReceiptVisitForm(FollowForm):
    """The return visit answered with the receipt code (a monitoring point's reporter,
    without an account): the code again, then the same questions as a reporter's."""

    fixed = forms.TypedChoiceField(
        label=_("Is the problem really fixed?"),
        choices=YES_NO,
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    score = forms.TypedChoiceField(
        label=_("Satisfaction (1 = very unsatisfied, 5 = very satisfied)"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(
        label=_("Comment (say what is still wrong when not fixed)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("fixed") is False and not data.get("comment") and not self.has_error("comment"):
            self.add_error("comment", _("Say what is still wrong."))
        return data


class ReceiptReopenForm(FollowForm):
    """A closed problem reopened with the receipt code (a monitoring point's reporter,
    without an account): the code again, and what is still wrong."""

    reason = forms.CharField(
        label=_("What is still wrong?"),
        max_length=4000,
        widget=forms.Textarea(attrs=TEXTAREA),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Its own ids: the follow form on the same page has a code field too.
        kwargs.setdefault("auto_id", "reopen_%s")
        super().__init__(*args, **kwargs)
        self.fields["code"].widget = forms.HiddenInput()
