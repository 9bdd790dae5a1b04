"""The demo ledger's plan: every walk-through, problem and rule, with the day it happens
and the state it stands in today, decided before anything is recorded.

The plan is deterministic (a seeded generator) and holds the article's figures by
construction: 39 city departments walk 87 processes and find 46 problems; 102 county
departments walk theirs and find 186; 77 units inspected find 3 problems each (231),
6 of them institutional, and 25 rules come of the round; the topic campaign's 24
department topics give 38 institutional results. Days are counted in working days
before today. Everything the walks and the inspection found is rectified; the
problems still open, overdue, sent back, reopened, withdrawn, merged or referred come
from the other channels (`ledger_data.STORIES` and the topic campaign).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace

from qinqing.ledger.models import DeadlineMode, OutcomeKind

from . import ledger_data as data
from .ledger_data import CLOSED, RECTIFYING, SUBMITTED, VERIFIED, Story


@dataclass(frozen=True)
class WalkPlan:
    department: str  # organisation code
    commission: str  # "" for the city's campaign, else the district's code
    process: str
    days_ago: int
    steps: list[dict[str, object]]
    problems: list[Story]


@dataclass(frozen=True)
class RulePlan:
    channel: str  # "inspection" or "topic"
    department: str
    title: str
    kind: str
    number: str
    problems: list[str]  # story keys
    days_ago: int


@dataclass(frozen=True)
class LedgerPlan:
    walks: list[WalkPlan]
    problems: list[Story]
    rules: list[RulePlan]


SCORES = (5, 5, 5, 4, 4, 4, 4, 3)
VISIT_COMMENTS = (
    "问题已解决，办事顺畅多了。",
    "整改到位，满意。",
    "基本解决，希望形成长效机制。",
    "回访时企业表示已按承诺办结。",
)
COUNTY_ABBREVIATIONS = {
    "fgj": "发改",
    "swj": "商务",
    "scjg": "市监",
    "zjj": "建",
    "zrzy": "资源",
    "spj": "审批",
    "wlj": "文体旅",
    "czj": "财",
    "rsj": "人社",
    "xzfw": "行服",
}
# The first character of each district's name, for its document numbers.
DISTRICT_ABBREVIATIONS = {
    "lc": "鲤",
    "fz": "丰",
    "lj": "洛",
    "qg": "港",
    "ha": "惠",
    "ax": "安",
    "yc": "永",
    "dh": "德",
    "ss": "狮",
    "jj": "晋",
    "na": "南",
}


def spread(
    total: int,
    slots: int,
    rng: random.Random,
    *,
    most: int | list[int] = 3,
    at_least: dict[int, int] | None = None,
) -> list[int]:
    """`total` items over `slots`: at most `most` in one (or `most[i]` in slot i), at
    least `at_least[i]` in slot i."""
    limits = most if isinstance(most, list) else [most] * slots
    counts = [0] * slots
    for index, n in (at_least or {}).items():
        counts[index] = n
    if not sum(counts) <= total <= sum(limits):
        raise ValueError(f"cannot spread {total} over {slots} slots")
    left = total - sum(counts)
    while left > 0:
        index = rng.randrange(slots)
        if counts[index] < limits[index]:
            counts[index] += 1
            left -= 1
    return counts


def _steps(rng: random.Random) -> list[dict[str, object]]:
    chosen = [s for s in data.WALK_STEPS if s[0] != "现场踏勘" or rng.random() < 0.4]
    return [{"name": name, "minutes": rng.randint(low, high)} for name, low, high in chosen]


def _fixing(rng: random.Random, *, deadlines: tuple[int, ...], immediate: float) -> dict[str, object]:
    """A time limit and how the department meets it: mostly in time, some late (the
    ladder fires), some sent back once by the group."""
    if rng.random() < immediate:
        mode, days, fix = DeadlineMode.IMMEDIATE, 3, int(rng.random() < 0.2)
    else:
        mode = DeadlineMode.WORKING_DAYS
        days = rng.choice(deadlines)
        fix = rng.randint(max(1, days // 4), days - 3)
    if rng.random() < 0.06:
        fix = days + rng.randint(2, 4)  # late: past the warning, the alarm fired
    return {
        "deadline_mode": mode,
        "deadline_days": days,
        "fix": fix,
        "send_back": rng.random() < 0.06,
        "score": rng.choice(SCORES),
        "comment": rng.choice(VISIT_COMMENTS),
    }


def _walks(
    rng: random.Random,
    departments: list[tuple[str, str, list[str]]],
    *,
    walks: int,
    problems: int,
    first: int,
    last: int,
    must_find: dict[str, int],
    key: str,
) -> list[WalkPlan]:
    """Walks of `departments` ((code, commission, processes) each), `walks` in all (each
    department at least one, at most as many as it has processes), finding `problems`."""
    per_department = spread(
        walks,
        len(departments),
        rng,
        most=[len(processes) for _c, _d, processes in departments],
        at_least=dict.fromkeys(range(len(departments)), 1),
    )
    planned: list[tuple[str, str, str]] = []
    for (code, commission, processes), n in zip(departments, per_department, strict=True):
        planned.extend((code, commission, process) for process in processes[:n])
    # A department that must find something finds it on its first walk.
    firsts: dict[int, int] = {}
    for code, n in must_find.items():
        firsts[next(i for i, p in enumerate(planned) if p[0] == code)] = n
    found = spread(problems, len(planned), rng, at_least=firsts)
    days = sorted((rng.randint(last, first) for _ in planned), reverse=True)
    order = list(range(len(planned)))
    rng.shuffle(order)
    result: list[WalkPlan] = []
    for slot, index in enumerate(order):
        code, commission, process = planned[index]
        stories = []
        for n in range(found[index]):
            finding, category, sub = data.WALK_FINDINGS[rng.randrange(len(data.WALK_FINDINGS))]
            stories.append(
                Story(
                    key=f"{key}-{slot}-{n}",
                    via="walk",
                    department=code,
                    title=f"{process}：{finding}",
                    description=rng.choice(data.WALK_DETAILS),
                    category=category,
                    subcategory=sub,
                    fate=CLOSED,
                    days_ago=days[slot],
                    **_fixing(rng, deadlines=(5, 10, 15, 20), immediate=0.25),  # type: ignore[arg-type]
                )
            )
        result.append(
            WalkPlan(
                department=code,
                commission=commission,
                process=process,
                days_ago=days[slot],
                steps=_steps(rng),
                problems=stories,
            )
        )
    return result


def _number(rng: random.Random, department: str) -> str:
    """A document number (文号) with `{year}` left to fill in when the rule is issued."""
    if "-" in department:
        district, suffix = department.split("-", 1)
        abbr = DISTRICT_ABBREVIATIONS.get(district, "") + COUNTY_ABBREVIATIONS.get(suffix, "")
    else:
        abbr = data.ABBREVIATIONS.get(department, "泉")
    return abbr + "〔{year}〕" + f"{rng.randint(3, 60)}号"


def _inspection(
    rng: random.Random, county_departments: dict[str, list[str]], names: dict[str, str]
) -> tuple[list[Story], list[RulePlan]]:
    units = list(data.INSPECTED_CITY_DEPARTMENTS) + [
        f"{district}-{suffix}"
        for district in county_departments
        for suffix in data.INSPECTED_COUNTY_SUFFIXES
        if f"{district}-{suffix}" in county_departments[district]
    ]
    specials: dict[str, list[Story]] = {}
    for code, title, category, sub, institutional, _rule in data.INSPECTION_INSTITUTIONAL_FINDINGS:
        specials.setdefault(code, []).append(
            Story(
                key=f"inspection-institutional-{code}",
                via="inspection",
                department=code,
                title=title,
                description=rng.choice(data.INSPECTION_DETAILS),
                category=category,
                subcategory=sub,
                fate=CLOSED,
                days_ago=0,
                institutional=institutional,
                **_fixing(rng, deadlines=(30, 40), immediate=0),  # type: ignore[arg-type]
            )
        )
    for story in data.STORIES:
        if story.via == "inspection":
            specials.setdefault(story.department, []).append(story)
    problems: list[Story] = []
    rules: list[RulePlan] = []
    institutional_rules = {code: rule for code, *_rest, rule in data.INSPECTION_INSTITUTIONAL_FINDINGS}
    generic_rules = 0
    wanted_generic = data.INSPECTION_RULES - len(institutional_rules)
    step = len(units) / wanted_generic
    rule_units = {units[int(i * step)] for i in range(wanted_generic)}
    for index, unit in enumerate(units):
        day = 205 - (index * 95) // len(units)  # one unit after another, 205 to 110 working days ago
        found = [replace(s, days_ago=day) for s in specials.get(unit, [])]
        for n in range(3 - len(found)):
            finding, category, sub = data.INSPECTION_FINDINGS[(index * 3 + n) % len(data.INSPECTION_FINDINGS)]
            found.append(
                Story(
                    key=f"inspection-{unit}-{n}",
                    via="inspection",
                    department=unit,
                    title=f"{names[unit]}：{finding}",
                    description=rng.choice(data.INSPECTION_DETAILS),
                    category=category,
                    subcategory=sub,
                    fate=CLOSED,
                    days_ago=day,
                    **_fixing(rng, deadlines=(20, 30, 40), immediate=0.2 if n == 0 else 0),  # type: ignore[arg-type]
                )
            )
        problems.extend(found)
        if unit in institutional_rules:
            rules.append(
                RulePlan(
                    channel="inspection",
                    department=unit,
                    title=institutional_rules[unit],
                    kind=OutcomeKind.RULE,
                    number=_number(rng, unit),
                    problems=[f"inspection-institutional-{unit}"],
                    days_ago=day - 70,
                )
            )
        if unit in rule_units:
            subject = data.INSPECTION_RULE_SUBJECTS[generic_rules % len(data.INSPECTION_RULE_SUBJECTS)]
            generic_rules += 1
            rules.append(
                RulePlan(
                    channel="inspection",
                    department=unit,
                    title=f"{names[unit]}{subject}",
                    kind=(OutcomeKind.RULE, OutcomeKind.DOCUMENT, OutcomeKind.MECHANISM)[generic_rules % 3],
                    number=_number(rng, unit),
                    problems=[s.key for s in found if not s.institutional],
                    days_ago=day - 65,
                )
            )
    return problems, rules


def _topics(rng: random.Random, names: dict[str, str]) -> tuple[list[Story], list[RulePlan]]:
    problems: list[Story] = []
    slots: list[tuple[int, str, list[Story]]] = []
    for t, (_title, category) in enumerate(data.TOPICS):
        findings = data.TOPIC_FINDINGS[category]
        for d, code in enumerate(data.TOPIC_DEPARTMENTS[category]):
            found: list[Story] = []
            for n in range(1):
                index = t * 6 + d
                finding, sub = findings[(d + t) % len(findings)]
                day = 190 - (index * 175) // 24  # 190 to 15 working days ago
                if day > 45:
                    fate = CLOSED
                elif day > 30:
                    fate = (VERIFIED, CLOSED)[index % 2]
                else:
                    fate = (RECTIFYING, SUBMITTED, VERIFIED)[index % 3]
                fixing = _fixing(rng, deadlines=(10, 15, 20), immediate=0.1)
                if fate == RECTIFYING:
                    fixing["fix"] = 60  # still at it
                elif fate != CLOSED:
                    # Submitted a few days ago (verified since), in time, not sent back.
                    fix = day - (2 if fate == SUBMITTED else 8)
                    fixing.update(
                        deadline_mode=DeadlineMode.WORKING_DAYS,
                        deadline_days=max(int(str(fixing["deadline_days"])), fix + 3),
                        fix=fix,
                        send_back=False,
                    )
                found.append(
                    Story(
                        key=f"topic-{category}-{code}-{n}",
                        via=f"topic:{category}",
                        department=code,
                        title=f"{finding}（{names[code]}）",
                        description=rng.choice(data.TOPIC_DETAILS),
                        category=category,
                        subcategory=sub,
                        fate=fate,
                        days_ago=day,
                        **fixing,  # type: ignore[arg-type]
                    )
                )
            slots.append((t, code, found))
            problems.extend(found)
    # 38 results over 24 department topics: the first 14 issue two each.
    rules: list[RulePlan] = []
    twice = data.TOPIC_RESULTS - len(slots)
    for s, (t, code, found) in enumerate(slots):
        subjects = data.TOPIC_RESULT_SUBJECTS[t * 4 : t * 4 + 4]
        for r in range(2 if s < twice else 1):
            linked = found
            rules.append(
                RulePlan(
                    channel="topic",
                    department=code,
                    title=f"{names[code]}{subjects[(s + r) % len(subjects)]}",
                    kind=(OutcomeKind.MECHANISM, OutcomeKind.DOCUMENT, OutcomeKind.RULE)[(s + r) % 3],
                    number=_number(rng, code),
                    problems=[p.key for p in linked],
                    days_ago=max(3, min(p.days_ago for p in linked) - 20 - r * 5),
                )
            )
    return problems, rules


def build_plan(
    *,
    county_departments: dict[str, list[str]],
    names: dict[str, str],
    story_department: str,
    seed: int = 20221013,
) -> LedgerPlan:
    """`county_departments`: district code → its departments' codes (102 in all);
    `names`: organisation code → name; `story_department`'s head finds problems on
    his walks (the demo's department head login)."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible demo, not a secret
    city = [(code, "", data.CITY_PROCESSES[code]) for code, _n, _e in _city_departments()]
    walks = _walks(
        rng,
        city,
        walks=data.CITY_WALKS,
        problems=data.CITY_WALK_PROBLEMS,
        first=230,
        last=75,
        must_find={story_department: 2},
        key="walk-city",
    )
    county = [
        (code, district, data.COUNTY_PROCESSES[code.split("-", 1)[1]])
        for district, codes in county_departments.items()
        for code in codes
    ]
    walks += _walks(
        rng,
        county,
        walks=len(county) + 44,
        problems=data.COUNTY_WALK_PROBLEMS,
        first=225,
        last=70,
        must_find={},
        key="walk-county",
    )
    inspection, inspection_rules = _inspection(rng, county_departments, names)
    topics, topic_rules = _topics(rng, names)
    others = [s for s in data.STORIES if s.via != "inspection"]
    plan = LedgerPlan(
        walks=walks, problems=inspection + topics + others, rules=inspection_rules + topic_rules
    )
    _check(plan)
    return plan


def _check(plan: LedgerPlan) -> None:
    """The plan holds the article's figures (or the data was edited out of step)."""
    city = [w for w in plan.walks if not w.commission]
    county = [w for w in plan.walks if w.commission]
    inspection = [s for s in plan.problems if s.via == "inspection"]
    found = {
        "city departments": (len({w.department for w in city}), data.CITY_WALK_DEPARTMENTS),
        "city walks": (len(city), data.CITY_WALKS),
        "city problems": (sum(len(w.problems) for w in city), data.CITY_WALK_PROBLEMS),
        "county departments": (len({w.department for w in county}), data.COUNTY_WALK_DEPARTMENTS),
        "county problems": (sum(len(w.problems) for w in county), data.COUNTY_WALK_PROBLEMS),
        "inspection problems": (len(inspection), data.INSPECTION_PROBLEMS),
        "institutional": (sum(1 for s in inspection if s.institutional), data.INSPECTION_INSTITUTIONAL),
        "inspection rules": (sum(1 for r in plan.rules if r.channel == "inspection"), data.INSPECTION_RULES),
        "topic results": (sum(1 for r in plan.rules if r.channel == "topic"), data.TOPIC_RESULTS),
    }
    wrong = {k: v for k, v in found.items() if v[0] != v[1]}
    if wrong:
        raise ValueError(f"the ledger demo's plan misses the article's figures: {wrong}")


def _city_departments() -> list[tuple[str, str, str]]:
    from .city import CITY_DEPARTMENTS

    return CITY_DEPARTMENTS


__all__ = ["LedgerPlan", "RulePlan", "WalkPlan", "build_plan", "spread"]
