"""The public search page `/search/?q=…` (issue 6, part 5) on the sample lists,
imported and indexed as an administrator would: highlighted and escaped snippets,
facets with counts that keep the query, filters, pages, order, “您是不是要找”,
zero-result logging, bad parameters, the header's query box and a fixed number of
queries."""

import datetime
import io
import re
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import pytest

from disclosure.models import PowerItem, UnitPage
from search.models import Synonym, ZeroResultQuery
from search.service import analyse, clear_synonym_cache
from search.views import highlight
from tests.factories import make_item

SHANGHAI = ZoneInfo("Asia/Shanghai")
SCRIPT = "<script>alert('x')</script>"
#: The search (facets, unit codes of the facet, hits), the units the hits name,
#: the synonyms for “您是不是要找”, the site settings and a zero-result count;
#: no more whatever the number of hits.
MAX_QUERIES = 9


@pytest.fixture(autouse=True)
def fresh_synonyms():
    """The service caches the synonym table; a test that edits it must not leak
    into the next one (the database is rolled back, the cache is not)."""
    clear_synonym_cache()
    yield
    clear_synonym_cache()


@pytest.fixture
def sample(sample_import):
    """The sample county (tests/search/conftest.py), indexed: 16 public items, two
    about 低保 (“低保对象民主评议” by name, “城乡最低生活保障对象审核确认” through
    the synonym)."""
    reindex()


@pytest.fixture
def many(sample):
    """25 more 低保 items in the social affairs office, published over two years."""
    office = UnitPage.objects.get(code="S01-A-1")
    for number in range(25):
        make_item(
            office,
            f"DB-{number:03d}",
            name=f"低保金发放第{number + 1}批",
            power_type="行政给付",
            office="柳溪镇社会事务办公室",
            last_published_at=datetime.datetime(
                2025 if number < 5 else 2026, 3, 1 + number, 9, tzinfo=SHANGHAI
            ),
        )
    reindex()


def reindex():
    call_command("search_reindex", stdout=io.StringIO(), stderr=io.StringIO())


