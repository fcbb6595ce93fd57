"""Time a unit page with 1,000 public items and an item page, warm.

Issue 4's figure: a fixed number of queries whatever the item count, p95 under
150 ms warm.

    DEBUG=1 .venv/bin/python bench/bench_public_pages.py [--items 1000] [--requests 200]

Without DATABASE_URL a throwaway SQLite file is built and migrated. With it, the
bench unit and its items are added to that database and removed afterwards.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TYPES = ["行政许可", "行政处罚", "行政确认", "行政给付", "行政检查", "公共服务"]
LEVELS = ["一级", "二级", "三级"]


def setup_django():
    sys.path[:0] = [str(ROOT), str(ROOT / "site")]
    if not os.environ.get("DATABASE_URL"):
        folder = Path(tempfile.mkdtemp(prefix="sunlight-bench-"))
        os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    from sunlight import settings_module

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(items):
    """A published unit with `items` public items of 4 steps each, a few withheld
    items, 负面清单 entries and 变更记录."""
    from django.utils import timezone

    from disclosure.models import (
        HomePage,
        ItemChange,
        NegativeListItem,
        PowerItem,
        ProcessStep,
        UnitPage,
    )

    code = f"BENCH{os.getpid()}"
    unit = UnitPage(
        title="基准测试镇人民政府",
        slug=code.lower(),
        code=code,
        level="乡",
        unit_type="政府",
    )
    HomePage.objects.get().add_child(instance=unit)
    now = timezone.now()
    created = PowerItem.objects.bulk_create(
        PowerItem(
            unit=unit,
            code=f"P-{n:05d}",
            name=f"基准事项{n}：农村村民宅基地审批（面积<200㎡）",
            power_type=TYPES[n % len(TYPES)],
            basis="《中华人民共和国土地管理法》第六十二条",
            conditions="符合土地利用总体规划，一户一宅",
            office=f"业务股室{n % 9}",
            time_limit=f"{n % 30 + 1}个工作日",
            duties="1.受理责任；2.审查责任；3.决定责任",
            responsible="分管领导",
            accountability="1.不依法受理的；2.违规审批的",
            index_number=f"{code}-2026-{n:05d}",
            catalog_version=1,
            live=True,
            disclosed=n % 100 != 99,
            withheld_reason="" if n % 100 != 99 else "涉及个人隐私",
            last_published_at=now,
        )
        for n in range(items)
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(
            item=item,
            sort_order=order,
            name=f"环节{order + 1}",
            post="经办岗",
            time_limit="2个工作日",
            branch="不予受理——一次性书面告知理由" if order == 0 else "",
            risk="调查不实，对不符合条件的申请予以通过" if order == 1 else "",
            risk_level=LEVELS[n % 3] if order == 1 else "",
            prevention="两人以上实地核查" if order == 1 else "",
        )
        for n, item in enumerate(created)
        for order in range(4)
    )
    ItemChange.objects.bulk_create(
        ItemChange(item=item, version=1, published_at=now, created=True)
        for item in created
    )
    NegativeListItem.objects.bulk_create(
        NegativeListItem(
            unit=unit, post="窗口岗", act=f"禁止行为{n}", consequence="处分"
        )
        for n in range(30)
    )
    return UnitPage.objects.get(pk=unit.pk)


def remove(unit):
    from disclosure.models import NegativeListItem, PowerItem

    PowerItem.objects.filter(unit=unit).delete()
    NegativeListItem.objects.filter(unit=unit).delete()
    unit.delete()


def measure(client, url, requests):
    """(p50 ms, p95 ms, queries of one request) over `requests` warm requests."""
    for _ in range(20):
        get(client, url)
    queries = count_queries(client, url)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        get(client, url)
        timings.append((time.perf_counter() - started) * 1000)
    cuts = statistics.quantiles(timings, n=100)
    return cuts[49], cuts[94], queries


def count_queries(client, url):
    from django.db import connection

    queries = []

    def record(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        get(client, url)
    return len(queries)


def get(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    options = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.test import Client

    started = time.perf_counter()
    unit = build(options.items)
    print(
        f"database: {connection.vendor}; built {options.items} items "
        f"× 4 steps in {time.perf_counter() - started:.1f} s"
    )
    client = Client(HTTP_HOST="localhost")
    item = unit.url + unit.reverse_subpage("power_item", kwargs={"code": "P-00500"})
    pages = [
        ("unit page (权力清单, page 1)", unit.url),
        (
            "unit page (风险防控清单, filtered, page 3)",
            unit.url + "?list=risks&power_type=行政许可&page=3",
        ),
        ("unit page (权力清单, last page)", unit.url + "?page=50"),
        ("item page", item),
    ]
    try:
        print(f"{options.requests} warm requests each (Django test client):")
        for label, url in pages:
            p50, p95, queries = measure(client, url, options.requests)
            verdict = "ok" if p95 < 150 else "OVER 150 ms"
            print(
                f"  {label:<40} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
                f"{queries:2d} queries  [{verdict}]"
            )
    finally:
        remove(unit)


if __name__ == "__main__":
    main()
