"""Wagtail's generic edit, history, usage, copy and workflow views check only
model-wide permissions; these check the record named in the URL too (found by
tests/sunlight/test_admin_walk.py): another office's staff are refused, the owners and
the supervising 纪委 still get their pages."""

from django.urls import reverse

import pytest

from disclosure import ratings
from disclosure.models import DisclosureCatalog, Objection, UnitPage
from tests.factories import make_item, make_result, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(county):
    office = UnitPage.objects.get(code="T01-A-1")
    result = make_result(make_item(office, "S-1", name="临时救助审批"))
    rating = ratings.submit(result, 2, "经办人一直不回电话", "browser-token-scope-1")
    objection = Objection.objects.create(
        result=result, content="公示对象家有轿车", answer_due="2030-01-01"
    )
    draft = make_item(office, "S-2", name="草稿事项", live=False)
    people = {
        "owner": staff(office, "clerk", "owner_clerk"),
        "commission": staff(UnitPage.objects.get(code="T01-A-J"), "commission"),
        "stranger": staff(UnitPage.objects.get(code="T01-A-2"), "clerk", "stranger"),
    }
    catalog = DisclosureCatalog.objects.get(unit=office)
    catalog.save_revision(user=people["owner"])
    catalog_views = "wagtailsnippets_disclosure_disclosurecatalog"
    urls = {
        "catalog_edit": reverse(f"{catalog_views}:edit", args=[catalog.pk]),
        "catalog_history": reverse(f"{catalog_views}:history", args=[catalog.pk]),
        "catalog_inspect": reverse(f"{catalog_views}:inspect", args=[catalog.pk]),
        "rating_history": reverse("disclosure_ratings:history", args=[rating.pk]),
        "rating_usage": reverse("disclosure_ratings:usage", args=[rating.pk]),
        "objection_history": reverse(
            "disclosure_objections:history", args=[objection.pk]
        ),
        "objection_usage": reverse("disclosure_objections:usage", args=[objection.pk]),
        "result_workflow_history": reverse(
            "wagtailsnippets_disclosure_result:workflow_history", args=[result.pk]
        ),
        "item_copy": reverse(
            "wagtailsnippets_disclosure_poweritem:copy", args=[draft.pk]
        ),
    }
    return people, urls


def test_another_offices_staff_are_refused(client, setup):
    people, urls = setup
    client.force_login(people["stranger"])
    for name, url in urls.items():
        response = client.get(url)
        # Wagtail's admin turns PermissionDenied into a redirect home with a message.
        assert response.status_code in (302, 403), name
        if response.status_code == 302:
            assert response.url == reverse("wagtailadmin_home"), name


def test_the_owning_office_still_reaches_them(client, setup):
    people, urls = setup
    client.force_login(people["owner"])
    for name, url in urls.items():
        assert client.get(url).status_code == 200, name


def test_the_supervising_commission_reads_the_history(client, setup):
    people, urls = setup
    client.force_login(people["commission"])
    for name in ("rating_history", "rating_usage"):
        assert client.get(urls[name]).status_code == 200, name
