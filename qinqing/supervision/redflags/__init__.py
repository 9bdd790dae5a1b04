"""Red flags (风险提示): patterns in the policy cases a supervisor should look at,
computed from the data when read, within the supervisor's reach.

Six kinds, each a `Finder` in its own module, each counted and paged by set-based
queries that run alike on SQLite and PostgreSQL (no loop over the cases in Python;
what Python reads is one page, or a bounded list such as the rule versions in reach):

- `after_hours` (timing.py): a step approved or rejected on a rest day or holiday of
  the working-day calendar, or outside `QINQING_OFFICE_HOURS` (Beijing time);
- `unusual_duration` (timing.py): a case approved among the fastest or slowest
  `duration_share` of its policy's cases approved in the period;
- `shared_bank_account` (money.py): one account for several enterprises with cases;
- `just_under_threshold` (money.py): the award by the rule just under the policy's
  cap per enterprise or the formula's cap, or a figure of the application just under
  the most an eligibility condition allows;
- `related_approver` (people.py): an official who declared a relation to the
  enterprise (before, during or after) decided a step of its case;
- `same_official_same_firm` (people.py): one official deciding most of one
  enterprise's cases.

A flag is a prompt to look, not a finding: each says in plain words what triggered it
and links to the case's timeline. Severity orders the looking: high for a rest day's
decision outside office hours, a relation in force when deciding or declared within a
year after, three enterprises on one account (or money paid to it for two), an
amount just under a threshold repeated for one enterprise and by one official, every
case of an enterprise by one hand, a time ten times off the median; medium and low for
the milder forms of each (see each finder). Only supervisors read them (they name officials);
the tuning is in `base.flag_settings`.
"""

from __future__ import annotations

from .base import (
    CaseRef,
    EnterpriseRef,
    FlagKind,
    FlagList,
    FlagSettings,
    Reach,
    RedFlag,
    Severity,
    can_read_red_flags,
    flag_settings,
    require_red_flag_reader,
)
from .base import Finder as Finder
from .money import JustUnderThreshold, SharedBankAccount
from .people import RelatedApprover, SameOfficialSameFirm
from .timing import AfterHours, UnusualDuration

# In the order the page lists them.
FINDERS: dict[str, Finder] = {
    finder.kind: finder
    for finder in (
        AfterHours(),
        SharedBankAccount(),
        JustUnderThreshold(),
        RelatedApprover(),
        SameOfficialSameFirm(),
        UnusualDuration(),
    )
}
assert list(FINDERS) == list(FlagKind.values)


def flag_counts(reach: Reach) -> dict[str, int]:
    """How many flags of each kind there are in reach: one query per kind (two for
    the thresholds, which first read the rule versions in reach)."""
    return {kind: finder.count(reach) for kind, finder in FINDERS.items()}


def flag_list(reach: Reach, kind: str, *, count: int | None = None) -> FlagList:
    """One kind's flags, to page through (Django's Paginator takes it) or to stream;
    `count`, when already known (from `flag_counts`), spares counting again."""
    flags = FlagList(FINDERS[kind], reach)
    if count is not None:
        flags.known_count(count)
    return flags


__all__ = [
    "FINDERS",
    "CaseRef",
    "EnterpriseRef",
    "FlagKind",
    "FlagList",
    "FlagSettings",
    "Reach",
    "RedFlag",
    "Severity",
    "can_read_red_flags",
    "flag_counts",
    "flag_list",
    "flag_settings",
    "require_red_flag_reader",
]
