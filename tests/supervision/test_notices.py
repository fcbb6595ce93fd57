"""问责 records, their public 通报 and the search index."""

from django.utils import timezone

import pytest

from search.models import SearchDocument
from search.service import search
from supervision import notices
from supervision.errors import SupervisionError
from supervision.search import NOTICE_KIND

pytestmark = pytest.mark.django_db

FIELDS = {
    "person": "吴某",
    "post": "社会事务办副主任",
    "circumstance": "8-3",
    "method": "通报批评",
    "basis": "《权力运行监督问责办法（试行）》第八条第（三）项",
    "facts": "未按规定及时录入临时救助办理结果，造成不良影响。",
}


def record(people, **overrides):
    return notices.record(
        people["township_jiwei"],
        people["units"]["T01-A-J"],
        people["units"]["T01-A-1"],
        **{**FIELDS, "decided_on": timezone.localdate(), **overrides},
    )


def test_personal_data_is_refused_with_the_field_named(people):
    with pytest.raises(SupervisionError, match="主要问题.*身份证号"):
        record(people, facts="吴某（身份证号11010519491231002X）未及时录入。")
    with pytest.raises(SupervisionError, match="问责情形"):
        record(people, circumstance="99")


def test_talks_are_not_published(people):
    entry = record(people, method="诫勉谈话")
    with pytest.raises(SupervisionError, match="一般不向社会公开"):
        notices.publish(people["township_jiwei"], entry)


def test_a_published_notice_shows_what_notices_carry_and_nothing_more(client, people):
    entry = record(people)
    assert client.get(entry.get_url()).status_code == 404
    notices.publish(people["township_jiwei"], entry)
    with pytest.raises(SupervisionError, match="已于"):
        notices.publish(people["township_jiwei"], entry)
    page = client.get(entry.get_url()).content.decode()
    for text in (
        FIELDS["person"],
        FIELDS["post"],
        "东河镇社会事务办公室",
        "第八条（直接责任人员）",
        "通报批评",
        FIELDS["facts"],
    ):
        assert text in page
    assert "dh_jiwei" not in page and "登记人" not in page
    listing = client.get("/accountability/").content.decode()
    assert "问责通报" in listing and entry.get_url() in listing
    home = client.get("/").content.decode()
    assert 'href="/accountability/"' in home

    document = SearchDocument.objects.get(kind=NOTICE_KIND, object_id=entry.pk)
    assert document.url == entry.get_url()
    found = search("临时救助 问责")
    assert any(hit.url == entry.get_url() for hit in found.hits)

    notices.withdraw(people["township_jiwei"], entry)
    assert client.get(entry.get_url()).status_code == 404
    assert not SearchDocument.objects.filter(kind=NOTICE_KIND).exists()
