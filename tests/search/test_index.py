"""The index holds exactly what the public may see, and follows every change."""

import logging
from io import StringIO

from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from wagtail.actions.move_page import MovePageAction

import pytest

from disclosure.models import PowerItem, UnitPage
from search import service
from search.backends import database
from search.backends.base import BackendUnavailable, SearchBackend
from search.models import SearchDocument, Synonym
from tests.factories import make_item

pytestmark = pytest.mark.django_db


def unit(code):
    return UnitPage.objects.get(code=code)


def codes(text, **filters):
    return [hit.code for hit in service.search(text, limit=100, **filters).hits]


def publish(code, unit_code="T01-A-1", steps=(), **fields):
    """A new item published the way Wagtail publishes (sends `published`)."""
    item = make_item(unit(unit_code), code, steps=steps, live=False, **fields)
    item.save_revision().publish()
    return PowerItem.objects.get(pk=item.pk)


def test_a_published_item_is_found_by_any_of_its_fields(county):
    publish(
        "A-1",
        name="农村村民住宅建设用地审批",
        conditions="本集体经济组织成员且一户只能拥有一处宅基地",
        steps=[{"name": "审查踏勘", "post": "村镇建设办", "risk": "违规超占面积"}],
    )
    assert codes("宅基地") == ["A-1"]
    assert codes("超占面积") == ["A-1"]
    assert codes("东河镇 宅基地") == ["A-1"]  # a unit's title and its ancestors'
    assert codes("测试县人民政府 宅基地") == ["A-1"]
    document = SearchDocument.objects.get()
    assert document.title == "农村村民住宅建设用地审批"
    assert document.url == "/t01/t01-a/t01-a-1/powers/A-1/"
    assert document.unit_path == unit("T01-A-1").path


def test_a_draft_is_never_searchable(county):
    make_item(unit("T01-A-1"), "D-1", name="宅基地审批", live=False)
    item = PowerItem.objects.get(code="D-1")
    item.save_revision()
    assert codes("宅基地") == []
    assert not SearchDocument.objects.exists()


def test_a_non_disclosed_item_is_never_searchable(county):
    publish(
        "N-1",
        name="信访积案化解方案审定",
        disclosed=False,
        withheld_reason="涉及个人信息",
    )
    assert codes("信访积案") == []
    assert not SearchDocument.objects.exists()


def test_withdrawing_disclosure_removes_the_document(county):
    item = publish("N-2", name="信访积案化解方案审定")
    assert codes("信访积案") == ["N-2"]
    item.disclosed, item.withheld_reason = False, "涉及个人信息"
    item.save_revision().publish()
    assert codes("信访积案") == []


def test_unpublishing_removes_the_document(county):
    item = publish("U-1", name="临时救助金发放")
    assert codes("临时救助") == ["U-1"]
    item.unpublish()
    assert codes("临时救助") == []
    assert not SearchDocument.objects.exists()


def test_deleting_removes_the_document(county):
    item = publish("X-1", name="临时救助金发放")
    item.delete()
    assert codes("临时救助") == []
    assert not SearchDocument.objects.exists()


def test_a_pending_draft_does_not_change_what_is_found(county):
    item = publish("P-1", name="临时救助金发放")
    item.name = "宅基地审批"
    item.save_revision()
    assert codes("临时救助") == ["P-1"]
    assert codes("宅基地") == []


def test_moving_a_unit_moves_its_documents(county, django_capture_on_commit_callbacks):
    publish("M-1", name="临时救助金发放")
    with django_capture_on_commit_callbacks(execute=True):
        MovePageAction(unit("T01-A-1"), unit("T01"), pos="last-child").execute(
            skip_permission_checks=True
        )
    document = SearchDocument.objects.get()
    assert document.unit_path == unit("T01-A-1").path
    assert document.url == "/t01/t01-a-1/powers/M-1/"
    assert "测试县东河镇人民政府" not in document.body
    assert codes("临时救助", unit_code="T01-A") == []
    assert codes("临时救助", unit_code="T01") == ["M-1"]


def test_a_unit_move_is_reindexed_by_a_task_after_the_commit(
    county, django_capture_on_commit_callbacks
):
    """The subtree is background work (django-tasks), enqueued only once the move
    is committed: nothing is re-indexed inside the moving transaction."""
    from django_tasks.signals import task_enqueued

    publish("M-2", name="临时救助金发放")
    before = SearchDocument.objects.get().unit_path
    enqueued = []

    def record(sender, task_result, **kwargs):
        if task_result.task.name == "reindex_subtree":
            enqueued.append(task_result.args)

    task_enqueued.connect(record)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            MovePageAction(unit("T01-A-1"), unit("T01"), pos="last-child").execute(
                skip_permission_checks=True
            )
        assert SearchDocument.objects.get().unit_path == before
        assert enqueued == []
        for callback in callbacks:
            callback()
    finally:
        task_enqueued.disconnect(record)
    assert enqueued == [[unit("T01-A-1").pk, True]]
    assert SearchDocument.objects.get().unit_path == unit("T01-A-1").path


