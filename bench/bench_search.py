"""Search quality and speed (issue 6).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sunlight_bench \
        .venv/bin/python bench/bench_search.py [--items 100000] [--quality-items 2000]

1. Quality, on a small labelled corpus: recall@10 and precision@10 of our search and of
   Wagtail's built-in database search backend over the same public items, for 36
   labelled queries (sub-phrases, abbreviations/synonyms, multi-term, law names,
   queries whose only matches are closed items), and the latency ratio.
   recall@10 = |top 10 ∩ relevant| / min(10, |relevant|).
2. Scale: `search_reindex` of `--items` items (3 steps each) and p95 latency of 50
   queries through `search.service.search` (analysis, facet counts over every match,
   the first page with snippets), each query run once per round after one warm-up
   round; the p95 of every round is printed and their median is the figure (a shared
   machine is noisy: one round's p95 is its third-slowest query).
The database named in DATABASE_URL is dropped and re-created (PostgreSQL); without it
a throwaway SQLite file is used.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "site")]

CONCEPTS = [
    # (name, basis, conditions, office, tags)
    (
        "城乡最低生活保障对象审核确认",
        "《社会救助暂行办法》第十一条",
        "家庭人均收入低于当地最低生活保障标准",
        "社会事务办",
        {"低保", "救助"},
    ),
    (
        "特困人员救助供养审核",
        "《社会救助暂行办法》第十四条",
        "无劳动能力、无生活来源",
        "社会事务办",
        {"特困", "五保", "救助"},
    ),
    (
        "临时救助金发放",
        "《社会救助暂行办法》第四十七条",
        "因火灾、交通事故导致基本生活困难",
        "社会事务办",
        {"临时救助", "救助"},
    ),
    (
        "农村村民宅基地审批",
        "《中华人民共和国土地管理法》第六十二条",
        "一户一宅，面积符合标准",
        "村镇建设办",
        {"宅基地", "土地管理法"},
    ),
    (
        "农村危房改造补助资金审核",
        "《农村危房改造补助资金管理办法》第五条",
        "住房安全等级鉴定为C级或D级",
        "村镇建设办",
        {"危房改造"},
    ),
    (
        "乡村建设规划许可证核发",
        "《中华人民共和国城乡规划法》第四十一条",
        "符合村庄规划",
        "村镇建设办",
        {"规划许可", "城乡规划法"},
    ),
    (
        "违法建设行为行政处罚",
        "《中华人民共和国城乡规划法》第六十五条",
        "未取得乡村建设规划许可证进行建设",
        "综合执法队",
        {"违法建设", "城乡规划法", "处罚"},
    ),
    (
        "高龄老人津贴申领审核",
        "《老年人权益保障法》第三十三条",
        "年满80周岁的本县户籍老年人",
        "社会事务办",
        {"高龄津贴", "老年人"},
    ),
    (
        "困难残疾人生活补贴和重度残疾人护理补贴审核",
        "《残疾人保障法》第四十八条",
        "持有第二代残疾人证",
        "残联",
        {"残疾人两项补贴", "残疾人"},
    ),
    (
        "农业机械购置补贴申请受理",
        "《中华人民共和国农业机械化促进法》第二十七条",
        "购买列入补贴目录的农机具",
        "农业服务中心",
        {"农机补贴"},
    ),
    (
        "林木采伐许可证核发",
        "《中华人民共和国森林法》第五十六条",
        "采伐林地上的林木",
        "林业站",
        {"采伐许可", "森林法"},
    ),
    (
        "动物防疫条件合格证核发",
        "《中华人民共和国动物防疫法》第二十五条",
        "养殖场选址符合要求",
        "畜牧兽医站",
        {"动物防疫"},
    ),
    (
        "村级小型工程项目建设审批",
        "《村级小微权力清单》第八条",
        "项目金额5万元以下",
        "村民委员会",
        {"村级工程", "小微权力"},
    ),
    (
        "村集体资产资源发包出租",
        "《中华人民共和国村民委员会组织法》第二十四条",
        "经村民代表会议讨论决定",
        "村民委员会",
        {"集体资产", "村民委员会组织法"},
    ),
    (
        "一事一议筹资筹劳方案审议",
        "《村民一事一议筹资筹劳管理办法》第六条",
        "经村民会议讨论通过",
        "村民委员会",
        {"一事一议"},
    ),
    (
        "三重一大事项集体决策",
        "《三重一大事项决策监督办法》第三条",
        "重大决策、重要人事任免、重大项目安排、大额资金使用",
        "党政办",
        {"三重一大"},
    ),
    (
        "食品经营许可证核发",
        "《中华人民共和国食品安全法》第三十五条",
        "有与经营食品相适应的场所",
        "市场监管所",
        {"食品经营许可", "食品安全法"},
    ),
    (
        "城乡居民基本医疗保险参保登记",
        "《中华人民共和国社会保险法》第二十五条",
        "本县户籍未参加职工医保的居民",
        "社保所",
        {"医保", "社会保险法"},
    ),
]
UNIT_NAMES = [
    "柳溪镇",
    "石桥乡",
    "青龙镇",
    "白马乡",
    "河口镇",
    "新华镇",
    "三合乡",
    "太平镇",
]
QUERIES = [
    ("低保", lambda t: "低保" in t),
    ("最低生活保障", lambda t: "低保" in t),
    ("五保", lambda t: "五保" in t),
    ("特困人员", lambda t: "特困" in t),
    ("宅基地", lambda t: "宅基地" in t),
    ("危房改造", lambda t: "危房改造" in t),
    ("土地管理法", lambda t: "土地管理法" in t),
    ("城乡规划法", lambda t: "城乡规划法" in t),
    ("规划许可", lambda t: "规划许可" in t),
    ("违法建设", lambda t: "违法建设" in t),
    ("高龄津贴", lambda t: "高龄津贴" in t),
    ("残疾人", lambda t: "残疾人" in t),
    ("农机 补贴", lambda t: "农机补贴" in t),
    ("采伐", lambda t: "采伐许可" in t),
    ("森林法", lambda t: "森林法" in t),
    ("动物防疫", lambda t: "动物防疫" in t),
    ("村级工程", lambda t: "村级工程" in t),
    ("集体资产", lambda t: "集体资产" in t),
    ("一事一议", lambda t: "一事一议" in t),
    ("三重一大", lambda t: "三重一大" in t),
    ("食品经营", lambda t: "食品经营许可" in t),
    ("食品安全法", lambda t: "食品安全法" in t),
    ("医保", lambda t: "医保" in t),
    ("社会保险法", lambda t: "社会保险法" in t),
    ("临时救助", lambda t: "临时救助" in t),
    ("救助", lambda t: "救助" in t),
    (
        "社会救助暂行办法",
        lambda t: bool(t & {"低保", "特困", "临时救助"}),
    ),
    ("柳溪镇 宅基地", lambda t: "宅基地" in t and "柳溪镇" in t),
    ("石桥乡 低保", lambda t: "低保" in t and "石桥乡" in t),
    ("老年人 津贴", lambda t: "高龄津贴" in t),
    ("小微权力", lambda t: "小微权力" in t),
    ("村民委员会组织法", lambda t: "村民委员会组织法" in t),
    ("处罚 违法建设", lambda t: "违法建设" in t),
    ("危房", lambda t: "危房改造" in t),
    ("信访积案化解", lambda t: "信访" in t),  # only in closed items: must find nothing
    ("涉密文件管理", lambda t: "涉密" in t),  # only in a non-disclosed item
]


def setup(database_url):
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "1")
    os.environ["DJANGO_SETTINGS_MODULE"] = "sunlight.settings.dev"
    if database_url.startswith("postgres"):
        import psycopg

        name = database_url.rsplit("/", 1)[1]
        with psycopg.connect(
            database_url.rsplit("/", 1)[0] + "/postgres", autocommit=True
        ) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


SYNONYMS = ["低保、最低生活保障", "五保、特困人员", "农机、农业机械", "医保、医疗保险"]


def ensure_synonyms():
    """The synonym groups an editor keeps in the CMS (同义词), if not there already."""
    from search.models import Synonym

    for terms in SYNONYMS:
        first = terms.split("、")[0]
        if not Synonym.objects.filter(terms__contains=first).exists():
            Synonym.objects.create(terms=terms)


def build(count):
    """Units per township, items cycling through the concepts; returns {item id: tags}."""
    from django.utils import timezone

    from disclosure.models import HomePage, PowerItem, ProcessStep, UnitPage
    from disclosure.signals import deferred_unit_refresh

    home = HomePage.objects.get()
    units = []
    with deferred_unit_refresh():
        county = home.add_child(
            instance=UnitPage(
                title="基准县人民政府",
                slug="bench",
                code="BQ",
                level="县",
                unit_type="政府",
            )
        )
        for n, town in enumerate(UNIT_NAMES):
            township = county.add_child(
                instance=UnitPage(
                    title=f"{town}人民政府",
                    slug=f"bq-{n}",
                    code=f"BQ-{n}",
                    level="乡",
                    unit_type="政府",
                )
            )
            units.append((township, town))
    now = timezone.now()
    tags, batch = {}, []
    for n in range(count):
        name, basis, conditions, office, concept_tags = CONCEPTS[n % len(CONCEPTS)]
        unit, town = units[(n // len(CONCEPTS)) % len(units)]
        closed = n % 50 == 49
        item = PowerItem(
            unit=unit,
            code=f"B-{n:06d}",
            name=f"{name}（{n}）" if n >= len(CONCEPTS) * len(units) else name,
            power_type="行政确认",
            basis=basis,
            conditions=conditions,
            office=f"{town}{office}",
            time_limit="10个工作日",
            duties="受理、审查、决定",
            responsible=f"{town}人民政府",
            accountability="违规办理的",
            live=True,
            disclosed=not closed,
            withheld_reason="涉及信访积案当事人隐私；涉密文件管理" if closed else "",
            last_published_at=now,
            first_published_at=now,
        )
        batch.append((item, concept_tags | {town}, closed))
    PowerItem.objects.bulk_create([item for item, _, _ in batch], batch_size=2000)
    steps = [
        ProcessStep(
            item=item,
            sort_order=order,
            name=step,
            post="经办岗",
            risk="审核不严" if order == 1 else "",
            risk_level="二级" if order == 1 else "",
            prevention="双人复核" if order == 1 else "",
        )
        for item, _, _ in batch
        for order, step in enumerate(("受理", "审查", "决定"))
    ]
    ProcessStep.objects.bulk_create(steps, batch_size=5000)
    for item, item_tags, closed in batch:
        if not closed:
            tags[item.code] = item_tags
    return tags


def quality(tags):
    from wagtail.search.backends import get_search_backend

    from disclosure.models import PowerItem
    from search.service import search

    wagtail = get_search_backend("default")
    public = PowerItem.objects.filter(live=True, disclosed=True)
    for model in (PowerItem,):
        index = wagtail.get_index_for_model(model)
        index.add_items(model, list(public))
    rows = []
    for text, relevant_if in QUERIES:
        relevant = {code for code, item_tags in tags.items() if relevant_if(item_tags)}
        t0 = time.perf_counter()
        ours = [hit.code for hit in search(text, limit=10).hits]
        t1 = time.perf_counter()
        theirs = [item.code for item in wagtail.search(text, public)[:10]]
        t2 = time.perf_counter()
        rows.append((text, relevant, ours, theirs, t1 - t0, t2 - t1))
    return rows


def score(relevant, got):
    if not relevant:
        return (1.0 if not got else 0.0), (1.0 if not got else 0.0)
    hits = len(set(got) & relevant)
    return hits / min(10, len(relevant)), (hits / len(got) if got else 0.0)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--quality-items", type=int, default=2_000)
    parser.add_argument(
        "--rounds", type=int, default=5, help="timed rounds of the 50 queries"
    )
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="sunlight-search-bench-"))
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{folder / 'bench.sqlite3'}"
    setup(url)
    from django.core.management import call_command

    from search.service import search

    ensure_synonyms()
    tags = build(options.quality_items)
    call_command("search_reindex", verbosity=0)
    rows = quality(tags)
    ours_r, ours_p, theirs_r, theirs_p = [], [], [], []
    for text, relevant, ours, theirs, _, _ in rows:
        r, p = score(relevant, ours)
        ours_r.append(r)
        ours_p.append(p)
        r, p = score(relevant, theirs)
        theirs_r.append(r)
        theirs_p.append(p)
        if ours_r[-1] < 1 or ours_p[-1] < 0.8:
            print(
                f"  weak: {text!r}: recall {ours_r[-1]:.2f} precision {ours_p[-1]:.2f}"
            )
    ratio = sum(row[4] for row in rows) / max(sum(row[5] for row in rows), 1e-9)
    print(
        f"database: {url.split('://')[0]}; {len(QUERIES)} labelled queries on {options.quality_items} items"
    )
    print(
        f"ours:    recall@10 {statistics.mean(ours_r):.2f}  precision@10 {statistics.mean(ours_p):.2f}"
    )
    print(
        f"wagtail: recall@10 {statistics.mean(theirs_r):.2f}  precision@10 {statistics.mean(theirs_p):.2f}"
    )
    print(f"latency ratio ours/wagtail: {ratio:.2f}")

    from disclosure.models import PowerItem, UnitPage

    PowerItem.objects.all().delete()
    UnitPage.objects.filter(code__startswith="BQ").delete()
    build(options.items)
    t0 = time.perf_counter()
    call_command("search_reindex", verbosity=0)
    reindex = time.perf_counter() - t0
    texts = [text for text, _ in QUERIES] + [
        "救助 审核",
        "许可证",
        "补贴",
        "处罚",
        "村民委员会",
        "镇 救助",
        "土地",
        "规划",
        "津贴",
        "审批",
        "登记",
        "防疫",
        "发包",
        "决策",
    ]
    texts = texts[:50]
    for text in texts:
        search(text, limit=20)
    rounds = []
    for _ in range(options.rounds):
        times = []
        for text in texts:
            t0 = time.perf_counter()
            search(text, limit=20)
            times.append(time.perf_counter() - t0)
        times.sort()
        rounds.append(
            (
                statistics.median(times) * 1000,
                times[int(0.95 * (len(times) - 1))] * 1000,
            )
        )
    print(
        f"search_reindex of {options.items} items ({options.items * 3} steps): {reindex:.1f} s"
    )
    print("p95 per round: " + ", ".join(f"{p95:.0f}" for _, p95 in rounds) + " ms")
    print(
        f"{len(texts)} queries on {options.items} items, median of {len(rounds)} rounds: "
        f"p50 {statistics.median(p50 for p50, _ in rounds):.0f} ms, "
        f"p95 {statistics.median(p95 for _, p95 in rounds):.0f} ms"
    )


if __name__ == "__main__":
    main()
