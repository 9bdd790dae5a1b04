"""The demo generator: valid unique codes in the regions' division, consistent
pinyin, plausible values, reproducible, and insertable with bulk_create."""

from __future__ import annotations

from collections import Counter

import pytest

from qinqing.accounts.models import Organisation
from qinqing.enterprises import credit_code as cc
from qinqing.enterprises import industry, labels
from qinqing.enterprises.demo_data import generate_enterprises, generate_labels
from qinqing.enterprises.models import Enterprise, EnterpriseLabel
from qinqing.enterprises.pinyin_keys import name_keys

REGIONS = [
    Organisation(code="jj", name="晋江市", kind="district", region_code="350582"),
    Organisation(code="ss", name="石狮市", kind="district", region_code="350581"),
    Organisation(code="ax", name="安溪县", kind="district", region_code="350524"),
]


def _all(count, seed=7, regions=REGIONS, batch_size=5000):
    return [
        e
        for batch in generate_enterprises(count=count, regions=regions, seed=seed, batch_size=batch_size)
        for e in batch
    ]


def test_batches_and_count():
    sizes = [len(b) for b in generate_enterprises(count=2500, regions=REGIONS, seed=1, batch_size=1000)]
    assert sizes == [1000, 1000, 500]


def test_codes_are_valid_unique_and_in_the_regions_division():
    rows = _all(5000)
    codes = [e.credit_code for e in rows]
    assert len(set(codes)) == len(codes)
    for e in rows:
        assert cc.validate(e.credit_code) == e.credit_code
        assert e.credit_code[2:8] == e.region_code == e.region.region_code
    assert {e.region.code for e in rows} == {"jj", "ss", "ax"}


def test_names_pinyin_and_industry_are_consistent():
    rows = _all(2000)
    for e in rows[:500]:
        keys = name_keys(e.name)
        assert (e.name_pinyin, e.name_initials) == (keys.full, keys.initials), e.name
        assert industry.normalise(e.industry_code) == e.industry_code
        assert e.name[:2] in {"晋江", "石狮", "安溪"}
        assert e.name.endswith(("有限公司", "有限责任公司", "专业合作社"))
    trades = Counter(e.industry_code for e in rows)
    assert trades["C1952"] > trades["L7271"]  # shoes are Quanzhou's big trade


def test_values_are_plausible():
    rows = _all(3000)
    for e in rows:
        assert 1 <= e.employees <= 20_000
        assert 0 <= e.insured_employees <= e.employees
        assert e.revenue >= 0 and e.tax_paid <= e.revenue
        assert e.registered_capital > 0
        assert e.founded_on.year >= 1985
        assert e.bank_account_number.isdigit() and len(e.bank_account_number) == 19
        assert e.bank_account_verified == (e.bank_account_verified_at is not None)
    verified = sum(e.bank_account_verified for e in rows) / len(rows)
    assert 0.5 < verified < 0.7
    shared = [n for n, c in Counter(e.bank_account_number for e in rows).items() if c > 1]
    assert 1 <= len(shared) <= 30  # a few enterprises share an account: a red flag to find


def test_reproducible_for_a_seed():
    first = [(e.credit_code, e.name, e.public_id) for e in _all(300, seed=42)]
    again = [(e.credit_code, e.name, e.public_id) for e in _all(300, seed=42)]
    other = [(e.credit_code, e.name, e.public_id) for e in _all(300, seed=43)]
    assert first == again
    assert set(first).isdisjoint(other)


def test_a_region_without_a_division_code_is_refused():
    with pytest.raises(ValueError):
        _all(1, regions=[Organisation(code="x", name="某区", kind="district")])
    with pytest.raises(ValueError):
        _all(1, regions=[])


def test_bulk_insert_and_labels(city):
    regions = [city.district, city.city]
    created = []
    for batch in generate_enterprises(count=3000, regions=regions, seed=3, batch_size=1000):
        created.extend(Enterprise.objects.bulk_create(batch))
    assert Enterprise.objects.count() == 3002
    made = generate_labels(enterprises=created, seed=3)
    EnterpriseLabel.objects.bulk_create(made)
    by_key = Counter(lb.key for lb in made)
    assert by_key["high_tech"] > 0
    assert by_key["above_scale"] > 0
    for lb in made:
        assert labels.clean_labels({lb.key: lb.value}) == {lb.key: lb.value}
    grades = EnterpriseLabel.objects.filter(key="scenic_grade").select_related("enterprise")
    assert all(lb.enterprise.industry_code.startswith("N786") for lb in grades)
    # Labels depend on the enterprise, not on how it was batched.
    again = generate_labels(enterprises=list(reversed(created)), seed=3)
    assert sorted((lb.enterprise_id, lb.key, lb.value) for lb in again) == sorted(
        (lb.enterprise_id, lb.key, lb.value) for lb in made
    )


def test_labels_need_saved_enterprises():
    with pytest.raises(ValueError):
        generate_labels(enterprises=_all(1), seed=1)
