"""The pure rules: rectification states, sign-off hashes, report periods, scoring."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest

from disclosure.workdays import WorkCalendar, library_calendar_data
from ledgers import cadence, rectification, scoring, signing

R = rectification


@pytest.mark.parametrize(
    ("action", "state", "side", "target"),
    [
        ("plan", R.OPEN, R.UNIT, R.PLANNED),
        ("submit", R.PLANNED, R.UNIT, R.SUBMITTED),
        ("submit", R.RETURNED, R.UNIT, R.SUBMITTED),
        ("accept", R.SUBMITTED, R.ABOVE, R.ACCEPTED),
        ("return", R.SUBMITTED, R.ABOVE, R.RETURNED),
    ],
)
def test_allowed_transitions(action, state, side, target):
    found = R.next_state(
        action, state, side, evidence_count=1, note="说明", working_days=10
    )
    assert found == target


@pytest.mark.parametrize(
    ("action", "state", "side", "message"),
    [
        ("plan", R.OPEN, R.ABOVE, "应由被监督单位办理"),
        ("accept", R.SUBMITTED, R.UNIT, "应由上级（监督方）办理"),
        ("accept", R.PLANNED, R.ABOVE, "当前状态为“整改中”，不能验收销号"),
        ("submit", R.ACCEPTED, R.UNIT, "不能报送整改完成情况"),
        ("plan", R.PLANNED, R.UNIT, "不能报送整改方案"),
        ("destroy", R.OPEN, R.UNIT, "未知操作"),
    ],
)
def test_refused_transitions(action, state, side, message):
    with pytest.raises(R.RectificationError, match=message):
        R.next_state(action, state, side, evidence_count=1, note="x", working_days=5)


def test_completion_needs_evidence_and_a_note():
    with pytest.raises(R.RectificationError, match="至少一份整改佐证材料"):
        R.next_state("submit", R.PLANNED, R.UNIT, evidence_count=0, note="已完成")
    with pytest.raises(R.RectificationError, match="整改完成情况说明"):
        R.next_state("submit", R.PLANNED, R.UNIT, evidence_count=1, note=" ")


@pytest.mark.parametrize("days", [None, 0, R.MAX_WORKING_DAYS + 1])
def test_plan_needs_a_sensible_deadline(days):
    with pytest.raises(R.RectificationError, match="整改时限"):
        R.next_state("plan", R.OPEN, R.UNIT, working_days=days)


def test_return_needs_a_reason():
    with pytest.raises(R.RectificationError, match="退回理由"):
        R.next_state("return", R.SUBMITTED, R.ABOVE, note="")


def test_available_actions_per_side():
    assert [a.name for a in R.available(R.SUBMITTED, R.ABOVE)] == ["accept", "return"]
    assert R.available(R.SUBMITTED, R.UNIT) == []


# Sign-off -----------------------------------------------------------------------


def test_hash_ignores_key_order_and_sees_any_change():
    a = {"items": [{"content": "甲", "owner": "李"}], "version": 1}
    b = {"version": 1, "items": [{"owner": "李", "content": "甲"}]}
    assert signing.content_hash(a) == signing.content_hash(b)
    changed = {"version": 1, "items": [{"owner": "李", "content": "甲。"}]}
    assert signing.content_hash(a) != signing.content_hash(changed)


def test_sign_state():
    current = signing.content_hash({"x": 1})
    assert signing.state_of(current, None).state == signing.UNSIGNED
    signed = SimpleNamespace(content_hash=current)
    assert signing.state_of(current, signed).is_signed
    stale = signing.state_of(signing.content_hash({"x": 2}), signed)
    assert stale.state == signing.OUTDATED
    assert stale.label == "签字后已有变更，需重新签字"


def test_sign_checks():
    current = signing.content_hash({"x": 1})
    with pytest.raises(signing.SigningError, match="审阅意见"):
        signing.check_sign(current, None, "  ", 3)
    with pytest.raises(signing.SigningError, match="还没有内容"):
        signing.check_sign(current, None, "同意", 0)
    with pytest.raises(signing.SigningError, match="无需重复签字"):
        signing.check_sign(current, SimpleNamespace(content_hash=current), "同意", 3)


# Cadence --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def calendar():
    rules, years = library_calendar_data()
    return WorkCalendar(rules, years)


def test_who_owes_which_reports():
    assert [p.kind for p in cadence.obligations("党委", 2026)] == [
        cadence.ANNUAL_PRINCIPAL
    ]
    kinds = [p.kind for p in cadence.obligations("纪委", 2026)]
    assert kinds.count(cadence.MONTH) == 12
    assert kinds.count(cadence.QUARTER) == 4
    assert kinds.count(cadence.HALF) == 2
    assert kinds.count(cadence.ANNUAL_SUPERVISORY) == 1
    assert cadence.obligations("部门", 2026) == []


@pytest.mark.parametrize(
    ("kind", "number", "first", "last", "label"),
    [
        (cadence.MONTH, 2, (2, 1), (2, 28), "2026年2月"),
        (cadence.QUARTER, 3, (7, 1), (9, 30), "2026年第三季度"),
        (cadence.HALF, 2, (7, 1), (12, 31), "2026年下半年"),
        (cadence.ANNUAL_PRINCIPAL, 0, (1, 1), (12, 31), "2026年度"),
    ],
)
def test_periods(kind, number, first, last, label):
    period = cadence.Period(kind, 2026, number)
    assert period.first_day == datetime.date(2026, *first)
    assert period.last_day == datetime.date(2026, *last)
    assert period.label == label


def test_annual_report_is_due_by_15_january(calendar):
    due = cadence.due(cadence.Period(cadence.ANNUAL_PRINCIPAL, 2025, 0), calendar)
    assert due.date == datetime.date(2026, 1, 15)
    assert not due.provisional


def test_periodic_reports_count_working_days_across_the_national_day(calendar):
    """Q3 2026 ends on 30 September; 1–7 October is the National Day holiday and
    Saturday 10 October a make-up working day."""
    due = cadence.due(cadence.Period(cadence.QUARTER, 2026, 3), calendar)
    assert due.date == datetime.date(2026, 10, 20)
    assert "国庆节" in due.explanation and "10月10日（星期六）" in due.explanation


def test_a_december_report_into_an_unknown_year_is_provisional(calendar):
    due = cadence.due(cadence.Period(cadence.MONTH, 2026, 12), calendar)
    assert due.provisional and "暂定" in due.explanation
    assert due.date == datetime.date(2027, 1, 7)


@pytest.mark.parametrize(
    ("unit_type", "kind", "number", "today", "message"),
    [
        ("党委", cadence.MONTH, 3, (2026, 5, 1), "党委单位不报送月度报告"),
        ("纪委", cadence.MONTH, 13, (2026, 5, 1), "没有这个报告期"),
        ("纪委", cadence.ANNUAL_SUPERVISORY, 1, (2027, 1, 5), "没有这个报告期"),
        ("纪委", cadence.QUARTER, 3, (2026, 8, 1), "尚未结束"),
        ("纪委", "weekly", 1, (2026, 8, 1), "未知的报告类型"),
    ],
)
def test_wrong_periods_are_refused(unit_type, kind, number, today, message):
    with pytest.raises(cadence.PeriodError, match=message):
        cadence.check_period(unit_type, kind, 2026, number, datetime.date(*today))


def test_a_report_opens_shortly_before_its_period_ends():
    period = cadence.check_period(
        "纪委", cadence.MONTH, 2026, 3, datetime.date(2026, 3, 25)
    )
    assert period.title == "2026年3月月度报告（作风问题查处情况）"


# Scoring --------------------------------------------------------------------------


def weights(*pairs):
    return [SimpleNamespace(name=n, weight=w) for n, w in pairs]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (weights(("甲", 50), ("乙", 45)), "合计应为 100，当前合计为 95"),
        (weights(("甲", 60), ("乙", 60)), "当前合计为 120"),
        (weights(("甲", 100), ("", 0)), "每项指标都要有名称"),
        (weights(("甲", 50), ("甲", 50)), "指标名称重复：甲"),
        (weights(("甲", 100), ("乙", 0)), "正整数"),
        ([], "至少设置一项"),
    ],
)
def test_weights_must_sum_to_100(rows, message):
    with pytest.raises(scoring.ScoringError, match=message):
        scoring.check_weights(rows)


def test_scores_totals_and_ranking():
    assert scoring.count_score(3, 10) == Decimal("70.00")
    assert scoring.count_score(20, 10) == Decimal("0.00")
    assert scoring.rate_score(2, 3) == Decimal("66.67")
    assert scoring.rate_score(0, 0) == Decimal(100)
    assert scoring.total([(60, Decimal(90)), (40, Decimal(50))]) == Decimal("74.00")
    ranks = scoring.rank({"a": Decimal(90), "b": Decimal(95), "c": Decimal(90), "d": 1})
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4}
    with pytest.raises(scoring.ScoringError, match="0 到 100"):
        scoring.check_entered(Decimal(101))
