from __future__ import annotations

import random
from decimal import Decimal

import factory

from qinqing.enterprises import credit_code
from qinqing.enterprises.models import Enterprise

_rng = random.Random(20221013)


def random_credit_code(region: str = "350500") -> str:
    body = "91" + region + "".join(_rng.choice(credit_code.ALPHABET) for _ in range(9))
    return credit_code.make(body)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    credit_code = factory.LazyFunction(random_credit_code)
    name = factory.Sequence(lambda n: f"泉州测试企业{n}有限公司")
    name_pinyin = factory.Sequence(lambda n: f"quanzhouceshiqiye{n}youxiangongsi")
    name_initials = factory.Sequence(lambda n: f"qzcsqy{n}yxgs")
    region_code = factory.LazyAttribute(lambda e: e.credit_code[2:8])
    industry_code = "C1811"
    employees = 50
    insured_employees = 45
    revenue = Decimal("12000000.00")
    tax_paid = Decimal("600000.00")
    registered_capital = Decimal("5000000.00")
