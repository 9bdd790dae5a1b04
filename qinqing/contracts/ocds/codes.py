"""How Qinqing's records map onto OCDS codes, and the vendored codelists.

Every choice below is taken from the OCDS 1.1 codelists in `schema/codelists/`; the
tests check each mapped value against them.
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from qinqing.contracts.models import ContractStatus, ObligationKind, ObligationStatus

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"
EXTENSION_DIR = Path(__file__).resolve().parent / "extension"

# milestoneType (open codelist). The enterprise's investment is a funding event of the
# process ("financing"); starts, land and connections are things to be provided by a
# date ("delivery"); permits are sign-offs ("approval"); output and tax targets are
# judged on reported figures ("reporting"). A subsidy is money paid, but "payment"
# milestones that are met ought to come with `implementation.transactions` (payer,
# payee, amount), which the ledger does not hold; "financing" covers planned payments
# without that expectation. "other" has no type.
MILESTONE_TYPES: dict[str, str | None] = {
    ObligationKind.INVESTMENT: "financing",
    ObligationKind.CONSTRUCTION_START: "delivery",
    ObligationKind.PRODUCTION_START: "delivery",
    ObligationKind.OUTPUT_TARGET: "reporting",
    ObligationKind.TAX_TARGET: "reporting",
    ObligationKind.LAND_CLEARANCE: "delivery",
    ObligationKind.LAND_DELIVERY: "delivery",
    ObligationKind.PERMIT: "approval",
    ObligationKind.UTILITY_WATER: "delivery",
    ObligationKind.UTILITY_POWER: "delivery",
    ObligationKind.SUBSIDY: "financing",
    ObligationKind.OTHER: None,
}

# Statuses whose milestone status does not depend on the date.
MILESTONE_STATUS_FIXED: dict[str, str | None] = {
    ObligationStatus.MET: "met",
    ObligationStatus.PARTLY_MET: "partiallyMet",
    # milestoneStatus is closed and has no "cancelled"; the extension's
    # fulfilmentStatus carries it.
    ObligationStatus.CANCELLED: None,
}


def milestone_status(status: str, *, overdue: bool) -> str | None:
    """milestoneStatus (closed codelist) for an obligation status.

    Still owed (open, claimed, disputed): "notMet" once the due date has passed — the
    codelist's "had not been met at the date it was last reviewed", with `dateModified`
    the review — else "scheduled" ("progress … not yet evaluated"). A claimed but not
    yet confirmed fulfilment is not "met": the other side has not agreed. A pending
    obligation (no date yet) is "scheduled" too.
    """
    if status in MILESTONE_STATUS_FIXED:
        return MILESTONE_STATUS_FIXED[status]
    return "notMet" if overdue else "scheduled"


# contractStatus (closed): "terminated" covers both a completed and an ended contract.
CONTRACT_STATUSES: dict[str, str] = {
    ContractStatus.ACTIVE: "active",
    ContractStatus.COMPLETED: "terminated",
    ContractStatus.TERMINATED: "terminated",
}

# partyRole (open codelist).
ROLE_ENTERPRISE = "supplier"
ROLES_GOVERNMENT_PARTY = ("buyer",)
ROLE_COMMITTEE = "procuringEntity"
# A department that owes something under the contract is not the buyer; the codelist's
# nearest role is an interested party, and one paying a subsidy is also a payer.
ROLE_OBLIGOR_DEPARTMENT = "interestedParty"
ROLE_PAYER = "payer"

# org-id.guide lists China's business registry as CN-SAIC (now the State Administration
# for Market Regulation), whose registration number since the 2015 reform is the
# 18-character unified social credit code (GB 32100-2015). No "CN-USCC" list exists.
ENTERPRISE_SCHEME = "CN-SAIC"

CURRENCY = "CNY"


@cache
def codelist(name: str) -> frozenset[str]:
    """The codes of a vendored codelist, e.g. codelist("milestoneType")."""
    path = SCHEMA_DIR / "codelists" / f"{name}.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["Code"] for row in csv.DictReader(handle))
