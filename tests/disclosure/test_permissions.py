"""A unit's staff never see another unit's drafts; a 纪委 sees, never edits, what it
supervises (DESIGN: people and roles; security notes)."""

from django.urls import reverse

from wagtail.test.utils.form_data import inline_formset, nested_form_data

import pytest

from disclosure.admin_views import format_datetime
from disclosure.models import UnitGroup, UnitPage
from tests.factories import UserFactory, add_page, make_unit, staff

Role = UnitGroup.Role
DRAFT_TITLE = "东河镇村镇建设办公室（草稿：拟更名为规划建设办公室）"
DRAFT_CHILD_TITLE = "未发布的规划股"

#: Upper bound for the 监督单位 list, whatever the number of units.
SUPERVISION_LIST_QUERIES = 17


def unit(code):
    return UnitPage.objects.get(code=code)


def edit_url(page):
    return reverse("wagtailadmin_pages:edit", args=[page.pk])


@pytest.fixture
def sibling(county):
    """Unit B (T01-A-2) with an unpublished title change and an unpublished child."""
    office = unit("T01-A-2")
    office.title = DRAFT_TITLE
    office.save_revision()
    child = add_page(
        office,
        UnitPage(
            title=DRAFT_CHILD_TITLE,
            slug="guihua",
            code="T01-A-2-1",
            level="乡",
            unit_type="部门",
            live=False,
        ),
    )
    child.save_revision()
    return unit("T01-A-2")


@pytest.fixture
def clerk(county):
    """The 录入员 of unit A (T01-A-1)."""
    return staff(unit("T01-A-1"), Role.CLERK)


@pytest.fixture
def township_commission(county):
    return staff(unit("T01-A-J"), Role.COMMISSION, username="dongHe_jiwei")


def assert_denied(response):
    """Wagtail answers a forbidden page action by sending the user back to the
    dashboard with an error message; nothing of the page is shown."""
    assert response.status_code == 302, response.status_code
    assert response.url == reverse("wagtailadmin_home")


# A clerk and a sibling unit ------------------------------------------------


def test_clerk_cannot_open_the_sibling_units_edit_view(client, clerk, sibling):
    client.force_login(clerk)

    response = client.get(edit_url(sibling))

    assert_denied(response)
    assert DRAFT_TITLE not in response.content.decode()


def test_clerk_cannot_save_over_the_sibling_unit(client, clerk, sibling):
    client.force_login(clerk)
    revisions = sibling.revisions.count()

    response = client.post(edit_url(sibling), {"title": "篡改"})

    assert_denied(response)
    assert sibling.revisions.count() == revisions


def test_clerk_cannot_view_the_sibling_units_draft(client, clerk, sibling):
    client.force_login(clerk)

    response = client.get(reverse("wagtailadmin_pages:view_draft", args=[sibling.pk]))

    assert_denied(response)
    assert DRAFT_TITLE not in response.content.decode()


def test_clerk_cannot_preview_the_sibling_unit(client, clerk, sibling):
    client.force_login(clerk)

    response = client.get(
        reverse("wagtailadmin_pages:preview_on_edit", args=[sibling.pk])
    )

    assert_denied(response)
    assert DRAFT_TITLE not in response.content.decode()


