"""Keeping the index fresh (issue 6, part 4): documents follow publishing,
unpublishing and deleting of items, and moves, renames and unpublishing of units.

Wagtail sends `published`/`unpublished` for every PowerItem revision published or
withdrawn (the catalog workflow does it item by item), `page_published`/
`page_unpublished` for unit pages and `post_page_move` after a move. The bulk import writes rows directly and calls
`index_power_items` itself. An item's documents are written in the same
transaction as the change; Elasticsearch, when configured, is told after the
commit, and a failure there is only a warning (`manage.py search_reindex` catches
it up).

A unit's change can touch every item below it (a township holds thousands), so it
is background work: the task `reindex_subtree` (django-tasks) is enqueued once the
change is committed, never before — a worker must see the moved tree. Under the
immediate task backend (settings.TASKS, as `make run` and the tests have it) it
runs right after the commit, in the same process; a queue backend takes it off the
request without any change here.
"""

import logging
from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from wagtail.signals import (
    page_published,
    page_unpublished,
    post_page_move,
    published,
    unpublished,
)

from django_tasks import task

from disclosure.models import PowerItem, UnitPage
from search import documents, service
from search.models import SearchDocument, Synonym

logger = logging.getLogger(__name__)


def index_power_items(item_ids):
    """Write, refresh or remove the documents of these items."""
    return index_objects(SearchDocument.Kind.POWER, item_ids)


def index_objects(kind, object_ids):
    """Write, refresh or remove the documents of these objects of a registered
    kind (search.documents.register)."""
    written, removed = documents.replace_documents(kind, object_ids)
    _tell_elastic(written, removed)
    return written, removed


def index_units(unit_ids):
    """Re-index every item of these units (after an import)."""
    items = PowerItem.objects.filter(unit_id__in=list(unit_ids))
    return index_power_items(items.values_list("pk", flat=True))


def index_subtree(unit, force=False):
    """Re-index every object at or below `unit`, of every registered kind, when
    their documents would differ: the unit was renamed, moved, published or
    unpublished."""
    path = UnitPage.objects.filter(pk=unit.pk).values_list("path", flat=True).first()
    if path is None or not (force or _subtree_stale(unit.pk, path)):
        return [], []
    written, removed = [], []
    for kind, source in documents.SOURCES.items():
        kind_written, kind_removed = index_objects(kind, source.ids_below(path))
        written += kind_written
        removed += kind_removed
    return written, removed


def _subtree_stale(unit_id, path):
    """Whether a sample document below `path` is not what it would be built now
    (every document below a unit carries that unit's title, address and path), or
    there is none while the unit is public and has objects below it."""
    sample = (
        SearchDocument.objects.filter(unit_path__startswith=path).order_by("pk").first()
    )
    if sample is None:
        if documents.PublicUnits([unit_id]).get(unit_id) is None:
            return False
        return any(
            source.ids_below(path).exists() for source in documents.SOURCES.values()
        )
    source = documents.SOURCES.get(sample.kind)
    if source is None:
        return True
    fresh = [doc for batch in source.build([sample.object_id]) for doc in batch]
    if not fresh:
        return True
    return (fresh[0].unit_path, fresh[0].url, fresh[0].body) != (
        sample.unit_path,
        sample.url,
        sample.body,
    )


def _tell_elastic(written, removed):
    if not (written or removed) or service.elastic_backend() is None:
        return

    def send():
        backend = service.elastic_backend()
        if backend is None:
            return
        try:
            if removed:
                backend.remove(removed)
            if written:
                backend.index(
                    SearchDocument.objects.filter(pk__in=written).select_related("unit")
                )
        except Exception as error:  # noqa: BLE001 - never fail the publish for it
            service.elastic_failed("index", error)

    transaction.on_commit(send)


@receiver(published, sender=PowerItem)
@receiver(unpublished, sender=PowerItem)
def power_item_changed(sender, instance, **kwargs):
    index_power_items([instance.pk])


@receiver(post_delete, sender=PowerItem)
def power_item_deleted(sender, instance, **kwargs):
    index_power_items([instance.pk])


@task()
def reindex_subtree(unit_id: int, force: bool = False) -> int:
    """Re-index the items at or below a unit; returns how many documents changed.
    Arguments are plain values (a task's arguments are stored as JSON)."""
    unit = UnitPage.objects.filter(pk=unit_id).first()
    if unit is None:
        return 0
    written, removed = index_subtree(unit, force=force)
    return len(written) + len(removed)


def schedule_subtree(unit_id, force=False):
    transaction.on_commit(partial(reindex_subtree.enqueue, unit_id, force))


@receiver(page_published, sender=UnitPage)
@receiver(page_unpublished, sender=UnitPage)
def unit_changed(sender, instance, **kwargs):
    schedule_subtree(instance.pk)


@receiver(post_page_move, sender=UnitPage)
def unit_moved(sender, instance, **kwargs):
    """A move changes the paths, titles above and addresses of a whole subtree."""
    schedule_subtree(instance.pk, force=True)


@receiver([post_save, post_delete], sender=Synonym)
def synonyms_changed(sender, **kwargs):
    service.clear_synonym_cache()
