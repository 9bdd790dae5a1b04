"""The ledger's reports: the monthly clue report, the quarterly progress report and the
circular. `figures` reads the ledger as it stood at the period's end; `monthly`,
`quarterly` and `circular` compute each report's content; `render` writes the files."""

from __future__ import annotations

from typing import Any

from ..models import ReportKind
from .figures import Period


def compute(kind: str, period: Period) -> dict[str, Any]:
    """The figures of one report (everything its files show)."""
    from . import circular, monthly, quarterly

    if kind == ReportKind.MONTHLY_CLUES:
        return monthly.compute(period)
    if kind == ReportKind.QUARTERLY_PROGRESS:
        return quarterly.compute(period)
    if kind == ReportKind.CIRCULAR:
        return circular.compute(period)
    raise ValueError(f"unknown report kind {kind!r}")


__all__ = ["Period", "compute"]
