"""Public pages under load with the production configuration (issue 11, Performance).

Issue 11's figures: anonymous home, unit, item and search pages — throughput and
p95, cold and cached, cached at least 10× the uncached throughput; then the cached
run again while 20 ratings and 5 reports per second arrive: nothing lost, p95 of
the public pages within 2× of the quiet figure.

    cd bench && ../.venv/bin/python bench_public_load.py [--units 1000]
        [--items 100000] [--results 20000] [--workers 5] [--threads 1]
        [--clients 8] [--seconds 30]
        [--mixed-seconds 60] [--ratings-per-second 20] [--reports-per-second 5]
        [--paced-rate 300]
        [--database sunlight_bench_load] [--redis redis://127.0.0.1:6379/14]
        [--keep | --reuse]

1. Data: a scratch PostgreSQL database (dropped and re-created; dropped again at the
   end unless --keep): bench_supervision's county of `--units` units with staff, then
   `--items` power items (3 steps each, names from bench_search's concepts) spread
   over the non-纪委 units, `--results` disclosed results (bench_supervision's bulk
   INSERT … SELECT), `search_reindex` and ANALYZE.
2. Server: gunicorn with gunicorn.conf.py and `--workers` sync workers (gthread
   with `--threads` above 1), production
   settings (DEBUG=0; whitenoise static after collectstatic), PostgreSQL, Redis (the
   Redis database named by --redis is FLUSHED before each server start),
   THROTTLE_ENABLED=0. Cold: PAGE_CACHE_SECONDS=0. Cached: the default (600 s).
3. Load: a thread pool in Python (no wrk or locust in the project's environment)
   — `--clients` closed-loop visitors, each
   with its own http.client connection (keep-alive is asked for, but gunicorn's
   sync workers close every connection). Each visitor asks for a home, unit, item
   and search page in turn — a quarter of the requests each — from a fixed sample:
   the home page, 50 unit pages, 200 item pages and 20 searches; every page is
   visited once before each run (the cached run starts with a full cache). The
   servers' stderr goes to var/bench_public_load.gunicorn.log.
   Closed-loop visitors keep the server saturated, so there a p95 is queueing:
   with writes it grows by exactly the share of the CPU the writes take. The
   cached pages are then also asked for at a fixed `--paced-rate` (open loop, as
   independent visitors arrive; each time counted from when the request was due),
   quiet and with the same writes — the latency a visitor sees while the server
   has room.
4. Writes: during the mixed runs a scheduler starts `--ratings-per-second` ratings
   and `--reports-per-second` reports per second (open loop), each as a fresh
   browser: GET the form, read the captcha answer from the captcha store (as the
   contract allows benchmarks), POST; a rating then follows the redirect to the
   page that thanks the rater, as a browser does. The writes run in a process of
   their own: their client-side work (parsing forms, looking up answers) would
   otherwise hold the visitors' GIL and be counted as the server's latency.
   Afterwards every confirmed rating must be
   stored once (per result: stored rows == confirmations, rating_total agrees) and
   every confirmed report stored once under its form token (bench_reports.check).

The client shares the machine with the server: on 2 CPUs the figures are what the
server manages while the client takes its share; `os.getloadavg()` is printed with
each phase.
"""

import argparse
import http.client
import multiprocessing
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import types
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie

import bench_supervision as county
import psycopg
import redis
from bench_reports import (
    CODE as REPORT_CODE,
)
from bench_reports import (
    PY,
    ROOT,
    free_port,
    manage,
    server_env,
    wait_until_up,
)
from bench_reports import (
    check as check_reports,
)

