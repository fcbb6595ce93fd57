"""问责通报 and 澄清 in the site search (search.documents.register).

Only what the public page shows is indexed: a published notice's person, post,
unit, 情形, 方式, basis and problem; a published 澄清's person, post and text. A
withdrawn notice loses its document at once.
"""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from disclosure.workdays import start_of_day
from search import analysis
from search.documents import BATCH_SIZE, PublicUnits, Source, register
from search.indexing import index_objects
from search.models import SearchDocument

from .models import Accountability, FaultTolerance

#: SearchDocument.kind values (max 10 characters).
NOTICE_KIND = "notice"
CLARIFICATION_KIND = "clarify"


def published_notices():
    return Accountability.objects.filter(published_on__isnull=False)


def published_clarifications():
    return FaultTolerance.objects.filter(clarified_on__isnull=False)


def _chunks(objects, object_ids):
    if object_ids is not None:
        objects = objects.filter(pk__in=list(object_ids))
    ids = list(objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH_SIZE):
        yield ids[start : start + BATCH_SIZE]


def _document(kind, pk, unit, title, lines, day, url):
    lines = [line for line in lines if line]
    return SearchDocument(
        kind=kind,
        object_id=pk,
        unit=unit.page,
        unit_path=unit.path,
        code="",
        title=title,
        body="\n".join(lines),
        title_tokens=analysis.index_tokens(title),
        body_tokens=analysis.document_tokens(lines),
        power_type="",
        year=day.year,
        published_at=start_of_day(day),
        url=url,
    )


def build_notice_documents(object_ids=None, units=None):
    for chunk in _chunks(published_notices(), object_ids):
        rows = list(published_notices().filter(pk__in=chunk))
        known = units or PublicUnits({row.unit_id for row in rows})
        documents = []
        for entry in rows:
            unit = known.get(entry.unit_id)
            if unit is None:
                continue
            title = f"关于{unit.page.title}{entry.person}被{entry.method}的问责通报"
            lines = [
                entry.facts,
                entry.post,
                entry.circumstance_label,
                entry.method,
                entry.basis,
                unit.titles,
            ]
            documents.append(
                _document(
                    NOTICE_KIND,
                    entry.pk,
                    unit,
                    title,
                    lines,
                    entry.published_on,
                    entry.get_url(),
                )
            )
        yield documents


def build_clarification_documents(object_ids=None, units=None):
    for chunk in _chunks(published_clarifications(), object_ids):
        rows = list(published_clarifications().filter(pk__in=chunk))
        known = units or PublicUnits({row.unit_id for row in rows})
        documents = []
        for case in rows:
            unit = known.get(case.unit_id)
            if unit is None:
                continue
            title = f"关于{unit.page.title}{case.person}的澄清正名"
            lines = [case.clarification, case.post, unit.titles]
            documents.append(
                _document(
                    CLARIFICATION_KIND,
                    case.pk,
                    unit,
                    title,
                    lines,
                    case.clarified_on,
                    case.get_url(),
                )
            )
        yield documents


register(
    Source(
        kind=NOTICE_KIND,
        build=build_notice_documents,
        count=lambda: published_notices().count(),
        ids_below=lambda path: Accountability.objects.filter(
            unit__path__startswith=path
        ).values_list("pk", flat=True),
    )
)
register(
    Source(
        kind=CLARIFICATION_KIND,
        build=build_clarification_documents,
        count=lambda: published_clarifications().count(),
        ids_below=lambda path: FaultTolerance.objects.filter(
            unit__path__startswith=path
        ).values_list("pk", flat=True),
    )
)


def index_notice(entry):
    index_objects(NOTICE_KIND, [entry.pk])


def index_clarification(case):
    index_objects(CLARIFICATION_KIND, [case.pk])


@receiver(post_delete, sender=Accountability)
def notice_deleted(sender, instance, **kwargs):
    index_notice(instance)


@receiver(post_delete, sender=FaultTolerance)
def case_deleted(sender, instance, **kwargs):
    index_clarification(instance)
