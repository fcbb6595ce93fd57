"""Elasticsearch backend: mappings, query bodies and response mapping, no server needed.

The last test talks to a real Elasticsearch and runs only when ELASTICSEARCH_URL
points at one.
"""

import os
import time
import uuid
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from elastic_transport import ApiResponseMeta, HttpHeaders, NodeConfig
from elastic_transport import ConnectionError as TransportConnectionError
from elasticsearch import NotFoundError, TransportError
from elasticsearch.helpers import BulkIndexError

from search import analysis
from search.backends import elastic
from search.backends.base import BackendUnavailable, Query, Results
from search.backends.elastic import (
    MARK_END,
    MARK_START,
    ElasticsearchBackend,
    SearchDocumentIndex,
    build_query,
    index_definition,
    parse_response,
    to_source,
)

NEEDS_SERVER = "需要 ELASTICSEARCH_URL 指向可用的 Elasticsearch"


def make_document(pk, title, body, title_tokens, body_tokens, **fields):
    """A SearchDocument stand-in, so these tests need no migrations or database."""
    values = {
        "pk": pk,
        "kind": "power",
        "object_id": pk * 10,
        "unit_id": 7,
        "unit": SimpleNamespace(code="T01-A-1", title="东河镇社会事务办公室"),
        "unit_path": "000100010001",
        "code": f"XK-{pk:03d}",
        "title": title,
        "body": body,
        "title_tokens": title_tokens,
        "body_tokens": body_tokens,
        "power_type": "行政给付",
        "year": 2026,
        "published_at": datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
        "url": f"/units/t01-a-1/powers/{pk}/",
    }
    values.update(fields)
    return SimpleNamespace(**values)


DIBAO = make_document(
    1,
    "最低生活保障对象认定（低保）",
    "申请人向村委会提出低保申请，乡镇审核后公示七日。",
    "最低 低生 生活 保障 最低生活保障 对象 认定 低保",
    "申请 申请人 村委会 提出 低保 申请 乡镇 审核 公示 七日",
)
ZHAIJIDI = make_document(
    2,
    "农村村民宅基地审批",
    "村民申请宅基地，经村民代表会议讨论后报乡镇审批。",
    "农村 村民 宅基 基地 宅基地 审批",
    "村民 申请 宅基地 村民代表 会议 讨论 乡镇 审批",
    power_type="行政许可",
    year=2025,
)


class FakeClient:
    """Records requests and answers with a canned body (for search)."""

    def __init__(self, response=None, error=None):
        self.response = response
        self.error = error
        self.calls = []
        self.indices = FakeIndices(self.calls)

    def options(self, **kwargs):
        self.calls.append(("options", kwargs))
        return self

    def search(self, **kwargs):
        self.calls.append(("search", kwargs))
        if self.error:
            raise self.error
        return SimpleNamespace(body=self.response)


class FakeIndices:
    def __init__(self, calls, aliased=()):
        self.calls = calls
        self.aliased = list(aliased)

    def __getattr__(self, name):
        def call(**kwargs):
            self.calls.append((name, kwargs))
            if name == "exists_alias":
                return bool(self.aliased)
            if name == "get_alias":
                return {index: {"aliases": {}} for index in self.aliased}
            if name == "exists":
                return False
            return {}

        return call


@pytest.fixture
def bulk_calls(monkeypatch):
    calls = []

    def fake_bulk(client, actions, **kwargs):
        calls.append({"actions": list(actions), **kwargs})
        return len(calls[-1]["actions"]), []

    monkeypatch.setattr(elastic, "bulk", fake_bulk)
    return calls


def api_error(error_class, status, message):
    meta = ApiResponseMeta(
        status=status,
        http_version="1.1",
        headers=HttpHeaders(),
        duration=0.0,
        node=NodeConfig("http", "localhost", 9200),
    )
    return error_class(message, meta=meta, body={"error": {"type": message}})


# Mappings


def test_mapping_types_are_explicit_and_strict():
    mapping = SearchDocumentIndex._doc_type.mapping.to_dict()
    properties = mapping["properties"]

    assert mapping["dynamic"] == "strict"
    for name in ("kind", "code", "unit_path", "unit_code", "power_type"):
        assert properties[name] == {"type": "keyword"}
    assert properties["year"] == {"type": "integer"}
    assert properties["unit_id"] == {"type": "integer"}
    assert properties["published_at"] == {"type": "date"}
    for name in ("title", "body"):
        assert properties[name] == {"type": "text", "analyzer": "whitespace"}
    for name in ("url", "unit_title"):
        assert properties[name] == {"type": "keyword", "index": False}
    assert properties["object_id"] == {"type": "long", "index": False}


