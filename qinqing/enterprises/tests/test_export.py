"""The Excel export reads back through the import: headings and values round-trip."""

from __future__ import annotations

import io

import pytest
from django.utils import translation

from qinqing.enterprises.demo_data import generate_enterprises, generate_labels
from qinqing.enterprises.export import COLUMNS, write_enterprises_xlsx
from qinqing.enterprises.models import Enterprise, EnterpriseLabel
from qinqing.enterprises.selectors import enterprise_list
from qinqing.enterprises.services import enterprise_import

FIELDS = [
    "credit_code",
    "name",
    "industry_code",
    "status",
    "legal_representative",
    "address",
    "employees",
    "insured_employees",
    "revenue",
    "tax_paid",
    "registered_capital",
    "founded_on",
    "bank_name",
    "bank_account_number",
    "bank_account_name",
    "region_id",
]


def _snapshot(qs):
    rows = {}
    for e in qs:
        rows[e.credit_code] = (
            tuple(getattr(e, f) for f in FIELDS),
            tuple(sorted((lb.key, lb.value) for lb in e.labels.all())),
        )
    return rows


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_export_then_import_gives_the_same_registry(city, language):
    created = [
        e
        for batch in generate_enterprises(count=60, regions=[city.district], seed=5)
        for e in Enterprise.objects.bulk_create(batch)
    ]
    EnterpriseLabel.objects.bulk_create(generate_labels(enterprises=created, seed=5))
    ours = Enterprise.objects.filter(pk__in=[e.pk for e in created])
    before = _snapshot(ours.prefetch_related("labels"))

    out = io.BytesIO()
    with translation.override(language):
        written = write_enterprises_xlsx(
            out, enterprise_list(city.admin).filter(pk__in=[e.pk for e in created]), full_bank_accounts=True
        )
    assert written == 60
    EnterpriseLabel.objects.filter(enterprise__in=ours).delete()
    ours.delete()

    with translation.override(language):
        record = enterprise_import(actor=city.admin, file_name="export.xlsx", data=out.getvalue())
    assert record.status == "imported", record.report
    after = _snapshot(Enterprise.objects.filter(source_import=record).prefetch_related("labels"))
    assert after == before


def test_headings_are_known_to_the_import():
    from qinqing.enterprises.importing import map_header

    for language in ("zh-hans", "en"):
        with translation.override(language):
            columns = map_header([str(heading) for _key, heading, _kind, _width in COLUMNS])
        assert list(columns.fields) == [key for key, *_rest in COLUMNS]
