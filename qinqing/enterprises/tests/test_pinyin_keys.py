from __future__ import annotations

import pytest

from qinqing.enterprises.pinyin_keys import InvalidReading, name_keys, parse_reading, search_key


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("晋江鞋业有限公司", "jinjiangxieyeyouxiangongsi", "jjxyyxgs"),
        ("泉州银行", "quanzhouyinhang", "qzyh"),  # 行 read as háng in 银行 (phrase context)
        ("绿源茶业", "lvyuanchaye", "lycy"),  # ü written v, as typed
        ("ABC科技（泉州）有限公司", "abckejiquanzhouyouxiangongsi", "abckjqzyxgs"),
        ("３Ａ景区", "3ajingqu", "3ajq"),  # full-width Latin normalised
        ("", "", ""),
    ],
)
def test_name_keys(name, full, initials):
    keys = name_keys(name)
    assert (keys.full, keys.initials) == (full, initials)


def test_keys_have_no_tones_spaces_or_upper_case():
    keys = name_keys("厦门 Xiàmén 国际 贸易")
    assert keys.full == keys.full.lower()
    assert keys.full.isascii()
    assert " " not in keys.full


@pytest.mark.parametrize(
    ("reading", "full", "initials"),
    [
        ("shan xian shi pin", "shanxianshipin", "sxsp"),
        ("Shàn Xiàn", "shanxian", "sx"),
        ("Zēng shi cha ye", "zengshichaye", "zscy"),
        ("lǜ yuan", "lvyuan", "ly"),
        ("xi'an", "xian", "xa"),
    ],
)
def test_parse_reading(reading, full, initials):
    keys = parse_reading(reading)
    assert (keys.full, keys.initials) == (full, initials)


@pytest.mark.parametrize("reading", ["", "   ", "单县", "shan_xian!", "shan\x00xian"])
def test_parse_reading_refuses_what_is_not_pinyin(reading):
    with pytest.raises(InvalidReading):
        parse_reading(reading)


def test_search_key():
    assert search_key("Jin Jiang") == "jinjiang"
    assert search_key("ＪＪ") == "jj"
    assert search_key("晋江") == ""
