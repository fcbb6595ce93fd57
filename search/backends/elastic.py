"""Elasticsearch backend, used when ELASTICSEARCH_URL is set (issue 6).

Documents reach Elasticsearch already segmented by search.analysis (the same analysis
as at query time), so `title` and `body` are indexed from the space-separated token
fields with the `whitespace` analyzer: Elasticsearch never segments Chinese itself and
needs no IK plugin, and both backends match exactly the same tokens.

The token fields are no good for display (they repeat every sub-word and bigram), so
the original text is kept beside them: `title_text` only stored, `body_text` indexed
one character per token and used only to place the snippet around the first match
(the matching query never looks at it). Highlights come back wrapped in
control-character sentinels rather than HTML and are stripped to plain text: the
page marks the terms itself, after escaping, so nothing Elasticsearch returns is
ever trusted as markup.

Every failure to reach or use the server is raised as BackendUnavailable, so the
search service falls back to the database backend instead of answering with a 500.
"""

from contextlib import contextmanager

from django.conf import settings
from django.utils import timezone

from elasticsearch import ApiError, Elasticsearch, TransportError
from elasticsearch.dsl import (
    Date,
    Document,
    Index,
    Integer,
    Keyword,
    Long,
    MetaField,
    Text,
    analyzer,
)
from elasticsearch.helpers import BulkIndexError, bulk

from search import analysis

from .base import BackendUnavailable, Hit, Query, Results, SearchBackend
from .database import unit_facet

DEFAULT_INDEX = "sunlight-documents"
REQUEST_TIMEOUT = 2  # seconds: a slow server must not hold a page; the DB answers
REBUILD_TIMEOUT = 60  # bulk loads and index creation may legitimately take longer
BATCH_SIZE = 500
TITLE_BOOST = 3
SNIPPET_LENGTH = 120
MARK_START = "\u0001"
MARK_END = "\u0002"
#: The unit facet counts every unit path that holds matches (a county has hundreds
#: of villages), then rolls them up to the level below the filter as the database
#: backend does (database.unit_facet), which names them by code.
FACET_SIZES = {"kind": 10, "power_type": 20, "year": 30, "unit": 5000}
FACET_FIELDS = {
    "kind": "kind",
    "power_type": "power_type",
    "year": "year",
    "unit": "unit_path",
}
#: A one-character query word matches every token it begins (as in FTS5 `"镇" *`).
PREFIX_EXPANSIONS = 1000

# One token per character (the standard tokenizer splits Han ideographs), with
# full-width forms folded, so a highlight can land on any run of characters.
display_text = analyzer(
    "display_text",
    tokenizer="standard",
    filter=["cjk_width", "lowercase"],
)


class SearchDocumentIndex(Document):
    """One SearchDocument row as Elasticsearch stores it; `_id` is the row's pk."""

    kind = Keyword()
    object_id = Long(index=False)
    unit_id = Integer()
    unit_path = Keyword()  # treebeard path: a prefix query selects a subtree
    unit_code = Keyword()
    unit_title = Keyword(index=False)
    code = Keyword()
    title = Text(analyzer="whitespace")
    body = Text(analyzer="whitespace")
    title_text = Text(index=False)
    body_text = Text(analyzer=display_text, index_options="offsets")
    power_type = Keyword()
    year = Integer()
    published_at = Date()
    url = Keyword(index=False)

    class Meta:
        dynamic = MetaField("strict")

    class Index:
        name = DEFAULT_INDEX
        settings = {"number_of_shards": 1, "number_of_replicas": 0}


def index_name() -> str:
    return getattr(settings, "SUNLIGHT_SEARCH_INDEX", DEFAULT_INDEX)


def index_definition(name: str) -> Index:
    """Settings, analysis and mappings for a concrete index called `name`.

    One shard and no replica: the county runs a single node, where a replica could
    never be allocated and would leave the cluster yellow for ever.
    """
    return SearchDocumentIndex._index.clone(name)


def to_source(document) -> dict:
    """The stored form of a SearchDocument (or any object with its attributes)."""
    unit = getattr(document, "unit", None)
    published_at = document.published_at
    return {
        "kind": document.kind,
        "object_id": document.object_id,
        "unit_id": document.unit_id,
        "unit_path": document.unit_path,
        "unit_code": getattr(unit, "code", ""),
        "unit_title": getattr(unit, "title", ""),
        "code": document.code,
        "title": document.title_tokens,
        "body": document.body_tokens,
        "title_text": document.title,
        "body_text": document.body,
        "power_type": document.power_type,
        "year": document.year,
        "published_at": published_at.isoformat() if published_at else None,
        "url": document.url,
    }