def get(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def main(html):
    return html[html.index("<main") : html.index("</main>")]


def hits(html):
    """[(title html, url)] of the result list, in order."""
    return re.findall(r'<li class="hit">\s*<h3><a href="([^"]+)">(.*?)</a></h3>', html)


def facet(html, name):
    """[(label, count, aria-current)] of one facet group, "不限" left out."""
    group = re.search(
        rf'<nav class="facet" aria-labelledby="facet-{name}">(.*?)</nav>', html, re.S
    )
    assert group, f"no {name} facet"
    return [
        (label, int(count), bool(current))
        for current, label, count in re.findall(
            r'<a href="[^"]*"( aria-current="true")?>([^<]+)<span class="count">（(\d+)）',
            group.group(1),
        )
    ]


def test_dibao_finds_both_items_with_highlights(client, sample):
    html = get(client, q="低保")
    assert "<title>检索：低保 - 阳光权力</title>" in html
    assert 'value="低保"' in html
    assert "找到 2 条结果" in html
    found = hits(html)
    assert [url for url, _ in found] == [
        "/s01/s01-a/s01-a-v1/powers/Q-017/",
        "/s01/s01-a/s01-a-1/powers/Q-001/",
    ]
    assert found[0][1] == "<mark>低保</mark>对象民主评议"
    assert found[1][1] == "城乡<mark>最低生活保障</mark>对象审核确认"
    body = main(html)
    assert "柳溪镇桃源村民委员会" in body and "柳溪镇社会事务办公室" in body
    assert body.count('<span class="kind">权力事项</span>') == 2
    snippets = re.findall(r'<p class="snippet">(.*?)</p>', body)
    assert len(snippets) == 2
    assert all("<mark>" in snippet for snippet in snippets)


def test_results_are_a_list_of_headings_under_the_page_heading(client, sample):
    body = main(get(client, q="审核"))
    assert body.count("<h1>") == 1
    assert '<ol class="hits" start="1">' in body
    assert '<h2 id="results-heading">检索结果</h2>' in body
    assert body.count('<li class="hit">') == body.count("<h3><a href=")


def test_facets_count_every_match_and_keep_the_query(client, sample):
    html = get(client, q="低保")
    assert sorted(facet(html, "power_type")) == [
        ("其他行政权力", 1, False),
        ("行政确认", 1, False),
    ]
    assert sorted(facet(html, "unit")) == [
        ("柳溪镇桃源村民委员会", 1, False),
        ("柳溪镇社会事务办公室", 1, False),
    ]
    assert facet(html, "kind") == [("权力事项", 2, False)]
    assert facet(html, "year") == [(f"{timezone.localdate().year}年", 2, False)]
    links = re.findall(r'<nav class="facet"[^>]*>.*?</nav>', html, re.S)
    assert len(links) == 4
    for group in links:
        for href in re.findall(r'href="([^"]+)"', group):
            assert "q=%E4%BD%8E%E4%BF%9D" in href
            assert "page=" not in href
    assert '<h3 id="facet-power_type">权力类型</h3>' in html


def test_a_power_type_facet_narrows_the_results(client, sample):
    html = get(client, q="低保", power_type="行政确认")
    assert "找到 1 条结果" in html
    assert [url for url, _ in hits(html)] == ["/s01/s01-a/s01-a-1/powers/Q-001/"]
    assert facet(html, "power_type") == [("行政确认", 1, True)]
    assert "已选条件" in html and "权力类型：行政确认" in html
    assert 'href="?q=%E4%BD%8E%E4%BF%9D">清除全部条件</a>' in html


def test_the_unit_filter_takes_the_whole_subtree(client, sample):
    township = get(client, q="低保", unit="S01-A")
    assert "找到 2 条结果" in township
    assert facet(township, "unit")[0] == ("青山县柳溪镇人民政府", 2, True)
    village = get(client, q="低保", unit="S01-A-V1")
    assert [url for url, _ in hits(village)] == ["/s01/s01-a/s01-a-v1/powers/Q-017/"]
    other = get(client, q="低保", unit="S01-J")
    assert "找到 0 条结果" in other


def test_kind_and_year_filters(client, many):
    assert "找到 27 条结果" in get(client, q="低保", kind="power")
    html = get(client, q="低保")
    assert {label: count for label, count, _ in facet(html, "year")} == {
        "2026年": 22,
        "2025年": 5,
    }
    older = get(client, q="低保", year="2025")
    assert "找到 5 条结果" in older
    assert all("DB-00" in url for url, _ in hits(older))


def test_results_come_twenty_to_a_page_with_an_accessible_nav(client, many):
    first = get(client, q="低保")
    assert "找到 27 条结果，第 1/2 页" in first
    assert len(hits(first)) == 20
    assert '<nav class="pagination" aria-label="检索结果分页">' in first
    assert 'aria-current="page" aria-label="第1页，当前页">1</a>' in first
    assert 'href="?q=%E4%BD%8E%E4%BF%9D&amp;page=2" rel="next">下一页</a>' in first
    second = get(client, q="低保", page="2")
    assert len(hits(second)) == 7
    assert '<ol class="hits" start="21">' in second
    urls = {url for url, _ in hits(first)} | {url for url, _ in hits(second)}
    assert len(urls) == 27


def test_pages_past_the_end_or_nonsense_show_a_real_page(client, many):
    assert '<ol class="hits" start="21">' in get(client, q="低保", page="99")
    for page in ("-1", "0", "abc", "99999999999999999999999"):
        html = get(client, q="低保", page=page)
        assert "<ol class=" in html and "找到 27 条结果" in html


def test_pages_keep_the_filters_and_the_order(client, many):
    html = get(client, q="低保", power_type="行政给付", order="date")
    assert "找到 25 条结果" in html
    nav = re.search(r'<nav class="pagination".*?</nav>', html, re.S).group()
    for href in re.findall(r'href="([^"]+)"', nav):
        assert "power_type=%E8%A1%8C%E6%94%BF%E7%BB%99%E4%BB%98" in href
        assert "order=date" in href


def test_date_order_puts_the_newest_first(client, many):
    html = get(client, q="低保", order="date")
    codes = [url.rsplit("/", 2)[-2] for url, _ in hits(html)]
    published = dict(
        PowerItem.objects.filter(code__in=codes).values_list(
            "code", "last_published_at"
        )
    )
    dates = [published[code] for code in codes]
    assert dates == sorted(dates, reverse=True)
    assert ">按时间排序</a>" in html
    assert re.search(r'aria-current="true">按时间排序', html)
    assert '<input type="hidden" name="order" value="date">' in html
    relevance = get(client, q="低保")
    assert re.search(r'aria-current="true">按相关度排序', relevance)
    assert [url for url, _ in hits(relevance)] != [url for url, _ in hits(html)]


def test_did_you_mean_offers_the_first_term_of_a_synonym_group(client, sample):
    html = get(client, q="最低生活保障")
    assert (
        '<p class="suggestion">您是不是要找：<a href="?q=%E4%BD%8E%E4%BF%9D">低保</a></p>'
        in html
    )
    assert "您是不是要找" not in get(client, q="低保")
    assert "您是不是要找" not in get(client, q="审核")


def test_did_you_mean_follows_the_editors_table(client, sample):
    Synonym.objects.create(terms="宅基地、农村村民住宅建设用地")
    html = get(client, q="农村村民住宅建设用地 审批")
    assert "您是不是要找：<a href=" in html
    assert ">宅基地 审批</a>" in html
    Synonym.objects.get(terms__startswith="低保").delete()
    assert "您是不是要找" not in get(client, q="最低生活保障")


def test_a_query_that_finds_nothing_gives_advice_and_is_logged_masked(client, sample):
    html = get(client, q="火星移民补贴 13812345678")
    assert "找到 0 条结果" in html
    assert "没有找到与“火星移民补贴 13812345678”相关的内容" in html
    assert "检查有没有错别字" in html
    assert "筛选结果" not in html
    logged = ZeroResultQuery.objects.get()
    assert logged.count == 1
    assert "13812345678" not in logged.query
    get(client, q="火星移民补贴 13812345678")
    logged.refresh_from_db()
    assert logged.count == 2


def test_an_empty_query_shows_guidance_and_logs_nothing(client, sample):
    for params in ({}, {"q": ""}, {"q": "   "}, {"q": "", "power_type": "行政给付"}):
        html = get(client, **params)
        assert "<title>站内检索 - 阳光权力</title>" in html
        assert "怎样检索" in html
        assert "找到" not in html
    assert 'href="?q=%E4%BD%8E%E4%BF%9D">低保</a>' in html
    assert not ZeroResultQuery.objects.exists()


def test_punctuation_alone_finds_nothing_and_is_not_logged(client, sample):
    html = get(client, q="！？……")
    assert "找到 0 条结果" in html and "检查有没有错别字" in html
    assert not ZeroResultQuery.objects.exists()


def test_a_miss_under_filters_is_not_logged(client, sample):
    html = get(client, q="低保", power_type="行政许可")
    assert "找到 0 条结果" in html
    assert "在所选条件下" in html and "清除筛选条件" in html
    assert not ZeroResultQuery.objects.exists()


def test_markup_in_an_item_is_escaped_around_the_highlights(client, sample):
    office = UnitPage.objects.get(code="S01-A-1")
    make_item(
        office,
        "X-001",
        name=f"低保{SCRIPT}复核",
        conditions=f"低保 & <b>家庭</b> {SCRIPT}",
    )
    reindex()
    html = get(client, q="低保")
    assert "<script>alert" not in html
    assert "<b>家庭</b>" not in html
    assert (
        "<mark>低保</mark>&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;复核" in html
    )
    assert "<mark>低保</mark> &amp; &lt;b&gt;家庭&lt;/b&gt;" in html


def test_a_query_with_markup_is_escaped(client, sample):
    html = get(client, q=SCRIPT)
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "params, message",
    [
        ({"year": "abc"}, "筛选条件“年份”有误"),
        ({"year": "99999"}, "筛选条件“年份”有误"),
        ({"unit": "NOPE"}, "筛选条件“单位”有误（没有这个单位编码）"),
        ({"power_type": "行政审批"}, "筛选条件“权力类型”有误"),
        ({"kind": "secret"}, "筛选条件“类别”有误"),
        ({"order": "random"}, "筛选条件“排序”有误"),
    ],
)
def test_a_bad_parameter_is_named_and_ignored(client, sample, params, message):
    html = get(client, q="低保", **params)
    assert message in html and "已忽略" in html
    assert "找到 2 条结果" in html
    for href in re.findall(r'<nav class="facet".*?</nav>', html, re.S):
        assert list(params.values())[0] not in href


