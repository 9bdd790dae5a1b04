"""Mounts every app's router on the one API. The document is at /api/v1/openapi.json
and browsable at /api/v1/docs."""

from qinqing.accounts.api import router as accounts_router
from qinqing.common.api import build_api
from qinqing.contracts.api import router as contracts_router
from qinqing.deadlines.api import router as deadlines_router
from qinqing.enterprises.api import router as enterprises_router
from qinqing.integrity.api import router as integrity_router
from qinqing.ledger.api import router as ledger_router
from qinqing.notifications.api import router as notifications_router
from qinqing.payments.api import router as payments_router
from qinqing.policies.api import router as policies_router
from qinqing.supervision.api import router as supervision_router
from qinqing.workdays.api import router as workdays_router

api = build_api()
api.add_router("/accounts", accounts_router)
api.add_router("/enterprises", enterprises_router)
api.add_router("/calendar", workdays_router)
api.add_router("/deadlines", deadlines_router)
api.add_router("/notifications", notifications_router)
api.add_router("/supervision", supervision_router)
api.add_router("/policies", policies_router)
api.add_router("/integrity", integrity_router)
api.add_router("/payments", payments_router)
api.add_router("/contracts", contracts_router)
api.add_router("/ledger", ledger_router)
