"""SearchDocument rows built from what the public may see (issue 6, Documents).

One document per power item that is published (live), disclosed, and whose unit and
every unit above it are published. The document is built from the item's row, which
holds its live content (drafts live only in revisions), so nothing unpublished is
ever indexed; everything else has no document.

The body carries the unit's titles from the top down, so "柳溪镇 救助" finds the
relief items of every 柳溪镇 office; `unit_path` lets a search keep to a subtree.

Other kinds (一事一公开 results, 三重一大 decisions) join through `register()`: a
`Source` says how to build a kind's documents, how many public objects it has and
which objects sit below a unit. Reindexing, the subtree refresh after a unit
changes and `search_reindex` then cover every registered kind.
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from disclosure.models import PowerItem, ProcessStep, UnitPage
from search import analysis
from search.models import SearchDocument

BATCH_SIZE = 1000
BODY_FIELDS = (
    "basis",
    "conditions",
    "office",
    "time_limit",
    "duties",
    "responsible",
    "accountability",
)
ITEM_FIELDS = (
    "pk",
    "unit_id",
    "code",
    "name",
    "power_type",
    *BODY_FIELDS,
    "last_published_at",
)
STEP_FIELDS = ("name", "post", "branch", "risk", "prevention")
DOCUMENT_FIELDS = [
    "unit",
    "unit_path",
    "code",
    "title",
    "body",
    "title_tokens",
    "body_tokens",
    "power_type",
    "year",
    "published_at",
    "url",
]


@dataclass
class PublicUnit:
    page: UnitPage
    path: str
    titles: str  # the unit's title and its ancestors', from the top
    url: str


class PublicUnits:
    """Units whose page and every ancestor unit page are live, with their titles
    and addresses; loaded for the given units (or all) in two queries."""

    def __init__(self, unit_ids=None):
        units = UnitPage.objects.only(
            "id", "path", "depth", "title", "live", "url_path"
        )
        if unit_ids is not None:
            own = list(units.filter(pk__in=set(unit_ids)))
            prefixes = {
                unit.path[:end]
                for unit in own
                for end in range(UnitPage.steplen, len(unit.path), UnitPage.steplen)
            }
            units = own + list(units.filter(path__in=prefixes))
        by_path = {unit.path: unit for unit in units}
        self._by_id = {}
        for unit in sorted(by_path.values(), key=lambda unit: unit.path):
            public = self._public(unit, by_path)
            if public:
                self._by_id[unit.pk] = public

    def _public(self, unit, by_path):
        if not unit.live:
            return None
        parent_path = unit.path[: -UnitPage.steplen]
        parent = by_path.get(parent_path)
        titles = unit.title
        if parent is not None:
            parent_public = self._by_id.get(parent.pk)
            if parent_public is None:
                return None
            titles = f"{parent_public.titles} {unit.title}"
        url = unit.get_url()
        if not url:
            return None
        return PublicUnit(page=unit, path=unit.path, titles=titles, url=url)

    def get(self, unit_id) -> PublicUnit | None:
        return self._by_id.get(unit_id)


def public_power_items():
    return PowerItem.objects.filter(live=True, disclosed=True)


def build_power_documents(item_ids=None, units=None):
    """Unsaved SearchDocuments for the public items among `item_ids` (all if None),
    yielded in batches (lists)."""
    items = public_power_items().order_by("pk").values(*ITEM_FIELDS)
    if item_ids is not None:
        items = items.filter(pk__in=list(item_ids))
    batch = []
    for row in items.iterator(chunk_size=BATCH_SIZE):
        batch.append(row)
        if len(batch) == BATCH_SIZE:
            yield _documents(batch, units)
            batch = []
    if batch:
        yield _documents(batch, units)


def _documents(rows, units):
    units = units or PublicUnits({row["unit_id"] for row in rows})
    steps = _steps([row["pk"] for row in rows])
    documents = []
    for row in rows:
        unit = units.get(row["unit_id"])
        if unit is not None:
            documents.append(_document(row, steps.get(row["pk"], []), unit))
    return documents


def _steps(item_ids):
    steps = {}
    rows = (
        ProcessStep.objects.filter(item_id__in=item_ids)
        .order_by("item_id", "sort_order", "pk")
        .values_list("item_id", *STEP_FIELDS)
    )
    for item_id, *texts in rows:
        line = " ".join(text for text in texts if text)
        if line:
            steps.setdefault(item_id, []).append(line)
    return steps


def _document(row, step_lines, unit):
    lines = [
        *(row[name] for name in BODY_FIELDS),
        *step_lines,
        row["power_type"],
        unit.titles,
        row["code"],
    ]
    lines = [line for line in lines if line]
    published = row["last_published_at"]
    return SearchDocument(
        kind=SearchDocument.Kind.POWER,
        object_id=row["pk"],
        unit=unit.page,
        unit_path=unit.path,
        code=row["code"],
        title=row["name"],
        body="\n".join(lines),
        title_tokens=analysis.index_tokens(row["name"]),
        body_tokens=analysis.document_tokens(lines),
        power_type=row["power_type"],
        year=timezone.localtime(published).year if published else None,
        published_at=published,
        url=unit.url
        + unit.page.reverse_subpage("power_item", kwargs={"code": row["code"]}),
    )


@dataclass(frozen=True)
class Source:
    """How one kind of public object becomes SearchDocuments.

    - `build(object_ids, units)`: batches (lists) of unsaved SearchDocuments of
      this kind for the *public* objects among `object_ids` (all when None), using
      `units` (a PublicUnits, or None to load what the batch needs) for the unit's
      path, titles and address — an object below an unpublished unit is not public;
    - `count()`: how many public objects there are (for the progress bar);
    - `ids_below(path)`: a QuerySet of the ids of every object, public or not, of
      a unit at or below the treebeard `path` (a unit move or rename refreshes
      them).
    """

    kind: str
    build: Callable[..., Iterator[list[SearchDocument]]]
    count: Callable[[], int]
    ids_below: Callable[[str], Iterable[int]]


SOURCES: dict[str, Source] = {}


def register(source: Source) -> None:
    """Index another kind (see Source); registering a kind again replaces it."""
    SOURCES[source.kind] = source


def replace_power_documents(item_ids):
    return replace_documents(SearchDocument.Kind.POWER, item_ids)


def replace_documents(kind, object_ids):
    """Bring the documents of these objects of `kind` up to date; returns (ids of
    documents written, ids of documents removed) for the backends that keep their
    own copy."""
    source = SOURCES[kind]
    object_ids = list(object_ids)
    written, removed = [], []
    with transaction.atomic():
        for start in range(0, len(object_ids), BATCH_SIZE):
            chunk = object_ids[start : start + BATCH_SIZE]
            documents = [doc for batch in source.build(chunk) for doc in batch]
            if documents:
                SearchDocument.objects.bulk_create(
                    documents,
                    update_conflicts=True,
                    unique_fields=["kind", "object_id"],
                    update_fields=DOCUMENT_FIELDS,
                )
            kept = {doc.object_id for doc in documents}
            existing = SearchDocument.objects.filter(kind=kind, object_id__in=chunk)
            stale = [
                pk
                for pk, object_id in existing.values_list("pk", "object_id")
                if object_id not in kept
            ]
            written += existing.filter(object_id__in=kept).values_list("pk", flat=True)
            if stale:
                SearchDocument.objects.filter(pk__in=stale).delete()
                removed += stale
    return written, removed


def rebuild_all(progress=None):
    """Every document of every registered kind afresh, in one transaction (readers
    keep the old index until it commits); `progress` wraps the batches and is told
    how many objects there are. Returns the number of documents."""
    from search.backends.database import backend_for

    total = sum(source.count() for source in SOURCES.values())
    units = PublicUnits()
    count = 0
    backend = backend_for()
    with transaction.atomic():
        with backend.reloading():
            batches = (
                batch
                for source in SOURCES.values()
                for batch in source.build(None, units)
            )
            if progress is not None:
                batches = progress(batches, total)
            for documents in batches:
                SearchDocument.objects.bulk_create(documents, batch_size=BATCH_SIZE)
                count += len(documents)
    return count


def _power_items_below(path):
    return PowerItem.objects.filter(unit__path__startswith=path).values_list(
        "pk", flat=True
    )


register(
    Source(
        kind=SearchDocument.Kind.POWER,
        build=build_power_documents,
        count=lambda: public_power_items().count(),
        ids_below=_power_items_below,
    )
)