def test_a_long_query_is_cut_with_a_notice(client, sample):
    html = get(client, q="低保" * 80)
    assert "检索词过长，只按前 100 个字检索" in html


def test_every_page_has_the_query_box(client, sample):
    for url in ("/", UnitPage.objects.get(code="S01-A-1").url, "/search/?q=低保"):
        html = client.get(url).content.decode()
        header = re.search(r'<header class="site-header">.*?</header>', html, re.S)
        box = header.group()
        assert (
            '<form class="site-search" role="search" method="get" action="/search/"'
            in box
        )
        assert '<label for="site-search-q">站内检索</label>' in box
        assert 'id="site-search-q" name="q"' in box


def test_the_page_costs_a_fixed_number_of_queries(
    client, many, django_assert_max_num_queries
):
    get(client, q="低保")  # the site settings row and the synonym cache, once

    def cost(**params):
        with CaptureQueriesContext(connection) as queries:
            get(client, **params)
        return len(queries)

    twenty_hits, few_hits = cost(q="低保"), cost(q="低保 评议")
    assert twenty_hits == few_hits == cost(q="低保", page="2") <= MAX_QUERIES
    assert cost(q="低保", unit="S01-A", power_type="行政给付", year="2026") <= (
        twenty_hits + 2  # the unit filter: checked by the form and by the service
    )
    with django_assert_max_num_queries(MAX_QUERIES):
        get(client, q="没有这样的事项", order="date")
    with django_assert_max_num_queries(MAX_QUERIES):
        get(client, q="最低生活保障")  # with “您是不是要找”