def test_sibling_is_not_listed_in_the_clerks_explorer(client, clerk, sibling):
    client.force_login(clerk)
    township = unit("T01-A")

    response = client.get(
        reverse("wagtailadmin_explore", args=[township.pk]), follow=True
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "东河镇社会事务办公室" in html
    assert reverse("wagtailadmin_explore", args=[sibling.pk]) not in html
    assert edit_url(sibling) not in html
    assert DRAFT_TITLE not in html


def test_sibling_draft_is_not_found_by_admin_search(client, clerk, sibling):
    search = reverse("wagtailadmin_pages:search")
    hidden = [f"/admin/pages/{unit(code).pk}/" for code in ("T01-A-2", "T01-A-2-1")]
    client.force_login(UserFactory(username="root", is_superuser=True))
    found = client.get(search, {"q": DRAFT_CHILD_TITLE}).content.decode()
    assert hidden[1] in found, "the search index knows the draft page"

    client.force_login(clerk)
    own = client.get(search, {"q": "东河镇社会事务办公室"})
    assert edit_url(unit("T01-A-1")) in own.content.decode()
    for query in (DRAFT_TITLE, "东河镇村镇建设办公室", DRAFT_CHILD_TITLE):
        response = client.get(search, {"q": query})

        assert response.status_code == 200
        html = response.content.decode()
        assert not any(url in html for url in hidden), query


def test_drafts_never_reach_the_public_site(client, sibling):
    draft_child = unit("T01-A-2-1")

    assert (
        client.get(draft_child.url or "/t01/t01-a/t01-a-2/guihua/").status_code == 404
    )
    response = client.get(sibling.url)
    assert response.status_code == 200
    assert DRAFT_TITLE not in response.content.decode()
    assert "东河镇村镇建设办公室" in response.content.decode()


def test_clerk_can_edit_and_save_a_draft_of_their_own_unit(client, clerk, county):
    office = unit("T01-A-1")
    client.force_login(clerk)

    assert client.get(edit_url(office)).status_code == 200
    response = client.post(
        edit_url(office),
        nested_form_data(
            {
                "title": office.title,
                "slug": office.slug,
                "code": office.code,
                "level": office.level,
                "unit_type": office.unit_type,
                "supervisor_override": "",
                "duties": "负责低保、特困供养和临时救助的受理与初审。",
                "address": "东河镇人民路1号",
                "phone": "0818-7410023",
                "comments": inline_formset([]),
            }
        ),
    )

    assert response.status_code == 302
    draft = unit("T01-A-1").get_latest_revision_as_object()
    assert draft.duties == "负责低保、特困供养和临时救助的受理与初审。"
    assert unit("T01-A-1").has_unpublished_changes


def test_clerk_cannot_publish_their_own_unit(client, clerk, county):
    office = unit("T01-A-1")
    client.force_login(clerk)

    response = client.post(
        edit_url(office),
        nested_form_data(
            {
                "title": "擅自发布",
                "slug": office.slug,
                "code": office.code,
                "level": office.level,
                "unit_type": office.unit_type,
                "supervisor_override": "",
                "duties": "",
                "address": "",
                "phone": "",
                "comments": inline_formset([]),
                "action-publish": "action-publish",
            }
        ),
    )

    assert response.status_code == 302
    office = unit("T01-A-1")
    assert office.title == "东河镇社会事务办公室"
    assert office.get_latest_revision_as_object().title == "擅自发布"


# The 纪委's read-only view -------------------------------------------------


def supervision_url(page=None):
    if page is None:
        return reverse("disclosure_supervision_index")
    return reverse("disclosure_supervision_unit", args=[page.pk])


def test_commission_lists_the_units_it_supervises(client, township_commission, sibling):
    client.force_login(township_commission)

    response = client.get(supervision_url())

    assert response.status_code == 200
    html = response.content.decode()
    for code in ("T01-A", "T01-A-1", "T01-A-2", "T01-A-V1", "T01-A-2-1"):
        assert supervision_url(unit(code)) in html, code
    for code in ("T01", "T01-J", "T01-A-J"):
        assert supervision_url(unit(code)) not in html, code
    assert "有草稿" in html
    assert format_datetime(unit("T01-A-1").last_published_at) in html


def test_commission_reads_a_supervised_units_draft(
    client, township_commission, sibling
):
    client.force_login(township_commission)

    response = client.get(supervision_url(sibling))

    assert response.status_code == 200
    html = response.content.decode()
    assert DRAFT_TITLE in html
    assert "已发布，有未发布的修改" in html
    assert "中共东河镇纪律检查委员会" in html
    assert edit_url(sibling) not in html
    assert supervision_url(unit("T01-A-2-1")) in html


def test_commission_reads_a_never_published_unit(client, township_commission, sibling):
    client.force_login(township_commission)

    response = client.get(supervision_url(unit("T01-A-2-1")))

    assert response.status_code == 200
    assert DRAFT_CHILD_TITLE in response.content.decode()
    assert "未发布（仅有草稿）" in response.content.decode()


def test_commission_cannot_edit_what_it_supervises(
    client, township_commission, sibling
):
    client.force_login(township_commission)

    for code in ("T01-A", "T01-A-2"):
        response = client.get(edit_url(unit(code)))
        assert_denied(response)
        assert DRAFT_TITLE not in response.content.decode()
    assert_denied(
        client.get(reverse("wagtailadmin_pages:view_draft", args=[sibling.pk]))
    )


@pytest.mark.parametrize("code", ["T01", "T01-J", "T01-A-J"])
def test_commission_gets_403_outside_its_scope(client, township_commission, code):
    client.force_login(township_commission)

    assert client.get(supervision_url(unit(code))).status_code == 403


def test_county_commission_sees_township_units_and_their_commission(client, county):
    user = staff(unit("T01-J"), Role.COMMISSION)
    client.force_login(user)

    html = client.get(supervision_url()).content.decode()

    for code in ("T01", "T01-A-J", "T01-A", "T01-A-1", "T01-A-V1"):
        assert supervision_url(unit(code)) in html, code
    assert client.get(supervision_url(unit("T01-A-1"))).status_code == 200
    assert client.get(supervision_url(unit("T01-J"))).status_code == 403


def test_unknown_unit_is_404(client, township_commission):
    client.force_login(township_commission)

    assert (
        client.get(reverse("disclosure_supervision_unit", args=[999999])).status_code
        == 404
    )


def test_supervision_view_is_only_for_commission_staff(client, clerk):
    client.force_login(clerk)

    assert client.get(supervision_url()).status_code == 403
    assert client.get(supervision_url(unit("T01-A-1"))).status_code == 403


def test_menu_shows_supervision_to_commission_staff_only(
    client, clerk, township_commission
):
    client.force_login(clerk)
    assert (
        supervision_url()
        not in client.get(reverse("wagtailadmin_home")).content.decode()
    )

    client.force_login(township_commission)
    assert (
        supervision_url() in client.get(reverse("wagtailadmin_home")).content.decode()
    )

    client.force_login(UserFactory(username="root", is_superuser=True))
    assert (
        supervision_url() in client.get(reverse("wagtailadmin_home")).content.decode()
    )


def test_supervision_list_needs_constant_queries(
    client, township_commission, django_assert_max_num_queries
):
    client.force_login(township_commission)
    client.get(supervision_url())
    with django_assert_max_num_queries(SUPERVISION_LIST_QUERIES) as few:
        client.get(supervision_url())

    township = unit("T01-A")
    for number in range(3, 13):
        make_unit(township, code=f"T01-A-{number}", unit_type="部门")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(supervision_url())

    assert "T01-A-12" in response.content.decode()
