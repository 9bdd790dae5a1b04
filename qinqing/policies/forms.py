"""The officials' forms: actions on a case (each carrying the case revision it was taken
on) and policy authoring (materials, steps and the rule edited as JSON).

Forms only parse input; the services decide. `apply_errors` puts a service's
ValidationFailed on the form, each fault under the field it concerns and named by its
JSON path ("steps[1].limit: …").
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from qinqing.common.errors import ApplicationError

from .models import PeriodKind, PolicyMode
from .services.catalogue import AMENDABLE_FIELDS, DRAFT_FIELDS

TEXTAREA = {"class": "form-control", "rows": 3}
JSON_AREA = {"class": "form-control font-monospace", "rows": 12, "spellcheck": "false"}


class JSONTextField(forms.CharField):
    """JSON typed into a textarea: a syntax error names its line and column."""

    def __init__(self, *, expect: type, **kwargs: Any) -> None:
        self.expect = expect
        kwargs.setdefault("widget", forms.Textarea(attrs=JSON_AREA))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if text is None or text in self.empty_values:
            return self.expect()
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("Not valid JSON at line %(line)d, column %(column)d: %(problem)s"),
                params={"line": exc.lineno, "column": exc.colno, "problem": exc.msg},
                code="json",
            ) from exc
        if not isinstance(data, self.expect):
            raise forms.ValidationError(
                _("A JSON list is expected.") if self.expect is list else _("A JSON object is expected."),
                code="json_shape",
            )
        return data

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | dict):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return value


class _Styled(forms.Form):
    """Bootstrap classes on every widget (no inline style: the CSP forbids it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.RadioSelect | forms.HiddenInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            classes = widget.attrs.get("class", "")
            if css not in classes:
                widget.attrs["class"] = f"{classes} {css}".strip()


# --- Case actions ---------------------------------------------------------------------------


class _CaseActionForm(_Styled):
    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ApproveForm(_CaseActionForm):
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )


class RejectForm(_CaseActionForm):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))


class ReturnForm(_CaseActionForm):
    request = forms.CharField(
        label=_("Materials asked for"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA)
    )


class ObjectionDecideForm(_Styled):
    uphold = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Uphold the objection")), ("0", _("Dismiss the objection"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reply = forms.CharField(
        label=_("Reply"),
        max_length=2000,
        widget=forms.Textarea(attrs=TEXTAREA),
        help_text=_(
            "Shown as written to the enterprise and to whoever objected, who follows the objection with "
            "a receipt code: give the reasons for the public, no internal notes."
        ),
    )


# --- Policy authoring -----------------------------------------------------------------------


class PolicyForm(_Styled):
    """A draft's fields; on creation also the code and the department."""

    code = forms.SlugField(
        label=_("Code"),
        max_length=64,
        help_text=_("Letters, digits and hyphens; it names the policy in links and cannot change."),
    )
    department = forms.ChoiceField(label=_("Issuing department"))
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(label=_("Summary"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    basis_number = forms.CharField(label=_("Document number"), max_length=100)
    basis_title = forms.CharField(label=_("Document title"), max_length=200)
    basis_url = forms.CharField(label=_("Document link"), required=False, max_length=200)
    basis_text = forms.CharField(
        label=_("Document text"), required=False, widget=forms.Textarea(attrs=TEXTAREA)
    )
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    valid_until = forms.DateField(
        label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    budget_total = forms.DecimalField(label=_("Total budget (yuan)"), max_digits=14, decimal_places=2)
    cap_per_enterprise = forms.DecimalField(
        label=_("Cap per enterprise (yuan)"), max_digits=14, decimal_places=2, required=False
    )
    period_kind = forms.ChoiceField(label=_("Period"), choices=PeriodKind.choices)
    mode = forms.ChoiceField(label=_("How enterprises come to it"), choices=PolicyMode.choices)
    materials = JSONTextField(
        label=_("Required materials (JSON)"),
        expect=list,
        required=False,
        help_text=_('A list of {"key", "name", "required", "accepted": ["pdf", "jpg", "png"]}.'),
    )
    steps = JSONTextField(
        label=_("Approval steps (JSON)"),
        expect=list,
        help_text=_(
            'A list of {"key", "role": officer|department_head, "kind": review|notice|payment, '
            '"limit": working days, "name"?}; the last step is the payment.'
        ),
    )
    rule = JSONTextField(
        label=_("Rule (JSON)"),
        expect=dict,
        help_text=_('{"conditions": …, "award": …, "facts"?: …}; see the rule grammar.'),
    )

    # What `services.policy_update` takes (the code and the department are set once).
    SERVICE_FIELDS: tuple[str, ...] = DRAFT_FIELDS

    def __init__(self, *args: Any, departments: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        creating = departments is not None
        super().__init__(*args, **kwargs)
        if creating:
            field = self.fields["department"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = departments or []
        else:
            del self.fields["code"]
            del self.fields["department"]

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.SERVICE_FIELDS}


class PolicyAmendForm(PolicyForm):
    """A published policy's amendment: what may still change, and why. Saving makes a
    new version (`services.policy_amend`); the period and the mode stay."""

    # Required by the service, whose message says why (it is published).
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Published with the new version on the policy's public page."),
    )

    SERVICE_FIELDS = AMENDABLE_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["period_kind"]
        del self.fields["mode"]


class WithdrawForm(_Styled):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)


# --- Service errors onto forms --------------------------------------------------------------

_RULE_ROOTS = ("$", "conditions", "award", "facts")


def _target(form: forms.Form, key: str, *, rule_error: bool) -> str | None:
    head = key.split(".", 1)[0].split("[", 1)[0]
    if "rule" in form.fields and (rule_error or head in _RULE_ROOTS):
        return "rule"
    if head in form.fields:
        return head
    return None


def apply_errors(form: forms.Form, exc: ApplicationError) -> None:
    """Each fault of `exc` under the field it concerns; a part inside a JSON field (or a
    rule) keeps its path in the message so the author sees which part is faulty."""
    from qinqing.policies.rules import InvalidRule

    rule_error = isinstance(exc, InvalidRule) or exc.code == "invalid_rule"
    if not exc.fields:
        form.add_error(None, str(exc.message))
        return
    for key, messages in exc.fields.items():
        field = _target(form, key, rule_error=rule_error)
        for message in messages:
            text = str(message)
            if field != key and not text.startswith(key):
                text = f"{key}: {text}"
            form.add_error(field, text)
