"""Routing public URLs to unit pages: the units named by a URL are read in one
query (disclosure.models.pages.UnitTreeRouteMixin), with Wagtail's own behaviour
kept — sub-routes, 404s, drafts, moves and slug changes."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

import pytest

from disclosure.models import UnitPage
from tests.factories import make_item, make_result, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def village(county):
    return make_unit(
        UnitPage.objects.get(code="T01-A-1"), code="T01-A-1-V", title="深处的村"
    )


def page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    tree = [q for q in queries.captured_queries if '"wagtailcore_page"' in q["sql"]]
    return response, len(tree)


def test_every_level_and_sub_route_is_served(client, county, village):
    item = make_item(village, "R-1", name="深处的事项")
    result = make_result(item, title="深处的结果")
    for url, text in (
        (county.url, "测试县人民政府"),
        (UnitPage.objects.get(code="T01-A").url, "测试县东河镇人民政府"),
        (village.url, "深处的村"),
        (village.url + "powers/R-1/", "深处的事项"),
        (village.url + "results/", "深处的结果"),
        (village.url + f"results/{result.pk}/", "深处的结果"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_a_deep_page_costs_the_same_tree_queries_as_a_shallow_one(
    client, county, village
):
    _, shallow = page_queries(client, county.url + "results/")
    response, deep = page_queries(client, village.url + "results/")
    assert response.status_code == 200
    assert deep == shallow  # Wagtail alone: two more queries per level


def test_unknown_draft_and_wrong_urls_are_404(client, county, village):
    assert client.get(county.url + "no-such-unit/").status_code == 404
    assert client.get(village.url + "no-such-route/").status_code == 404
    assert client.get("/t01-a-1-v/").status_code == 404  # not at the top level
    village.unpublish()
    assert client.get(village.url).status_code == 404


def test_moved_and_renamed_units_answer_at_their_new_url(client, county, village):
    old = village.url
    township = UnitPage.objects.get(code="T01-A")
    village.move(township, pos="last-child")
    village.refresh_from_db()
    assert village.url != old
    moved = client.get(old)  # Wagtail's automatic redirect, not the old page
    assert moved.status_code == 301 and moved["Location"] == village.url
    assert client.get(village.url).status_code == 200
    village.slug = "renamed"
    village.save_revision().publish()
    village.refresh_from_db()
    assert village.url.endswith("/renamed/")
    assert client.get(village.url).status_code == 200
