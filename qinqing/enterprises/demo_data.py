"""Plausible Quanzhou enterprises for the demo, fast enough for a million rows.

`generate_enterprises` yields batches of unsaved Enterprise objects for bulk_create;
`generate_labels` labels saved ones. Both are deterministic for a given seed, so a
demo database can be rebuilt identically.

What the data looks like: names like 晋江鸿盛鞋业有限公司 (place + brand + trade +
form), GB/T 4754 codes that match the trade, valid unique credit codes whose
characters 3–8 are the region's division code, log-normal head counts and revenue,
about 60 % of bank accounts verified, and a few enterprises sharing one bank
account with another (a red flag the integrity checks are meant to find).

Speed: the cost per row is a few dictionary look-ups and one check character; the
pinyin of a name is assembled from cached pinyin of its parts, so pypinyin runs a
few thousand times, not a million.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import uuid
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from qinqing.accounts.models import Organisation

from . import credit_code as cc
from .models import Enterprise, EnterpriseLabel, EnterpriseStatus
from .pinyin_keys import PinyinKeys, name_keys


@dataclass(frozen=True)
class Trade:
    word: str
    industry_code: str
    weight: int
    revenue_per_head: int  # yuan, median


TRADES: tuple[Trade, ...] = (
    Trade("鞋业", "C1952", 14, 420_000),
    Trade("鞋材", "C1959", 6, 380_000),
    Trade("纺织", "C1712", 8, 450_000),
    Trade("服装", "C1811", 9, 400_000),
    Trade("石材", "C3032", 6, 500_000),
    Trade("食品", "C1419", 6, 520_000),
    Trade("茶业", "C1530", 5, 360_000),
    Trade("电子", "C3976", 4, 800_000),
    Trade("陶瓷", "C3074", 4, 330_000),
    Trade("工艺品", "C2431", 3, 280_000),
    Trade("机械", "C3499", 4, 600_000),
    Trade("箱包", "C1922", 3, 350_000),
    Trade("纸业", "C2239", 2, 700_000),
    Trade("物流", "G5431", 4, 650_000),
    Trade("软件", "I6513", 3, 550_000),
    Trade("旅游", "N7861", 2, 250_000),
    Trade("旅行社", "L7271", 2, 300_000),
    Trade("酒店", "H6110", 2, 220_000),
    Trade("餐饮", "H6210", 4, 200_000),
    Trade("商贸", "F5132", 7, 900_000),
    Trade("建设", "E4790", 3, 750_000),
    Trade("科技", "M7590", 3, 500_000),
)
_TRADE_CUM_WEIGHTS = list(itertools.accumulate(t.weight for t in TRADES))
_COOPERATIVE = Trade("茶叶", "A0164", 0, 150_000)

BRAND_CHARS = (
    "鸿盛祥泰华兴联发源达鑫隆顺海嘉美宏昌恒安信诚永福德利丰和金凯明新远邦锦辉荣旺晟豪益佳鹏腾瑞升宝富"
)
FORMS = (("有限公司", 85), ("股份有限公司", 10), ("有限责任公司", 5))
_FORM_WORDS = [f for f, _w in FORMS]
_FORM_CUM_WEIGHTS = list(itertools.accumulate(w for _f, w in FORMS))
SURNAMES = "陈林黄王吴李蔡张许郑苏洪庄施杨刘曾丁柯卢"
GIVEN_CHARS = "志明国建伟文华清海荣金辉福德美丽芳婷秀俊杰燕玲强"
ROADS = (
    "泉安路",
    "刺桐路",
    "丰泽街",
    "宝洲街",
    "世纪大道",
    "江滨路",
    "安平路",
    "晋江大道",
    "温陵路",
    "东海大街",
)
BANKS = (
    "中国工商银行泉州分行",
    "中国农业银行泉州分行",
    "中国银行泉州分行",
    "中国建设银行泉州分行",
    "泉州银行",
    "兴业银行泉州分行",
    "晋江农村商业银行",
)
CAPITALS = (100_000, 500_000, 1_000_000, 2_000_000, 3_000_000, 5_000_000, 10_000_000, 20_000_000, 50_000_000)
_CAPITAL_CUM_WEIGHTS = list(itertools.accumulate((8, 14, 20, 14, 10, 14, 10, 6, 4)))

FOUNDED_FROM = dt.date(1985, 1, 1)
FOUNDED_TO = dt.date(2025, 12, 31)
_FOUNDED_SPAN = (FOUNDED_TO - FOUNDED_FROM).days
VERIFIED_SHARE = 0.6
SHARED_ACCOUNT_SHARE = 0.003
_ORG_SPACE = 31**9
_PLACE_SUFFIXES = ("市", "县", "区")


def _place_word(region: Organisation) -> str:
    name = region.name
    for suffix in _PLACE_SUFFIXES:
        if name.endswith(suffix) and len(name) > 2:
            return name[: -len(suffix)]
    return name


def _keys(*parts: str) -> PinyinKeys:
    keys = [name_keys(p) for p in parts]
    return PinyinKeys(full="".join(k.full for k in keys), initials="".join(k.initials for k in keys))


def _org_code(number: int) -> str:
    chars = []
    for _ in range(9):
        number, digit = divmod(number, 31)
        chars.append(cc.ALPHABET[digit])
    return "".join(reversed(chars))


def _yuan(cents: int) -> Decimal:
    return Decimal(cents) / 100


def _name(rng: random.Random, place: str) -> tuple[str, PinyinKeys, str, Trade]:
    """(name, pinyin keys, credit-code prefix, trade) of one enterprise."""
    brand = "".join(rng.choice(BRAND_CHARS) for _ in range(2 if rng.random() < 0.7 else 3))
    if rng.random() < 0.03:
        # Farmers' cooperative (农民专业合作社), registered by the market regulator as 93.
        prefix, trade, tail = "93", _COOPERATIVE, "专业合作社"
    else:
        prefix = "91"
        trade = rng.choices(TRADES, cum_weights=_TRADE_CUM_WEIGHTS)[0]
        tail = rng.choices(_FORM_WORDS, cum_weights=_FORM_CUM_WEIGHTS)[0]
    # Brand characters are read one by one: 48 cached readings instead of 100,000.
    return place + brand + trade.word + tail, _keys(place, *brand, trade.word, tail), prefix, trade


def _status(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.01:
        return EnterpriseStatus.DEREGISTERED.value
    if roll < 0.03:
        return EnterpriseStatus.SUSPENDED.value
    return EnterpriseStatus.ACTIVE.value


def _bank_account(rng: random.Random, recent: list[tuple[str, str]]) -> tuple[str, str]:
    """(bank, account number); now and then one already given to another enterprise."""
    if recent and rng.random() < SHARED_ACCOUNT_SHARE:
        return recent[rng.randrange(len(recent))]
    account = (BANKS[rng.randrange(len(BANKS))], str(rng.randrange(10**18, 10**19)))
    recent.append(account)
    if len(recent) > 50:
        recent.pop(0)
    return account


def generate_enterprises(
    *, count: int, regions: list[Organisation], seed: int, batch_size: int = 5000
) -> Iterator[list[Enterprise]]:
    """Yield `count` unsaved enterprises in batches, spread over `regions`.

    Each region needs a six-digit `region_code`; the credit codes are unique within
    one call (an affine permutation of the organisation-code space, offset by the seed).
    """
    if not regions:
        raise ValueError("generate_enterprises needs at least one region")
    for region in regions:
        if len(region.region_code) != 6 or not region.region_code.isdigit():
            raise ValueError(f"region {region.code} has no six-digit region_code")
    rng = random.Random(seed)  # noqa: S311 - demo data, reproducible by design
    multiplier = rng.randrange(1, _ORG_SPACE)
    while multiplier % 31 == 0:
        multiplier = rng.randrange(1, _ORG_SPACE)
    offset = rng.randrange(_ORG_SPACE)
    places = [(region, _place_word(region)) for region in regions]
    recent_accounts: list[tuple[str, str]] = []
    batch: list[Enterprise] = []
    for index in range(count):
        region, place = places[rng.randrange(len(places))]
        name, keys, prefix, trade = _name(rng, place)
        body = prefix + region.region_code + _org_code((multiplier * index + offset) % _ORG_SPACE)
        employees = min(int(rng.lognormvariate(2.6, 1.2)) + 1, 20_000)
        revenue_cents = int(employees * trade.revenue_per_head * rng.lognormvariate(0, 0.5)) * 100
        founded = FOUNDED_TO - dt.timedelta(days=int(_FOUNDED_SPAN * rng.random() ** 2))
        bank_name, account = _bank_account(rng, recent_accounts)
        verified = rng.random() < VERIFIED_SHARE
        batch.append(
            Enterprise(
                public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                credit_code=body + cc.check_character(body),
                name=name,
                name_pinyin=keys.full,
                name_initials=keys.initials,
                region=region,
                region_code=region.region_code,
                industry_code=trade.industry_code,
                status=_status(rng),
                legal_representative=rng.choice(SURNAMES)
                + "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.randint(1, 2))),
                address=f"{region.name}{rng.choice(ROADS)}{rng.randint(1, 999)}号",
                employees=employees,
                insured_employees=int(employees * rng.uniform(0.6, 1.0)),
                revenue=_yuan(revenue_cents),
                tax_paid=_yuan(int(revenue_cents * rng.uniform(0.01, 0.08))),
                registered_capital=Decimal(rng.choices(CAPITALS, cum_weights=_CAPITAL_CUM_WEIGHTS)[0]),
                founded_on=founded,
                bank_name=bank_name,
                bank_account_number=account,
                bank_account_name=name,
                bank_account_verified=verified,
                bank_account_verified_at=(
                    dt.datetime.combine(max(founded, dt.date(2020, 1, 1)), dt.time(10), tzinfo=dt.UTC)
                    if verified
                    else None
                ),
            )
        )
        if len(batch) >= batch_size:
            yield batch
            batch = []
    if batch:
        yield batch


def _draw(seed: int, code: str, salt: str) -> float:
    """A uniform number in [0, 1) fixed by seed, enterprise and purpose, so labels do not
    depend on how the enterprises were batched."""
    return zlib.crc32(f"{seed}:{salt}:{code}".encode()) / 2**32


def _since(seed: int, enterprise: Enterprise, salt: str) -> dt.date:
    start = max(enterprise.founded_on or FOUNDED_FROM, dt.date(2016, 1, 1))
    span = max((FOUNDED_TO - start).days, 0)
    return start + dt.timedelta(days=int(span * _draw(seed, enterprise.credit_code, salt + ":since")))


def generate_labels(*, enterprises: Iterable[Enterprise], seed: int) -> list[EnterpriseLabel]:
    """Unsaved labels for saved enterprises: high_tech, tech_sme, specialised_sme,
    little_giant, above_scale, listed, foreign_invested, time_honoured, and a
    scenic_grade (3A/4A/5A) for some tourism enterprises."""
    labels: list[EnterpriseLabel] = []
    for e in enterprises:
        if e.pk is None:
            raise ValueError("generate_labels needs saved enterprises")
        code, industry = e.credit_code, e.industry_code

        def add(key: str, value: str = "yes", since: dt.date | None = None, *, e: Enterprise = e) -> None:
            labels.append(EnterpriseLabel(enterprise_id=e.pk, key=key, value=value, since=since))

        def draw(salt: str, *, code: str = code) -> float:
            return _draw(seed, code, salt)

        manufacturing = industry.startswith("C")
        innovative = industry.startswith(("C39", "I65", "M"))
        if industry.startswith("N786") and draw("scenic") < 0.3:
            grade = draw("grade")
            value = "5A" if grade < 0.05 else "4A" if grade < 0.35 else "3A"
            add("scenic_grade", value, _since(seed, e, "scenic"))
        if (manufacturing or innovative) and draw("high_tech") < (0.15 if innovative else 0.04):
            add("high_tech", since=_since(seed, e, "high_tech"))
        if (manufacturing or innovative) and draw("tech_sme") < 0.06:
            add("tech_sme", since=_since(seed, e, "tech_sme"))
        giant = manufacturing and draw("little_giant") < 0.002
        if giant or (manufacturing and draw("specialised") < 0.02):
            add("specialised_sme", since=_since(seed, e, "specialised"))
        if giant:
            add("little_giant", since=_since(seed, e, "little_giant"))
        if manufacturing and e.revenue >= Decimal("20000000"):
            add("above_scale")
        if e.revenue >= Decimal("1000000000") and draw("listed") < 0.2:
            add("listed")
        if draw("foreign") < 0.03:
            add("foreign_invested")
        if industry.startswith(("C14", "C15")) and draw("time_honoured") < 0.005:
            add("time_honoured")
    return labels
