"""办理时限 as the contract writes it: `N个工作日`, `N天` or `N日` (calendar days),
`即办`, or empty on a step. Chinese numerals (十个工作日, 二十日) and full-width digits
are normalised. Pure functions."""

import re
import unicodedata
from dataclasses import dataclass

WORKING = "working"
CALENDAR = "calendar"
IMMEDIATE = "immediate"

DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
UNITS = {"十": 10, "百": 100}
_PATTERN = re.compile(
    r"^(?P<n>[0-9零〇一二两三四五六七八九十百]+)\s*(?P<unit>个?工作日|天|日|个?自然日)$"
)


@dataclass(frozen=True)
class TimeLimit:
    kind: str
    days: int | None

    @property
    def text(self):
        if self.kind == IMMEDIATE:
            return "即办"
        if self.kind == WORKING:
            return f"{self.days}个工作日"
        return f"{self.days}天"


def chinese_number(text):
    """12, 十二, 二十, 一百零五 → int; None when it is not a number."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in DIGITS:
            current = DIGITS[char]
        elif char in UNITS:
            total += (current or 1) * UNITS[char]
            current = 0
        else:
            return None
    return total + current


def parse_time_limit(raw):
    """A TimeLimit, None for an empty cell, or ValueError with a Chinese message."""
    text = unicodedata.normalize("NFKC", raw or "").strip().replace(" ", "")
    if not text:
        return None
    if text in {"即办", "即时办结", "当场办结", "即办件"}:
        return TimeLimit(IMMEDIATE, 0)
    match = _PATTERN.match(text)
    days = chinese_number(match.group("n")) if match else None
    if days is None or days <= 0 or days > 3650:
        raise ValueError(
            f"办理时限“{raw}”无法识别，应写作“N个工作日”“N天”“N日”或“即办”。"
        )
    kind = WORKING if "工作日" in match.group("unit") else CALENDAR
    return TimeLimit(kind, days)