def test_renaming_a_unit_renames_it_in_the_documents_below(
    county, django_capture_on_commit_callbacks
):
    publish("R-1", name="临时救助金发放")
    township = unit("T01-A")
    township.title = "测试县西山镇人民政府"
    with django_capture_on_commit_callbacks(execute=True):
        township.save_revision().publish()
    assert codes("西山镇 临时救助") == ["R-1"]
    assert "测试县东河镇人民政府" not in SearchDocument.objects.get().body


def test_unpublishing_a_unit_hides_the_branch_and_republishing_restores_it(
    county, django_capture_on_commit_callbacks
):
    publish("B-1", name="临时救助金发放")
    township = unit("T01-A")
    with django_capture_on_commit_callbacks(execute=True):
        township.unpublish()
    assert codes("临时救助") == []
    with django_capture_on_commit_callbacks(execute=True):
        township.save_revision().publish()
    assert codes("临时救助") == ["B-1"]


def test_an_approved_import_is_searchable_at_once(sample_import):
    assert "Q-006" in codes("宅基地")


def test_search_reindex_rebuilds_everything_with_a_progress_bar(county, capsys):
    publish("S-1", name="临时救助金发放")
    publish("S-2", name="特困人员救助供养审核")
    SearchDocument.objects.filter(code="S-1").delete()
    out = StringIO()
    call_command("search_reindex", stdout=out)
    assert "2 条检索文档" in out.getvalue()
    assert "建立索引" in capsys.readouterr().err
    assert sorted(codes("救助")) == ["S-1", "S-2"]
    call_command("search_reindex", stdout=StringIO())
    assert sorted(codes("救助")) == ["S-1", "S-2"]


def test_synonym_changes_apply_at_once(county):
    publish("Y-1", name="城乡最低生活保障对象审核确认")
    assert codes("低保") == ["Y-1"]  # a default synonym group
    Synonym.objects.filter(terms__contains="低保").update(active=False)
    service.clear_synonym_cache()
    assert codes("低保") == []
    Synonym.objects.create(terms="低保 最低生活保障")
    assert codes("低保") == ["Y-1"]


def test_the_fulltext_structures_come_back_after_a_migration(county):
    """SQLite drops a table's triggers when Django rebuilds the table."""
    database.uninstall(connection)
    database.repair(using=connection.alias)
    database.backend_for().rebuild()
    publish("T-1", name="临时救助金发放")
    assert codes("临时救助") == ["T-1"]


def test_facets_and_filters(county):
    publish("F-1", name="临时救助金发放", power_type="行政给付")
    publish("F-2", "T01-A-V1", name="临时救助对象评议", power_type="其他行政权力")
    publish("F-3", "T01-A-2", name="临时救助房屋鉴定", power_type="行政确认")
    results = service.search("临时救助")
    assert results.total == 3
    year = SearchDocument.objects.first().year
    assert results.facets["kind"] == [("power", 3)]
    assert results.facets["year"] == [(year, 3)]
    assert sorted(results.facets["power_type"]) == [
        ("其他行政权力", 1),
        ("行政确认", 1),
        ("行政给付", 1),
    ]
    # One county, one township: the facet drills down to where matches differ.
    assert sorted(results.facets["unit"]) == [
        ("T01-A-1", 1),
        ("T01-A-2", 1),
        ("T01-A-V1", 1),
    ]
    assert codes("临时救助", power_type="行政给付") == ["F-1"]
    assert codes("临时救助", unit_code="T01-A-V1") == ["F-2"]
    assert codes("临时救助", year=year) != []
    assert codes("临时救助", year=year - 1) == []
    assert codes("临时救助", kind="decision") == []
    assert codes("临时救助", unit_code="NOPE") == []


def test_title_matches_rank_first_and_date_order_is_newest_first(county):
    for number in range(4):  # bm25 needs words that not every document has
        publish(f"Z-{number}", name=f"公务接待审批{number}")
    publish("O-1", name="村级事务审核", basis="《社会救助暂行办法》；临时救助")
    publish("O-2", name="临时救助金发放")
    assert codes("临时救助")[0] == "O-2"
    assert codes("临时救助", order="date")[0] == "O-2"