def build_query(query: Query, offset: int = 0, limit: int = 20) -> dict:
    """The search request body: every group must match, any term within a group."""
    terms = [term for group in query.groups for term in group]
    return {
        "query": {"bool": {"must": _must(query.groups), "filter": _filters(query)}},
        "highlight": _highlight(terms),
        "aggs": {
            name: {"terms": {"field": FACET_FIELDS[name], "size": size}}
            for name, size in FACET_SIZES.items()
        },
        "sort": _sort(query.order),
        "track_total_hits": True,
        "_source": {"excludes": ["title", "body"]},
        "from": offset,
        "size": limit,
    }


def _must(groups) -> list:
    groups = [group for group in groups if group]
    if not groups:
        return [{"match_all": {}}]
    return [
        {"bool": {"should": _term_clauses(group), "minimum_should_match": 1}}
        for group in groups
    ]


def _term_clauses(group) -> list:
    """Each term as the tokens it is indexed as (search.analysis): the phrase of its
    tokens in the title (boosted) or the body, or a long term's parts a few
    characters apart (a sloppy phrase over the phrase stream)."""
    clauses = []
    for term in group:
        clauses += _term_queries(term, "title", TITLE_BOOST)
        clauses += _term_queries(term, "body")
    return clauses


def _term_queries(term, field, boost=None) -> list:
    tokens, prefix = analysis.term_tokens(term)
    if not tokens:
        return []
    options = {"query": " ".join(tokens)}
    if prefix:
        options["max_expansions"] = PREFIX_EXPANSIONS
    queries = [{"match_phrase_prefix" if prefix else "match_phrase": {field: options}}]
    parts = [] if prefix else analysis.loose_parts(term)
    if parts:
        stream = [token for part in parts for token in analysis.stream_tokens(part)]
        queries.append(
            {
                "match_phrase": {
                    field: {
                        "query": " ".join(stream),
                        "slop": analysis.loose_distance(parts),
                    }
                }
            }
        )
    if boost:
        for query in queries:
            next(iter(query.values()))[field]["boost"] = boost
    return queries


def _filters(query: Query) -> list:
    filters = []
    if query.kind:
        filters.append({"term": {"kind": query.kind}})
    if query.power_type:
        filters.append({"term": {"power_type": query.power_type}})
    if query.year:
        filters.append({"term": {"year": query.year}})
    if query.unit_path:
        filters.append({"prefix": {"unit_path": query.unit_path}})
    return filters


def _highlight(terms) -> dict:
    """Marks on the display text (one character per token) where a term, or each
    of a long term's parts, stands."""
    shown = []
    for term in terms:
        for text in [term, *analysis.loose_parts(term)]:
            if text not in shown:
                shown.append(text)
    return {
        "pre_tags": [MARK_START],
        "post_tags": [MARK_END],
        "highlight_query": {
            "bool": {
                "should": [{"match_phrase": {"body_text": text}} for text in shown]
            }
        },
        "fields": {
            "body_text": {
                "fragment_size": SNIPPET_LENGTH,
                "number_of_fragments": 1,
                "no_match_size": SNIPPET_LENGTH,
                "boundary_scanner_locale": "zh-CN",
            },
        },
    }


def _sort(order: str) -> list:
    newest = {"published_at": {"order": "desc", "missing": "_last"}}
    if order == "date":
        return [newest, {"_score": {"order": "desc"}}]
    return [{"_score": {"order": "desc"}}, newest]


def parse_response(response, base_path=None, units=None) -> Results:
    """Results as the database backend gives them: facets sorted the same way and
    the unit facet rolled up from unit paths by `units` (database.unit_facet)."""
    hits = [_hit(raw) for raw in response["hits"]["hits"]]
    buckets = {
        name: [(bucket["key"], bucket["doc_count"]) for bucket in agg["buckets"]]
        for name, agg in response.get("aggregations", {}).items()
    }
    facets = {}
    by_count = lambda pairs: sorted(pairs, key=lambda pair: (-pair[1], pair[0]))  # noqa: E731
    for name in ("kind", "power_type"):
        if name in buckets:
            facets[name] = by_count(buckets[name])
    if "year" in buckets:
        facets["year"] = sorted(buckets["year"], reverse=True)
    if "unit" in buckets:
        facets["unit"] = (units or unit_facet)(dict(buckets["unit"]), base_path)
    return Results(total=response["hits"]["total"]["value"], hits=hits, facets=facets)


def _hit(raw) -> Hit:
    source = raw["_source"]
    return Hit(
        document_id=int(raw["_id"]),
        kind=source["kind"],
        code=source.get("code", ""),
        title=source.get("title_text", ""),
        unit_id=source["unit_id"],
        url=source.get("url", ""),
        score=raw.get("_score") or 0.0,
        snippet=_snippet(raw),
    )


