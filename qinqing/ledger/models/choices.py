"""The ledger's vocabularies: channels, categories, severities, statuses and the one
table of allowed status transitions."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    """Where a problem came from."""

    WALK = "walk", _("Head walks the process (局长走流程)")
    INSPECTION = "inspection", _("Inspection tour (巡察)")
    TOPIC = "topic", _("Topic campaign (点题整治)")
    MONITORING = "monitoring", _("Monitoring point (监测点)")
    OBSERVER = "observer", _("Appointed observer (观察员)")
    VISIT = "visit", _("Visit (下访)")
    COMPLAINT = "complaint", _("Enterprise complaint")


# Channels that run as campaigns (a walk-through programme, an inspection round, a topic
# campaign, a visiting programme); the others may name one but need not.
CAMPAIGN_CHANNELS = frozenset({Channel.WALK, Channel.INSPECTION, Channel.TOPIC, Channel.VISIT})


class Category(models.TextChoices):
    GOVERNMENT = "government", _("Government services environment (政务环境)")
    LEGAL = "legal", _("Rule-of-law environment (法治环境)")
    MARKET = "market", _("Market environment (市场环境)")
    CULTURAL = "cultural", _("Social and cultural environment (人文环境)")


# Sub-types per category; the code is stored, the label shown.
SUBCATEGORIES: dict[str, tuple[tuple[str, object], ...]] = {
    Category.GOVERNMENT: (
        ("approval", _("Approval services")),
        ("efficiency", _("Speed of handling")),
        ("conduct", _("Conduct of officials")),
        ("openness", _("Openness of government affairs")),
        ("online", _("Online services")),
    ),
    Category.LEGAL: (
        ("enforcement", _("Law enforcement")),
        ("judicial", _("Judicial services")),
        ("property", _("Protection of property rights")),
        ("contract", _("Government keeping its word")),
    ),
    Category.MARKET: (
        ("access", _("Market access")),
        ("fees", _("Charges on enterprises")),
        ("finance", _("Access to finance")),
        ("competition", _("Fair competition")),
        ("arrears", _("Payments owed to enterprises")),
        ("factors", _("Land, power, water and labour")),
    ),
    Category.CULTURAL: (
        ("credit", _("Integrity and credit")),
        ("public_services", _("Public services")),
        ("talent", _("Talent and housing")),
        ("attitude", _("Attitude towards business")),
    ),
}


def subcategory_label(category: str, code: str) -> str:
    for value, label in SUBCATEGORIES.get(category, ()):
        if value == code:
            return str(label)
    return code


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    SERIOUS = "serious", _("Serious")
    GRAVE = "grave", _("Grave")
    MAJOR = "major", _("Major")


class Institutional(models.TextChoices):
    """Whether a problem is rooted in how things are organised (体制性) or in how they
    work (机制性): such problems are fixed by rules, and reports count them."""

    NONE = "", _("Not institutional")
    STRUCTURAL = "structural", _("Institutional (体制性)")
    MECHANISM = "mechanism", _("Mechanism (机制性)")


class DeadlineMode(models.TextChoices):
    IMMEDIATE = "immediate", _("Fix at once (立行立改)")
    WORKING_DAYS = "working_days", _("Within working days")


class ProblemStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned")
    RECTIFYING = "rectifying", _("Being rectified")
    SUBMITTED = "submitted", _("Submitted for verification")
    VERIFIED = "verified", _("Verified, awaiting return visit")
    CLOSED = "closed", pgettext_lazy("problem", "Closed")
    WITHDRAWAL_REQUESTED = "withdrawal_requested", _("Withdrawal requested by the department")
    WITHDRAWN = "withdrawn", pgettext_lazy("problem", "Withdrawn")
    REFERRED = "referred", _("Cannot be fixed here; referred")
    MERGED = "merged", _("Merged into another problem")


class Outcome(models.TextChoices):
    NONE = "", _("Not verified")
    FIXED = "fixed", _("Fixed")
    PARTLY_FIXED = "partly_fixed", _("Partly fixed")


# Being worked on: counted as open and climbing the ladder once it has a due date.
OPEN_STATUSES = frozenset(
    {
        ProblemStatus.REGISTERED,
        ProblemStatus.ASSIGNED,
        ProblemStatus.RECTIFYING,
        ProblemStatus.SUBMITTED,
        ProblemStatus.WITHDRAWAL_REQUESTED,
    }
)
# Done with, for good or for now: verified problems only wait for the return visit.
RECTIFIED_STATUSES = frozenset({ProblemStatus.VERIFIED, ProblemStatus.CLOSED})
FINAL_STATUSES = frozenset({ProblemStatus.WITHDRAWN, ProblemStatus.REFERRED, ProblemStatus.MERGED})
# The department's clock runs in these.
DEPARTMENT_STATUSES = frozenset({ProblemStatus.ASSIGNED, ProblemStatus.RECTIFYING})

# The department's queue: the problems on its clock, from assignment until the group has
# verified them (or agreed to a withdrawal). Their due date can be near or past.
QUEUE_STATUSES = (
    ProblemStatus.ASSIGNED,
    ProblemStatus.RECTIFYING,
    ProblemStatus.SUBMITTED,
    ProblemStatus.WITHDRAWAL_REQUESTED,
)

PROBLEM_TRANSITIONS: dict[str, frozenset[str]] = {
    ProblemStatus.REGISTERED: frozenset(
        {
            ProblemStatus.ASSIGNED,
            ProblemStatus.MERGED,
            ProblemStatus.REFERRED,
            ProblemStatus.WITHDRAWN,  # by the reporter, before anyone worked on it
        }
    ),
    ProblemStatus.ASSIGNED: frozenset(
        {
            ProblemStatus.ASSIGNED,  # reassigned to another department
            ProblemStatus.RECTIFYING,
            ProblemStatus.SUBMITTED,  # fixed at once
            ProblemStatus.MERGED,
            ProblemStatus.REFERRED,
            ProblemStatus.WITHDRAWN,
            ProblemStatus.WITHDRAWAL_REQUESTED,
        }
    ),
    ProblemStatus.RECTIFYING: frozenset(
        {
            ProblemStatus.ASSIGNED,  # reassigned
            ProblemStatus.SUBMITTED,
            ProblemStatus.MERGED,
            ProblemStatus.REFERRED,
            ProblemStatus.WITHDRAWN,
            ProblemStatus.WITHDRAWAL_REQUESTED,
        }
    ),
    ProblemStatus.SUBMITTED: frozenset(
        {
            ProblemStatus.VERIFIED,
            ProblemStatus.RECTIFYING,  # sent back by the supervising group
        }
    ),
    ProblemStatus.VERIFIED: frozenset(
        {
            ProblemStatus.CLOSED,  # the return visit confirms it
            ProblemStatus.RECTIFYING,  # the return visit says it is not fixed
        }
    ),
    ProblemStatus.CLOSED: frozenset({ProblemStatus.RECTIFYING}),  # reopened
    ProblemStatus.WITHDRAWAL_REQUESTED: frozenset(
        {
            ProblemStatus.WITHDRAWN,  # the reporter agrees when called back
            ProblemStatus.RECTIFYING,  # the reporter does not: back to work
        }
    ),
}


class ReturnVisitPurpose(models.TextChoices):
    CLOSURE = "closure", _("Is it really fixed?")
    WITHDRAWAL_CHECK = "withdrawal_check", _("Withdrawal check (撤单质检)")


class ReturnVisitMode(models.TextChoices):
    ONLINE = "online", _("Answered by the reporter online")
    PHONE = "phone", _("By telephone")
    ON_SITE = "on_site", _("On site")


class UpdateKind(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned")
    PROGRESS = "progress", _("Progress")
    SUBMITTED = "submitted", _("Submitted with evidence")
    SENT_BACK = "sent_back", _("Sent back")
    VERIFIED = "verified", _("Verified")
    RETURN_VISIT = "return_visit", _("Return visit")
    REOPENED = "reopened", _("Reopened")
    CLOSED = "closed", pgettext_lazy("problem update", "Closed")
    WITHDRAWAL = "withdrawal", _("Withdrawal")
    REFERRED = "referred", _("Referred")
    MERGED = "merged", _("Merged")
    NOTE = "note", _("Note")


class ReferralLevel(models.TextChoices):
    PROVINCE = "province", _("Provincial level")
    CENTRAL = "central", _("Central level")
    OTHER_REGION = "other_region", _("Another city or county")
    OTHER_BODY = "other_body", _("A body outside the government (court, utility, bank…)")


class OutcomeKind(models.TextChoices):
    RULE = "rule", _("Rule or regulation")
    DOCUMENT = "document", _("Normative document")
    MECHANISM = "mechanism", _("Working mechanism")


class CampaignStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("campaign", "Active")
    CLOSED = "closed", pgettext_lazy("campaign", "Closed")


class ReportKind(models.TextChoices):
    MONTHLY_CLUES = "monthly_clues", _("Monthly clue report (问题线索月报)")
    QUARTERLY_PROGRESS = "quarterly_progress", _("Quarterly progress report (工作进展季报)")
    CIRCULAR = "circular", _("Circular ranking departments (点评通报)")


class ReportStatus(models.TextChoices):
    PENDING = "pending", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")