def test_display_text_is_stored_and_only_the_body_indexed_for_snippets():
    properties = SearchDocumentIndex._doc_type.mapping.to_dict()["properties"]

    assert properties["title_text"] == {"type": "text", "index": False}
    assert properties["body_text"] == {
        "type": "text",
        "analyzer": "display_text",
        "index_options": "offsets",
    }


def test_index_settings_suit_one_node_and_define_the_display_analyzer():
    body = index_definition("sunlight-test").to_dict()
    index_settings = body["settings"]

    assert index_settings["number_of_shards"] == 1
    assert index_settings["number_of_replicas"] == 0
    assert index_settings["analysis"]["analyzer"]["display_text"] == {
        "type": "custom",
        "tokenizer": "standard",
        "filter": ["cjk_width", "lowercase"],
    }
    assert body["mappings"] == SearchDocumentIndex._doc_type.mapping.to_dict()


def test_index_name_comes_from_settings(settings):
    backend = ElasticsearchBackend(client=FakeClient())
    assert backend.index_name == "sunlight-documents"

    settings.SUNLIGHT_SEARCH_INDEX = "county-documents"
    assert ElasticsearchBackend(client=FakeClient()).index_name == "county-documents"


def test_stored_form_indexes_tokens_and_keeps_display_text():
    source = to_source(DIBAO)

    assert source["title"] == DIBAO.title_tokens
    assert source["body"] == DIBAO.body_tokens
    assert source["title_text"] == "最低生活保障对象认定（低保）"
    assert source["body_text"] == DIBAO.body
    assert source["unit_code"] == "T01-A-1"
    assert source["unit_title"] == "东河镇社会事务办公室"
    assert source["published_at"] == "2026-03-02T09:30:00+00:00"
    assert set(source) == set(
        SearchDocumentIndex._doc_type.mapping.to_dict()["properties"]
    )


def test_stored_form_without_unit_or_date():
    source = to_source(
        make_document(3, "t", "b", "t", "b", unit=None, published_at=None)
    )

    assert source["unit_code"] == ""
    assert source["published_at"] is None


# Query bodies


def must_of(body):
    return body["query"]["bool"]["must"]


PAIR = analysis.PAIR_MARK


def test_one_term_matches_title_boosted_and_body():
    """A two-character word is one pair token (so 民政 is not in 人民政府)."""
    body = build_query(Query("低保", [["低保"]]))

    assert must_of(body) == [
        {
            "bool": {
                "should": [
                    {"match_phrase": {"title": {"query": "低保" + PAIR, "boost": 3}}},
                    {"match_phrase": {"body": {"query": "低保" + PAIR}}},
                ],
                "minimum_should_match": 1,
            }
        }
    ]
    assert body["query"]["bool"]["filter"] == []


def test_terms_are_sent_as_their_analysed_tokens():
    """The index holds tokens (search.analysis), so the query must too: a longer
    word is the phrase of its bigrams, as the database backends look for it."""
    must = must_of(build_query(Query("宅基地", [["宅基地"]])))

    title, body = must[0]["bool"]["should"]
    assert title["match_phrase"]["title"]["query"] == analysis.phrase("宅基地")
    assert body["match_phrase"]["body"]["query"] == "宅基 基地"


def test_two_terms_must_both_match():
    must = must_of(build_query(Query("低保 公示", [["低保"], ["公示"]])))

    assert len(must) == 2
    first = must[0]["bool"]["should"][0]["match_phrase"]["title"]["query"]
    second = must[1]["bool"]["should"][0]["match_phrase"]["title"]["query"]
    assert (first, second) == ("低保" + PAIR, "公示" + PAIR)


def test_a_long_word_also_matches_with_its_parts_apart():
    """高龄津贴 finds 高龄老人津贴: a sloppy phrase over the parts' bigrams."""
    should = must_of(build_query(Query("高龄津贴", [["高龄津贴"]])))[0]["bool"][
        "should"
    ]

    assert [next(iter(clause)) for clause in should] == ["match_phrase"] * 4
    loose = should[1]["match_phrase"]["title"]
    assert (loose["query"], loose["boost"]) == ("高龄 津贴", 3)
    assert loose["slop"] == analysis.loose_distance(["高龄", "津贴"])
    assert should[3]["match_phrase"]["body"]["query"] == "高龄 津贴"


