"""Pages of the problem ledger, mounted at /ledger/.

Split by who builds them: the loop (reporters, departments, supervising groups:
`urls_loop`), the commission's office (dashboard, campaigns, walk-throughs, monitoring
points, observers, rules established, exports: `urls_office`), and the reports
(`urls_reports`)."""

from .urls_loop import urlpatterns as loop_patterns
from .urls_office import urlpatterns as office_patterns
from .urls_reports import urlpatterns as report_patterns

app_name = "ledger"

urlpatterns = [*loop_patterns, *office_patterns, *report_patterns]
