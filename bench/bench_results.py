"""一事一公开 deadline scans at county scale (issue 5).

Issue 5's figures: the overdue scan over 1,000,000 result records on PostgreSQL
finishes in under 5 s (set-based SQL on indexed due dates), and dashboards and
public lists run a fixed number of queries whatever the data size.

    .venv/bin/python bench/bench_results.py [--rows 1000000] [--sqlite-rows 200000]
        [--database sunlight_results_bench] [--keep | --reuse] [--explain]

For each backend (PostgreSQL, then SQLite unless `--sqlite-rows 0`) the script
builds a scratch database: a county of units with staff, live public items, and
result rows spread over three years (about 2% still undisclosed, most of those
recent, the rest long overdue; one in ten entered or disclosed late), bulk-loaded
with COPY (PostgreSQL) or executemany (SQLite). It then prints:

- the median of `--repeat` runs of each scan: `check_deadlines`'s candidate scan,
  `overdue_by_unit()`, `open_overdue().count()`, the deadline dashboard's first
  page (`ResultDeadlineReport`'s queryset, ordered by urgency) and its count, the
  per-unit summary, and whole requests for the dashboards and public lists;
- one full `check_deadlines()` run (notices recorded, digests e-mailed to the
  local-memory backend) and a second one, which must record nothing;
- `recompute_deadlines()`, what a calendar change triggers;
- the query count of each list and dashboard at `--small` rows and at full size;
- EXPLAIN ANALYZE (PostgreSQL) or EXPLAIN QUERY PLAN (SQLite) of the scans: the
  indexes used and the execution time, whole plans with `--explain`.

The PostgreSQL database (127.0.0.1:5432, user postgres, or `--server`) is dropped
and re-created, and dropped again at the end unless `--keep`. `--reuse` keeps a
database left by `--keep` when it holds the same number of rows (no 40 s migrate,
no reload) and keeps it afterwards. SQLite uses a throwaway file.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LIMIT_SECONDS = 5.0
BENCH_CODE = "BR"
TOWNSHIPS = ("柳溪镇", "石桥乡", "青龙镇", "白马乡")
OFFICES = ("党政办公室", "社会事务办公室", "村镇建设办公室", "综合执法队", "财政所")
VILLAGES = ("桃源村", "白果村", "河东社区")
ITEMS = (
    ("行政确认", "城乡最低生活保障对象审核确认"),
    ("行政许可", "乡村建设规划许可证核发"),
    ("行政处罚", "违法建设行为行政处罚"),
    ("行政给付", "高龄老人津贴发放"),
    ("公共服务", "村级小型工程项目建设审批"),
)
YEARS_BACK = 3
RECENT_DAYS = 14
OPEN_RECENT = 0.7
OPEN_OLD = 0.01
LATE_SHARE = 0.1
COLUMNS = (
    "live",
    "has_unpublished_changes",
    "first_published_at",
    "last_published_at",
    "expired",
    "locked",
    "title",
    "subject_kind",
    "subject",
    "subject_details",
    "act_date",
    "result_date",
    "outcome",
    "handling_post",
    "entered_on",
    "disclosed_on",
    "entry_due",
    "entry_provisional",
    "disclosure_due",
    "disclosure_provisional",
    "rating_total",
    "entered_by_id",
    "item_id",
    "unit_id",
)


# Orchestration -----------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Time the 一事一公开 overdue scans and count dashboard/list queries "
        "on bulk-loaded result rows (issue 5).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="result rows on PostgreSQL"
    )
    parser.add_argument(
        "--sqlite-rows",
        type=int,
        default=200_000,
        help="result rows on SQLite (0 skips SQLite)",
    )
    parser.add_argument(
        "--small",
        type=int,
        default=1_000,
        help="rows at which query counts are taken first, to compare with full size",
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs per timing (the median is shown)"
    )
    parser.add_argument(
        "--server",
        default="postgres://postgres@127.0.0.1:5432",
        help="PostgreSQL server URL, without the database name",
    )
    parser.add_argument(
        "--database",
        default="sunlight_results_bench",
        help="scratch PostgreSQL database (dropped and re-created)",
    )
    parser.add_argument(
        "--backend",
        choices=("postgres", "sqlite", "both"),
        default="both",
        help="which databases to run",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the PostgreSQL database afterwards"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse a kept PostgreSQL database holding --rows rows (implies --keep)",
    )
    parser.add_argument(
        "--explain", action="store_true", help="print whole query plans"
    )
    parser.add_argument("--seed", type=int, default=20261124, help=argparse.SUPPRESS)
    parser.add_argument(
        "--child", choices=("postgres", "sqlite"), help=argparse.SUPPRESS
    )
    parser.add_argument("--figures-file", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.database in ("postgres", "template0", "template1", "test"):
        parser.error(f"refusing to drop the database {options.database!r}")
    if options.reuse:
        options.keep = True
    return options


def main():
    options = parse_args()
    if options.child:
        run_child(options)
        return
    backends = (
        ["postgres", "sqlite"] if options.backend == "both" else [options.backend]
    )
    if options.sqlite_rows <= 0 and "sqlite" in backends:
        backends.remove("sqlite")
    figures = {}
    folder = Path(tempfile.mkdtemp(prefix="sunlight-results-bench-"))
    for backend in backends:
        out = folder / f"{backend}.json"
        command = [sys.executable, __file__, *sys.argv[1:], "--child", backend]
        command += ["--figures-file", str(out)]
        print(f"== {backend} ==", flush=True)
        completed = subprocess.run(command, check=False)  # noqa: S603 - this script
        if completed.returncode != 0:
            raise SystemExit(f"{backend} run failed ({completed.returncode})")
        figures[backend] = json.loads(out.read_text())
        out.unlink()
    folder.rmdir()
    print_table(figures)


def print_table(figures):
    backends = list(figures)
    print()
    print("== figures (median of runs; ms unless noted) ==")
    header = f"{'':<58}" + "".join(
        f"{b} {figures[b]['rows']:>9,} rows".rjust(28) for b in backends
    )
    print(header)
    labels = []
    for b in backends:
        for label in figures[b]["timings"]:
            if label not in labels:
                labels.append(label)
    for label in labels:
        cells = []
        for b in backends:
            value = figures[b]["timings"].get(label)
            cells.append("—".rjust(28) if value is None else f"{value:>28,.1f}")
        print(f"{label:<58}" + "".join(cells))
    print()
    print("queries per request (at small size → at full size):")
    for b in backends:
        counts = figures[b]["queries"]
        for label, by_size in counts.items():
            sizes = " → ".join(f"{n} ({rows:,} rows)" for rows, n in by_size)
            steady = "constant" if len({n for _, n in by_size}) == 1 else "CHANGES"
            if len(by_size) < 2:
                steady = "one size only"
            print(f"  {b:<9}{label:<44}{sizes}  [{steady}]")
    print()
    for b in backends:
        scan = figures[b]["overdue_scan_ms"]
        verdict = "ok" if scan < LIMIT_SECONDS * 1000 else "OVER 5 s"
        print(
            f"{b}: overdue scan (candidates + by unit + count) over "
            f"{figures[b]['rows']:,} rows: {scan / 1000:.2f} s [{verdict}]; "
            f"full check_deadlines {figures[b]['check_deadlines_s']:.2f} s"
        )


# One backend ---------------------------------------------------------------------------


def run_child(options):
    backend = options.child
    figures = {"rows": options.rows if backend == "postgres" else options.sqlite_rows}
    if backend == "postgres":
        url = f"{options.server.rstrip('/')}/{options.database}"
        reused = prepare_postgres(options, url)
    else:
        folder = Path(tempfile.mkdtemp(prefix="sunlight-results-bench-"))
        url = f"sqlite:///{folder / 'bench.sqlite3'}"
        reused = False
    try:
        setup_django(url, migrate=True)
        bench = Bench(options, figures, reused)
        bench.run()
    finally:
        from django.db import connections

        connections.close_all()
        if backend == "postgres" and not options.keep:
            drop_postgres(options, url)
        if backend == "sqlite":
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()
    Path(options.figures_file).write_text(json.dumps(figures))


def prepare_postgres(options, url):
    """Create the scratch database; with --reuse, keep one that exists."""
    import psycopg

    server = f"{options.server.rstrip('/')}/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [options.database]
        ).fetchone()
        if exists and options.reuse:
            return True
        conn.execute(f'DROP DATABASE IF EXISTS "{options.database}"')
        conn.execute(f'CREATE DATABASE "{options.database}"')
    return False


def drop_postgres(options, url):
    import psycopg

    server = f"{options.server.rstrip('/')}/postgres"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{options.database}"')
    print(f"dropped database {options.database}")


def setup_django(url, migrate):
    sys.path[:0] = [str(ROOT), str(ROOT / "site")]
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "sunlight.settings.dev"
    import logging

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    logging.getLogger("wagtail").setLevel(logging.WARNING)
    if migrate:
        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        print(f"migrate: {time.perf_counter() - started:.1f} s", flush=True)


class Bench:
    def __init__(self, options, figures, reused):
        from django.db import connection

        self.options = options
        self.figures = figures
        self.reused = reused
        self.vendor = connection.vendor
        self.rows = figures["rows"]
        self.figures["timings"] = {}
        self.figures["queries"] = {}

    def run(self):
        from disclosure.models import Result

        existing = Result.objects.count()
        if self.reused and existing == self.rows and self.county_exists():
            print(f"reusing {existing:,} rows", flush=True)
            self.load_people()
        else:
            if existing:
                raise SystemExit(
                    f"the database holds {existing:,} results but not --rows "
                    f"{self.rows:,}: run without --reuse to rebuild it"
                )
            self.build_county()
            small = min(self.options.small, self.rows)
            self.load(0, small)
            self.count_queries(small)
            self.load(small, self.rows)
        self.analyze()
        self.count_queries(self.rows)
        self.time_scans()
        self.time_requests()
        self.time_check_deadlines()
        self.time_recompute()
        self.explain()

    # Data ------------------------------------------------------------------------

    def county_exists(self):
        from disclosure.models import UnitPage

        return UnitPage.objects.filter(code=BENCH_CODE).exists()

    def build_county(self):
        """A county with its 纪委, townships each with a 纪委, offices and villages;
        a clerk and a head per unit, a member per 纪委; five live items a unit."""
        from django.utils import timezone

        from disclosure.models import HomePage, PowerItem, UnitPage
        from disclosure.signals import deferred_unit_refresh

        started = time.perf_counter()
        home = HomePage.objects.get()
        with deferred_unit_refresh():
            county = home.add_child(
                instance=UnitPage(
                    title="基准县人民政府",
                    slug="br",
                    code=BENCH_CODE,
                    level="县",
                    unit_type="政府",
                )
            )
            add_unit(
                county, f"{BENCH_CODE}-J", "中共基准县纪律检查委员会", "县", "纪委"
            )
            for t, town in enumerate(TOWNSHIPS):
                township = add_unit(
                    county, f"{BENCH_CODE}-{t}", f"{town}人民政府", "乡", "政府"
                )
                add_unit(
                    township,
                    f"{BENCH_CODE}-{t}-J",
                    f"中共{town}纪律检查委员会",
                    "乡",
                    "纪委",
                )
                for o, office in enumerate(OFFICES):
                    add_unit(
                        township,
                        f"{BENCH_CODE}-{t}-{o}",
                        f"{town}{office}",
                        "乡",
                        "部门",
                    )
                for v, village in enumerate(VILLAGES):
                    add_unit(
                        township,
                        f"{BENCH_CODE}-{t}-V{v}",
                        f"{town}{village}村民委员会",
                        "村",
                        "村(居)委会",
                    )
        now = timezone.now()
        units = list(
            UnitPage.objects.filter(code__startswith=f"{BENCH_CODE}-").exclude(
                unit_type="纪委"
            )
        )
        PowerItem.objects.bulk_create(
            PowerItem(
                unit=unit,
                code=f"{unit.code}-{n}",
                name=name,
                power_type=kind,
                basis="《基准条例》第一条",
                office=unit.title,
                live=True,
                disclosed=True,
                last_published_at=now,
                first_published_at=now,
            )
            for unit in units
            for n, (kind, name) in enumerate(ITEMS)
        )
        self.make_people(units)
        self.load_people()
        print(
            f"county: {len(units)} units with items and staff "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )

    def make_people(self, units):
        from django.contrib.auth import get_user_model

        from disclosure.models import UnitGroup, UnitPage

        User = get_user_model()
        User.objects.create_superuser("bench_admin", "admin@example.org", "x")
        groups = {
            (link.unit_id, link.role): link.group
            for link in UnitGroup.objects.filter(unit__code__startswith=BENCH_CODE)
        }
        for unit in units:
            for role in ("clerk", "head"):
                user = User.objects.create_user(
                    f"{unit.code.lower()}-{role}",
                    f"{unit.code.lower()}-{role}@example.org",
                )
                user.groups.add(groups[(unit.pk, role)])
        for commission in UnitPage.objects.filter(
            code__startswith=BENCH_CODE, unit_type="纪委"
        ):
            user = User.objects.create_user(
                f"{commission.code.lower()}-commission",
                f"{commission.code.lower()}@example.org",
            )
            user.groups.add(groups[(commission.pk, "commission")])

    def load_people(self):
        from django.contrib.auth import get_user_model

        from disclosure.models import PowerItem, UnitPage

        User = get_user_model()
        self.admin = User.objects.get(username="bench_admin")
        self.township_commission = User.objects.get(
            username=f"{BENCH_CODE.lower()}-0-j-commission"
        )
        self.clerk = User.objects.get(username=f"{BENCH_CODE.lower()}-1-1-clerk")
        self.unit = UnitPage.objects.get(code=f"{BENCH_CODE}-0-1")
        clerks = dict(
            User.objects.filter(username__endswith="-clerk").values_list(
                "username", "pk"
            )
        )
        self.items = [
            (item.pk, item.unit_id, item.name, clerks[f"{unit_code.lower()}-clerk"])
            for item, unit_code in (
                (item, item.unit.code)
                for item in PowerItem.objects.filter(
                    unit__code__startswith=f"{BENCH_CODE}-"
                ).select_related("unit")
            )
        ]

    def due_maps(self, first, last):
        """{date: due} for entry and disclosure over every date rows can carry:
        the working calendar is applied once per date, not once per row."""
        from disclosure import deadlines
        from disclosure.workdays import load_calendar

        calendar = load_calendar()
        entry, disclosure = {}, {}
        day = first
        while day <= last:
            e = deadlines.entry_deadline(day, calendar)
            d = deadlines.disclosure_deadline(day, calendar)
            entry[day] = (e.due, e.provisional)
            disclosure[day] = (d.due, d.provisional)
            day += datetime.timedelta(days=1)
        return entry, disclosure, calendar

    def generate(self, start, stop):
        """Rows `start` to `stop` (deterministic: row n is the same in every run).

        Everything read from the database is read before the first row is yielded:
        the rows are consumed inside a COPY, which holds the connection."""
        from django.utils import timezone

        today = timezone.localdate()
        span = YEARS_BACK * 365
        first = today - datetime.timedelta(days=span + 25)
        entry, disclosure, calendar = self.due_maps(first, today)
        return self._rows(start, stop, today, span, entry, disclosure, calendar)

    def _rows(self, start, stop, today, span, entry, disclosure, calendar):
        places = ("桃源村", "白果村", "河东社区", "石板村", "新华村")
        items = self.items
        one_day = datetime.timedelta(days=1)
        for n in range(start, stop):
            rng = random.Random(self.options.seed * 1_000_003 + n)
            item_id, unit_id, name, clerk_id = items[rng.randrange(len(items))]
            result_date = today - datetime.timedelta(days=rng.randint(0, span))
            while not calendar.is_workday(result_date):
                result_date -= one_day
            act_date = result_date - datetime.timedelta(days=rng.randint(0, 20))
            entry_due, entry_provisional = entry[act_date]
            disclosure_due, disclosure_provisional = disclosure[result_date]
            recent = (today - result_date).days <= RECENT_DAYS
            is_open = rng.random() < (OPEN_RECENT if recent else OPEN_OLD)
            if rng.random() < LATE_SHARE:
                entered_on = entry_due + datetime.timedelta(days=rng.randint(1, 10))
            else:
                entered_on = act_date + datetime.timedelta(
                    days=rng.randint(0, max((entry_due - act_date).days, 0))
                )
            entered_on = min(max(entered_on, act_date), today)
            disclosed_on = None
            if not is_open:
                if rng.random() < LATE_SHARE:
                    disclosed_on = disclosure_due + datetime.timedelta(
                        days=rng.randint(1, 15)
                    )
                else:
                    disclosed_on = result_date + datetime.timedelta(
                        days=rng.randint(1, max((disclosure_due - result_date).days, 1))
                    )
                disclosed_on = max(min(disclosed_on, today), entered_on, result_date)
            published = (
                datetime.datetime.combine(
                    disclosed_on, datetime.time(9), tzinfo=datetime.UTC
                )
                if disclosed_on
                else None
            )
            yield (
                disclosed_on is not None,
                disclosed_on is None,
                published,
                published,
                False,
                False,
                f"{places[n % len(places)]}{name}申请（{n}）",
                "organisation" if n % 3 == 0 else "none",
                "青山县绿源农业专业合作社" if n % 3 == 0 else "",
                "",
                act_date,
                result_date,
                "经审查，申请材料齐全、符合法定条件，准予办理。",
                "窗口受理岗",
                entered_on,
                disclosed_on,
                entry_due,
                entry_provisional,
                disclosure_due,
                disclosure_provisional,
                n % 4,
                clerk_id,
                item_id,
                unit_id,
            )

    def load(self, start, stop):
        if stop <= start:
            return
        started = time.perf_counter()
        rows = self.generate(start, stop)
        if self.vendor == "postgresql":
            copy_rows(rows)
        else:
            insert_rows_sqlite(rows)
        print(
            f"loaded rows {start:,}–{stop:,} in {time.perf_counter() - started:.1f} s",
            flush=True,
        )

    def analyze(self):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    # Figures ----------------------------------------------------------------------

    def timed(self, label, fn, repeat=None):
        repeat = repeat or self.options.repeat
        fn()  # warm: the first run also fills the OS and database caches
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            fn()
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        self.figures["timings"][label] = median
        print(f"  {label:<58}{median:10.1f} ms", flush=True)
        return median

    def scans(self):
        """The set-based queries the issue names, as the code runs them."""
        from django.utils import timezone

        from disclosure import deadlines, reminders
        from disclosure.results import open_overdue, overdue_by_unit
        from disclosure.results_admin import ResultDeadlineReport, UnitSummaryReport
        from disclosure.workdays import load_calendar

        today = timezone.localdate()
        soon = deadlines.due_soon_limit(today, load_calendar())
        dashboard = report_queryset(ResultDeadlineReport, self.admin)
        jiwei_dashboard = report_queryset(
            ResultDeadlineReport, self.township_commission
        )
        units = report_queryset(UnitSummaryReport, self.admin)
        return {
            "check_deadlines candidate scan (open, due ≤ soon)": lambda: list(
                reminders._result_candidates(today, soon, reminders.Summary())
            ),
            "overdue_by_unit()": overdue_by_unit,
            "open_overdue().count()": lambda: open_overdue().count(),
            "dashboard page 1 (with_states, by urgency), county": lambda: list(
                dashboard[:50]
            ),
            "dashboard count, county": lambda: dashboard.count(),
            "dashboard page 1, township 纪委": lambda: list(jiwei_dashboard[:50]),
            "dashboard by unit (grouped), county": lambda: list(units[:100]),
        }

    def time_scans(self):
        print(f"timings over {self.rows:,} rows (median of {self.options.repeat}):")
        scans = self.scans()
        for label, fn in scans.items():
            self.timed(label, fn)
        timings = self.figures["timings"]
        self.figures["overdue_scan_ms"] = sum(
            timings[label]
            for label in (
                "check_deadlines candidate scan (open, due ≤ soon)",
                "overdue_by_unit()",
                "open_overdue().count()",
            )
        )

    def pages(self):
        unit_results = self.unit.url + self.unit.reverse_subpage("results")
        return [
            ("public /results/ (最新公开)", None, "/results/"),
            ("public unit results/", None, unit_results),
            ("public unit results/?page=40", None, unit_results + "?page=40"),
            ("admin dashboard, county", self.admin, "/admin/results/deadlines/"),
            (
                "admin dashboard, township 纪委",
                self.township_commission,
                "/admin/results/deadlines/",
            ),
            (
                "admin dashboard, clerk, 逾期 filter",
                self.clerk,
                "/admin/results/deadlines/?disclosure_state=逾期",
            ),
            ("admin by unit, county", self.admin, "/admin/results/deadlines/units/"),
            (
                "admin result snippets list, county",
                self.admin,
                "/admin/snippets/disclosure/result/",
            ),
        ]

    def client(self, user):
        from django.test import Client

        client = Client(HTTP_HOST="localhost")
        if user is not None:
            client.force_login(user)
        return client

    def count_queries(self, rows):
        from django.db import connection

        print(f"queries per request at {rows:,} rows:")
        for label, user, url in self.pages():
            client = self.client(user)
            get(client, url)
            seen = []

            def record(execute, sql, params, many, context, seen=seen):
                seen.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(record):
                get(client, url)
            self.figures["queries"].setdefault(label, []).append((rows, len(seen)))
            print(f"  {label:<58}{len(seen):4d}", flush=True)

    def time_requests(self):
        for label, user, url in self.pages():
            client = self.client(user)
            self.timed(
                f"request: {label}", lambda client=client, url=url: get(client, url)
            )

    def time_check_deadlines(self):
        from django.core import mail

        from disclosure.models import DeadlineNotice
        from disclosure.reminders import check_deadlines

        DeadlineNotice.objects.all().delete()
        mail.outbox = []
        runs = []
        for _ in range(2):
            started = time.perf_counter()
            summary = check_deadlines()
            runs.append((time.perf_counter() - started, summary))
        (first, one), (second, two) = runs
        print(
            f"check_deadlines: {one.overdue:,} overdue, {one.due_soon:,} due soon; "
            f"first run {first:.2f} s ({one.notices:,} notices, {one.emails} e-mails), "
            f"second run {second:.2f} s ({two.notices} notices, {two.emails} e-mails)",
            flush=True,
        )
        if two.notices or two.emails:
            raise SystemExit(
                "check_deadlines is not idempotent: the second run sent more"
            )
        self.figures["check_deadlines_s"] = first
        self.figures["timings"]["check_deadlines() first run (notices + mail)"] = (
            first * 1000
        )
        self.figures["timings"]["check_deadlines() second run (nothing new)"] = (
            second * 1000
        )

    def time_recompute(self):
        from disclosure.results import recompute_deadlines

        started = time.perf_counter()
        changed = recompute_deadlines()
        elapsed = time.perf_counter() - started
        self.figures["timings"]["recompute_deadlines() (calendar change)"] = (
            elapsed * 1000
        )
        print(f"recompute_deadlines: {elapsed:.2f} s, {changed} records moved")

    def explain(self):
        """Plan the very statements each scan runs (captured, then explained)."""
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        print("query plans (the statements each scan runs):")
        for label, fn in self.scans().items():
            with CaptureQueriesContext(connection) as captured:
                fn()
            statements = [
                select_of(q["sql"])
                for q in captured.captured_queries
                if select_of(q["sql"])
            ]
            for sql in statements:
                plan = explain(connection, sql)
                print(f"  {label}: {summarise(plan, connection.vendor)}")
                if self.options.explain:
                    print("    " + sql[:400])
                    print("    " + "\n    ".join(plan))


def select_of(sql):
    """The SELECT of a captured statement; iterator() on PostgreSQL declares a
    server-side cursor around it."""
    import re

    sql = re.sub(r"^\s*DECLARE .*? CURSOR .*?FOR ", "", sql, count=1, flags=re.S)
    return sql if sql.lstrip().upper().startswith("SELECT") else None


def explain(connection, sql):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
        else:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        return [" ".join(str(c) for c in row[-1:]) for row in cursor.fetchall()]


def summarise(plan, vendor):
    import re

    text = "\n".join(plan)
    if vendor == "postgresql":
        indexes = sorted(
            set(
                re.findall(r"(?:Index|Index Only) Scan(?: Backward)? using (\w+)", text)
            )
        )
        bitmap = sorted(set(re.findall(r"Bitmap Index Scan on (\w+)", text)))
        seq = sorted(set(re.findall(r"Seq Scan on (\w+)", text)))
        took = re.search(r"Execution Time: ([\d.]+) ms", text)
        return (
            f"{took.group(1) if took else '?'} ms; indexes {indexes + bitmap or '—'}; "
            f"seq scans {seq or '—'}"
        )
    indexes = sorted(set(re.findall(r"USING (?:COVERING )?INDEX (\w+)", text)))
    scans = sorted(set(re.findall(r"SCAN (\w+)\b(?! USING)", text)))
    return f"indexes {indexes or '—'}; full scans {scans or '—'}"


def report_queryset(view_class, user):
    """The queryset a report view lists for `user`, as the view builds it."""
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    view = view_class()
    view.setup(request)
    return view.get_queryset()


def add_unit(parent, code, title, level, unit_type):
    from disclosure.models import UnitPage

    return parent.add_child(
        instance=UnitPage(
            title=title, slug=code.lower(), code=code, level=level, unit_type=unit_type
        )
    )


def copy_rows(rows):
    from django.db import connection, transaction

    columns = ", ".join(COLUMNS)
    with transaction.atomic():
        connection.ensure_connection()
        with connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY disclosure_result ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)


def insert_rows_sqlite(rows):
    from django.db import connection, transaction

    def plain(value):
        if isinstance(value, datetime.datetime):
            return value.replace(tzinfo=None).isoformat(sep=" ")
        if isinstance(value, datetime.date):
            return value.isoformat()
        return value

    marks = ", ".join("?" for _ in COLUMNS)
    columns = ", ".join(COLUMNS)
    sql = f"INSERT INTO disclosure_result ({columns}) VALUES ({marks})"  # noqa: S608 - constants
    with transaction.atomic():
        connection.ensure_connection()
        raw = connection.connection
        batch = []
        for row in rows:
            batch.append(tuple(plain(v) for v in row))
            if len(batch) >= 20_000:
                raw.executemany(sql, batch)
                batch = []
        if batch:
            raw.executemany(sql, batch)


def get(client, url):
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code}")


if __name__ == "__main__":
    main()
