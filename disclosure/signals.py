"""Keeping derived data right when units or the calendar change."""

import contextlib
import contextvars

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver

from wagtail.signals import post_page_move, published

from . import workdays
from .models import CalendarDay, CalendarYear, DisclosureCatalog, Result, UnitPage

#: Sent after the working-day calendar changed: open deadlines are recomputed.
working_calendar_changed = Signal()

_deferred: contextvars.ContextVar[set | None] = contextvars.ContextVar(
    "deferred_unit_refresh", default=None
)


@contextlib.contextmanager
def deferred_unit_refresh():
    """Within the block, unit saves only note the unit; groups and supervisors are
    brought up to date once on leaving it (imports and demo data save many units)."""
    if _deferred.get() is not None:
        yield
        return
    token = _deferred.set(set())
    try:
        yield
        pending = _deferred.get()
    finally:
        _deferred.reset(token)
    _refresh_units(UnitPage.objects.filter(pk__in=pending))


def _refresh_units(units):
    from .catalogs import catalog_for
    from .staff import ensure_unit_groups, refresh_supervisors

    for unit in units:
        ensure_unit_groups(unit)
        catalog_for(unit)
    refresh_supervisors()


@receiver(post_save, sender=UnitPage)
def unit_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    pending = _deferred.get()
    if pending is not None:
        pending.add(instance.pk)
        return
    _refresh_units([instance])


@receiver(post_page_move)
def unit_moved(sender, instance, **kwargs):
    """Wagtail saves a moved page as a plain Page: post_save for UnitPage never fires."""
    if _deferred.get() is None and UnitPage.objects.filter(pk=instance.pk).exists():
        _refresh_units([])


@receiver(post_delete, sender=UnitPage)
def unit_deleted(sender, instance, **kwargs):
    if _deferred.get() is None:
        _refresh_units([])


@receiver([post_save, post_delete], sender=CalendarYear)
@receiver([post_save, post_delete], sender=CalendarDay)
def calendar_edited(sender, **kwargs):
    """A year and its days are saved together: announce the change once, after
    the transaction commits, so deadlines are recomputed on the final calendar."""
    workdays.calendar_changed()
    waiting = transaction.get_connection().run_on_commit
    if any(entry[1] is _announce_calendar_change for entry in waiting):
        return
    transaction.on_commit(_announce_calendar_change)


def _announce_calendar_change():
    workdays.calendar_changed()
    working_calendar_changed.send(sender=CalendarYear)


@receiver(working_calendar_changed)
def recompute_open_deadlines(sender, **kwargs):
    from .results import recompute_deadlines

    recompute_deadlines()


@receiver(published, sender=Result)
def result_published(sender, instance, revision=None, **kwargs):
    from .results import mark_disclosed

    mark_disclosed(instance)


@receiver(published, sender=DisclosureCatalog)
def catalog_published(sender, instance, revision, user=None, **kwargs):
    """An approved catalog publishes exactly the item revisions it was approved with."""
    from .catalogs import publish_catalog

    publish_catalog(instance, revision, user)
