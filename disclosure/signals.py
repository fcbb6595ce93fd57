"""Keeping derived data right when units or the calendar change."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from . import workdays
from .models import CalendarDay, CalendarYear, UnitPage

#: Sent after the working-day calendar changed: open deadlines are recomputed.
working_calendar_changed = Signal()


@receiver(post_save, sender=UnitPage)
def unit_saved(sender, instance, raw=False, **kwargs):
    if raw or getattr(instance, "_bulk_import", False):
        return
    from .staff import ensure_unit_groups, refresh_supervisors

    ensure_unit_groups(instance)
    refresh_supervisors()


@receiver(post_delete, sender=UnitPage)
def unit_deleted(sender, instance, **kwargs):
    from .staff import refresh_supervisors

    refresh_supervisors()


@receiver([post_save, post_delete], sender=CalendarYear)
@receiver([post_save, post_delete], sender=CalendarDay)
def calendar_edited(sender, **kwargs):
    workdays.calendar_changed()
    working_calendar_changed.send(sender=sender)
