from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PaymentInstruction


class RetryForm(forms.Form):
    """The payee's details, prefilled, for correcting them before a retry."""

    payee_name = forms.CharField(label=_("Payee name"), max_length=200)
    payee_account = forms.CharField(label=_("Payee account"), max_length=64)
    payee_bank = forms.CharField(label=_("Payee bank"), max_length=200, required=False)

    def __init__(
        self,
        *args: Any,
        instance: PaymentInstruction,
        source_payee: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> None:
        kwargs.setdefault(
            "initial",
            {
                "payee_name": instance.payee_name,
                "payee_account": instance.payee_account,
                "payee_bank": instance.payee_bank,
            },
        )
        super().__init__(*args, **kwargs)
        # The record paid for keeps the payee (a case: the registry's verified account):
        # nothing to type in, the retry sends to it.
        self.source_payee = source_payee
        if source_payee is not None:
            self.fields.clear()
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-control form-control-sm"

    def payee(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name in self.fields}
