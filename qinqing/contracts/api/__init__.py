"""The contract-fulfilment API, mounted at /api/v1/contracts."""

from ninja import Router

router = Router(tags=["contracts"])

__all__ = ["router"]
