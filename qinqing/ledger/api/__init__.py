"""The ledger's JSON API (问题台账), mounted at /api/v1/ledger, split by what it serves:

- `problems`: the list with its filters, one problem with its story and files, the
  department's and the supervising group's queues, my reports, evidence downloads, and
  following a problem by its receipt code without logging in (and answering its return
  visit with the code);
- `loop`: one endpoint per action on a problem, each naming the problem's revision;
- `intake`: reports from every channel (a monitoring point's link without logging in),
  walk-throughs, campaigns, monitoring points, observers, rules established;
- `reading`: campaigns, walk-throughs, rules established and monitoring points;
- `figures`: the commission's dashboard figures and the reports (ask, follow, read,
  download).

All register on the one router of `routing`. Authentication is the API's (a bearer
token or the browser session); errors keep the one format of `qinqing.common.api`.
"""

from . import figures, intake, loop, problems, reading
from .routing import router

__all__ = ["figures", "intake", "loop", "problems", "reading", "router"]
