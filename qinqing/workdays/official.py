"""The State Council's holiday arrangements (国务院办公厅关于部分节假日安排的通知), as data.

Each year's notice lists, per festival, the days off (放假调休, an unbroken span that
includes the weekend days inside it) and the weekend days worked instead (上班).
Data migrations seed the database from here; a new year is added by appending its
arrangement below and writing a new data migration that seeds just that year, so
that migrations already applied never change meaning.

Since 2025 (《全国年节及纪念日放假办法》 as amended in November 2024) the Spring
Festival and Labour Day each have one more statutory day: 13 statutory days a year
instead of 11.

`PROVISIONAL` holds years whose notice is not published yet: only the statutory days
the 办法 itself fixes (元旦 1 day; 春节 4 days, 除夕 and 正月初一 to 初三; 清明 1; 劳动节 2,
May 1 and 2; 端午 1; 中秋 1; 国庆 3, October 1 to 3), on that year's dates. They are
seeded as provisional years: no make-up working days (unknown until the notice), and no
weekday off in lieu for a statutory day on a weekend (补假: the notice decides which
weekday), so a provisional year has up to a few more working days than the official
one will. Lunar and solar-term dates were checked against three independent libraries
(lunardate, lunar-python, borax) outside the project.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

from .models import DayKind, HolidayName


@dataclass(frozen=True)
class Festival:
    name: str
    # Inclusive spans of days off.
    rest: tuple[tuple[dt.date, dt.date], ...]
    # Weekend days worked instead.
    work: tuple[dt.date, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Arrangement:
    year: int
    source: str
    festivals: tuple[Festival, ...]


@dataclass(frozen=True)
class SeedDay:
    date: dt.date
    kind: str
    name: str
    note: str


def _d(year: int, month: int, day: int) -> dt.date:
    return dt.date(year, month, day)


def _span(year: int, start: tuple[int, int], end: tuple[int, int]) -> tuple[dt.date, dt.date]:
    return (_d(year, *start), _d(year, *end))


H = HolidayName

ARRANGEMENTS: dict[int, Arrangement] = {
    2020: Arrangement(
        year=2020,
        source=(
            "国务院办公厅关于2020年部分节假日安排的通知 "
            "http://www.gov.cn/zhengce/content/2019-11/21/content_5454164.htm ；"
            "国务院办公厅关于延长2020年春节假期的通知 "
            "http://www.gov.cn/zhengce/content/2020-01/27/content_5472352.htm"
        ),
        festivals=(
            Festival(H.NEW_YEAR, (_span(2020, (1, 1), (1, 1)),)),
            # The Spring Festival break was extended to 2 February (a Sunday) against the
            # epidemic, so Saturday 1 February, announced as a working day, was not one.
            Festival(H.SPRING_FESTIVAL, (_span(2020, (1, 24), (1, 30)),), (_d(2020, 1, 19),)),
            Festival(
                H.SPRING_FESTIVAL,
                (_span(2020, (1, 31), (2, 2)),),
                note="延长春节假期（国务院办公厅2020年1月27日通知）",
            ),
            Festival(H.QINGMING, (_span(2020, (4, 4), (4, 6)),)),
            Festival(H.LABOUR_DAY, (_span(2020, (5, 1), (5, 5)),), (_d(2020, 4, 26), _d(2020, 5, 9))),
            Festival(H.DRAGON_BOAT, (_span(2020, (6, 25), (6, 27)),), (_d(2020, 6, 28),)),
            Festival(
                H.NATIONAL_DAY_MID_AUTUMN,
                (_span(2020, (10, 1), (10, 8)),),
                (_d(2020, 9, 27), _d(2020, 10, 10)),
            ),
        ),
    ),
    2021: Arrangement(
        year=2021,
        source=(
            "国务院办公厅关于2021年部分节假日安排的通知 "
            "http://www.gov.cn/zhengce/content/2020-11/25/content_5564127.htm"
        ),
        festivals=(
            Festival(H.NEW_YEAR, (_span(2021, (1, 1), (1, 3)),)),
            Festival(H.SPRING_FESTIVAL, (_span(2021, (2, 11), (2, 17)),), (_d(2021, 2, 7), _d(2021, 2, 20))),
            Festival(H.QINGMING, (_span(2021, (4, 3), (4, 5)),)),
            Festival(H.LABOUR_DAY, (_span(2021, (5, 1), (5, 5)),), (_d(2021, 4, 25), _d(2021, 5, 8))),
            Festival(H.DRAGON_BOAT, (_span(2021, (6, 12), (6, 14)),)),
            Festival(H.MID_AUTUMN, (_span(2021, (9, 19), (9, 21)),), (_d(2021, 9, 18),)),
            Festival(H.NATIONAL_DAY, (_span(2021, (10, 1), (10, 7)),), (_d(2021, 9, 26), _d(2021, 10, 9))),
        ),
    ),
    2022: Arrangement(
        year=2022,
        source=(
            "国务院办公厅关于2022年部分节假日安排的通知 "
            "http://www.gov.cn/zhengce/content/2021-10/25/content_5644835.htm"
        ),
        festivals=(
            Festival(H.NEW_YEAR, (_span(2022, (1, 1), (1, 3)),)),
            Festival(H.SPRING_FESTIVAL, (_span(2022, (1, 31), (2, 6)),), (_d(2022, 1, 29), _d(2022, 1, 30))),
            Festival(H.QINGMING, (_span(2022, (4, 3), (4, 5)),), (_d(2022, 4, 2),)),
            Festival(H.LABOUR_DAY, (_span(2022, (4, 30), (5, 4)),), (_d(2022, 4, 24), _d(2022, 5, 7))),
            Festival(H.DRAGON_BOAT, (_span(2022, (6, 3), (6, 5)),)),
            Festival(H.MID_AUTUMN, (_span(2022, (9, 10), (9, 12)),)),
            Festival(H.NATIONAL_DAY, (_span(2022, (10, 1), (10, 7)),), (_d(2022, 10, 8), _d(2022, 10, 9))),
        ),
    ),
    2023: Arrangement(
        year=2023,
        source=(
            "国务院办公厅关于2023年部分节假日安排的通知 "
            "http://www.gov.cn/zhengce/content/2022-12/08/content_5730844.htm"
        ),
        festivals=(
            # The 2023 notice's New Year break starts on Saturday 31 December 2022.
            Festival(H.NEW_YEAR, ((_d(2022, 12, 31), _d(2023, 1, 2)),)),
            Festival(H.SPRING_FESTIVAL, (_span(2023, (1, 21), (1, 27)),), (_d(2023, 1, 28), _d(2023, 1, 29))),
            Festival(H.QINGMING, (_span(2023, (4, 5), (4, 5)),)),
            Festival(H.LABOUR_DAY, (_span(2023, (4, 29), (5, 3)),), (_d(2023, 4, 23), _d(2023, 5, 6))),
            Festival(H.DRAGON_BOAT, (_span(2023, (6, 22), (6, 24)),), (_d(2023, 6, 25),)),
            Festival(
                H.NATIONAL_DAY_MID_AUTUMN,
                (_span(2023, (9, 29), (10, 6)),),
                (_d(2023, 10, 7), _d(2023, 10, 8)),
            ),
        ),
    ),
    2024: Arrangement(
        year=2024,
        source=(
            "国务院办公厅关于2024年部分节假日安排的通知 "
            "https://www.gov.cn/zhengce/content/202310/content_6911527.htm"
        ),
        festivals=(
            Festival(H.NEW_YEAR, (_span(2024, (1, 1), (1, 1)),)),
            Festival(H.SPRING_FESTIVAL, (_span(2024, (2, 10), (2, 17)),), (_d(2024, 2, 4), _d(2024, 2, 18))),
            Festival(H.QINGMING, (_span(2024, (4, 4), (4, 6)),), (_d(2024, 4, 7),)),
            Festival(H.LABOUR_DAY, (_span(2024, (5, 1), (5, 5)),), (_d(2024, 4, 28), _d(2024, 5, 11))),
            Festival(H.DRAGON_BOAT, (_span(2024, (6, 10), (6, 10)),)),
            Festival(H.MID_AUTUMN, (_span(2024, (9, 15), (9, 17)),), (_d(2024, 9, 14),)),
            Festival(H.NATIONAL_DAY, (_span(2024, (10, 1), (10, 7)),), (_d(2024, 9, 29), _d(2024, 10, 12))),
        ),
    ),
    2025: Arrangement(
        year=2025,
        source=(
            "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号） "
            "https://www.gov.cn/zhengce/content/202411/content_6986382.htm"
        ),
        festivals=(
            Festival(H.NEW_YEAR, (_span(2025, (1, 1), (1, 1)),)),
            Festival(H.SPRING_FESTIVAL, (_span(2025, (1, 28), (2, 4)),), (_d(2025, 1, 26), _d(2025, 2, 8))),
            Festival(H.QINGMING, (_span(2025, (4, 4), (4, 6)),)),
            Festival(H.LABOUR_DAY, (_span(2025, (5, 1), (5, 5)),), (_d(2025, 4, 27),)),
            Festival(H.DRAGON_BOAT, (_span(2025, (5, 31), (6, 2)),)),
            Festival(
                H.NATIONAL_DAY_MID_AUTUMN,
                (_span(2025, (10, 1), (10, 8)),),
                (_d(2025, 9, 28), _d(2025, 10, 11)),
            ),
        ),
    ),
    2026: Arrangement(
        year=2026,
        source=(
            "国务院办公厅关于2026年部分节假日安排的通知（国办发明电〔2025〕7号） "
            "https://www.gov.cn/zhengce/content/202511/content_7047090.htm"
        ),
        festivals=(
            Festival(H.NEW_YEAR, (_span(2026, (1, 1), (1, 3)),), (_d(2026, 1, 4),)),
            Festival(H.SPRING_FESTIVAL, (_span(2026, (2, 15), (2, 23)),), (_d(2026, 2, 14), _d(2026, 2, 28))),
            Festival(H.QINGMING, (_span(2026, (4, 4), (4, 6)),)),
            Festival(H.LABOUR_DAY, (_span(2026, (5, 1), (5, 5)),), (_d(2026, 5, 9),)),
            Festival(H.DRAGON_BOAT, (_span(2026, (6, 19), (6, 21)),)),
            Festival(H.MID_AUTUMN, (_span(2026, (9, 25), (9, 27)),)),
            Festival(H.NATIONAL_DAY, (_span(2026, (10, 1), (10, 7)),), (_d(2026, 9, 20), _d(2026, 10, 10))),
        ),
    ),
}


# Statutory days only, until the State Council's notice for the year is entered.
PROVISIONAL: dict[int, Arrangement] = {
    2027: Arrangement(
        year=2027,
        source=(
            "暂定（法定最低安排）：仅《全国年节及纪念日放假办法》（2024年修订）规定的法定节假日，"
            "无调休上班日、无补假；待国务院办公厅关于2027年部分节假日安排的通知发布后录入并标记为完整"
        ),
        festivals=(
            Festival(H.NEW_YEAR, (_span(2027, (1, 1), (1, 1)),)),
            # 除夕 is 腊月廿九 (the last month of lunar 2026 has 29 days); 正月初一 is 02-06.
            Festival(H.SPRING_FESTIVAL, (_span(2027, (2, 5), (2, 8)),)),
            # The Qingming solar term falls on 5 April in 2027.
            Festival(H.QINGMING, (_span(2027, (4, 5), (4, 5)),)),
            Festival(H.LABOUR_DAY, (_span(2027, (5, 1), (5, 2)),)),
            Festival(H.DRAGON_BOAT, (_span(2027, (6, 9), (6, 9)),)),  # 五月初五
            Festival(H.MID_AUTUMN, (_span(2027, (9, 15), (9, 15)),)),  # 八月十五
            Festival(H.NATIONAL_DAY, (_span(2027, (10, 1), (10, 3)),)),
        ),
    ),
}


def arrangement(year: int) -> Arrangement:
    """The official arrangement of `year`, else its provisional one (KeyError if none)."""
    return ARRANGEMENTS[year] if year in ARRANGEMENTS else PROVISIONAL[year]


def seed_days(year: int) -> Iterator[SeedDay]:
    """Every listed day of one year's arrangement (official, else provisional), in date
    order.

    A day's calendar year may differ from the arrangement's (the 2023 New Year break
    began on 31 December 2022).
    """
    days: list[SeedDay] = []
    for festival in arrangement(year).festivals:
        for first, last in festival.rest:
            day = first
            while day <= last:
                days.append(SeedDay(day, DayKind.HOLIDAY, festival.name, festival.note))
                day += dt.timedelta(days=1)
        for day in festival.work:
            days.append(SeedDay(day, DayKind.MAKEUP_WORKDAY, festival.name, festival.note))
    days.sort(key=lambda d: d.date)
    return iter(days)