def test_a_single_character_matches_the_tokens_it_begins():
    should = must_of(build_query(Query("镇", [["镇"]])))[0]["bool"]["should"]

    assert should[1] == {
        "match_phrase_prefix": {"body": {"query": "镇", "max_expansions": 1000}}
    }


def test_synonyms_of_a_group_are_alternatives():
    must = must_of(build_query(Query("低保", [["低保", "最低生活保障"]])))

    assert len(must) == 1
    group = must[0]["bool"]
    assert group["minimum_should_match"] == 1
    queries = [
        (field, options["query"])
        for clause in group["should"]
        for field, options in clause["match_phrase"].items()
    ]
    assert queries == [
        ("title", "低保" + PAIR),
        ("body", "低保" + PAIR),
        ("title", "最低 低生 生活 活保 保障"),
        ("title", "最低 生活 保障"),
        ("body", "最低 低生 生活 活保 保障"),
        ("body", "最低 生活 保障"),
    ]


def test_no_terms_lists_everything_the_filters_allow():
    body = build_query(Query("", [], kind="power"))

    assert must_of(body) == [{"match_all": {}}]
    assert body["query"]["bool"]["filter"] == [{"term": {"kind": "power"}}]


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("kind", "decision", {"term": {"kind": "decision"}}),
        ("power_type", "行政许可", {"term": {"power_type": "行政许可"}}),
        ("year", 2025, {"term": {"year": 2025}}),
        ("unit_path", "00010001", {"prefix": {"unit_path": "00010001"}}),
    ],
)
def test_each_filter(field, value, expected):
    body = build_query(Query("低保", [["低保"]], **{field: value}))

    assert body["query"]["bool"]["filter"] == [expected]


def test_relevance_order_breaks_ties_by_newest():
    body = build_query(Query("低保", [["低保"]]))

    assert body["sort"] == [
        {"_score": {"order": "desc"}},
        {"published_at": {"order": "desc", "missing": "_last"}},
    ]


def test_date_order_puts_newest_first():
    body = build_query(Query("低保", [["低保"]], order="date"))

    assert body["sort"][0] == {"published_at": {"order": "desc", "missing": "_last"}}


def test_facets_count_kind_type_year_and_unit():
    aggs = build_query(Query("低保", [["低保"]]))["aggs"]

    assert {name: agg["terms"]["field"] for name, agg in aggs.items()} == {
        "kind": "kind",
        "power_type": "power_type",
        "year": "year",
        "unit": "unit_path",  # rolled up to unit codes as the database does
    }


def test_highlighting_uses_sentinels_not_html():
    highlight = build_query(Query("低保", [["低保", "最低生活保障"]]))["highlight"]

    assert highlight["pre_tags"] == ["\u0001"]
    assert highlight["post_tags"] == ["\u0002"]
    assert "<" not in str(highlight["pre_tags"] + highlight["post_tags"])
    assert set(highlight["fields"]) == {"body_text"}
    assert highlight["fields"]["body_text"]["no_match_size"] > 0
    assert highlight["highlight_query"]["bool"]["should"] == [
        {"match_phrase": {"body_text": text}}
        for text in ("低保", "最低生活保障", "最低", "生活", "保障")
    ]


def test_paging_and_exact_totals():
    body = build_query(Query("低保", [["低保"]]), offset=40, limit=20)

    assert (body["from"], body["size"], body["track_total_hits"]) == (40, 20, True)
    assert body["_source"] == {"excludes": ["title", "body"]}


# Responses

CANNED_RESPONSE = {
    "took": 3,
    "timed_out": False,
    "hits": {
        "total": {"value": 2, "relation": "eq"},
        "max_score": 7.5,
        "hits": [
            {
                "_index": "sunlight-documents-20260302",
                "_id": "1",
                "_score": 7.5,
                "_source": {
                    k: v
                    for k, v in to_source(DIBAO).items()
                    if k not in ("title", "body")
                },
                "highlight": {
                    "body_text": [
                        f"申请人向村委会提出{MARK_START}低{MARK_END}"
                        f"{MARK_START}保{MARK_END}申请，乡镇审核后公示七日。"
                    ],
                },
            },
            {
                "_index": "sunlight-documents-20260302",
                "_id": "2",
                "_score": None,
                "_source": {
                    k: v
                    for k, v in to_source(ZHAIJIDI).items()
                    if k not in ("title", "body")
                },
            },
        ],
    },
    "aggregations": {
        "kind": {"buckets": [{"key": "power", "doc_count": 2}]},
        "power_type": {
            "buckets": [
                {"key": "行政给付", "doc_count": 1},
                {"key": "行政许可", "doc_count": 1},
            ]
        },
        "year": {
            "buckets": [
                {"key": 2026, "doc_count": 1},
                {"key": 2025, "doc_count": 1},
            ]
        },
        "unit": {"buckets": [{"key": "000100010001", "doc_count": 2}]},
    },
}


