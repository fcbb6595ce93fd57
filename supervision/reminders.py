"""督办 orders in `check_deadlines` (disclosure.reminders.register_source): an order
still waiting for the unit's reply reminds the unit's clerks and head when due soon,
and the supervising 纪委 as well once overdue (000 第十四条: 10 working days)."""

from django.urls import reverse

from disclosure.models import DeadlineNotice
from disclosure.reminders import due_candidates

from .admin_views import UNIT_ORDERS
from .models import SupervisionOrder


def order_candidates(today, soon, summary):
    rows = (
        SupervisionOrder.objects.filter(
            state=SupervisionOrder.State.ISSUED, due__lte=soon
        )
        .values_list("pk", "unit_id", "round", "due")
        .order_by("due", "pk")
    )
    url = reverse(UNIT_ORDERS)
    found = due_candidates(
        rows,
        DeadlineNotice.Kind.ORDER,
        today,
        lambda pk: url,
        lambda number, overdue: (
            f"纪委督办（第{number}次）" + ("已逾期未回复" if overdue else "即将到期")
        ),
        "整改期限",
    )
    summary.other["待回复的督办"] = len(found)
    return found
