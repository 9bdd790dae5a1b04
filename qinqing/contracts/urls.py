"""Pages of two-way contract fulfilment, mounted at /contracts/.

Split by who builds them: browsing and dashboards (`urls_browse`), the forms that
change things (`urls_actions`), open data and exports (`urls_open`)."""

from .urls_actions import urlpatterns as action_patterns
from .urls_browse import urlpatterns as browse_patterns
from .urls_open import urlpatterns as open_patterns

app_name = "contracts"

urlpatterns = [*browse_patterns, *action_patterns, *open_patterns]
