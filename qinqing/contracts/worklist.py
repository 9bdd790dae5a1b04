"""The committee's work list of fulfilment claims: one row per claim in play, with how
long it has waited and who is to answer it. The page, its Excel export and the JSON API
show the same rows (`selectors.claims_waiting` reads them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ClaimStatus, FulfilmentClaim, Obligation, ObligorSide

# Who answers a claim in play.
COMMITTEE = "committee"
ENTERPRISE = "enterprise"


def answered_by(claim: FulfilmentClaim) -> str:
    """The committee confirms the enterprise's obligations and decides disputes; the
    enterprise confirms the government's."""
    if claim.status == ClaimStatus.DISPUTED or claim.obligation.obligor_side == ObligorSide.ENTERPRISE:
        return COMMITTEE
    return ENTERPRISE


def answered_by_label(who: str) -> str:
    return _("The management committee") if who == COMMITTEE else _("The enterprise")


def obligor_name(obligation: Obligation) -> str:
    if obligation.obligor_side == ObligorSide.GOVERNMENT and obligation.obligor_department is not None:
        return obligation.obligor_department.name
    return obligation.project.enterprise.name


@dataclass(frozen=True)
class ClaimRow:
    claim: FulfilmentClaim
    claimed_on: dt.date  # the Beijing date of the claim
    waited_days: int  # calendar days since then
    answered_by: str
    contract_due: dt.date | None
    # Claimed as met after the contract's due date.
    late: bool

    @property
    def obligation(self) -> Obligation:
        return self.claim.obligation

    @property
    def answered_by_label(self) -> str:
        return answered_by_label(self.answered_by)

    @property
    def obligor(self) -> str:
        return obligor_name(self.claim.obligation)


def claim_row(claim: FulfilmentClaim, today: dt.date) -> ClaimRow:
    claimed_on = timezone.localdate(claim.claimed_at)
    obligation = claim.obligation
    contract = obligation.original_due_date or obligation.due_date
    return ClaimRow(
        claim=claim,
        claimed_on=claimed_on,
        waited_days=max((today - claimed_on).days, 0),
        answered_by=answered_by(claim),
        contract_due=contract,
        late=contract is not None and claim.met_on > contract,
    )


__all__ = [
    "COMMITTEE",
    "ENTERPRISE",
    "ClaimRow",
    "answered_by",
    "answered_by_label",
    "claim_row",
    "obligor_name",
]