def _snippet(raw) -> str:
    fragments = raw.get("highlight", {}).get("body_text")
    if fragments:
        return strip_marks(fragments[0]).strip()
    return raw["_source"].get("body_text", "")[:SNIPPET_LENGTH]


def strip_marks(text: str) -> str:
    return text.replace(MARK_START, "").replace(MARK_END, "")


class ElasticsearchBackend(SearchBackend):
    """Reads and writes through an alias named by SUNLIGHT_SEARCH_INDEX.

    Writes require the alias (`require_alias`): an update arriving before the first
    rebuild is refused instead of letting Elasticsearch invent an index with
    guessed mappings, which would quietly break Chinese matching.
    """

    name = "elasticsearch"

    def __init__(self, client=None, index=None):
        self.index_name = index or index_name()
        self.client = client or _client(settings.ELASTICSEARCH_URL)

    def search(self, query: Query, offset: int = 0, limit: int = 20) -> Results:
        body = build_query(query, offset=offset, limit=limit)
        with unavailable_on_error("search"):
            response = self.client.search(index=self.index_name, body=body)
        return parse_response(response.body, query.unit_path)

    def index(self, documents) -> None:
        actions = (
            {"_index": self.index_name, "_id": doc.pk, "_source": to_source(doc)}
            for doc in documents
        )
        with unavailable_on_error("index"):
            bulk(self.client, actions, chunk_size=BATCH_SIZE, require_alias=True)

    def remove(self, document_ids) -> None:
        actions = (
            {"_op_type": "delete", "_index": self.index_name, "_id": pk}
            for pk in document_ids
        )
        with unavailable_on_error("remove"):
            bulk(
                self.client,
                actions,
                chunk_size=BATCH_SIZE,
                ignore_status=404,
                require_alias=True,
            )

    def rebuild(self, documents=None) -> None:
        """Load a fresh index, then move the alias to it in one step.

        Searches keep reading the old index until the new one is complete, and a
        failed load leaves the old index in place. `documents` defaults to every
        SearchDocument row, read in batches.
        """
        client = self.client.options(request_timeout=REBUILD_TIMEOUT)
        new_index = self._new_index_name()
        with unavailable_on_error("rebuild"):
            index_definition(new_index).create(using=client)
            try:
                self._load(client, new_index, documents)
            except BaseException:
                client.indices.delete(index=new_index, ignore_unavailable=True)
                raise
            self._switch_alias(client, new_index)

    def _new_index_name(self) -> str:
        return f"{self.index_name}-{timezone.now():%Y%m%d%H%M%S%f}"

    def _load(self, client, new_index, documents) -> None:
        if documents is None:
            documents = _all_documents()
        actions = (
            {"_index": new_index, "_id": doc.pk, "_source": to_source(doc)}
            for doc in documents
        )
        bulk(client, actions, chunk_size=BATCH_SIZE)
        client.indices.refresh(index=new_index)

    def _switch_alias(self, client, new_index) -> None:
        old_indices = self._aliased_indices(client)
        if not old_indices and client.indices.exists(index=self.index_name):
            # A concrete index squats on the alias name (created by hand or by
            # an older version): it must go before the alias can take the name.
            client.indices.delete(index=self.index_name)
        actions = [
            {"remove": {"index": old, "alias": self.index_name}} for old in old_indices
        ]
        actions.append({"add": {"index": new_index, "alias": self.index_name}})
        client.indices.update_aliases(actions=actions)
        for old in old_indices:
            client.indices.delete(index=old, ignore_unavailable=True)

    def _aliased_indices(self, client) -> list[str]:
        if not client.indices.exists_alias(name=self.index_name):
            return []
        return list(client.indices.get_alias(name=self.index_name).keys())


def _client(url: str) -> Elasticsearch:
    """A client that gives up fast: one try, two seconds, then the DB answers."""
    if not url:
        raise BackendUnavailable("ELASTICSEARCH_URL is not set")
    try:
        return Elasticsearch(
            url, request_timeout=REQUEST_TIMEOUT, max_retries=0, retry_on_timeout=False
        )
    except ValueError as exc:
        raise BackendUnavailable("ELASTICSEARCH_URL is not a usable URL") from exc


def _all_documents():
    from search.models import SearchDocument

    return (
        SearchDocument.objects.select_related("unit")
        .order_by("pk")
        .iterator(chunk_size=BATCH_SIZE * 4)
    )


@contextmanager
def unavailable_on_error(action: str):
    """Turn anything the client raises into BackendUnavailable, keeping the cause."""
    try:
        yield
    except BulkIndexError as exc:
        raise BackendUnavailable(
            f"Elasticsearch {action}: {len(exc.errors)} documents refused"
        ) from exc
    except (ApiError, TransportError) as exc:
        raise BackendUnavailable(f"Elasticsearch {action}: {exc}") from exc
