"""Stored deadlines follow the working calendar (DESIGN rule 7): when an admin
enters a year, provisional 督办 and 容错 deadlines are recomputed."""

from django.dispatch import receiver

from disclosure.signals import working_calendar_changed
from disclosure.workdays import load_calendar


@receiver(working_calendar_changed)
def recompute_supervision_deadlines(sender, **kwargs):
    from . import orders, tolerance

    calendar = load_calendar()
    orders.recompute(calendar)
    tolerance.recompute(calendar)
