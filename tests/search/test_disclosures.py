"""Results and decisions in the search index (issue 6: "indexes results and
decisions too"): published ones are found, drafts and withdrawn ones are not, a
private person's name never enters the index, a decision's withheld part neither."""

import pytest

from disclosure.models import Result, UnitPage
from search.models import SearchDocument
from tests.disclosure.test_public_results import decision
from tests.factories import make_item, make_result

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(county):
    return make_item(
        UnitPage.objects.get(code="T01-A-1"), "R-1", name="最低生活保障对象审核确认"
    )


def search(client, q):
    return client.get("/api/v1/search/", {"q": q}).json()


def kinds(client, q):
    return [hit["kind"] for hit in search(client, q)["results"]]


def test_a_published_result_is_found_and_a_draft_is_not(client, item):
    make_result(item, title="柳树村一户低保审核确认", publish=False)
    assert "result" not in kinds(client, "柳树村")
    published = make_result(item, title="河东村一户低保审核确认")
    hits = search(client, "河东村 低保")["results"]
    assert hits[0]["kind"] == "result"
    assert hits[0]["url"].endswith(f"/results/{published.pk}/")
    assert hits[0]["unit_code"] == "T01-A-1" and hits[0]["code"] == "R-1"


def test_withdrawn_and_deleted_results_leave_the_index(client, item):
    result = make_result(item, title="河东村一户低保审核确认")
    result.unpublish()
    assert "result" not in kinds(client, "河东村")
    again = make_result(item, title="河东村另一户低保审核确认")
    Result.objects.get(pk=again.pk).delete()
    assert not SearchDocument.objects.filter(kind="result").exists()


def test_a_result_follows_its_item(client, item):
    make_result(item, title="河东村一户低保审核确认")
    item.save_revision().publish(skip_permission_checks=True)
    item.unpublish()
    assert "result" not in kinds(client, "河东村")


def test_a_private_name_is_never_indexed(client, item):
    make_result(
        item,
        title="河东村一户低保审核确认公示",
        subject_kind="person",
        subject="钟启明",
        subject_details="家庭人口 3 人",
        publicity_days=7,
    )
    assert search(client, "钟启明")["count"] == 0
    assert not SearchDocument.objects.filter(body__contains="钟启明").exists()


def test_a_decision_is_found_without_its_withheld_part(client, county):
    decision(UnitPage.objects.get(code="T01-A"), withheld="干部家庭情况说明")
    assert kinds(client, "人居环境整治") == ["decision"]
    assert search(client, "干部家庭情况")["count"] == 0