PASSWORD = "Bench-Load-2026"  # noqa: S105 - a throwaway benchmark database
SEARCHES = [
    "低保",
    "最低生活保障",
    "宅基地",
    "危房改造",
    "土地管理法",
    "规划许可",
    "高龄津贴",
    "残疾人",
    "农机 补贴",
    "森林法",
    "动物防疫",
    "集体资产",
    "一事一议",
    "三重一大",
    "食品经营",
    "医保",
    "临时救助",
    "救助 审核",
    "许可证",
    "第3镇 低保",
]
KINDS = ("home", "unit", "item", "search")
LOG = ROOT / "var" / "bench_public_load.gunicorn.log"  # the servers' stderr


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--units", type=int, default=1_000)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--results", type=int, default=20_000)
    parser.add_argument(
        "--workers",
        type=int,
        default=2 * (os.cpu_count() or 1) + 1,
        help="gunicorn workers (gunicorn.conf.py's default)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per worker passed to gunicorn (1, as gunicorn.conf.py: sync "
        "workers; more: gthread, for comparison)",
    )
    parser.add_argument("--clients", type=int, default=8, help="concurrent visitors")
    parser.add_argument("--seconds", type=float, default=30, help="per quiet run")
    parser.add_argument("--mixed-seconds", type=float, default=60)
    parser.add_argument("--ratings-per-second", type=float, default=20)
    parser.add_argument("--reports-per-second", type=float, default=5)
    parser.add_argument(
        "--paced-rate",
        type=float,
        default=300,
        help="then the cached pages again at this many requests a second (open loop),"
        " quiet and with the writes; 0 skips it",
    )
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="sunlight_bench_load")
    parser.add_argument(
        "--redis", default="redis://127.0.0.1:6379/14", help="flushed before use"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    parser.add_argument(
        "--reuse", action="store_true", help="reuse a kept database (implies --keep)"
    )
    options = parser.parse_args()
    if options.database in ("postgres", "template0", "template1", "test", "root"):
        parser.error(f"refusing to drop the database {options.database!r}")
    options.keep = options.keep or options.reuse
    return options


# Data --------------------------------------------------------------------------------


def build(options):
    """The county, the items, results, the search index; timings printed."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from bench_search import CONCEPTS

    from disclosure.models import PowerItem, ProcessStep, UnitPage

    county.Bench(types.SimpleNamespace(units=options.units), False).build_county()
    started = time.perf_counter()
    units = list(
        UnitPage.objects.filter(code__startswith=county.CODE)
        .exclude(unit_type="纪委")
        .order_by("pk")
    )
    existing = PowerItem.objects.count()
    now = timezone.now()
    made = existing
    batch_size = 5_000
    while made < options.items:
        items = []
        for n in range(made, min(made + batch_size, options.items)):
            name, basis, conditions, office, _ = CONCEPTS[n % len(CONCEPTS)]
            unit = units[n % len(units)]
            items.append(
                PowerItem(
                    unit=unit,
                    code=f"L-{n:06d}",
                    name=f"{name}（{n}）",
                    power_type="行政确认",
                    basis=basis,
                    conditions=conditions,
                    office=f"{unit.title}{office}",
                    time_limit="10个工作日",
                    duties="受理、审查、决定",
                    responsible=unit.title,
                    accountability="违规办理的",
                    live=True,
                    disclosed=n % 50 != 49,
                    withheld_reason="涉及个人隐私" if n % 50 == 49 else "",
                    last_published_at=now,
                    first_published_at=now,
                )
            )
        with transaction.atomic():
            created = PowerItem.objects.bulk_create(items)
            ProcessStep.objects.bulk_create(
                ProcessStep(
                    item=item,
                    sort_order=order,
                    name=step,
                    post="经办岗",
                    time_limit="3个工作日",
                    risk="审核不严" if order == 1 else "",
                    risk_level="二级" if order == 1 else "",
                    prevention="双人复核" if order == 1 else "",
                )
                for item in created
                for order, step in enumerate(("受理", "审查", "决定"))
            )
        made += len(items)
    print(
        f"items: {PowerItem.objects.count():,} items × 3 steps in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(county.load_statements(0, options.results)[0])
    print(
        f"results: {options.results:,} in {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    started = time.perf_counter()
    call_command("search_reindex", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"search_reindex + ANALYZE: {time.perf_counter() - started:.1f} s", flush=True
    )


def sample(options):
    """The pages visited and the targets of ratings and reports (paths)."""
    from disclosure.models import PowerItem, UnitPage
    from disclosure.views_results import public_results

    rng = random.Random(11)
    units = list(
        UnitPage.objects.filter(code__startswith=county.CODE, live=True)
        .exclude(unit_type="纪委")
        .order_by("pk")
    )
    item_ids = list(
        PowerItem.objects.filter(live=True, disclosed=True).values_list("pk", flat=True)
    )
    items = PowerItem.objects.filter(pk__in=rng.sample(item_ids, 200)).select_related(
        "unit"
    )
    result_ids = list(public_results().values_list("pk", flat=True)[:5_000])
    from disclosure.models import Result

    results = Result.objects.filter(pk__in=rng.sample(result_ids, 100)).select_related(
        "unit"
    )
    pages = [("home", "/")]
    pages += [("unit", unit.url) for unit in rng.sample(units, 50)]
    pages += [("item", item.url) for item in items]
    pages += [
        ("search", "/search/?" + urllib.parse.urlencode({"q": text}))
        for text in SEARCHES
    ]
    township = UnitPage.objects.get(code=f"{county.CODE}-0")
    return types.SimpleNamespace(
        pages=pages,
        results=[(result.pk, result.url) for result in results],
        report_unit=township.pk,
    )


# Server ------------------------------------------------------------------------------


class Server:
    def __init__(self, options, url, page_cache_seconds):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = server_env(url, self.port)
        env.pop("DJANGO_SETTINGS_MODULE", None)  # this process runs the dev settings
        env.update(REDIS_URL=options.redis, PAGE_CACHE_SECONDS=str(page_cache_seconds))
        self.env = env
        self.workers, self.threads = options.workers, options.threads
        redis.Redis.from_url(options.redis).flushdb()
        LOG.parent.mkdir(exist_ok=True)
        self.log = LOG.open("a")

    def __enter__(self):
        self.process = subprocess.Popen(  # noqa: S603 - our own gunicorn
            [
                PY,
                "-m",
                "gunicorn",
                "sunlight.wsgi",
                "-c",
                "gunicorn.conf.py",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--access-logfile",
                "/dev/null",
            ],
            cwd=ROOT,
            env=self.env,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        wait_until_up(self.base)
        return self

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


# Client ------------------------------------------------------------------------------


class Visitor(threading.Thread):
    """A closed-loop anonymous visitor: one connection; home, unit, item and search
    pages in turn, each kind's pages in the visitor's own order."""

    def __init__(self, port, pages, deadline, seed):
        super().__init__(daemon=True)
        self.port, self.deadline = port, deadline
        rng = random.Random(seed)
        self.by_kind = {}
        for kind, path in pages:
            self.by_kind.setdefault(kind, []).append(path)
        for paths in self.by_kind.values():
            rng.shuffle(paths)
        self.timings = []  # (kind, seconds, status, cache)

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        n = 0
        while time.perf_counter() < self.deadline:
            # The kinds in turn (each a quarter of the requests), pages in order.
            kind = KINDS[n % len(KINDS)]
            paths = self.by_kind[kind]
            path = paths[(n // len(KINDS)) % len(paths)]
            n += 1
            started = time.perf_counter()
            status, cache = fetch(conn, path)
            self.timings.append((kind, time.perf_counter() - started, status, cache))
        conn.close()


def fetch(conn, path):
    """GET `path` on a kept-alive connection: (status or error name, X-Page-Cache).
    The connection is closed when the server or an error ends it (http.client
    reconnects on the next request)."""
    try:
        conn.request(
            "GET", path, headers={"Host": "127.0.0.1", "Connection": "keep-alive"}
        )
        response = conn.getresponse()
        response.read()
        status, cache = response.status, response.getheader("X-Page-Cache", "-")
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
    except (OSError, http.client.HTTPException) as error:
        conn.close()
        status, cache = type(error).__name__, "-"
    return status, cache


def visit_all(port, pages):
    """Every page once (fills the cache; checks every page answers 200)."""
    bad = []

    def one(page):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.request("GET", page[1], headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        response.read()
        conn.close()
        if response.status != 200:
            bad.append((page[1], response.status))

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(one, pages))
    if bad:
        raise SystemExit(f"pages not answering 200: {bad[:5]}")


def p95(values):
    values = sorted(values)
    return values[int(0.95 * (len(values) - 1))] if values else float("nan")


def load(port, pages, clients, seconds):
    """Run `clients` visitors for `seconds`; {kind: (requests, p50, p95)} + totals."""
    deadline = time.perf_counter() + seconds
    visitors = [Visitor(port, pages, deadline, seed) for seed in range(clients)]
    started = time.perf_counter()
    for visitor in visitors:
        visitor.start()
    for visitor in visitors:
        visitor.join()
    elapsed = time.perf_counter() - started
    timings = [t for visitor in visitors for t in visitor.timings]
    return summarise(timings, elapsed)


def paced_load(port, pages, rate, seconds):
    """Open loop: `rate` requests a second, whatever the answers' speed, as
    independent visitors arrive; each request's time counts from when it was due,
    so a stalled server shows (no coordinated omission). Same figures as load()."""
    by_kind = {}
    for kind, path in pages:
        by_kind.setdefault(kind, []).append(path)
    local = threading.local()

    def one(kind, path, due):
        time.sleep(max(0.0, due - time.perf_counter()))
        conn = getattr(local, "conn", None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=60
            )
        status, cache = fetch(conn, path)
        return kind, time.perf_counter() - due, status, cache

    count = int(rate * seconds)
    started = time.perf_counter() + 0.5
    with ThreadPoolExecutor(max_workers=64) as pool:
        futures = []
        for n in range(count):
            kind = KINDS[n % len(KINDS)]
            paths = by_kind[kind]
            due = started + n / rate
            futures.append(
                pool.submit(one, kind, paths[(n // len(KINDS)) % len(paths)], due)
            )
        timings = [future.result() for future in futures]
    elapsed = time.perf_counter() - started
    return summarise(timings, elapsed)


def summarise(timings, elapsed):
    figures = {}
    for kind in KINDS:
        own = [seconds for k, seconds, _, _ in timings if k == kind]
        figures[kind] = (
            len(own),
            statistics.median(own) if own else float("nan"),
            p95(own),
            sum(1 for k, _, _, cache in timings if k == kind and cache != "HIT"),
        )
    errors = [status for _, _, status, _ in timings if status != 200]
    hits = sum(1 for _, _, _, cache in timings if cache == "HIT")
    return types.SimpleNamespace(
        figures=figures,
        total=len(timings),
        rate=len(timings) / elapsed,
        p95=p95([seconds for _, seconds, _, _ in timings]),
        errors=errors,
        hit_ratio=hits / len(timings) if timings else 0.0,
        elapsed=elapsed,
    )


def show(label, run):
    load1, load5, _ = os.getloadavg()
    print(
        f"{label}: {run.total:,} requests in {run.elapsed:.0f} s = {run.rate:.1f} req/s, "
        f"p95 {run.p95 * 1000:.0f} ms, cache hits {run.hit_ratio:.0%}, "
        f"errors {len(run.errors)} {sorted(set(map(str, run.errors)))[:3] or ''}"
        f"(load average {load1:.2f}/{load5:.2f})",
        flush=True,
    )
    for kind, (count, p50, p95_, misses) in run.figures.items():
        print(
            f"    {kind:<7}{count:7,} requests  p50 {p50 * 1000:7.1f} ms  "
            f"p95 {p95_ * 1000:7.1f} ms  not from the cache {misses:,}",
            flush=True,
        )


# Writes ------------------------------------------------------------------------------

_local = threading.local()


def captcha_answer(db_url, key):
    conn = getattr(_local, "conn", None)
    if conn is None or conn.closed:
        conn = _local.conn = psycopg.connect(db_url, autocommit=True)
    return conn.execute(
        "SELECT response FROM captcha_captchastore WHERE hashkey = %s", (key,)
    ).fetchone()[0]


def fetch_form(port, path):
    """(status, html, CSRF cookie or None) of a fresh browser's GET."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path, headers={"Host": "127.0.0.1"})
        response = conn.getresponse()
        html = response.read().decode()
        cookies = SimpleCookie()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookies.load(header)
        token = cookies["csrftoken"].value if "csrftoken" in cookies else None
        return response.status, html, token
    finally:
        conn.close()


def post(port, path, fields, cookie):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request(
            "POST",
            path,
            body=urllib.parse.urlencode(fields).encode(),
            headers={
                "Host": "127.0.0.1",
                "Cookie": f"csrftoken={cookie}",
                "Referer": f"http://127.0.0.1{path}",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        response = conn.getresponse()
        return response.status, response.getheader("Location", ""), response.read()
    finally:
        conn.close()


def field(html, name):
    return re.search(rf'name="{name}" value="([^"]+)"', html).group(1)


def rate(port, db_url, result_id, path, number):
    """(result id, outcome): "counted", "repeat", "refused: …" or an error."""
    try:
        _, html, cookie = fetch_form(port, path)
        key = field(html, "captcha_0")
        level = number % 5 + 1
        status, location, body = post(
            port,
            path + "rating/",
            {
                "csrfmiddlewaretoken": field(html, "csrfmiddlewaretoken"),
                "level": level,
                "comment": f"负载测试第{number}条评议。" if level <= 2 else "",
                "captcha_0": key,
                "captcha_1": captcha_answer(db_url, key),
            },
            cookie,
        )
        if status == 302 and "rating=received" in location:
            # The browser follows the redirect to the thanks (and the new counts).
            parts = urllib.parse.urlsplit(location)
            thanks, html, _ = fetch_form(port, f"{parts.path}?{parts.query}")
            if thanks == 200 and "感谢您的评议" in html:
                return result_id, "counted"
            return result_id, f"refused: thanks page {thanks}"
    except Exception as error:  # noqa: BLE001 - any failure is an answer here
        return result_id, f"error: {type(error).__name__}"
    if "您已评议" in body.decode(errors="replace"):
        return result_id, "repeat"
    return result_id, f"refused: {status}"


def report(port, db_url, unit_pk, number):
    """(form token, 查询码 or None, status) as bench_reports.check expects."""
    token = None
    try:
        _, html, cookie = fetch_form(port, "/report/")
        token = field(html, "token")
        key = field(html, "captcha_0")
        status, _, body = post(
            port,
            "/report/",
            {
                "csrfmiddlewaretoken": field(html, "csrfmiddlewaretoken"),
                "token": token,
                "mode": "anonymous",
                "accused_person": f"负载对象{number}",
                "accused_post": "工作人员",
                "accused_unit": unit_pk,
                "content": f"负载测试举报第{number}号：办理低保时索要好处费。",
                "password": PASSWORD,
                "password_confirm": PASSWORD,
                "captcha_0": key,
                "captcha_1": captcha_answer(db_url, key),
            },
            cookie,
        )
    except Exception as error:  # noqa: BLE001
        return token, None, f"error: {type(error).__name__}"
    found = REPORT_CODE.search(body.decode(errors="replace"))
    return token, (found.group(1).replace(" ", "") if found else None), str(status)


class Writers:
    """Open-loop submissions at fixed rates while the readers run."""

    def __init__(self, port, db_url, targets, options):
        self.port, self.db_url, self.targets, self.options = (
            port,
            db_url,
            targets,
            options,
        )
        self.pool = ThreadPoolExecutor(max_workers=64)
        self.ratings, self.reports = [], []
        self.stop = threading.Event()

    def schedule(self, rate_per_second, submit, into):
        if rate_per_second <= 0:
            return
        interval = 1 / rate_per_second
        next_at, number = time.perf_counter(), 0
        while not self.stop.is_set():
            into.append(self.pool.submit(submit, number))
            number += 1
            next_at += interval
            time.sleep(max(0.0, next_at - time.perf_counter()))

    def rating(self, number):
        result_id, path = self.targets.results[number % len(self.targets.results)]
        return rate(self.port, self.db_url, result_id, path, number)

    def a_report(self, number):
        return report(self.port, self.db_url, self.targets.report_unit, number)

    def __enter__(self):
        self.threads = [
            threading.Thread(
                target=self.schedule,
                args=(self.options.ratings_per_second, self.rating, self.ratings),
                daemon=True,
            ),
            threading.Thread(
                target=self.schedule,
                args=(self.options.reports_per_second, self.a_report, self.reports),
                daemon=True,
            ),
        ]
        self.started = time.perf_counter()
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for thread in self.threads:
            thread.join()
        self.scheduled_for = time.perf_counter() - self.started
        self.ratings = [future.result() for future in self.ratings]
        self.reports = [future.result() for future in self.reports]
        self.finished = time.perf_counter() - self.started
        self.pool.shutdown()


def _write_in_own_process(port, db_url, targets, options, stop, results):
    with Writers(port, db_url, targets, options) as writers:
        results.send("started")
        stop.wait()
    results.send(
        (writers.ratings, writers.reports, writers.scheduled_for, writers.finished)
    )


class WriterProcess:
    """Writers in a process of their own: the writes' client-side work (reading
    each form, looking up its captcha answer, parsing the answer) would otherwise
    take the visitors' GIL and count as the server's latency. Same attributes as
    Writers once done."""

    def __init__(self, port, db_url, targets, options):
        context = multiprocessing.get_context("spawn")
        self.stop = context.Event()
        self.results, child = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_write_in_own_process,
            args=(port, db_url, targets, options, self.stop, child),
            daemon=True,
        )

    def __enter__(self):
        self.process.start()
        if self.results.recv() != "started":
            raise RuntimeError("the writer process did not start")
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.ratings, self.reports, self.scheduled_for, self.finished = (
            self.results.recv()
        )
        self.process.join()


def stored_ratings(db_url, ids):
    """{result id: (ratings stored, rating_total)}."""
    with psycopg.connect(db_url) as conn:
        stored = dict(
            conn.execute(
                "SELECT result_id, count(*) FROM disclosure_rating"
                " WHERE result_id = ANY(%s) GROUP BY result_id",
                (ids,),
            ).fetchall()
        )
        totals = dict(
            conn.execute(
                "SELECT id, rating_total FROM disclosure_result WHERE id = ANY(%s)",
                (ids,),
            ).fetchall()
        )
    return {i: (stored.get(i, 0), totals.get(i, 0)) for i in ids}


def check_ratings(db_url, outcomes, before):
    """Per result: ratings stored since `before` == ratings confirmed."""
    kinds = {}
    confirmed = {}
    for result_id, outcome in outcomes:
        kinds[outcome] = kinds.get(outcome, 0) + 1
        if outcome == "counted":
            confirmed[result_id] = confirmed.get(result_id, 0) + 1
    ids = sorted({result_id for result_id, _ in outcomes})
    after = stored_ratings(db_url, ids)
    stored = {i: after[i][0] - before.get(i, (0, 0))[0] for i in ids}
    disagree = sum(1 for i in ids if after[i][0] != after[i][1])
    lost = sum(max(0, confirmed.get(i, 0) - stored.get(i, 0)) for i in ids)
    extra = sum(max(0, stored.get(i, 0) - confirmed.get(i, 0)) for i in ids)
    print(
        f"ratings: {len(outcomes)} submitted — "
        + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items()))
        + f"; stored {sum(stored.values())}; confirmed but missing {lost}, stored "
        f"without (or beyond) confirmation {extra}, rating_total disagreeing {disagree}"
    )
    return lost == 0 and extra == 0 and disagree == 0


