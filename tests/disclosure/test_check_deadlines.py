"""`manage.py check_deadlines` (issue 5 item 4): results due soon or overdue reach
the clerk who entered them and the unit head; overdue ones also the supervising
纪委; open objections near their answer deadline too. Running it twice sends
nothing twice, and a mail failure is retried on the next run."""

import datetime
from io import StringIO
from unittest import mock

from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

import pytest

from disclosure.models import DeadlineNotice, Objection, UnitPage
from disclosure.workdays import add_working_days, load_calendar
from tests.factories import make_item, make_result, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(county):
    office = UnitPage.objects.get(code="T01-A-1")
    return {
        "clerk": staff(office, "clerk"),
        "other_clerk": staff(office, "clerk", username="second-clerk"),
        "head": staff(office, "head"),
        "commission": staff(UnitPage.objects.get(code="T01-A-J"), "commission"),
        "county_commission": staff(UnitPage.objects.get(code="T01-J"), "commission"),
        "item": make_item(office, "R-1", name="临时救助审批"),
    }


def run(*args):
    out = StringIO()
    call_command("check_deadlines", *args, stdout=out)
    return out.getvalue()


def recipients():
    return set(DeadlineNotice.objects.values_list("stage", "recipient__username"))


def test_overdue_reaches_clerk_head_and_commission_once(people):
    today = timezone.localdate()
    make_result(
        people["item"],
        publish=False,
        user=people["clerk"],
        act_date=today - datetime.timedelta(days=40),
        result_date=today - datetime.timedelta(days=30),
    )
    first = run()
    assert "逾期未公开 1 条" in first
    assert recipients() == {
        ("overdue", "t01-a-1-clerk"),
        ("overdue", "t01-a-1-head"),
        ("overdue", "t01-a-j-commission"),
    }
    assert sorted(m.to[0] for m in mail.outbox) == [
        "t01-a-1-clerk@example.org",
        "t01-a-1-head@example.org",
        "t01-a-j-commission@example.org",
    ]
    assert "已逾期未公开" in mail.outbox[0].body
    second = run()
    assert "本次新提醒 0 条" in second
    assert len(mail.outbox) == 3


def test_due_soon_goes_to_the_unit_only(people):
    calendar = load_calendar()
    today = timezone.localdate()
    # A result whose disclosure falls due two working days from today.
    result_date = today
    while (
        add_working_days(result_date, 10, calendar).due
        > add_working_days(today, 2, calendar).due
    ):
        result_date -= datetime.timedelta(days=1)
    make_result(
        people["item"],
        publish=False,
        act_date=result_date,
        result_date=result_date,
    )
    run()
    assert recipients() == {
        ("due_soon", "t01-a-1-clerk"),
        ("due_soon", "second-clerk"),
        ("due_soon", "t01-a-1-head"),
    }


def test_disclosed_and_distant_results_are_left_alone(people):
    make_result(people["item"])
    make_result(people["item"], publish=False)
    assert "逾期未公开 0 条，即将到期 0 条" in run()
    assert not DeadlineNotice.objects.exists() and not mail.outbox


def test_an_open_objection_past_its_deadline_is_chased(people):
    result = make_result(people["item"], publicity_days=7)
    Objection.objects.create(
        result=result,
        content="请核实",
        answer_due=timezone.localdate() - datetime.timedelta(days=1),
    )
    assert "待答复异议 1 条" in run()
    assert ("overdue", "t01-a-j-commission") in recipients()


def test_a_mail_failure_is_retried_next_time(people):
    today = timezone.localdate()
    make_result(
        people["item"],
        publish=False,
        user=people["clerk"],
        act_date=today - datetime.timedelta(days=40),
        result_date=today - datetime.timedelta(days=30),
    )
    with mock.patch("disclosure.reminders.send_mail", side_effect=OSError("refused")):
        with pytest.raises(CommandError, match="未能发出"):
            run()
    assert not mail.outbox
    run()
    assert len(mail.outbox) == 3


def test_a_bad_date_is_a_clear_error(people):
    with pytest.raises(CommandError, match="日期格式不正确"):
        run("--date", "2026-13-01")
