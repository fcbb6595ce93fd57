"""What each request of a rating and a report costs the server (issue 11, the
write side of the load figures).

On the county bench_public_load.py keeps (`--keep`), one gunicorn sync worker with
the production settings, PostgreSQL and Redis; requests one at a time, as a fresh
browser would send them, and the CPU time the worker and PostgreSQL spent on each
kind, read from /proc before and after (user + system):

- a cached public page (the unit of the read load), for comparison;
- a rating: the result page (cached with its form and counts as holes; also once
  uncached), the POST, the redirect's thanks page;
- a report: the form page, the POST (with its Argon2id hash).

    cd bench && ../.venv/bin/python bench_write_costs.py [--count 100]
        [--database sunlight_bench_load] [--redis redis://127.0.0.1:6379/14]
"""

import argparse
import os
import sys
import time
import types
import urllib.parse

import bench_public_load as load
import bench_supervision as county

TICK = os.sysconf("SC_CLK_TCK")


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--count", type=int, default=100, help="requests per kind")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="sunlight_bench_load")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    return parser.parse_args()


def cpu_seconds(pids):
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        total += (int(fields[11]) + int(fields[12])) / TICK
    return total


def workers_of(master):
    with open(f"/proc/{master}/task/{master}/children") as children:
        return [int(pid) for pid in children.read().split()]


def postgres_pids():
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as comm:
                    if comm.read().startswith("postgres"):
                        pids.append(int(entry))
            except OSError:
                continue
    return pids


def measure(label, workers, count, request):
    """Run `request(n)` for n in range(count); print CPU ms per request."""
    postgres = postgres_pids()
    worker0, pg0, wall0 = (
        cpu_seconds(workers),
        cpu_seconds(postgres),
        time.perf_counter(),
    )
    for number in range(count):
        request(number)
    worker1, pg1, wall1 = (
        cpu_seconds(workers),
        cpu_seconds(postgres),
        time.perf_counter(),
    )
    print(
        f"{label:<36} gunicorn {(worker1 - worker0) / count * 1000:6.1f} ms  "
        f"PostgreSQL {(pg1 - pg0) / count * 1000:5.1f} ms  "
        f"wall {(wall1 - wall0) / count * 1000:6.1f} ms",
        flush=True,
    )


def main():
    options = parse_args()
    url = f"{options.server.rstrip('/')}/{options.database}"
    county.setup_django(url)
    from disclosure.models import PowerItem

    if not PowerItem.objects.exists():
        sys.exit("no county here: run bench_public_load.py --keep first")
    settings = types.SimpleNamespace(
        redis=options.redis, workers=1, threads=1, reports_per_second=0
    )
    targets = load.sample(types.SimpleNamespace(items=0))
    from django.db import connections

    connections.close_all()
    count = options.count
    results = targets.results[:count]
    with load.Server(settings, url, page_cache_seconds=600) as server:
        port = server.port
        load.visit_all(port, targets.pages)
        workers = workers_of(server.process.pid)
        pages = targets.pages

        measure(
            "cached public page",
            workers,
            4 * count,
            lambda n: load.fetch_form(port, pages[n % len(pages)][1]),
        )
        forms = {}

        def result_page(n):
            _, path = results[n % len(results)]
            forms[n % len(results)] = (path, *load.fetch_form(port, path))

        measure(
            "rating 1: result page, first visit", workers, len(results), result_page
        )
        measure("rating 1: result page (cached)", workers, len(results), result_page)
        thanks = {}

        def rate(n):
            path, _, html, cookie = forms[n]
            key = load.field(html, "captcha_0")
            status, location, _ = load.post(
                port,
                path + "rating/",
                {
                    "csrfmiddlewaretoken": load.field(html, "csrfmiddlewaretoken"),
                    "level": n % 5 + 1,
                    "comment": "单项测试评议。" if n % 5 < 2 else "",
                    "captcha_0": key,
                    "captcha_1": load.captcha_answer(url, key),
                },
                cookie,
            )
            if status != 302:
                sys.exit(f"rating refused: {status}")
            parts = urllib.parse.urlsplit(location)
            thanks[n] = f"{parts.path}?{parts.query}"

        measure("rating 2: POST", workers, len(results), rate)
        measure(
            "rating 3: thanks page, first visit",
            workers,
            len(results),
            lambda n: load.fetch_form(port, thanks[n]),
        )
        measure(
            "rating 3: thanks page (cached)",
            workers,
            len(results),
            lambda n: load.fetch_form(port, thanks[n]),
        )
        report_forms = {}

        def report_form(n):
            report_forms[n] = load.fetch_form(port, "/report/")

        measure("report 1: form page", workers, count, report_form)

        def file_report(n):
            _, html, cookie = report_forms[n]
            key = load.field(html, "captcha_0")
            status, _, _ = load.post(
                port,
                "/report/",
                {
                    "csrfmiddlewaretoken": load.field(html, "csrfmiddlewaretoken"),
                    "token": load.field(html, "token"),
                    "mode": "anonymous",
                    "accused_person": f"测试对象{n}",
                    "accused_post": "工作人员",
                    "accused_unit": targets.report_unit,
                    "content": f"单项测试举报第{n}号：办理低保时索要好处费。",
                    "password": load.PASSWORD,
                    "password_confirm": load.PASSWORD,
                    "captcha_0": key,
                    "captcha_1": load.captcha_answer(url, key),
                },
                cookie,
            )
            if status != 200:
                sys.exit(f"report refused: {status}")

        measure("report 2: POST", workers, count, file_report)


if __name__ == "__main__":
    main()