# Main --------------------------------------------------------------------------------


def writes_label(options):
    return (
        f"{options.ratings_per_second:g} ratings/s + "
        f"{options.reports_per_second:g} reports/s"
    )


def report_writes(writers):
    print(
        f"writes: {len(writers.ratings)} ratings and {len(writers.reports)} reports "
        f"started over {writers.scheduled_for:.0f} s "
        f"({len(writers.ratings) / writers.scheduled_for:.1f} and "
        f"{len(writers.reports) / writers.scheduled_for:.1f} per second); the last "
        f"answered {writers.finished - writers.scheduled_for:.1f} s after the end",
        flush=True,
    )


def main():
    options = parse_args()
    url = f"{options.server.rstrip('/')}/{options.database}"
    print(
        f"load average at start: {os.getloadavg()}, {os.cpu_count()} CPUs", flush=True
    )
    reused = county.prepare(options)
    ok = True
    try:
        county.setup_django(url)
        from disclosure.models import PowerItem, Result

        if reused and PowerItem.objects.count() >= options.items:
            print(
                f"reusing {PowerItem.objects.count():,} items, "
                f"{Result.objects.count():,} results",
                flush=True,
            )
        else:
            build(options)
        targets = sample(options)
        from django.db import connections

        connections.close_all()
        env = server_env(url, 0)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        manage(env, "collectstatic", "--noinput", "-v", "0", debug="0")
        print(
            f"gunicorn: {options.workers} workers × {options.threads} thread(s) "
            f"({'sync' if options.threads == 1 else 'gthread'}), production settings, "
            f"PostgreSQL {options.database}, Redis {options.redis}; {options.clients} "
            f"visitors over {len(targets.pages)} pages (1 home, 50 units, 200 items, "
            f"{len(SEARCHES)} searches)",
            flush=True,
        )

        with Server(options, url, page_cache_seconds=0) as server:
            visit_all(server.port, targets.pages)  # warm the workers and PostgreSQL
            cold = load(server.port, targets.pages, options.clients, options.seconds)
        show("cold   (PAGE_CACHE_SECONDS=0)", cold)

        with Server(options, url, page_cache_seconds=600) as server:
            visit_all(server.port, targets.pages)  # fill the cache
            cached = load(server.port, targets.pages, options.clients, options.seconds)
            show("cached (PAGE_CACHE_SECONDS=600)", cached)
            before = stored_ratings(url, [pk for pk, _ in targets.results])
            with WriterProcess(server.port, url, targets, options) as writers:
                mixed = load(
                    server.port, targets.pages, options.clients, options.mixed_seconds
                )
            show(f"cached + {writes_label(options)}", mixed)
            report_writes(writers)
            runs = [("closed loop, saturating", cached, mixed)]
            all_writes = [writers]
            if options.paced_rate:
                rate = options.paced_rate
                quiet = paced_load(server.port, targets.pages, rate, options.seconds)
                show(f"paced {rate:g} req/s, cached", quiet)
                with WriterProcess(server.port, url, targets, options) as paced_writers:
                    busy = paced_load(
                        server.port, targets.pages, rate, options.mixed_seconds
                    )
                show(f"paced {rate:g} req/s, cached + {writes_label(options)}", busy)
                report_writes(paced_writers)
                runs.append((f"open loop, {rate:g} req/s", quiet, busy))
                all_writes.append(paced_writers)
        ok &= check_ratings(url, [r for w in all_writes for r in w.ratings], before)
        ok &= check_reports(url, [r for w in all_writes for r in w.reports], "reports")
        for w in all_writes:
            ok &= all(code for _, code, _ in w.reports)
            ok &= all(outcome == "counted" for _, outcome in w.ratings)
        ok &= (
            not any(run.errors for _, *pair in runs for run in pair) and not cold.errors
        )

        speedup = cached.rate / cold.rate
        print()
        print(
            f"cached / cold throughput: {speedup:.1f}× "
            f"[{'ok' if speedup >= 10 else 'UNDER 10×'}]"
        )
        for label, quiet_run, busy_run in runs:
            print(f"p95 with writes against quiet, {label}:")
            for kind in KINDS:
                quiet, busy = quiet_run.figures[kind][2], busy_run.figures[kind][2]
                print(
                    f"  {kind:<7} quiet {quiet * 1000:7.1f} ms, with writes "
                    f"{busy * 1000:7.1f} ms: {busy / quiet:4.1f}× "
                    f"[{'ok' if busy <= 2 * quiet else 'OVER 2×'}]"
                )
            ratio = busy_run.p95 / quiet_run.p95
            print(
                f"  all     quiet {quiet_run.p95 * 1000:7.1f} ms, with writes "
                f"{busy_run.p95 * 1000:7.1f} ms: {ratio:4.1f}× "
                f"[{'ok' if ratio <= 2 else 'OVER 2×'}]"
            )
    finally:
        from django.db import connections

        connections.close_all()
        if not options.keep:
            county.drop(options)
    print("OK: nothing lost" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
