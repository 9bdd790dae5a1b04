"""Pinyin keys of enterprise names, for search and sort by sound.

`name_pinyin` is the full reading, lower case, without tones or spaces
("jinjiangxieyeyouxiangongsi"); `name_initials` the first letter of each syllable
("jjxyyxgs"). Latin letters and digits in a name are kept as typed (lower case),
so "3A景区" reads "3ajingqu" / "3ajq".

pypinyin reads by phrase but still misreads some names (单县 is Shàn xiàn, 长泰 is
Cháng tài, 曾 as a surname is Zēng); an administrator then types the reading by hand
(`parse_reading`), and the enterprise keeps it (`pinyin_override`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from pypinyin import Style, lazy_pinyin

# CJK Unified Ideographs with extension A and the supplementary planes' extensions.
_HAN_RUN = re.compile(r"([\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+)")
_LATIN = re.compile(r"[a-z0-9]+")
_SYLLABLE_SPLIT = re.compile(r"[\s'’\-·.,]+")


@dataclass(frozen=True)
class PinyinKeys:
    full: str
    initials: str


class InvalidReading(ValueError):
    """A hand-typed reading with characters that are not pinyin letters."""


def _latin(text: str) -> str:
    return "".join(_LATIN.findall(unicodedata.normalize("NFKC", text).lower()))


@lru_cache(maxsize=65536)
def name_keys(name: str) -> PinyinKeys:
    """The pinyin keys of a name. Cached: demo data repeats name parts a million times."""
    full: list[str] = []
    initials: list[str] = []
    for index, run in enumerate(_HAN_RUN.split(name or "")):
        if not run:
            continue
        if index % 2:  # a run of Han characters: read as a phrase, for context
            for reading in lazy_pinyin(run, style=Style.NORMAL, v_to_u=False):
                syllable = _latin(reading)
                if syllable:
                    full.append(syllable)
                    initials.append(syllable[0])
        else:
            latin = _latin(run)
            full.append(latin)
            initials.append(latin)
    return PinyinKeys(full="".join(full), initials="".join(initials))


def parse_reading(reading: str) -> PinyinKeys:
    """Keys from a reading typed by hand, syllables separated by spaces or apostrophes.

    Tone marks are dropped ("Shàn xiàn" is "shanxian"), ü is written v as in the
    input methods people use.
    """
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", reading or "")).lower()
    # NFKD turns ü (and ǘ, ǚ, …) into u + diaeresis (+ tone); the diaeresis makes it v.
    decomposed = decomposed.replace("u\u0308", "v")
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    syllables = [s for s in _SYLLABLE_SPLIT.split(text.strip()) if s]
    if not syllables or any(not re.fullmatch(r"[a-z0-9]+", s) for s in syllables):
        raise InvalidReading(reading)
    return PinyinKeys(full="".join(syllables), initials="".join(s[0] for s in syllables))


def search_key(query: str) -> str:
    """A search term as it would appear in the stored keys ("Jin Jiang" → "jinjiang")."""
    return _latin(query)
