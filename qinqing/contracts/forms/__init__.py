"""The forms of contract fulfilment: authoring (project, contract, clause with its own
ladder, obligation with its due rule, project events) and the loop's actions on an
obligation (claim with evidence, withdraw, confirm, dispute, decide, remedy plan and
its decision, cancel), each action carrying the obligation revision it was taken on.

Forms only parse input; the services decide. `apply_errors` puts a service's error on
the form: each fault under the field it names, anything else above the form.
"""

from .actions import (
    ClaimForm,
    ConfirmForm,
    DecideForm,
    MultipleFileField,
    MultipleFileInput,
    PlanDecideForm,
    PlanForm,
    ReasonForm,
    RevisionForm,
)
from .authoring import (
    LADDER_FIELDS,
    ClauseForm,
    ContractForm,
    DueRuleForm,
    EventForm,
    ObligationForm,
    ProjectForm,
    RuleChangeForm,
)
from .base import CUSTOM_EVENT, EVIDENCE_ACCEPT, FIELD_ALIASES, NEW_EVENT, apply_errors

__all__ = [
    "CUSTOM_EVENT",
    "EVIDENCE_ACCEPT",
    "FIELD_ALIASES",
    "LADDER_FIELDS",
    "NEW_EVENT",
    "ClaimForm",
    "ClauseForm",
    "ConfirmForm",
    "ContractForm",
    "DecideForm",
    "DueRuleForm",
    "EventForm",
    "MultipleFileField",
    "MultipleFileInput",
    "ObligationForm",
    "PlanDecideForm",
    "PlanForm",
    "ProjectForm",
    "ReasonForm",
    "RevisionForm",
    "RuleChangeForm",
    "apply_errors",
]
