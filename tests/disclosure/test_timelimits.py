import pytest

from disclosure.timelimits import (
    CALENDAR,
    IMMEDIATE,
    WORKING,
    TimeLimit,
    parse_time_limit,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20个工作日", TimeLimit(WORKING, 20)),
        ("２０个工作日", TimeLimit(WORKING, 20)),
        ("十个工作日", TimeLimit(WORKING, 10)),
        ("二十五个工作日", TimeLimit(WORKING, 25)),
        ("5 个工作日", TimeLimit(WORKING, 5)),
        ("15天", TimeLimit(CALENDAR, 15)),
        ("30日", TimeLimit(CALENDAR, 30)),
        ("一百零五日", TimeLimit(CALENDAR, 105)),
        ("即办", TimeLimit(IMMEDIATE, 0)),
        ("", None),
        ("  ", None),
    ],
)
def test_time_limits_are_normalised(raw, expected):
    assert parse_time_limit(raw) == expected


@pytest.mark.parametrize(
    "raw", ["尽快", "0个工作日", "20个小时", "三周", "-5天", "99999天"]
)
def test_unreadable_time_limits_are_refused_in_chinese(raw):
    with pytest.raises(ValueError, match="办理时限"):
        parse_time_limit(raw)


def test_canonical_text():
    assert parse_time_limit("十个工作日").text == "10个工作日"
    assert parse_time_limit("３０日").text == "30天"
    assert parse_time_limit("即办").text == "即办"
