"""督办: seeds 000 平台办法 第十四条 — 跟进督办; the unit rectifies and reports back
within 10 working days (counted from the day after the order, DESIGN rule 4/7).

States: 待整改回复 → (the unit replies) 已回复待审核 → (the 纪委) 已办结, or 已再次督办,
which opens a new order (round + 1, new deadline) linked to this one. An order
still waiting for its reply may be ordered again once overdue. Every step re-reads
the order under a row lock, so two people acting at once cannot both move it.
"""

from django.db import transaction
from django.utils import timezone

from wagtail.log_actions import log

from disclosure import deadlines
from disclosure.workdays import add_working_days, due_date, format_date

from . import access
from .errors import SupervisionError
from .models import OrderReply, SupervisionOrder

RECTIFY_WORKING_DAYS = 10
State = SupervisionOrder.State


def deadline_for(issued_on, calendar=None):
    if calendar is None:
        return due_date(issued_on, RECTIFY_WORKING_DAYS)
    return add_working_days(issued_on, RECTIFY_WORKING_DAYS, calendar)


def standing(order, today, calendar):
    """Where the order's deadline stands (disclosure.deadlines.Standing)."""
    return deadlines.standing(
        order.due, order.replied_on, today, calendar, order.due_provisional
    )


def _lock(order):
    order.refresh_from_db(from_queryset=SupervisionOrder.objects.select_for_update())


def _require_commission(user, order):
    if not access.may_act_for(user, order.commission):
        raise SupervisionError("只有下发该督办的纪委可以办理。")


@transaction.atomic
def issue(user, commission, unit, requirement, finding=None, today=None):
    """A 督办 order to `unit`, from a finding or on its own."""
    if not access.may_act_for(user, commission):
        raise SupervisionError("您不是该纪委的工作人员，不能以其名义下发督办。")
    if unit.pk not in access.supervised_by(commission):
        raise SupervisionError(f"{unit.title}不在{commission.title}的监督范围内。")
    requirement = requirement.strip()
    if not requirement:
        raise SupervisionError("请填写督办事项及整改要求。")
    if finding is not None:
        if finding.unit_id != unit.pk:
            raise SupervisionError("督办单位必须是问题所在单位。")
        if finding.orders.exists():
            raise SupervisionError("该问题已经下发督办，请在原督办中办理。")
    today = today or timezone.localdate()
    deadline = deadline_for(today)
    order = SupervisionOrder.objects.create(
        commission=commission,
        unit=unit,
        finding=finding,
        requirement=requirement,
        issued_on=today,
        due=deadline.due,
        due_provisional=deadline.provisional,
        issued_by=user,
    )
    log(order, "supervision.order_issued", user=user)
    return order


@transaction.atomic
def reply(user, order, content):
    """The unit's 整改情况; only its own staff, only while the order waits."""
    if order.unit_id not in access.replying_units(user):
        raise SupervisionError("只有被督办单位的工作人员可以回复。")
    content = content.strip()
    if not content:
        raise SupervisionError("请填写整改情况。")
    _lock(order)
    today = timezone.localdate()
    _allow(order, "reply", today)
    OrderReply.objects.create(order=order, content=content, replied_by=user)
    order.state = State.REPLIED
    order.replied_on = today
    order.save(update_fields=["state", "replied_on"])
    log(order, "supervision.order_replied", user=user)
    return order


@transaction.atomic
def close(user, order, note):
    """The 纪委 accepts the rectification."""
    _require_commission(user, order)
    _lock(order)
    today = timezone.localdate()
    _allow(order, "close", today)
    order.state = State.CLOSED
    order.closed_on = today
    order.closing_note = note.strip()
    order.closed_by = user
    order.save(update_fields=["state", "closed_on", "closing_note", "closed_by"])
    log(order, "supervision.order_closed", user=user)
    return order


@transaction.atomic
def reorder(user, order, requirement, today=None):
    """Not satisfied, or no reply in time: a new order with a new deadline."""
    _require_commission(user, order)
    _lock(order)
    today = today or timezone.localdate()
    _allow(order, "reorder", today)
    requirement = requirement.strip()
    if not requirement:
        raise SupervisionError("请填写再次督办的整改要求。")
    order.state = State.REORDERED
    order.closing_note = requirement
    order.closed_by = user
    order.closed_on = today
    order.save(update_fields=["state", "closing_note", "closed_by", "closed_on"])
    deadline = deadline_for(today)
    again = SupervisionOrder.objects.create(
        commission=order.commission,
        unit=order.unit,
        finding=order.finding,
        previous=order,
        round=order.round + 1,
        requirement=requirement,
        issued_on=today,
        due=deadline.due,
        due_provisional=deadline.provisional,
        issued_by=user,
    )
    log(order, "supervision.order_reordered", user=user)
    log(again, "supervision.order_issued", user=user)
    return again


def refusal(order, action, today):
    """Why `action` ("reply", "close", "reorder") cannot be taken on `order` now,
    or None when it can — the state rule alone, not who asks."""
    state = order.state
    if action == "reply":
        return {
            State.CLOSED: "该督办已办结，不能再回复。",
            State.REORDERED: "该督办已再次督办，请回复新的督办。",
            State.REPLIED: "已经回复过整改情况，请等待纪委审核。",
        }.get(state)
    if action == "close":
        return None if state == State.REPLIED else _cannot(order, "办结")
    if state == State.REPLIED or (state == State.ISSUED and today > order.due):
        return None
    if state == State.ISSUED:
        return f"整改期限{format_date(order.due)}未到，单位尚未回复，不能再次督办。"
    return _cannot(order, "再次督办")


def _allow(order, action, today):
    reason = refusal(order, action, today)
    if reason:
        raise SupervisionError(reason)


def _cannot(order, action):
    if order.state == State.ISSUED:
        return f"单位尚未回复整改情况，不能{action}。"
    return f"该督办当前状态为“{order.get_state_display()}”，不能{action}。"


def recompute(calendar):
    """After a calendar change: open orders' deadlines follow it."""
    changed = []
    for order in SupervisionOrder.objects.filter(state=State.ISSUED).only(
        "pk", "issued_on", "due", "due_provisional"
    ):
        deadline = deadline_for(order.issued_on, calendar)
        if (deadline.due, deadline.provisional) != (order.due, order.due_provisional):
            order.due, order.due_provisional = deadline.due, deadline.provisional
            changed.append(order)
    SupervisionOrder.objects.bulk_update(changed, ["due", "due_provisional"])
    return len(changed)
