"""The one entry point to search: the page, the API and anything else call `search()`.

It analyses the query (search.analysis, with the synonym table), then asks
Elasticsearch when ELASTICSEARCH_URL is set and the backend answers, else the
database. Issue 6: a configured but unreachable Elasticsearch is never a 500 — the
failure is logged as a warning, the database answers, and Elasticsearch is left
alone for a while so that every search does not wait for its timeout.
"""

import importlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from disclosure import pii
from disclosure.models import UnitPage
from search import analysis
from search.backends.base import Query, Results, SearchBackend
from search.backends.database import backend_for
from search.models import Synonym, ZeroResultQuery

logger = logging.getLogger(__name__)

SYNONYM_CACHE_KEY = "search:synonyms"
SYNONYM_CACHE_SECONDS = 300
#: After Elasticsearch failed, the database answers alone for this long.
ELASTIC_RETRY_SECONDS = 30
ZERO_RESULT_MAX_LENGTH = 100

_elastic = {"backend": None, "down_until": 0.0}


def synonym_table() -> dict:
    """{normalised term: its synonyms}, cached; cleared whenever a Synonym changes
    (search.indexing)."""
    table = cache.get(SYNONYM_CACHE_KEY)
    if table is None:
        groups = [
            synonym.term_list() for synonym in Synonym.objects.filter(active=True)
        ]
        table = analysis.synonym_map(groups)
        cache.set(SYNONYM_CACHE_KEY, table, SYNONYM_CACHE_SECONDS)
    return table


def clear_synonym_cache():
    cache.delete(SYNONYM_CACHE_KEY)


def analyse(
    text, unit_code=None, power_type=None, kind=None, year=None, order="relevance"
):
    """The Query for `text` and the filters; None when the unit does not exist."""
    unit_path = None
    if unit_code:
        unit_path = (
            UnitPage.objects.filter(code=unit_code)
            .values_list("path", flat=True)
            .first()
        )
        if unit_path is None:
            return None
    return Query(
        text=text or "",
        groups=analysis.query_groups(text or "", synonym_table()),
        unit_path=unit_path,
        power_type=power_type or None,
        kind=kind or None,
        year=year or None,
        order="date" if order == "date" else "relevance",
    )


def search(
    text,
    unit_code=None,
    power_type=None,
    kind=None,
    year=None,
    order="relevance",
    offset=0,
    limit=20,
) -> Results:
    """Published, disclosed documents matching every word of `text`, best first
    (or newest first with order="date"), with facet counts over all matches."""
    query = analyse(text, unit_code, power_type, kind, year, order)
    if query is None or not query.groups:
        return Results(total=0, hits=[], query=query)
    elastic = elastic_backend()
    if elastic is not None:
        try:
            results = elastic.search(query, offset=offset, limit=limit)
        except Exception as error:  # noqa: BLE001 - any failure: the database answers
            elastic_failed("search", error)
        else:
            results.query = query
            return results
    return database_backend().search(query, offset=offset, limit=limit)


def database_backend() -> SearchBackend:
    return backend_for()


def elastic_backend() -> SearchBackend | None:
    """The Elasticsearch backend when configured and not recently failing."""
    if not getattr(settings, "ELASTICSEARCH_URL", ""):
        return None
    if time.monotonic() < _elastic["down_until"]:
        return None
    if _elastic["backend"] is None:
        try:
            module = importlib.import_module("search.backends.elastic")
            backend_class = (
                getattr(module, "ElasticsearchBackend", None) or module.Backend
            )
            _elastic["backend"] = backend_class()
        except Exception as error:  # noqa: BLE001 - missing or broken: use the database
            elastic_failed("start", error)
            return None
    return _elastic["backend"]


def elastic_failed(action, error):
    logger.warning(
        "Elasticsearch %s failed (%s); the database answers for %d s.",
        action,
        error,
        ELASTIC_RETRY_SECONDS,
    )
    _elastic["down_until"] = time.monotonic() + ELASTIC_RETRY_SECONDS


def record_zero_result(text):
    """Count a query that found nothing, for editors' 无结果检索 report.

    Only the words are kept: personal data (ID, phone and bank card numbers) masked,
    at most 100 characters, and nothing about who asked (no IP, user or session).
    """
    if not analysis.runs(analysis.normalise(text or "")):
        return  # punctuation only: nothing was searched for
    words = " ".join(pii.redact(analysis.normalise(text or "")).split())
    words = "".join(char for char in words if char.isprintable())
    words = words[:ZERO_RESULT_MAX_LENGTH].strip()
    if not words:
        return
    today = timezone.localdate()
    seen = ZeroResultQuery.objects.filter(query=words)
    if seen.update(count=F("count") + 1, last_seen=today):
        return
    try:
        with transaction.atomic():
            ZeroResultQuery.objects.create(query=words, count=1)
    except IntegrityError:
        seen.update(count=F("count") + 1, last_seen=today)
