"""督办 orders in `check_deadlines` (disclosure.reminders.register_source): an order
still waiting for the unit's reply reminds the unit's clerks and head when due soon,
and the supervising 纪委 as well once overdue (000 第十四条: 10 working days)."""

from django.urls import reverse

from disclosure.models import DeadlineNotice
from disclosure.reminders import Candidate
from disclosure.workdays import format_date

from .admin_views import UNIT_ORDERS
from .models import SupervisionOrder

Stage = DeadlineNotice.Stage


def order_candidates(today, soon, summary):
    rows = (
        SupervisionOrder.objects.filter(
            state=SupervisionOrder.State.ISSUED, due__lte=soon
        )
        .values_list("pk", "unit_id", "round", "due")
        .order_by("due", "pk")
    )
    url = reverse(UNIT_ORDERS)
    found = []
    for pk, unit_id, number, due in rows.iterator(chunk_size=2000):
        overdue = due < today
        found.append(
            Candidate(
                DeadlineNotice.Kind.ORDER,
                pk,
                Stage.OVERDUE if overdue else Stage.DUE_SOON,
                unit_id,
                due,
                f"纪委督办（第{number}次）{'已逾期未回复' if overdue else '即将到期'}"
                f"（整改期限 {format_date(due)}）",
                url,
            )
        )
    summary.other["待回复的督办"] = len(found)
    return found
