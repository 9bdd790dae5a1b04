"""Writes of contract fulfilment, by subdomain: projects (contracts, clauses, events),
obligations (and the recomputation of due dates), claims, remedy plans.

Every service is keyword-only with an explicit `actor`, runs in one durable
transaction with its rows locked (see `common`), and writes its audit event there.
"""

from .claims import claim_confirm, claim_decide, claim_dispute, claim_withdraw, obligation_claim
from .obligations import missed_contract_date, obligation_add, obligation_cancel, obligation_change_rule
from .plans import plan_decide, plan_submit
from .projects import clause_add, contract_add, event_declare, event_record, project_create, project_update

__all__ = [
    "claim_confirm",
    "claim_decide",
    "claim_dispute",
    "claim_withdraw",
    "clause_add",
    "contract_add",
    "event_declare",
    "event_record",
    "missed_contract_date",
    "obligation_add",
    "obligation_cancel",
    "obligation_change_rule",
    "obligation_claim",
    "plan_decide",
    "plan_submit",
    "project_create",
    "project_update",
]
