"""Search documents for 一事一公开 results and 三重一大 decisions (issue 6, Documents:
"indexes results and decisions too").

A result is indexed while the public can see it: live, of a live and disclosed
item, below public units. Its document never carries the 申请/办理对象 — a private
person's name is public only during a 公示 and must not outlive it in an index. A
decision is indexed without what the unit marked 不宜公开. Both follow publishing,
unpublishing and deleting, as power items do.
"""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from wagtail.signals import published, unpublished

from disclosure.models import Decision, PowerItem, Result
from disclosure.results import published_results
from disclosure.workdays import start_of_day
from search import analysis
from search.documents import BATCH_SIZE, PublicUnits, Source, register
from search.indexing import index_objects
from search.models import SearchDocument

Kind = SearchDocument.Kind


def public_decisions():
    return Decision.objects.filter(live=True)


def _batches(objects, object_ids):
    if object_ids is not None:
        objects = objects.filter(pk__in=list(object_ids))
    ids = list(objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        yield ids[start : start + BATCH_SIZE]


def build_result_documents(object_ids=None, units=None):
    for chunk in _batches(published_results(), object_ids):
        rows = list(
            published_results()
            .filter(pk__in=chunk)
            .select_related("item")
            .only(
                "pk",
                "unit_id",
                "title",
                "outcome",
                "handling_post",
                "result_date",
                "disclosed_on",
                "item__code",
                "item__name",
                "item__power_type",
                "item__office",
            )
        )
        known = units or PublicUnits({row.unit_id for row in rows})
        documents = []
        for result in rows:
            unit = known.get(result.unit_id)
            if unit is None:
                continue
            item = result.item
            lines = [
                result.outcome,
                item.name,
                result.handling_post,
                item.office,
                item.power_type,
                unit.titles,
                item.code,
            ]
            day = result.disclosed_on or result.result_date
            documents.append(
                SearchDocument(
                    kind=Kind.RESULT,
                    object_id=result.pk,
                    unit=unit.page,
                    unit_path=unit.path,
                    code=item.code,
                    title=result.title,
                    body="\n".join(line for line in lines if line),
                    title_tokens=analysis.index_tokens(result.title),
                    body_tokens=analysis.document_tokens([x for x in lines if x]),
                    power_type=item.power_type,
                    year=day.year,
                    published_at=start_of_day(day),
                    url=unit.url
                    + unit.page.reverse_subpage("result", kwargs={"pk": result.pk}),
                )
            )
        yield documents


def build_decision_documents(object_ids=None, units=None):
    for chunk in _batches(public_decisions(), object_ids):
        rows = list(public_decisions().filter(pk__in=chunk))
        known = units or PublicUnits({row.unit_id for row in rows})
        documents = []
        for decision in rows:
            unit = known.get(decision.unit_id)
            if unit is None:
                continue
            lines = [
                decision.basis,
                decision.meeting,
                decision.decision_type,
                decision.outcome,
                decision.responsible_department,
                unit.titles,
            ]
            documents.append(
                SearchDocument(
                    kind=Kind.DECISION,
                    object_id=decision.pk,
                    unit=unit.page,
                    unit_path=unit.path,
                    code="",
                    title=decision.topic,
                    body="\n".join(line for line in lines if line),
                    title_tokens=analysis.index_tokens(decision.topic),
                    body_tokens=analysis.document_tokens([x for x in lines if x]),
                    power_type="",
                    year=decision.meeting_date.year,
                    published_at=start_of_day(decision.meeting_date),
                    url=unit.url
                    + unit.page.reverse_subpage("decision", kwargs={"pk": decision.pk}),
                )
            )
        yield documents


register(
    Source(
        kind=Kind.RESULT,
        build=build_result_documents,
        count=lambda: published_results().count(),
        ids_below=lambda path: Result.objects.filter(
            unit__path__startswith=path
        ).values_list("pk", flat=True),
    )
)
register(
    Source(
        kind=Kind.DECISION,
        build=build_decision_documents,
        count=lambda: public_decisions().count(),
        ids_below=lambda path: Decision.objects.filter(
            unit__path__startswith=path
        ).values_list("pk", flat=True),
    )
)


@receiver(published, sender=Result)
@receiver(unpublished, sender=Result)
@receiver(post_delete, sender=Result)
def result_changed(sender, instance, **kwargs):
    index_objects(Kind.RESULT, [instance.pk])


@receiver(published, sender=Decision)
@receiver(unpublished, sender=Decision)
@receiver(post_delete, sender=Decision)
def decision_changed(sender, instance, **kwargs):
    index_objects(Kind.DECISION, [instance.pk])


@receiver(published, sender=PowerItem)
@receiver(unpublished, sender=PowerItem)
def item_changed(sender, instance, **kwargs):
    """A result is public only while its item is: follow the item."""
    index_objects(
        Kind.RESULT, Result.objects.filter(item=instance).values_list("pk", flat=True)
    )
