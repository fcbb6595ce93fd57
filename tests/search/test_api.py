"""/api/v1/search/ as the interface contract has it, measured on the sample lists."""

import csv
import json
import statistics
from pathlib import Path

import pytest

from search.models import ZeroResultQuery
from tests.search.conftest import SAMPLE

pytestmark = pytest.mark.django_db

QUERIES = json.loads(
    (Path(__file__).resolve().parent / "data" / "queries.json").read_text("utf-8")
)
URL = "/api/v1/search/"


def sample_rows():
    with open(SAMPLE / "powers.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def ask(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.content.decode()
    return response.json()


def test_the_labelled_queries_reach_the_contract_figures(client, sample_import):
    """recall@10 ≥ 0.95 and precision@10 ≥ 0.8, nothing closed ever returned, and
    nothing at all for queries whose only matches are closed items."""
    rows = sample_rows()
    unit_of = {row["事项编码"]: row["单位编码"] for row in rows}
    closed = {
        (row["单位编码"], row["事项编码"])
        for row in rows
        if row["涉密"] == "是" or row["是否公开"] == "否"
    }
    recalls, precisions = [], []
    for query in QUERIES:
        body = ask(client, q=query["q"], limit=100)
        found = [(hit["unit_code"], hit["code"]) for hit in body["results"]]
        assert not set(found) & closed, query["q"]
        relevant = {(unit_of[code], code) for code in query["relevant"]}
        top = found[: max(10, len(relevant))]
        if not relevant:
            assert top == [], query["q"]
            continue
        hits = len(set(top) & relevant)
        recalls.append(hits / len(relevant))
        precisions.append(hits / len(top) if top else 0.0)
    assert statistics.mean(recalls) >= 0.95
    assert statistics.mean(precisions) >= 0.8


def test_a_result_has_the_contract_fields(client, sample_import):
    body = ask(client, q="宅基地")
    assert body["count"] == 1
    (hit,) = body["results"]
    assert set(hit) == {"kind", "code", "title", "unit", "unit_code", "url", "snippet"}
    assert hit["kind"] == "power"
    assert hit["code"] == "Q-006"
    assert hit["title"] == "农村村民住宅建设用地审批"
    assert hit["unit"] == "柳溪镇村镇建设办公室"
    assert hit["unit_code"] == "S01-A-2"
    assert hit["url"] == "http://testserver/s01/s01-a/s01-a-2/powers/Q-006/"
    assert "宅基地" in hit["snippet"]
    assert len(hit["snippet"]) <= 120


def test_the_url_is_on_the_host_that_was_asked(client, sample_import):
    response = client.get(URL, {"q": "宅基地"}, HTTP_HOST="localhost")
    assert response.json()["results"][0]["url"].startswith("http://localhost/")


def test_snippets_are_plain_text(client, county):
    from tests.search.test_index import publish

    publish("L-1", name="宅基地审批", conditions="面积<200㎡且<b>一户一宅</b>")
    (hit,) = ask(client, q="宅基地")["results"]
    assert "面积<200㎡且<b>一户一宅</b>" in hit["snippet"]
    assert "<mark>" not in hit["snippet"]


def test_limit_defaults_to_20_and_is_capped_at_100(client, county):
    from tests.search.test_index import publish

    for number in range(105):
        publish(f"C-{number:03d}", name=f"临时救助审批{number}")
    body = ask(client, q="临时救助")
    assert body["count"] == 105
    assert len(body["results"]) == 20
    assert len(ask(client, q="临时救助", limit=100)["results"]) == 100
    assert len(ask(client, q="临时救助", limit=500)["results"]) == 100
    assert len(ask(client, q="临时救助", limit=100, offset=100)["results"]) == 5


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"q": "低保", "limit": "abc"}, "limit"),
        ({"q": "低保", "limit": "0"}, "limit"),
        ({"q": "低保", "limit": "-5"}, "limit"),
        ({"q": "低" * 101}, "q"),
        ({"q": "低保", "power_type": "行政审批"}, "power_type"),
        ({"q": "低保", "year": "去年"}, "year"),
        ({"q": "低保", "kind": "news"}, "kind"),
    ],
)
def test_bad_parameters_are_a_400_in_chinese(client, params, param):
    response = client.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][0]["param"] == param
    assert any("\u4e00" <= char <= "\u9fff" for char in body["detail"])


def test_an_unknown_unit_is_a_404(client, sample_import):
    response = client.get(URL, {"q": "低保", "unit": "NOPE"})
    assert response.status_code == 404
    assert "NOPE" in response.json()["detail"]


def test_an_empty_query_finds_nothing(client, sample_import):
    assert ask(client, q="") == {"count": 0, "results": []}
    assert ask(client) == {"count": 0, "results": []}
    assert ask(client, q="  ，。 ") == {"count": 0, "results": []}
    assert not ZeroResultQuery.objects.exists()


def test_filters_keep_to_a_unit_subtree_and_a_power_type(client, sample_import):
    township = ask(client, q="审核", unit="S01-A-1", limit=100)
    assert {hit["unit_code"] for hit in township["results"]} == {"S01-A-1"}
    allowances = ask(client, q="审核", power_type="行政给付", limit=100)
    assert {hit["code"] for hit in allowances["results"]} == {
        "Q-002",
        "Q-004",
        "Q-005",
        "Q-008",
    }
    assert ask(client, q="审核", unit="S01-J")["count"] == 0


def test_zero_result_queries_are_counted_without_personal_data(client, sample_import):
    ask(client, q="无此事项 13812345678", limit=5)
    ask(client, q="无此事项  13812345678", limit=5)
    (logged,) = ZeroResultQuery.objects.all()
    assert logged.query == "无此事项 138****5678"
    assert logged.count == 2
    fields = {field.name for field in ZeroResultQuery._meta.get_fields()}
    assert fields == {"id", "query", "count", "last_seen"}


def test_long_zero_result_queries_are_cut_to_100_characters(client, sample_import):
    ask(client, q="无" * 100)
    assert len(ZeroResultQuery.objects.get().query) == 100


def test_a_miss_caused_by_a_filter_is_not_logged(client, sample_import):
    ask(client, q="宅基地", power_type="行政处罚")
    assert not ZeroResultQuery.objects.exists()


def test_a_search_costs_a_fixed_number_of_queries(
    client, sample_import, django_assert_max_num_queries
):
    ask(client, q="低保")  # synonyms cached, jieba loaded
    with django_assert_max_num_queries(5):
        ask(client, q="柳溪镇 救助", limit=100)
