"""The contract-fulfilment API (政企合同双兑现), mounted at /api/v1/contracts, split by
what it serves:

- `projects`: the projects list and one project with everything; the committee's
  writes (project, contract, clause, obligation, project events);
- `obligations`: the obligations list with its filters, one obligation with everything,
  the alarms, the enterprise's own list (`/mine/…`);
- `loop`: the actions closing the loop (claim with evidence, withdraw, confirm, dispute,
  decide; remedy plans; due-rule change; cancel) and the evidence download;
- `figures`: the dashboard's figures and the OCDS release packages.
"""

from ninja import Router

from . import figures, loop, obligations, projects

router = Router(tags=["contracts"])
router.add_router("", projects.router)
router.add_router("", obligations.router)
router.add_router("", loop.router)
router.add_router("", figures.router)

__all__ = ["router"]
