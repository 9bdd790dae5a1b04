"""The policy API, mounted at /api/v1/policies, split by audience:

- `catalogue`: the public catalogue and the department's writes to it;
- `enterprise`: the policies that fit my enterprise, invitations, applications, my cases (`/mine/…`);
- `officials`: the work queue, one case with everything, the step actions, objections,
  matching, payment retries, downloads, explanations (`/cases/…`, `/objections/…`);
- `public`: awards under public notice and objections to them (`/notices/…`).
"""

from ninja import Router

from . import catalogue, enterprise, officials, public

router = Router()
# Fixed paths before the catalogue's /{uuid} ones; the uuid converter keeps them apart anyway.
router.add_router("", enterprise.router)
router.add_router("", officials.router)
router.add_router("", public.router)
router.add_router("", catalogue.router)

__all__ = ["router"]
