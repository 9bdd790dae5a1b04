"""Data for the matching benchmark: enterprises and labels loaded with SQL, and policies
of the real shapes, each with a hand-written SQL statement doing what `policy_match`
does for it (the peer measured in the same run).

Every attribute of enterprise i is a fixed function of i (a multiplicative hash), the
same on PostgreSQL and SQLite, so two runs of the same size see the same data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

# Ten divisions of 泉州 (3505xx) and one of 福州 (350102), which no district-bound
# policy reaches.
DISTRICTS = [
    "350502",
    "350503",
    "350504",
    "350505",
    "350521",
    "350524",
    "350525",
    "350526",
    "350582",
    "350583",
]
REGIONS = [*DISTRICTS, "350102"]
INDUSTRIES = [
    "C3911",
    "C3912",
    "C4011",
    "C1810",
    "C1951",
    "C2927",
    "C3484",
    "I6510",
    "I6520",
    "I6440",
    "F5123",
    "F5261",
    "G5411",
    "H6110",
    "H6210",
    "N7852",
    "R8810",
    "E4710",
    "A0111",
    "L7212",
]

_PRIME = 1_000_003


def h(column: str, multiplier: int, modulo: int) -> str:
    """A pseudo-random 0 ≤ value < modulo for row `column`, the same SQL on both databases."""
    return f"(((CAST({column} AS BIGINT) * {multiplier}) % {_PRIME}) % {modulo})"


def _case(expr: str, values: list[str]) -> str:
    whens = " ".join(f"WHEN {i} THEN '{v}'" for i, v in enumerate(values))
    return f"(CASE {expr} {whens} END)"


def enterprise_insert_sql(vendor: str, count: int, region_id: int) -> str:
    """One INSERT … SELECT of `count` enterprises."""
    region = _case(h("i", 7919, len(REGIONS)), REGIONS)
    industry = _case(h("i", 104729, len(INDUSTRIES)), INDUSTRIES)
    # 94% active, 4% suspended, 2% deregistered.
    status = f"(CASE WHEN {h('i', 15485863, 100)} < 94 THEN 'active' WHEN {h('i', 15485863, 100)} < 98 THEN 'suspended' ELSE 'deregistered' END)"
    # Skewed head-counts 0..1000: most firms are small.
    employees = f"(({h('i', 32452843, 1000)} * {h('i', 32452843, 1000)}) / 1000)"
    insured = f"(({employees} * (60 + {h('i', 49979687, 41)})) / 100)"
    revenue = f"({employees} * (50000 + {h('i', 67867967, 450000)}) + {h('i', 86028121, 1000000)}) + ({h('i', 2038074743, 100)} / 100.0)"
    tax = f"(CAST({employees} * (50000 + {h('i', 67867967, 450000)}) AS BIGINT) * (2 + {h('i', 122949829, 7)}) / 100)"
    capital = f"(10000 * (1 + {h('i', 141650939, 5000)}))"
    founded_days = h("i", 160481183, 36 * 365)  # within the last 36 years
    verified = f"({h('i', 179424673, 10)} < 8)"
    if vendor == "postgresql":
        series = "generate_series(1, %(count)s) AS i"
        founded = f"(CASE WHEN {h('i', 198491317, 100)} = 0 THEN NULL ELSE DATE '2026-11-27' - CAST({founded_days} AS INTEGER) END)"
        uuid = "gen_random_uuid()"
        now = "now()"
        return f"""
            INSERT INTO enterprises_enterprise (created_at, updated_at, public_id, credit_code, name, name_pinyin,
                name_initials, pinyin_override, region_id, region_code, industry_code, status,
                legal_representative, address, employees, insured_employees, revenue, tax_paid,
                registered_capital, founded_on, bank_name, bank_account_number, bank_account_name,
                bank_account_verified, bank_account_verified_at, source_import_id)
            SELECT {now}, {now}, {uuid}, '91' || {region} || lpad(i::text, 10, '0'), '企业' || i, 'qiye ' || i,
                'qy', false, {region_id}, {region}, {industry}, {status}, '', '', {employees}, {insured},
                {revenue}, {tax}, {capital}, {founded}, '', '', '', {verified}, NULL, NULL
            FROM {series}
        """.replace("%(count)s", str(int(count)))
    founded = f"(CASE WHEN {h('i', 198491317, 100)} = 0 THEN NULL ELSE date('2026-11-27', '-' || {founded_days} || ' days') END)"
    return f"""
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {int(count)})
        INSERT INTO enterprises_enterprise (created_at, updated_at, public_id, credit_code, name, name_pinyin,
            name_initials, pinyin_override, region_id, region_code, industry_code, status,
            legal_representative, address, employees, insured_employees, revenue, tax_paid,
            registered_capital, founded_on, bank_name, bank_account_number, bank_account_name,
            bank_account_verified, bank_account_verified_at, source_import_id)
        SELECT datetime('now'), datetime('now'), lower(hex(randomblob(16))),
            '91' || {region} || substr('0000000000' || i, -10, 10), '企业' || i, 'qiye ' || i, 'qy', 0,
            {region_id}, {region}, {industry}, {status}, '', '', {employees}, {insured},
            {revenue}, {tax}, {capital}, {founded}, '', '', '', {verified}, NULL, NULL
        FROM n WHERE true
    """


# Labels: (key, multiplier, share in thousandths, values chosen among by another hash).
LABELS: list[tuple[str, int, int, list[str]]] = [
    ("scenic_grade", 217645177, 3, ["A", "2A", "3A", "3A", "4A", "5A"]),
    ("high_tech", 236887691, 60, ["yes"]),
    ("above_scale", 256203161, 100, ["yes"]),
    ("new_above_scale", 275604541, 10, ["yes"]),
    ("exporter", 295075147, 80, ["yes"]),
    ("tech_sme", 314606869, 50, ["yes"]),
    ("specialised", 334214459, 30, ["provincial", "provincial", "provincial", "national"]),
    ("credit_rating", 353868013, 500, ["A", "A", "B", "B", "C", "D"]),
]


def label_insert_sql(key: str, multiplier: int, share: int, values: list[str]) -> str:
    value = _case(h("e.id", multiplier + 2, len(values)), values)
    return f"""
        INSERT INTO enterprises_enterpriselabel (enterprise_id, key, value, since)
        SELECT e.id, '{key}', {value}, NULL FROM enterprises_enterprise e
        WHERE {h("e.id", multiplier, 1000)} < {share}
    """


# --- policies --------------------------------------------------------------------------------


@dataclass
class Shape:
    """One policy: its rule (JSON), its cap and period, and the same thing in plain SQL."""

    code: str
    title: str
    rule: dict[str, Any]
    # FROM clause (the enterprise is `e`), WHERE conditions, award expression before the cap.
    from_sql: str
    where_sql: list[str]
    award_sql: str
    cap: Decimal | None = None
    period_kind: str = "once"


E = "enterprises_enterprise e"
LABEL = "enterprises_enterpriselabel"


def _label_join(key: str) -> str:
    return f"{LABEL} l JOIN {E} ON e.id = l.enterprise_id AND l.key = '{key}'"


def _has(key: str, values: list[str] | None = None, negate: bool = False) -> str:
    test = ""
    if values:
        test = f" AND x.value {'NOT ' if negate else ''}IN ({', '.join(repr(v) for v in values)})"
    return f"EXISTS (SELECT 1 FROM {LABEL} x WHERE x.enterprise_id = e.id AND x.key = '{key}'{test})"


def _prefix(column: str, prefixes: list[str]) -> str:
    return "(" + " OR ".join(f"substr({column}, 1, {len(p)}) = '{p}'" for p in prefixes) + ")"


def _region(vendor: str, prefix: str) -> str:
    """What a person writes for a division: `=` for a district's whole code; for the
    city's prefix, on PostgreSQL a range the `region_code` index serves, on SQLite
    (whose planner takes any range for a narrow one) SUBSTR."""
    if len(prefix) == 6:
        return f"e.region_code = '{prefix}'"
    if vendor != "postgresql":
        return _prefix("e.region_code", [prefix])
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    return f"(e.region_code >= '{prefix}' AND e.region_code < '{upper}')"


def _years_before(on: dt.date, years: int) -> str:
    try:
        return on.replace(year=on.year - years).isoformat()
    except ValueError:
        return on.replace(year=on.year - years, day=28).isoformat()


def _least(vendor: str, a: str, b: str) -> str:
    return f"{'LEAST' if vendor == 'postgresql' else 'MIN'}({a}, {b})"


def _rate(vendor: str, column: str, rate: str) -> str:
    if vendor == "postgresql":
        return f"round({column} * {rate}, 2)"
    # SQLite keeps decimals as doubles: whole cents times the rate in ten-thousandths,
    # rounded half up in integers, as the compiled rule does.
    scaled = int(Decimal(rate) * 10000)
    return f"((CAST(round({column} * 100) AS INTEGER) * {scaled} + 5000) / 10000) / 100.0"


def shapes(vendor: str, on: dt.date) -> list[Shape]:  # noqa: PLR0915
    """Fifty policies: ten real shapes, each for five districts (or the whole city)."""
    out: list[Shape] = []
    for v in range(5):
        for t in range(10):
            d = DISTRICTS[(t + 2 * v) % len(DISTRICTS)]
            prefix = "3505" if (t == 0 and v == 0) else d
            region = {"attr": "region_code", "op": "prefix", "value": prefix}
            region_sql = _region(vendor, prefix)
            active = {"attr": "status", "op": "eq", "value": "active"}
            code = f"bench-{t}-{v}"
            if t == 0:  # the A-level scenic spot award, tiered by grade
                out.append(
                    Shape(
                        code,
                        "A级旅游景区创建奖励",
                        {
                            "conditions": {
                                "all": [
                                    active,
                                    region,
                                    {"label": "scenic_grade", "op": "in", "value": ["3A", "4A", "5A"]},
                                ]
                            },
                            "award": {
                                "kind": "tiered",
                                "label": "scenic_grade",
                                "tiers": [
                                    {"value": "3A", "amount": "600000"},
                                    {"value": "4A", "amount": "1000000"},
                                    {"value": "5A", "amount": "2000000"},
                                ],
                            },
                        },
                        _label_join("scenic_grade"),
                        ["l.value IN ('3A', '4A', '5A')", "e.status = 'active'", region_sql],
                        "(CASE l.value WHEN '5A' THEN 2000000 WHEN '4A' THEN 1000000 WHEN '3A' THEN 600000 ELSE 0 END)",
                    )
                )
            elif t == 1:  # high-tech enterprise recognition, fixed award, founded a year ago
                out.append(
                    Shape(
                        code,
                        "高新技术企业认定奖励",
                        {
                            "conditions": {
                                "all": [
                                    active,
                                    {"label": "high_tech", "op": "exists"},
                                    {"attr": "founded_on", "op": "age_ge", "value": 1},
                                    region,
                                ]
                            },
                            "award": {"kind": "fixed", "amount": "300000"},
                        },
                        _label_join("high_tech"),
                        [
                            "e.status = 'active'",
                            f"e.founded_on IS NOT NULL AND e.founded_on <= '{_years_before(on, 1)}'",
                            region_sql,
                        ],
                        "300000",
                    )
                )
            elif t == 2:  # 小升规: newly above the statistical threshold
                out.append(
                    Shape(
                        code,
                        "小升规企业奖励",
                        {
                            "conditions": {
                                "all": [
                                    {"label": "new_above_scale", "op": "eq", "value": "yes"},
                                    {"attr": "employees", "op": "ge", "value": 20},
                                    active,
                                    region,
                                ]
                            },
                            "award": {"kind": "fixed", "amount": "100000"},
                        },
                        _label_join("new_above_scale"),
                        ["l.value = 'yes'", "e.employees >= 20", "e.status = 'active'", region_sql],
                        "100000",
                    )
                )
            elif t == 3:  # job stabilisation, per insured employee with a cap, yearly
                out.append(
                    Shape(
                        code,
                        "稳岗返还",
                        {
                            "conditions": {
                                "all": [
                                    active,
                                    {"attr": "insured_employees", "op": "between", "value": [10, 2000]},
                                    {"not": {"label": "credit_rating", "op": "in", "value": ["D"]}},
                                    {"attr": "industry_code", "op": "prefix", "value": ["C", "I"]},
                                    region,
                                ]
                            },
                            "award": {"kind": "per_employee", "amount": "500", "cap": "300000"},
                        },
                        E,
                        [
                            "e.status = 'active'",
                            "e.insured_employees BETWEEN 10 AND 2000",
                            "NOT " + _has("credit_rating", ["D"]),
                            _prefix("e.industry_code", ["C", "I"]),
                            region_sql,
                        ],
                        _least(vendor, "e.insured_employees * 500", "300000"),
                        cap=Decimal("200000"),
                        period_kind="yearly",
                    )
                )
            elif t == 4:  # first-time export: a rate of revenue with a cap
                out.append(
                    Shape(
                        code,
                        "首次出口奖励",
                        {
                            "conditions": {
                                "all": [
                                    {"label": "exporter", "op": "eq", "value": "yes"},
                                    active,
                                    {"attr": "revenue", "op": "ge", "value": "1000000"},
                                    region,
                                ]
                            },
                            "award": {"kind": "rate", "attr": "revenue", "rate": "0.01", "cap": "500000"},
                        },
                        _label_join("exporter"),
                        ["l.value = 'yes'", "e.status = 'active'", "e.revenue >= 1000000", region_sql],
                        _least(vendor, _rate(vendor, "e.revenue", "0.01"), "500000"),
                    )
                )
            elif t == 5:  # R&D: a rate of tax paid, industries by prefix
                out.append(
                    Shape(
                        code,
                        "研发费用补助",
                        {
                            "conditions": {
                                "all": [
                                    {"label": "tech_sme", "op": "exists"},
                                    {"attr": "tax_paid", "op": "ge", "value": "50000"},
                                    {"attr": "industry_code", "op": "prefix", "value": ["C39", "C40", "I65"]},
                                    region,
                                ]
                            },
                            "award": {"kind": "rate", "attr": "tax_paid", "rate": "0.05", "cap": "1000000"},
                        },
                        _label_join("tech_sme"),
                        [
                            "e.tax_paid >= 50000",
                            _prefix("e.industry_code", ["C39", "C40", "I65"]),
                            region_sql,
                        ],
                        _least(vendor, _rate(vendor, "e.tax_paid", "0.05"), "1000000"),
                        period_kind="yearly",
                    )
                )
            elif t == 6:  # 专精特新, tiered by level, bank account verified
                out.append(
                    Shape(
                        code,
                        "专精特新企业奖励",
                        {
                            "conditions": {
                                "all": [
                                    {"label": "specialised", "op": "in", "value": ["provincial", "national"]},
                                    active,
                                    {"attr": "bank_account_verified", "op": "eq", "value": True},
                                    region,
                                ]
                            },
                            "award": {
                                "kind": "tiered",
                                "label": "specialised",
                                "tiers": [
                                    {"value": "provincial", "amount": "500000"},
                                    {"value": "national", "amount": "1000000"},
                                ],
                            },
                        },
                        _label_join("specialised"),
                        [
                            "l.value IN ('provincial', 'national')",
                            "e.status = 'active'",
                            "e.bank_account_verified = " + ("true" if vendor == "postgresql" else "1"),
                            region_sql,
                        ],
                        "(CASE l.value WHEN 'national' THEN 1000000 WHEN 'provincial' THEN 500000 ELSE 0 END)",
                    )
                )
            elif t == 7:  # start-ups: younger than three years, not rated D
                out.append(
                    Shape(
                        code,
                        "初创企业扶持",
                        {
                            "conditions": {
                                "all": [
                                    {"attr": "founded_on", "op": "age_lt", "value": 3},
                                    {"attr": "employees", "op": "ge", "value": 5},
                                    active,
                                    {"not": {"label": "credit_rating", "op": "eq", "value": "D"}},
                                    region,
                                ]
                            },
                            "award": {"kind": "fixed", "amount": "20000"},
                        },
                        E,
                        [
                            f"e.founded_on IS NOT NULL AND e.founded_on > '{_years_before(on, 3)}'",
                            "e.employees >= 5",
                            "e.status = 'active'",
                            "NOT " + _has("credit_rating", ["D"]),
                            region_sql,
                        ],
                        "20000",
                    )
                )
            elif t == 8:  # above-scale firms, tiered by revenue
                out.append(
                    Shape(
                        code,
                        "规上企业增产奖励",
                        {
                            "conditions": {
                                "all": [
                                    {"label": "above_scale", "op": "exists"},
                                    {"attr": "status", "op": "in", "value": ["active"]},
                                    {"attr": "revenue", "op": "ge", "value": "20000000"},
                                    region,
                                ]
                            },
                            "award": {
                                "kind": "tiered",
                                "attr": "revenue",
                                "tiers": [
                                    {"from": "20000000", "amount": "200000"},
                                    {"from": "50000000", "amount": "500000"},
                                    {"from": "100000000", "amount": "1000000"},
                                ],
                            },
                        },
                        _label_join("above_scale"),
                        ["e.status IN ('active')", "e.revenue >= 20000000", region_sql],
                        "(CASE WHEN e.revenue >= 100000000 THEN 1000000 WHEN e.revenue >= 50000000 THEN 500000 "
                        "WHEN e.revenue >= 20000000 THEN 200000 ELSE 0 END)",
                    )
                )
            else:  # any of two labels, a head-count range, not deregistered, with a policy cap
                out.append(
                    Shape(
                        code,
                        "创新型企业培育补助",
                        {
                            "conditions": {
                                "all": [
                                    {"attr": "status", "op": "ne", "value": "deregistered"},
                                    {
                                        "any": [
                                            {"label": "high_tech", "op": "exists"},
                                            {"label": "specialised", "op": "in", "value": ["national"]},
                                        ]
                                    },
                                    {"attr": "employees", "op": "between", "value": [50, 500]},
                                    region,
                                ]
                            },
                            "award": {"kind": "per_employee", "amount": "1000"},
                        },
                        E,
                        [
                            "e.status <> 'deregistered'",
                            f"({_has('high_tech')} OR {_has('specialised', ['national'])})",
                            "e.employees BETWEEN 50 AND 500",
                            region_sql,
                        ],
                        "(e.insured_employees * 1000)",
                        cap=Decimal("300000"),
                    )
                )
    return out


def hand_insert_sql(
    vendor: str, shape: Shape, *, policy_id: int, version_id: int, period: str, now: str
) -> str:
    """The statement a person would write for this policy: same rows, same awards."""
    award = shape.award_sql
    if shape.cap is not None:
        award = _least(vendor, award, str(shape.cap))
    from qinqing.policies.public_ids import uuid7_sql  # after Django's set-up has put the project on the path

    # The same time-ordered public ids as the service's: their cost is the index's, not the compile's.
    uuid = uuid7_sql(vendor)
    where = " AND ".join(shape.where_sql)
    return f"""
        INSERT INTO policies_invitation (public_id, policy_id, version_id, enterprise_id, period, award,
            status, created_at)
        SELECT {uuid}, {policy_id}, {version_id}, e.id, '{period}', {award}, 'open', '{now}'
        FROM {shape.from_sql}
        WHERE {where}
          AND NOT EXISTS (SELECT 1 FROM policies_invitation i
                          WHERE i.policy_id = {policy_id} AND i.enterprise_id = e.id AND i.period = '{period}')
          AND NOT EXISTS (SELECT 1 FROM policies_case c
                          WHERE c.policy_id = {policy_id} AND c.enterprise_id = e.id AND c.period = '{period}'
                            AND c.status <> 'withdrawn')
          AND {award} > 0
        ON CONFLICT DO NOTHING
    """
