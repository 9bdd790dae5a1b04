"""Two-way contract fulfilment (政企合同双兑现): investment projects, their contracts and
clauses, and the obligations of both sides on one ledger with one ladder.

`projects` holds what is signed (project, contract, clause, project event);
`obligations` holds what is owed and how it is closed (obligation, due-date changes,
fulfilment claims with evidence, remedy plans answering alarms, contract dates moved
after a miss or kept through a calendar change).
"""

from .obligations import (
    CLAIM_TRANSITIONS,
    OBLIGATION_TRANSITIONS,
    OPEN_STATUSES,
    OWED_STATUSES,
    ClaimEvidence,
    ClaimOutcome,
    ClaimStatus,
    DueChangeReason,
    DueDateChange,
    DueMode,
    DueUnit,
    FulfilmentClaim,
    MissedDateKept,
    MissedDateMove,
    Obligation,
    ObligationKind,
    ObligationStatus,
    ObligorSide,
    PlanStatus,
    RemedyPlan,
)
from .projects import (
    Clause,
    Contract,
    ContractKind,
    ContractStatus,
    EventKey,
    Project,
    ProjectEvent,
    ProjectStatus,
)

__all__ = [
    "CLAIM_TRANSITIONS",
    "OBLIGATION_TRANSITIONS",
    "OPEN_STATUSES",
    "OWED_STATUSES",
    "ClaimEvidence",
    "ClaimOutcome",
    "ClaimStatus",
    "Clause",
    "Contract",
    "ContractKind",
    "ContractStatus",
    "DueChangeReason",
    "DueDateChange",
    "DueMode",
    "DueUnit",
    "EventKey",
    "FulfilmentClaim",
    "MissedDateKept",
    "MissedDateMove",
    "Obligation",
    "ObligationKind",
    "ObligationStatus",
    "ObligorSide",
    "PlanStatus",
    "Project",
    "ProjectEvent",
    "ProjectStatus",
    "RemedyPlan",
]
