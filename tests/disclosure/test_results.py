"""一事一公开 results (issue 5; DESIGN rules 2, 3, 7, 10): deadlines stored from the
working calendar and recomputed when it changes, dates checked, personal data kept
out, the disclosure date set by the system, the 公示 name withdrawn when the period
ends, and set-based deadline states."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

import pytest
import time_machine

from disclosure import deadlines, workdays
from disclosure.models import CalendarDay, CalendarYear, Result, UnitPage
from disclosure.results import open_overdue, overdue_by_unit, with_states
from disclosure.workdays import load_calendar
from tests.factories import make_item, make_result

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def item(county):
    return make_item(UnitPage.objects.get(code="T01-A-1"), "R-1", name="临时救助审批")


def draft(item, **fields):
    values = {
        "title": "临时救助申请",
        "act_date": D(2026, 11, 16),
        "result_date": D(2026, 11, 17),
        "outcome": "准予救助 1,000 元。",
        "handling_post": "社会事务办经办岗",
        **fields,
    }
    return Result(unit=item.unit, item=item, **values)


@time_machine.travel(datetime.datetime(2026, 11, 24, 10, tzinfo=datetime.UTC))
def test_deadlines_are_computed_when_saved(item):
    result = make_result(item, act_date=D(2026, 9, 29), result_date=D(2026, 9, 30))
    assert result.entry_due == D(2026, 10, 9)  # 国庆 skipped
    assert result.disclosure_due == D(2026, 10, 20)
    assert result.entered_on == D(2026, 11, 24)
    assert result.entry_standing().state == deadlines.OVERDUE
    standing = result.disclosure_standing()
    assert standing.state == deadlines.OVERDUE and standing.days_late == 25


@time_machine.travel(datetime.datetime(2026, 11, 24, 10, tzinfo=datetime.UTC))
@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"result_date": D(2026, 11, 10)}, "result_date", "不能早于权力行为发生日"),
        (
            {"act_date": D(2026, 12, 1), "result_date": D(2026, 12, 2)},
            "act_date",
            "不能晚于今天",
        ),
        ({"result_date": D(2026, 12, 2)}, "result_date", "不能晚于今天"),
        ({"outcome": "联系电话 13812345678"}, "outcome", "含有个人信息"),
        (
            {"subject_kind": "person", "subject": "张三 11010519491231002X"},
            "subject",
            "身份证号",
        ),
        (
            {
                "subject_kind": "person",
                "subject": "张三",
                "subject_details": "家庭 3 人",
            },
            "publicity_days",
            "只能在公示期内公开",
        ),
        ({"subject": "某公司"}, "subject_kind", "请选择对象类型"),
        ({"publicity_days": 400}, "publicity_days", "1 至 90 天"),
        ({"act_date": D(1, 1, 1)}, "act_date", "不能早于 2000 年"),
        (
            {"subject_kind": "person", "subject": "王小明", "title": "王小明低保申请"},
            "title",
            "办理对象姓名",
        ),
    ],
)
def test_bad_input_is_refused_with_a_chinese_message(item, fields, field, message):
    with pytest.raises(ValidationError) as error:
        draft(item, **fields).full_clean()
    assert message in " ".join(error.value.message_dict[field])


def test_an_item_of_another_unit_is_refused(item, county):
    other = make_item(UnitPage.objects.get(code="T01-A-2"), "R-9")
    with pytest.raises(ValidationError) as error:
        result = draft(item)
        result.item = other
        result.full_clean()
    assert "本单位的权力事项" in error.value.message_dict["item"][0]


def test_only_published_disclosed_items_take_results(item, county):
    draft_item = make_item(UnitPage.objects.get(code="T01-A-1"), "R-8", live=False)
    with pytest.raises(ValidationError) as error:
        result = draft(item)
        result.item = draft_item
        result.full_clean()
    assert "已发布且公开" in error.value.message_dict["item"][0]


def test_publication_sets_the_disclosure_date_once(item):
    result = make_result(item, publicity_days=7)
    today = timezone.localdate()
    assert result.disclosed_on == today
    assert result.publicity_ends == today + datetime.timedelta(days=6)
    with time_machine.travel(today + datetime.timedelta(days=20)):
        result.title = "临时救助申请（更正）"
        result.save_revision().publish(skip_permission_checks=True)
    result.refresh_from_db()
    assert result.disclosed_on == today
    assert result.title == "临时救助申请（更正）"


def test_republishing_an_old_revision_keeps_system_fields(item):
    result = make_result(item)
    first = result.latest_revision
    Result.objects.filter(pk=result.pk).update(rating_total=5)
    result.refresh_from_db()
    first.publish(skip_permission_checks=True)
    result.refresh_from_db()
    assert result.rating_total == 5 and result.disclosed_on is not None


def test_a_private_name_is_shown_only_during_the_publicity_period(item):
    result = make_result(
        item,
        subject_kind=Result.SubjectKind.PERSON,
        subject="王某某",
        subject_details="家庭人口 3 人",
        publicity_days=7,
    )
    today = timezone.localdate()
    assert result.public_subject(today) == "王某某，家庭人口 3 人"
    assert result.public_subject(result.publicity_ends) != ""
    assert (
        result.public_subject(result.publicity_ends + datetime.timedelta(days=1)) == ""
    )
    no_publicity = make_result(item, subject_kind="person", subject="李某某")
    assert no_publicity.public_subject(today) == ""
    company = make_result(item, subject_kind="organisation", subject="某某合作社")
    assert company.public_subject(today) == "某某合作社"


@time_machine.travel(datetime.datetime(2026, 12, 28, 10, tzinfo=datetime.UTC))
def test_entering_the_next_years_calendar_recomputes_provisional_deadlines(
    item, django_capture_on_commit_callbacks, request
):
    request.addfinalizer(workdays.calendar_changed)
    result = make_result(
        item, publish=False, act_date=D(2026, 12, 23), result_date=D(2026, 12, 24)
    )
    assert result.disclosure_provisional
    assert result.disclosure_due == D(2027, 1, 7)  # weekends only: 1 January counted
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        year = CalendarYear(year=2027, complete=True)
        year.days = [CalendarDay(date=D(2027, 1, 1), kind="holiday", name="元旦")]
        year.save()
    assert len(callbacks) == 1  # the year and its days: one recomputation
    result.refresh_from_db()
    assert not result.disclosure_provisional
    assert result.disclosure_due == D(2027, 1, 8)


def test_states_are_read_in_sql(item, county):
    today = timezone.localdate()
    calendar = load_calendar()
    overdue = make_result(
        item,
        publish=False,
        act_date=today - datetime.timedelta(days=60),
        result_date=today - datetime.timedelta(days=50),
    )
    fresh = make_result(item, publish=False, act_date=today, result_date=today)
    done = make_result(item)
    states = dict(
        with_states(Result.objects.all(), today, calendar).values_list(
            "pk", "disclosure_state"
        )
    )
    assert states[overdue.pk] == deadlines.OVERDUE
    assert states[fresh.pk] == deadlines.ON_TIME
    assert states[done.pk] == deadlines.ON_TIME
    assert list(open_overdue(today)) == [overdue]
    assert overdue_by_unit(today) == {item.unit_id: (1, 0)}
    for result in (overdue, fresh, done):
        python = result.disclosure_standing(today, calendar).state
        assert python == states[result.pk]