def fake_unit_facet(counts_by_path, base_path=None):
    """database.unit_facet without a database: paths named by a fixed table."""
    codes = {"000100010001": "T01-A-1"}
    return [(codes[path], count) for path, count in counts_by_path.items()]


def test_response_becomes_results():
    results = parse_response(CANNED_RESPONSE, units=fake_unit_facet)

    assert results.total == 2
    first, second = results.hits
    assert (first.document_id, first.kind, first.code, first.unit_id) == (
        1,
        "power",
        "XK-001",
        7,
    )
    assert first.title == "最低生活保障对象认定（低保）"
    assert first.url == "/units/t01-a-1/powers/1/"
    assert first.score == 7.5
    assert second.score == 0.0
    assert results.facets == {
        "kind": [("power", 2)],
        "power_type": [("行政给付", 1), ("行政许可", 1)],
        "year": [(2026, 1), (2025, 1)],
        "unit": [("T01-A-1", 2)],
    }


def test_snippet_is_plain_text_from_the_fragment_or_the_body_start():
    first, second = parse_response(CANNED_RESPONSE, units=fake_unit_facet).hits

    assert first.snippet == "申请人向村委会提出低保申请，乡镇审核后公示七日。"
    assert MARK_START not in first.snippet and MARK_END not in first.snippet
    assert second.snippet == ZHAIJIDI.body


