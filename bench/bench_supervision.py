"""纪委 statistics at county scale (issue 9, Performance).

Issue 9's figure: the statistics for a county with 1,000 units and 1,000,000
results render in under 1 s on PostgreSQL, and the dashboards keep a fixed number
of queries whatever the data size.

    .venv/bin/python bench/bench_supervision.py [--rows 1000000] [--units 1000]
        [--database sunlight_bench_sup] [--keep | --reuse] [--repeat 5]

The script builds a scratch PostgreSQL database (127.0.0.1:5432, user postgres):
a county of `--units` units — the county government and its 纪委, departments, and
townships each with a 纪委, offices and villages — with one clerk and one power
item per unit, then bulk-loads with INSERT … SELECT over generate_series: `--rows`
results spread over three years (one in ten disclosed late, 2% still open), a
rating for every fifth result (two in five negative), reports, 问责 records, 督办
orders and two years of patrols for every 纪委. It prints the median of
`--repeat` runs of `supervision.statistics.compute` (month, quarter and year,
for the whole county and for one township) and of whole admin requests (the
statistics page, its XLSX export, the workspace), with their query counts at a
small size and at full size.

The database is dropped and re-created, and dropped at the end unless `--keep`;
`--reuse` keeps one left by `--keep` holding the same number of results.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 1.0
CODE = "BS"
OFFICES = ("党政办公室", "社会事务办公室", "村镇建设办公室", "综合执法队", "财政所")


def parse_args():
    parser = argparse.ArgumentParser(
        description="Time the 纪委 statistics on a bulk-loaded county (issue 9).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="results")
    parser.add_argument("--units", type=int, default=1_000, help="units in the county")
    parser.add_argument(
        "--small",
        type=int,
        default=2_000,
        help="results when queries are first counted",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="sunlight_bench_sup")
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a kept database (implies --keep)"
    )
    options = parser.parse_args()
    if options.database in ("postgres", "template0", "template1", "test", "root"):
        parser.error(f"refusing to drop the database {options.database!r}")
    options.keep = options.keep or options.reuse
    return options


def main():
    options = parse_args()
    url = f"{options.server.rstrip('/')}/{options.database}"
    reused = prepare(options)
    try:
        setup_django(url)
        Bench(options, reused).run()
    finally:
        from django.db import connections

        connections.close_all()
        if not options.keep:
            drop(options)


def _server(options):
    import psycopg

    return psycopg.connect(f"{options.server.rstrip('/')}/postgres", autocommit=True)


def prepare(options):
    with _server(options) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [options.database]
        ).fetchone()
        if exists and options.reuse:
            return True
        conn.execute(f'DROP DATABASE IF EXISTS "{options.database}"')
        conn.execute(f'CREATE DATABASE "{options.database}"')
    return False


def drop(options):
    with _server(options) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{options.database}"')
    print(f"dropped database {options.database}")


def setup_django(url):
    sys.path[:0] = [str(ROOT), str(ROOT / "site")]
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "sunlight.settings.dev"
    import logging

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.ALLOWED_HOSTS = ["*"]
    logging.getLogger("wagtail").setLevel(logging.WARNING)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"migrate: {time.perf_counter() - started:.1f} s", flush=True)


def median_ms(function, repeat):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


class Bench:
    def __init__(self, options, reused):
        self.options = options
        self.reused = reused
        self.counts = {}

    def run(self):
        from disclosure.models import Result

        existing = Result.objects.count()
        if self.reused and existing == self.options.rows:
            print(f"reusing {existing:,} results", flush=True)
        else:
            if existing:
                raise SystemExit("the database holds other data: run without --reuse")
            self.build_county()
            small = min(self.options.small, self.options.rows)
            self.load(0, small)
            self.count_queries(small)
            self.load(small, self.options.rows)
        self.analyze()
        self.count_queries(self.options.rows)
        self.time_statistics()
        self.report_queries()

    # Data ------------------------------------------------------------------------

    def build_county(self):
        from django.contrib.auth import get_user_model

        from disclosure.models import HomePage, PowerItem, UnitGroup, UnitPage
        from disclosure.signals import deferred_unit_refresh

        started = time.perf_counter()
        home = HomePage.objects.get()
        target = self.options.units
        with deferred_unit_refresh():
            county = add_unit(home, CODE, "基准县人民政府", "县", "政府")
            add_unit(county, f"{CODE}-J", "中共基准县纪律检查委员会", "县", "纪委")
            made, number = 2, 0
            while made < target:
                room = target - made
                if room < 20:
                    for extra in range(room):
                        add_unit(
                            county,
                            f"{CODE}-D{extra}",
                            f"基准县第{extra}局",
                            "县",
                            "部门",
                        )
                    made += room
                    break
                town = f"第{number}镇"
                township = add_unit(
                    county, f"{CODE}-{number}", f"{town}人民政府", "乡", "政府"
                )
                add_unit(
                    township,
                    f"{CODE}-{number}-J",
                    f"中共{town}纪律检查委员会",
                    "乡",
                    "纪委",
                )
                for o, office in enumerate(OFFICES):
                    add_unit(
                        township,
                        f"{CODE}-{number}-{o}",
                        f"{town}{office}",
                        "乡",
                        "部门",
                    )
                for v in range(13):
                    add_unit(
                        township,
                        f"{CODE}-{number}-V{v}",
                        f"{town}第{v}村村民委员会",
                        "村",
                        "村(居)委会",
                    )
                made += 20
                number += 1
        units = list(UnitPage.objects.filter(code__startswith=CODE))
        PowerItem.objects.bulk_create(
            PowerItem(
                unit=unit,
                code=f"{unit.code}-1",
                name="城乡最低生活保障对象审核确认",
                power_type="行政确认",
                basis="《基准条例》第一条",
                office=unit.title,
                live=True,
                disclosed=True,
            )
            for unit in units
            if not unit.is_commission
        )
        User = get_user_model()
        User.objects.create_superuser("bench_admin", "admin@example.org", "x")
        groups = {
            (link.unit_id, link.role): link.group_id
            for link in UnitGroup.objects.filter(unit__code__startswith=CODE)
        }
        users = User.objects.bulk_create(
            User(
                username=f"{unit.code.lower()}-{'commission' if unit.is_commission else 'clerk'}",
                last_name=unit.title[:2],
                first_name=f"{unit.pk % 97}号",
            )
            for unit in units
        )
        Through = User.groups.through
        Through.objects.bulk_create(
            Through(
                user_id=user.pk,
                group_id=groups[
                    (unit.pk, "commission" if unit.is_commission else "clerk")
                ],
            )
            for unit, user in zip(units, users, strict=True)
        )
        print(
            f"county: {len(units)} units, items and staff in "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )

    def load(self, start, stop):
        """Results [start, stop) and, in proportion, everything counted with them."""
        from django.db import connection, transaction

        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            for sql in load_statements(start, stop):
                cursor.execute(sql)
        print(
            f"loaded results {start:,}–{stop:,} with ratings, reports, 问责, 督办 "
            f"and patrols in {time.perf_counter() - started:.1f} s",
            flush=True,
        )

    def analyze(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # Measuring -------------------------------------------------------------------

    def users(self):
        from django.contrib.auth import get_user_model

        User = get_user_model()
        return {
            "超级管理员（全县）": User.objects.get(username="bench_admin"),
            "县纪委": User.objects.get(username=f"{CODE.lower()}-j-commission"),
            "乡镇纪委": User.objects.get(username=f"{CODE.lower()}-0-j-commission"),
        }

    def requests(self):
        return {
            "统计页（年）": "/admin/jiwei/statistics/?kind=yearly",
            "统计页（季度）": "/admin/jiwei/statistics/?kind=quarterly",
            "统计页（月）": "/admin/jiwei/statistics/",
            "统计导出 XLSX（年）": "/admin/jiwei/statistics/?kind=yearly&format=xlsx",
            "工作台": "/admin/jiwei/",
            "督办列表": "/admin/jiwei/orders/?show=all",
            "后台首页": "/admin/",
        }

    def count_queries(self, rows):
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        for who, user in self.users().items():
            client = Client()
            client.force_login(user)
            for label, url in self.requests().items():
                client.get(url)
                with CaptureQueriesContext(connection) as captured:
                    response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"{label}: {response.status_code}")
                key = f"{who} {label}"
                self.counts.setdefault(key, []).append(
                    (rows, len(captured.captured_queries))
                )

    def time_statistics(self):
        from django.test import Client
        from django.utils import timezone

        from supervision import access
        from supervision import statistics as stats

        today = timezone.localdate()
        repeat = self.options.repeat
        print()
        print(
            f"== {self.options.rows:,} results, {self.options.units:,} units; median of {repeat} runs =="
        )
        slowest = 0.0
        for who, user in self.users().items():
            units = access.visible_unit_ids(user)
            handlers = stats.handler_scope(user, units)
            scope = "全部" if units is None else f"{len(units)}"
            for kind in ("monthly", "quarterly", "yearly"):
                period = stats.parse_period(kind, "", "", today)
                ms = median_ms(
                    lambda period=period, units=units, handlers=handlers: stats.compute(
                        units, handlers, period
                    ),
                    repeat,
                )
                print(
                    f"  compute  {who:<12}{period.label:<16}（单位 {scope}）{ms:9.1f} ms"
                )
            client = Client()
            client.force_login(user)
            for label, url in self.requests().items():
                client.get(url)
                ms = median_ms(lambda url=url, client=client: client.get(url), repeat)
                if label.startswith("统计"):
                    slowest = max(slowest, ms)
                print(f"  request  {who:<12}{label:<24}{ms:9.1f} ms")
        verdict = "ok" if slowest < LIMIT_SECONDS * 1000 else "OVER 1 s"
        print()
        print(f"slowest statistics request: {slowest:.0f} ms [{verdict}]")

    def report_queries(self):
        print()
        print("queries per request (small size → full size):")
        for key, by_size in self.counts.items():
            sizes = " → ".join(f"{n} ({rows:,} results)" for rows, n in by_size)
            steady = "constant" if len({n for _, n in by_size}) == 1 else "CHANGES"
            if len(by_size) < 2:
                steady = "one size only"
            print(f"  {key:<30}{sizes}  [{steady}]")


def add_unit(parent, code, title, level, unit_type):
    from disclosure.models import UnitPage

    return parent.add_child(
        instance=UnitPage(
            title=title, slug=code.lower(), code=code, level=level, unit_type=unit_type
        )
    )


def load_statements(start, stop):
    """SQL that inserts results [start, stop) and, for the same slice, ratings (a
    fifth of them), reports and 督办 (one in fifty), 问责 (one in two hundred); the
    first slice also writes two years of patrols for every 纪委."""
    items = f"""
        items AS (
            SELECT row_number() OVER (ORDER BY i.id) - 1 AS n, i.id, i.unit_id,
                   u.supervisor_id,
                   (SELECT ug.user_id FROM auth_user_groups ug
                      JOIN disclosure_unitgroup g ON g.group_id = ug.group_id
                     WHERE g.unit_id = i.unit_id AND g.role = 'clerk' LIMIT 1) AS clerk
              FROM disclosure_poweritem i JOIN disclosure_unitpage u ON u.page_ptr_id = i.unit_id
             WHERE u.code LIKE '{CODE}%'
        ),
        counted AS (SELECT count(*) AS c FROM items)"""  # noqa: S608 - constants, no input
    span = "((g::bigint * 7919) % 1095)::int"
    results = f"""
        WITH {items},
        rows AS (
            SELECT g, items.*, current_date - {span} AS result_date
              FROM generate_series({start}, {stop - 1}) g, counted
              JOIN items ON true
             WHERE items.n = g % counted.c
        )
        INSERT INTO disclosure_result (
            live, has_unpublished_changes, first_published_at, last_published_at,
            expired, locked, title, subject_kind, subject, subject_details, act_date,
            result_date, outcome, handling_post, entered_on, disclosed_on, entry_due,
            entry_provisional, disclosure_due, disclosure_provisional, rating_total,
            entered_by_id, item_id, unit_id)
        SELECT true, false, now(), now(), false, false, '低保审核确认 ' || g, 'none', '', '',
               result_date - 2, result_date, '准予。',
               CASE WHEN g % 3 = 0 THEN '低保经办岗' WHEN g % 3 = 1 THEN '审核岗' ELSE '窗口受理岗' END,
               result_date, CASE
                   WHEN (g / 7) % 50 = 0 AND {span} < 30 THEN NULL
                   WHEN (g / 7) % 10 = 0 THEN result_date + 20
                   ELSE result_date + 5 END,
               result_date + 3, false, result_date + 14, false, 0, clerk, id, unit_id
          FROM rows"""  # noqa: S608 - constants, no input
    ratings = f"""
        INSERT INTO disclosure_rating (result_id, unit_id, handling_post, level, voter,
            created_at, comment, comment_original, moderation, moderation_reason,
            reply_provisional, reply)
        SELECT r.id, r.unit_id, r.handling_post, ((r.id / 5) % 5) + 1, md5(r.id::text),
               r.result_date + interval '3 days', '', '', 'none', '', false, ''
          FROM disclosure_result r
         WHERE r.title LIKE '低保审核确认 %' AND r.id % 5 = 0
           AND split_part(r.title, ' ', 2)::bigint BETWEEN {start} AND {stop - 1}"""  # noqa: S608 - constants, no input
    reports = f"""
        WITH {items}
        INSERT INTO complaints_report (code, password_hash, channel, anonymous, identity,
            identity_digest, accused_person, accused_post, accused_unit_id, content,
            category, principal, principal_marked, escalation_missing, routing_reason,
            handler_id, state, received_on, acknowledge_due, transfer_due,
            due_provisional, result, announcement_scope, announcement, created_at)
        SELECT lpad(g::text, 16, '0'), 'x', 'online', true, '', '',
               '某某' || (g % 7), '工作人员', items.unit_id, '内容', '', false, false,
               false, '', items.supervisor_id, 'accepted',
               current_date - {span}, current_date - {span} + 21,
               current_date - {span} + 7, false, '', '', '', now()
          FROM generate_series({start}, {stop - 1}) g, counted
          JOIN items ON true
         WHERE items.n = g % counted.c AND g % 50 = 0 AND items.supervisor_id IS NOT NULL"""  # noqa: S608 - constants, no input
    orders = f"""
        WITH {items}
        INSERT INTO supervision_supervisionorder (commission_id, unit_id, round,
            requirement, state, issued_on, due, due_provisional, closing_note, created_at)
        SELECT items.supervisor_id, items.unit_id, 1, '请整改',
               CASE WHEN g % 4 = 0 THEN 'issued' WHEN g % 4 = 1 THEN 'replied' ELSE 'closed' END,
               current_date - {span}, current_date - {span} + 14, false, '', now()
          FROM generate_series({start}, {stop - 1}) g, counted
          JOIN items ON true
         WHERE items.n = g % counted.c AND g % 50 = 1 AND items.supervisor_id IS NOT NULL"""  # noqa: S608 - constants, no input
    accountability = f"""
        WITH {items}
        INSERT INTO supervision_accountability (commission_id, unit_id, person, post,
            circumstance, method, decided_on, basis, facts, published_on, created_at)
        SELECT items.supervisor_id, items.unit_id, '某某' || (g % 7), '工作人员', '8-3',
               CASE WHEN g % 2 = 0 THEN '通报批评' ELSE '谈话提醒' END,
               current_date - {span}, '第八条', '未及时录入。', NULL, now()
          FROM generate_series({start}, {stop - 1}) g, counted
          JOIN items ON true
         WHERE items.n = g % counted.c AND g % 200 = 2 AND items.supervisor_id IS NOT NULL"""  # noqa: S608 - constants, no input
    statements = [results, ratings, reports, orders, accountability]
    if start == 0:
        statements.append(
            f"""
            INSERT INTO supervision_patrol (commission_id, date, session, summary, created_at)
            SELECT u.page_ptr_id, d::date, s, '', now()
              FROM disclosure_unitpage u,
                   generate_series(current_date - 730, current_date - 1, interval '1 day') d,
                   (VALUES ('am'), ('pm')) AS sessions(s)
             WHERE u.unit_type = '纪委' AND u.code LIKE '{CODE}%'
               AND extract(isodow FROM d) < 6"""  # noqa: S608 - constants, no input
        )
    return statements


if __name__ == "__main__":
    main()