def test_highlight_marks_what_matched_not_the_raw_words(sample):
    """The analysed query decides: 民政 is marked in 民政局 but not inside 人民政府,
    a long word's parts where they matched apart, and a synonym where it stands."""
    assert str(highlight("县人民政府<县民政局>", analyse("民政"))) == (
        "县人民政府&lt;县<mark>民政</mark>局&gt;"
    )
    assert str(highlight("高龄老人津贴申领", analyse("高龄津贴"))) == (
        "<mark>高龄</mark>老人<mark>津贴</mark>申领"
    )
    assert str(highlight("特困人员救助供养审核", analyse("五保"))) == (
        "<mark>特困人员</mark>救助<mark>供养</mark>审核"
    )


def test_highlight_escapes_every_piece_and_marks_synonyms(sample):
    query = analyse("低保")
    assert str(highlight("<i>最低生活保障</i> & 低保", query)) == (
        "&lt;i&gt;<mark>最低生活保障</mark>&lt;/i&gt; &amp; <mark>低保</mark>"
    )
    assert str(highlight("amp; lt 低", analyse("amp lt"))) == (
        "<mark>amp</mark>; <mark>lt</mark> 低"
    )
    assert str(highlight("无关内容", query)) == "无关内容"
    assert str(highlight("", query)) == ""
    assert str(highlight("<b>", None)) == "&lt;b&gt;"