def test_response_without_aggregations():
    response = {"hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}}

    assert parse_response(response) == Results(total=0, hits=[], facets={})


# Backend


def test_search_sends_the_body_to_the_alias(monkeypatch):
    monkeypatch.setattr(elastic, "unit_facet", fake_unit_facet)
    client = FakeClient(response=CANNED_RESPONSE)
    backend = ElasticsearchBackend(client=client, index="sunlight-test")

    results = backend.search(Query("低保", [["低保"]]), offset=20, limit=10)

    assert results.total == 2
    [(name, kwargs)] = client.calls
    assert name == "search"
    assert kwargs["index"] == "sunlight-test"
    assert kwargs["body"] == build_query(Query("低保", [["低保"]]), offset=20, limit=10)


def test_index_writes_only_through_the_alias(bulk_calls):
    backend = ElasticsearchBackend(client=FakeClient(), index="sunlight-test")

    backend.index([DIBAO, ZHAIJIDI])

    [call] = bulk_calls
    assert call["require_alias"] is True
    assert [(a["_index"], a["_id"]) for a in call["actions"]] == [
        ("sunlight-test", 1),
        ("sunlight-test", 2),
    ]
    assert call["actions"][0]["_source"] == to_source(DIBAO)


def test_remove_deletes_and_ignores_documents_already_gone(bulk_calls):
    backend = ElasticsearchBackend(client=FakeClient(), index="sunlight-test")

    backend.remove([1, 2])

    [call] = bulk_calls
    assert call["ignore_status"] == 404
    assert call["actions"] == [
        {"_op_type": "delete", "_index": "sunlight-test", "_id": 1},
        {"_op_type": "delete", "_index": "sunlight-test", "_id": 2},
    ]


def test_rebuild_loads_a_new_index_then_moves_the_alias(bulk_calls):
    client = FakeClient()
    client.indices.aliased = ["sunlight-test-old"]
    backend = ElasticsearchBackend(client=client, index="sunlight-test")

    backend.rebuild(documents=[DIBAO, ZHAIJIDI])

    calls = dict(client.calls)
    new_index = calls["create"]["index"]
    assert new_index.startswith("sunlight-test-")
    assert calls["create"]["body"] == index_definition(new_index).to_dict()
    assert {a["_index"] for a in bulk_calls[0]["actions"]} == {new_index}
    assert calls["update_aliases"]["actions"] == [
        {"remove": {"index": "sunlight-test-old", "alias": "sunlight-test"}},
        {"add": {"index": new_index, "alias": "sunlight-test"}},
    ]
    assert calls["delete"]["index"] == "sunlight-test-old"


def test_failed_rebuild_drops_the_new_index_and_keeps_the_alias(monkeypatch):
    def failing_bulk(client, actions, **kwargs):
        raise BulkIndexError("1 document(s) failed to index.", [{"index": {}}])

    monkeypatch.setattr(elastic, "bulk", failing_bulk)
    client = FakeClient()
    backend = ElasticsearchBackend(client=client, index="sunlight-test")

    with pytest.raises(BackendUnavailable, match="1 documents refused"):
        backend.rebuild(documents=[DIBAO])

    names = [name for name, _ in client.calls]
    assert "update_aliases" not in names
    created = dict(client.calls)["create"]["index"]
    assert dict(client.calls)["delete"]["index"] == created


@pytest.mark.parametrize(
    "error",
    [
        TransportConnectionError("Connection refused"),
        api_error(NotFoundError, 404, "index_not_found_exception"),
    ],
)
def test_client_errors_become_backend_unavailable(error):
    backend = ElasticsearchBackend(client=FakeClient(error=error))

    with pytest.raises(BackendUnavailable) as raised:
        backend.search(Query("低保", [["低保"]]))

    assert raised.value.__cause__ is error


def test_missing_url_is_unavailable_not_a_crash(settings):
    settings.ELASTICSEARCH_URL = ""

    with pytest.raises(BackendUnavailable, match="not set"):
        ElasticsearchBackend()


@pytest.mark.parametrize(
    "action",
    [
        lambda backend: backend.search(Query("低保", [["低保"]])),
        lambda backend: backend.index([DIBAO]),
        lambda backend: backend.remove([1]),
        lambda backend: backend.rebuild(documents=[DIBAO]),
    ],
    ids=["search", "index", "remove", "rebuild"],
)
def test_unreachable_server_fails_fast(settings, action):
    settings.ELASTICSEARCH_URL = "http://127.0.0.1:9"
    backend = ElasticsearchBackend()

    started = time.monotonic()
    with pytest.raises(BackendUnavailable) as raised:
        action(backend)

    assert time.monotonic() - started < 3
    assert isinstance(raised.value.__cause__, TransportError)


# Against a real server


@pytest.mark.skipif(not os.environ.get("ELASTICSEARCH_URL"), reason=NEEDS_SERVER)
def test_rebuild_index_and_find_on_a_real_server(settings):
    settings.ELASTICSEARCH_URL = os.environ["ELASTICSEARCH_URL"]
    alias = f"sunlight-test-{uuid.uuid4().hex[:8]}"
    backend = ElasticsearchBackend(index=alias)
    query = Query("低保", [["低保", "最低生活保障"]])
    try:
        backend.rebuild(documents=[])
        backend.index([DIBAO, ZHAIJIDI])
        backend.client.indices.refresh(index=alias)

        results = backend.search(query)

        assert results.total == 1
        [hit] = results.hits
        assert (hit.document_id, hit.title) == (1, DIBAO.title)
        assert "低保" in hit.snippet
        assert MARK_START not in hit.snippet
        assert results.facets["power_type"] == [("行政给付", 1)]
        assert backend.search(Query("宅基地", [["宅基地"]], year=2026)).total == 0

        backend.remove([1])
        backend.client.indices.refresh(index=alias)
        assert backend.search(query).total == 0
    finally:
        if backend.client.indices.exists_alias(name=alias):
            for index in backend.client.indices.get_alias(name=alias):
                backend.client.indices.delete(index=index)


@pytest.mark.django_db
def test_the_unit_facet_names_units_by_code_as_the_database_does(county):
    """Elasticsearch counts unit paths; the facet is rolled up to the level below
    the filter and named by unit code, exactly as the database backend's."""
    from disclosure.models import UnitPage
    from search.backends.database import unit_facet

    paths = {
        code: UnitPage.objects.get(code=code).path
        for code in ("T01-A-1", "T01-A-2", "T01-A-V1")
    }
    counts = {paths["T01-A-1"]: 2, paths["T01-A-2"]: 1, paths["T01-A-V1"]: 1}
    response = {
        "hits": {"total": {"value": 4, "relation": "eq"}, "hits": []},
        "aggregations": {
            "unit": {
                "buckets": [
                    {"key": path, "doc_count": count} for path, count in counts.items()
                ]
            }
        },
    }
    client = FakeClient(response=response)
    backend = ElasticsearchBackend(client=client, index="sunlight-test")

    results = backend.search(Query("低保", [["低保"]]))

    assert results.facets["unit"] == unit_facet(counts)
    assert results.facets["unit"] == [("T01-A-1", 2), ("T01-A-2", 1), ("T01-A-V1", 1)]
    township = UnitPage.objects.get(code="T01-A").path
    below = backend.search(Query("低保", [["低保"]], unit_path=township))
    assert below.facets["unit"] == unit_facet(counts, township)