class BrokenBackend(SearchBackend):
    def search(self, query, offset=0, limit=20):
        raise BackendUnavailable("connection refused")


@override_settings(ELASTICSEARCH_URL="http://127.0.0.1:9")
def test_an_unreachable_elasticsearch_falls_back_to_the_database(
    county, monkeypatch, caplog
):
    publish("E-1", name="临时救助金发放")
    monkeypatch.setitem(service._elastic, "backend", BrokenBackend())
    monkeypatch.setitem(service._elastic, "down_until", 0.0)
    with caplog.at_level(logging.WARNING, logger="search.service"):
        assert codes("临时救助") == ["E-1"]
    assert "Elasticsearch search failed" in caplog.text
    assert service.elastic_backend() is None  # resting for a while


def test_editors_keep_synonyms_in_the_admin(client, county):
    from tests.factories import UserFactory

    publish("W-1", name="城乡最低生活保障对象审核确认")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    listing = client.get("/admin/snippets/search/synonym/")
    assert listing.status_code == 200
    assert "低保、最低生活保障" in listing.content.decode()
    assert codes("兜底保障") == []
    response = client.post(
        "/admin/snippets/search/synonym/add/",
        {"terms": "兜底保障、最低生活保障", "active": "on"},
    )
    assert response.status_code == 302
    assert codes("兜底保障") == ["W-1"]


def test_editors_see_the_zero_result_report(client, county):
    from tests.factories import UserFactory

    service.record_zero_result("无此事项 13812345678")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    response = client.get("/admin/reports/search-zero-results/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "无此事项 138****5678" in html
    assert "13812345678" not in html


@pytest.fixture
def decisions_from_items():
    """A stand-in second kind, registered as results and decisions will be: every
    public item also yields a 'decision' document titled “…决策”."""
    from search import analysis, documents

    def build(object_ids=None, units=None):
        for batch in documents.build_power_documents(object_ids, units):
            for document in batch:
                document.kind = SearchDocument.Kind.DECISION
                document.title += "决策"
                document.title_tokens = analysis.index_tokens(document.title)
            yield batch

    source = documents.Source(
        kind=SearchDocument.Kind.DECISION,
        build=build,
        count=lambda: documents.public_power_items().count(),
        ids_below=lambda path: PowerItem.objects.filter(
            unit__path__startswith=path
        ).values_list("pk", flat=True),
    )
    saved = dict(documents.SOURCES)
    documents.register(source)
    yield source
    documents.SOURCES.clear()
    documents.SOURCES.update(saved)


def test_a_registered_kind_is_indexed_reindexed_and_moved(
    county, decisions_from_items, django_capture_on_commit_callbacks
):
    from search import indexing

    item = publish("K-1", name="临时救助金发放")
    assert codes("临时救助") == ["K-1"]  # the power item, on publish
    indexing.index_objects(SearchDocument.Kind.DECISION, [item.pk])
    assert sorted(codes("临时救助")) == ["K-1", "K-1"]
    assert codes("临时救助", kind="decision") == ["K-1"]
    SearchDocument.objects.all().delete()
    call_command("search_reindex", stdout=StringIO(), stderr=StringIO())
    assert sorted(SearchDocument.objects.values_list("kind", flat=True)) == [
        "decision",
        "power",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        MovePageAction(unit("T01-A-1"), unit("T01"), pos="last-child").execute(
            skip_permission_checks=True
        )
    paths = set(SearchDocument.objects.values_list("unit_path", flat=True))
    assert paths == {unit("T01-A-1").path}
    assert codes("临时救助", unit_code="T01-A") == []


def test_pages_stay_consistent_past_the_rank_window(county, monkeypatch):
    """PostgreSQL ranks only the first matches (RANK_WINDOW); every page must still
    show each match once, title hits first."""
    monkeypatch.setattr(database.PostgresBackend, "rank_window", 3)
    for number in range(4):
        publish(f"W-{number}", name=f"临时救助金发放{number}")
    for number in range(3):
        publish(f"X-{number}", name=f"村级事务审核{number}", basis="临时救助")
    pages = [codes_page("临时救助", offset) for offset in range(0, 8, 2)]
    seen = [code for page in pages for code in page]
    assert len(seen) == len(set(seen)) == 7
    assert {code[0] for code in seen[:4]} == {"W"}
    assert service.search("临时救助", offset=7).hits == []


def codes_page(text, offset):
    return [hit.code for hit in service.search(text, offset=offset, limit=2).hits]
