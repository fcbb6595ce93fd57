"""Rating intake under load (issue 7): 200 rating submissions at once against
gunicorn on PostgreSQL.

Every submission must be either confirmed (a redirect to the result with
`rating=received`) and counted exactly once, or refused with a clear message
(您已评议 for a repeat from the same browser); zero 5xx. Afterwards the stored
aggregates (tallies per result, item and unit, and `rating_total`) must equal the
ratings actually stored. Prints throughput and latency percentiles.

Each simulated visitor is a fresh browser (own cookies): GET the result page, read
the captcha answer from the captcha store (as the contract allows benchmarks), POST
the rating. A share of visitors press 提交评议 a second time with the same cookie.
Throttles are switched off (THROTTLE_ENABLED=0); the server runs the production
settings.

    .venv/bin/python bench/bench_ratings.py \
        [--database postgres://postgres@127.0.0.1:5432/sunlight_bench_ratings] \
        [--concurrency 200] [--workers 4] [--repeat-every 10]

The database named is dropped and re-created — never point it at real data.
"""

import argparse
import http.cookiejar
import json
import re
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import psycopg
from bench_reports import (
    free_port,
    manage,
    reset_database,
    server_env,
    start_gunicorn,
    wait_until_up,
)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class LoopbackPolicy(http.cookiejar.DefaultCookiePolicy):
    """Production cookies are Secure; the benchmark talks plain HTTP on loopback,
    as a browser behind the TLS-terminating proxy would talk HTTPS."""

    def return_ok_secure(self, cookie, request):
        return True


class Visitor:
    """One browser: its own cookie jar (CSRF and the rater cookie)."""

    def __init__(self, base, db_url, url):
        self.base, self.db_url, self.url = base, db_url, url
        self.jar = http.cookiejar.CookieJar(policy=LoopbackPolicy())
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def rate(self, number):
        """(outcome, seconds for the POST): outcome is "counted", "repeat",
        "refused: <status>" or "5xx: <status>"."""
        with self.opener.open(self.url, timeout=60) as response:
            html = response.read().decode()
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', html).group(1)
        with psycopg.connect(self.db_url) as conn:
            answer = conn.execute(
                "SELECT response FROM captcha_captchastore WHERE hashkey = %s", (key,)
            ).fetchone()[0]
        level = number % 5 + 1
        data = {
            "csrfmiddlewaretoken": csrf,
            "level": level,
            "comment": f"压力测试第{number}条评议意见。" if level <= 2 else "",
            "captcha_0": key,
            "captcha_1": answer,
        }
        request = urllib.request.Request(  # noqa: S310 - our own server
            self.url + "rating/",
            data=urllib.parse.urlencode(data).encode(),
            headers={"Referer": self.url},
        )
        started = time.perf_counter()
        try:
            with self.opener.open(request, timeout=120) as response:
                status, body = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, body = error.code, error.read().decode(errors="replace")
        elapsed = time.perf_counter() - started
        if status == 302:
            return "counted", elapsed
        if status >= 500:
            return f"5xx: {status}", elapsed
        if "您已评议" in body:
            return "repeat", elapsed
        return f"refused: {status}", elapsed


def submit(args):
    base, db_url, url, number, repeat = args
    visitor = Visitor(base, db_url, url)
    outcomes = [visitor.rate(number)]
    if repeat:
        outcomes.append(visitor.rate(number + 1))
    return outcomes


def stored_counts(db_url, result_id):
    with psycopg.connect(db_url) as conn:
        ratings = conn.execute(
            "SELECT count(*) FROM disclosure_rating WHERE result_id = %s", (result_id,)
        ).fetchone()[0]
        total = conn.execute(
            "SELECT rating_total FROM disclosure_result WHERE id = %s", (result_id,)
        ).fetchone()[0]
        tallies = conn.execute(
            "SELECT scope, very_satisfied + satisfied + fair + dissatisfied"
            " + very_dissatisfied FROM disclosure_ratingtally t"
            " JOIN disclosure_result r ON (t.scope = 'result' AND t.object_id = r.id)"
            " OR (t.scope = 'item' AND t.object_id = r.item_id)"
            " OR (t.scope = 'unit' AND t.object_id = r.unit_id) WHERE r.id = %s",
            (result_id,),
        ).fetchall()
        by_level = conn.execute(
            "SELECT level, count(*) FROM disclosure_rating WHERE result_id = %s"
            " GROUP BY level",
            (result_id,),
        ).fetchall()
    return ratings, total, dict(tallies), dict(by_level)


def first_result(base):
    with urllib.request.urlopen(base + "/api/v1/results/?limit=1", timeout=30) as r:  # noqa: S310
        return json.load(r)["results"][0]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        default="postgres://postgres@127.0.0.1:5432/sunlight_bench_ratings",
    )
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--repeat-every", type=int, default=10)
    args = parser.parse_args()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(args.database, port)
    print(f"database {args.database}: re-creating, migrating, loading the demo county…")
    reset_database(args.database)
    manage(env, "migrate", "--noinput")
    manage(env, "seed_demo", "-v", "0")
    manage(env, "collectstatic", "--noinput", "-v", "0", debug="0")
    server = start_gunicorn(env, args.workers)
    try:
        wait_until_up(base)
        result = first_result(base)
        url = result["url"]
        before = stored_counts(args.database, result["id"])
        print(
            f"gunicorn: {args.workers} workers × GUNICORN_THREADS threads (gunicorn.conf.py); rating {url}"
        )
        jobs = [
            (base, args.database, url, 1000 + 2 * n, n % args.repeat_every == 0)
            for n in range(args.concurrency)
        ]
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            outcomes = [o for pair in pool.map(submit, jobs) for o in pair]
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)

    kinds = {}
    for kind, _ in outcomes:
        kinds[kind] = kinds.get(kind, 0) + 1
    counted = kinds.get("counted", 0)
    ratings, total, tallies, by_level = stored_counts(args.database, result["id"])
    latencies = sorted(seconds for _, seconds in outcomes)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"{len(outcomes)} submissions ({args.concurrency} visitors at once):")
    print("  " + ", ".join(f"{kind} {n}" for kind, n in sorted(kinds.items())))
    print(
        f"  stored ratings {before[0]} -> {ratings}, rating_total {before[1]} -> "
        f"{total}, tallies {before[2]} -> {tallies}"
    )
    print(
        f"  {elapsed:.1f} s in all ({2 * len(outcomes) / elapsed:.1f} requests/s, page"
        f" GET + POST), {counted / elapsed:.1f} ratings counted per second;"
        f" POST latency p50 {statistics.median(latencies) * 1000:.0f} ms,"
        f" p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms (queueing"
        " behind the 200 page loads included)"
    )
    ok = (
        not any(kind.startswith("5xx") for kind in kinds)
        and ratings - before[0] == counted
        and total == ratings
        and all(
            tallies[scope] - before[2].get(scope, 0) == counted
            for scope in ("result", "item", "unit")
        )
        and kinds.get("repeat", 0) == len(jobs) // args.repeat_every
        and sum(by_level.values()) == ratings
    )
    print(
        "OK: every submission counted once or refused; aggregates agree"
        if ok
        else "FAILED"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
