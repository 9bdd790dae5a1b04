"""Judges lateness against the contract's due date, not a remedy plan's.

`original_due_date` becomes the contract's date: what the due rule gives (following the
starting point and the rule), never moved by an accepted remedy plan. It was the first
date the rule gave, so an obligation whose starting point or rule moved afterwards
takes the last date its trail (`DueDateChange`) records for a cause other than a plan;
an obligation without such a trail keeps its first date, or takes its due date.

`days_early` of every met or partly met obligation is counted again against that date:
it was counted against the due date, which an accepted plan had moved, so a fulfilment
after the contract's date but before the plan's showed as early.

Going back leaves the dates as they are (the first date is not kept elsewhere) and
counts `days_early` against the due date again, as it was.
"""

from django.db import migrations

MET = ("met", "partly_met")


def contract_dates(apps, schema_editor):
    Obligation = apps.get_model("contracts", "Obligation")
    DueDateChange = apps.get_model("contracts", "DueDateChange")
    RemedyPlan = apps.get_model("contracts", "RemedyPlan")
    planned: dict[int, set] = {}
    for obligation_id, proposed in RemedyPlan.objects.filter(status="accepted").values_list(
        "obligation_id", "proposed_date"
    ):
        planned.setdefault(obligation_id, set()).add(proposed)
    # The rule's last date: a change for another cause than a plan, unless it only kept
    # an accepted plan's later date (a starting point moved while the plan held).
    rule_date: dict[int, object] = {}
    for obligation_id, new_date in (
        DueDateChange.objects.exclude(reason="plan_accepted")
        .filter(new_date__isnull=False)
        .order_by("obligation_id", "changed_at", "id")
        .values_list("obligation_id", "new_date")
    ):
        if new_date not in planned.get(obligation_id, ()):
            rule_date[obligation_id] = new_date
    for obligation in list(Obligation.objects.filter(due_date__isnull=False).order_by("pk")):
        contract = rule_date.get(obligation.pk) or obligation.original_due_date or obligation.due_date
        fields = []
        if contract != obligation.original_due_date:
            obligation.original_due_date = contract
            fields.append("original_due_date")
        if obligation.status in MET and obligation.met_on is not None:
            days = (contract - obligation.met_on).days
            if days != obligation.days_early:
                obligation.days_early = days
                fields.append("days_early")
        if fields:
            obligation.save(update_fields=fields)


def due_dates_again(apps, schema_editor):
    Obligation = apps.get_model("contracts", "Obligation")
    for obligation in Obligation.objects.filter(
        status__in=MET, met_on__isnull=False, due_date__isnull=False
    ).order_by("pk"):
        days = (obligation.due_date - obligation.met_on).days
        if days != obligation.days_early:
            obligation.days_early = days
            obligation.save(update_fields=["days_early"])


class Migration(migrations.Migration):
    dependencies = [("contracts", "0001_initial")]

    operations = [migrations.RunPython(contract_dates, due_dates_again)]
