"""Quarterly analysis of reports for a 纪委 (seeds 000 加强党政"一把手"监督 第十一条:
信访举报线索 每季度进行梳理、汇总、研判; 平台办法 第十五条: statistics on 投诉举报).

Counts by accused unit, problem category, channel, mode and state; timeliness
against the acknowledge timer; and repeat targets — the same person in the same unit
reported more than once in the quarter, which the seeds single out for 核查.
`quarter_tables` returns plain (title, header, rows) tables that the admin page shows
and `to_xlsx` exports.
"""

import datetime
from collections import Counter
from dataclasses import dataclass

from django.utils import timezone

from disclosure.exports import to_xlsx
from disclosure.workdays import format_date

from .models import Report
from .routing import accused_name

UNCLASSIFIED = "未分类"


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day):
        return cls(day.year, (day.month - 1) // 3 + 1)

    @property
    def first_day(self):
        return datetime.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self):
        if self.number == 4:
            return datetime.date(self.year, 12, 31)
        return datetime.date(self.year, 3 * self.number + 1, 1) - datetime.timedelta(
            days=1
        )

    @property
    def label(self):
        return f"{self.year}年第{'一二三四'[self.number - 1]}季度"

    def previous(self):
        if self.number == 1:
            return Quarter(self.year - 1, 4)
        return Quarter(self.year, self.number - 1)


def timeliness(report, today):
    """受理时效: on time, late, or still waiting (overdue or not)."""
    if report.acknowledged_on:
        return (
            "按时受理"
            if report.acknowledged_on <= report.acknowledge_due
            else "逾期受理"
        )
    if today > report.acknowledge_due:
        return "逾期未受理"
    return "待受理（未逾期）"


def _counted(counter, order=None):
    keys = order or sorted(counter, key=lambda key: (-counter[key], key))
    return [(key, counter[key]) for key in keys if counter[key]]


def quarter_tables(reports, quarter, today=None):
    """(title, header, rows) tables for `reports` received in `quarter`."""
    today = today or timezone.localdate()
    rows = list(
        reports.filter(
            received_on__range=(quarter.first_day, quarter.last_day)
        ).select_related("accused_unit")
    )
    category_names = dict(Report.Category.choices)
    by_unit = Counter(r.accused_unit.title for r in rows)
    by_category = Counter(category_names.get(r.category, UNCLASSIFIED) for r in rows)
    by_channel = Counter(r.get_channel_display() for r in rows)
    by_mode = Counter("匿名" if r.anonymous else "实名" for r in rows)
    by_state = Counter(r.get_state_display() for r in rows)
    by_time = Counter(timeliness(r, today) for r in rows)
    targets = Counter(
        (accused_name(r.accused_person), r.accused_unit.title) for r in rows
    )
    principal = sum(r.principal for r in rows)
    repeat = [
        (name, unit, count)
        for (name, unit), count in sorted(targets.items(), key=lambda i: (-i[1], i[0]))
        if count > 1 and name
    ]
    return [
        (
            "概况",
            ("项目", "数量"),
            [
                ("举报总数", len(rows)),
                ("其中：举报单位主要负责人（一把手）", principal),
                ("其中：实名举报", by_mode["实名"]),
                ("其中：匿名举报", by_mode["匿名"]),
            ],
        ),
        ("按被举报单位", ("被举报单位", "数量"), _counted(by_unit)),
        ("按问题类别", ("问题类别", "数量"), _counted(by_category)),
        ("按来源", ("来源", "数量"), _counted(by_channel)),
        (
            "按办理状态",
            ("状态", "数量"),
            _counted(by_state, [label for _, label in Report.State.choices]),
        ),
        (
            "受理时效",
            ("时效", "数量"),
            _counted(
                by_time, ["按时受理", "逾期受理", "逾期未受理", "待受理（未逾期）"]
            ),
        ),
        ("重复举报对象", ("被举报人", "被举报单位", "本季度举报次数"), repeat),
    ]


def workbook(tables, quarter, commission_names):
    title = f"{'、'.join(commission_names)} {quarter.label}举报情况分析"
    stamp = f"生成于{format_date(timezone.localdate())}"
    sheets = [("说明", ("项目", "内容"), [("标题", title), ("说明", stamp)])]
    return to_xlsx([*sheets, *tables], title=title)
