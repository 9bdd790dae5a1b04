"""Open Contracting Data Standard (OCDS 1.1) exports of contracts.

`build` makes release packages (one release per contract, obligations as implementation
milestones with the obligor in an extension field); `validate` checks them against the
vendored official schemas (`schema/`) patched with the extension (`extension/`).

Settings: `OCDS_OCID_PREFIX` (default "ocds-qinqing-", a placeholder: a publisher must
register its own "ocds-xxxxxx" prefix with the Open Contracting Partnership before
publishing), `OCDS_PUBLISHER_NAME` (default: the city at the root of the zone's tree),
`SITE_URL` (absolute URIs when no request is at hand).
"""

from .build import contract_ocid, contract_release_package, project_release_package
from .validate import validate_package

__all__ = ["contract_ocid", "contract_release_package", "project_release_package", "validate_package"]
