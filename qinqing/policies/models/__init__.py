"""The policy app's tables: the catalogue (policies, rule versions) and the cases under
them (invitations, cases, their steps, materials, requests for materials, objections)."""

from .cases import (
    CASE_TRANSITIONS,
    OPEN_OR_DECIDED,
    Case,
    CaseMaterial,
    CaseOrigin,
    CaseReturn,
    CaseStatus,
    CaseStep,
    Invitation,
    InvitationStatus,
    Objection,
    ObjectionKind,
    ObjectionStatus,
    StepOutcome,
)
from .catalogue import (
    STATUS_TRANSITIONS,
    PeriodKind,
    Policy,
    PolicyMode,
    PolicyStatus,
    PolicyVersion,
    StepKind,
    default_steps,
)

__all__ = [
    "CASE_TRANSITIONS",
    "OPEN_OR_DECIDED",
    "STATUS_TRANSITIONS",
    "Case",
    "CaseMaterial",
    "CaseOrigin",
    "CaseReturn",
    "CaseStatus",
    "CaseStep",
    "Invitation",
    "InvitationStatus",
    "Objection",
    "ObjectionKind",
    "ObjectionStatus",
    "PeriodKind",
    "Policy",
    "PolicyMode",
    "PolicyStatus",
    "PolicyVersion",
    "StepKind",
    "StepOutcome",
    "default_steps",
]
