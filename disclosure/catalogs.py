"""Publishing a unit's approved catalog: the items reviewed go live together.

Called when the catalog's workflow finishes (the `published` signal of a
DisclosureCatalog) and by `import_lists --approved-by` for files approved outside.
"""

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from wagtail.log_actions import log
from wagtail.models import Revision, WorkflowState

from .models import (
    CatalogVersion,
    DisclosureCatalog,
    ItemChange,
    NegativeListItem,
    PowerItem,
    ProcessStep,
)


def catalog_for(unit):
    return catalog_for_unit_id(unit.pk)


def pending_changes(unit):
    """Item and negative-list revisions not yet published, by object id."""
    items = PowerItem.objects.filter(unit=unit, has_unpublished_changes=True).exclude(
        latest_revision=None
    )
    negatives = NegativeListItem.objects.filter(
        unit=unit, has_unpublished_changes=True
    ).exclude(latest_revision=None)
    return {
        "items": {
            str(pk): rev for pk, rev in items.values_list("pk", "latest_revision_id")
        },
        "negatives": {
            str(pk): rev
            for pk, rev in negatives.values_list("pk", "latest_revision_id")
        },
    }


def snapshot(item):
    """What an item says (fields, then steps), comparable between versions."""
    fields = tuple(getattr(item, name) for name in PowerItem.CONTENT_FIELDS)
    steps = tuple(
        tuple(getattr(step, name) for name in ProcessStep.CONTENT_FIELDS)
        for step in item.steps.all()
    )
    return fields, steps


def changed_names(before, after):
    """Names (in Chinese) of what differs between two snapshots, for 变更记录."""
    names = [
        str(PowerItem._meta.get_field(name).verbose_name)
        for name, old, new in zip(
            PowerItem.CONTENT_FIELDS, before[0], after[0], strict=True
        )
        if old != new
    ]
    if before[1] != after[1]:
        names.append("流程清单")
    return names


def changed_fields(before, after):
    """What differs between two versions of an item; nothing for a new item."""
    if before is None:
        return []
    return changed_names(snapshot(before), snapshot(after))


def next_index_numbers(unit, year, count):
    """`<单位编码>-<year>-<serial>` numbers, continuing the unit's series for the year."""
    prefix = f"{unit.code}-{year}-"
    used = PowerItem.objects.filter(index_number__startswith=prefix).values_list(
        "index_number", flat=True
    )
    last = max(
        (
            int(number[len(prefix) :])
            for number in used
            if number[len(prefix) :].isdigit()
        ),
        default=0,
    )
    return [f"{prefix}{serial:04d}" for serial in range(last + 1, last + count + 1)]


@transaction.atomic
def publish_catalog(catalog, revision, user=None):
    """Publish the item revisions recorded in the approved catalog revision."""
    catalog = DisclosureCatalog.objects.select_for_update().get(pk=catalog.pk)
    pending = revision.content.get("pending") or {}
    now = timezone.now()
    number = _next_version(catalog.unit)
    item_revisions = list(
        Revision.objects.filter(pk__in=(pending.get("items") or {}).values()).order_by(
            "pk"
        )
    )
    created, changed = 0, 0
    fresh_numbers = iter(
        next_index_numbers(
            catalog.unit, timezone.localtime(now).year, len(item_revisions)
        )
    )
    for item_revision in item_revisions:
        # A live item's row holds its live content; drafts live only in revisions.
        before = PowerItem.objects.filter(pk=item_revision.object_id, live=True).first()
        item_revision.publish(user=user, skip_permission_checks=True)
        item = PowerItem.objects.get(pk=item_revision.object_id)
        fields = changed_fields(before, item)
        updates = {"catalog_version": number}
        if not item.index_number:
            updates["index_number"] = next(fresh_numbers)
        PowerItem.objects.filter(pk=item.pk).update(**updates)
        ItemChange.objects.create(
            item=item,
            version=number,
            published_at=now,
            fields=fields,
            created=before is None,
        )
        created += before is None
        changed += before is not None
    for negative_revision in Revision.objects.filter(
        pk__in=(pending.get("negatives") or {}).values()
    ):
        negative_revision.publish(user=user, skip_permission_checks=True)
    steps, approver = _workflow_steps(catalog)
    version = _record_version(
        catalog, number, now, user or approver, steps, created, changed
    )
    DisclosureCatalog.objects.filter(pk=catalog.pk).update(version=number)
    return version


def _next_version(unit):
    latest = CatalogVersion.objects.filter(unit=unit).aggregate(Max("number"))[
        "number__max"
    ]
    return (latest or 0) + 1


def _workflow_steps(catalog):
    """Who did what at each step of the last workflow run, and who approved (审定)."""
    state = WorkflowState.objects.for_instance(catalog).order_by("-created_at").first()
    if state is None:
        return [], None
    steps = [
        {
            "step": "提出",
            "user": _name(state.requested_by),
            "at": state.created_at.isoformat(),
            "opinion": catalog.note,
        }
    ]
    approver = None
    task_states = state.task_states.select_related("task", "finished_by").order_by(
        "started_at", "pk"
    )
    for task_state in task_states:
        if task_state.finished_by is not None:
            approver = task_state.finished_by
        steps.append(
            {
                "step": task_state.task.name,
                "user": _name(task_state.finished_by),
                "at": task_state.finished_at.isoformat()
                if task_state.finished_at
                else "",
                "opinion": task_state.comment,
                "status": task_state.get_status_display(),
            }
        )
    return steps, approver


def _name(user):
    """A person as a Chinese record names them: family name first, no space."""
    if user is None:
        return "系统"
    return f"{user.last_name}{user.first_name}".strip() or user.get_username()


def _record_version(catalog, number, when, user, steps, created, changed):
    unit = catalog.unit
    parent = unit.get_parent().specific
    withheld = PowerItem.objects.filter(unit=unit, live=True, disclosed=False).count()
    version = CatalogVersion.objects.create(
        unit=unit,
        number=number,
        approved_at=when,
        approved_by=user,
        steps=steps,
        summary={"created": created, "changed": changed, "withheld": withheld},
        filed_to=parent if hasattr(parent, "code") else None,
        copied_to=unit.supervisor,
    )
    log(
        instance=catalog,
        action="sunlight.catalog_filed",
        user=user,
        data={"version": number, "created": created, "changed": changed},
    )
    return version


def catalog_for_unit_id(unit_id):
    catalog, _ = DisclosureCatalog.objects.get_or_create(
        unit_id=unit_id, defaults={"live": False}
    )
    return catalog


def import_version_number(unit_id):
    """The number the next approved version of this unit's catalog will carry."""
    latest = CatalogVersion.objects.filter(unit_id=unit_id).aggregate(Max("number"))
    return (latest["number__max"] or 0) + 1


def next_index_numbers_for(unit_id, year, count):
    from .models import UnitPage

    return next_index_numbers(UnitPage.objects.get(pk=unit_id), year, count)


def import_version(unit_id, number, members, user, when):
    """Record an imported, already-approved catalog (`import_lists --approved-by`)."""
    catalog = catalog_for_unit_id(unit_id)
    steps = [
        {
            "step": "导入审定",
            "user": _name(user),
            "at": when.isoformat(),
            "opinion": "经线下提出、会审、审定后批量导入",
        }
    ]
    created = sum(1 for _, is_new in members if is_new)
    version = _record_version(
        catalog, number, when, user, steps, created, len(members) - created
    )
    DisclosureCatalog.objects.filter(pk=catalog.pk).update(version=number)
    return version
