"""Report intake under load, and across a PostgreSQL restart (issue 8; DESIGN rule 8).

1. 100 reports submitted at once against gunicorn on PostgreSQL: every one must be
   confirmed with a 查询码 and stored exactly once.
2. The same again while PostgreSQL restarts in the middle: every request is either
   confirmed and stored, or answered with an error — none confirmed and missing.
   Requests that got an error are then retried with the same form token (as a
   person pressing 提交 again would): each must end up stored exactly once.
3. A sustained run: the intake rate (confirmed reports per second).

Captcha answers are read from the captcha store, as the contract allows for
benchmarks; throttles are switched off (THROTTLE_ENABLED=0). The server runs the
production settings.

    .venv/bin/python bench/bench_reports.py \
        [--database postgres://postgres@127.0.0.1:5432/sunlight_bench_reports] \
        [--concurrency 100] [--workers 4] [--sustained 300] \
        [--restart "pg_ctlcluster 15 main restart"]

The database named is dropped and re-created — never point it at real data.
"""

import argparse
import hashlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PASSWORD = "Bench-Chaxun-2026"  # noqa: S105 - a throwaway benchmark database
UNIT = "QS-A-2"  # 柳溪镇社会事务办公室 in the demo county
CODE = re.compile(r'<p class="code"[^>]*>([\d ]{19})</p>')


def reset_database(url):
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def server_env(url, port):
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "FIELD_ENCRYPTION_KEYS": "YmVuY2gtb25seS1maWVsZC1rZXktMzItYnl0ZXMtbG8=",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BASE_URL": f"http://127.0.0.1:{port}",
        "SECURE_SSL_REDIRECT": "0",
        "THROTTLE_ENABLED": "0",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
    }


def manage(env, *args, debug="1"):
    subprocess.run(  # noqa: S603 - our own manage.py
        [PY, "manage.py", *args],
        cwd=ROOT,
        env={**env, "DEBUG": debug},
        check=True,
        stdout=subprocess.DEVNULL,
    )


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """One browser-like visitor: GET the form, read the captcha answer from the
    store, POST the report. No shared cookies between visitors."""

    def __init__(self, base, db_url):
        self.base = base
        self.db_url = db_url

    def form(self):
        with urllib.request.urlopen(self.base + "/report/", timeout=60) as r:  # noqa: S310
            html = r.read().decode()
            cookie = r.headers.get("Set-Cookie", "")
        csrf_cookie = re.search(r"csrftoken=([^;]+)", cookie).group(1)
        fields = {
            name: re.search(rf'name="{name}" value="([^"]+)"', html).group(1)
            for name in ("csrfmiddlewaretoken", "captcha_0", "token")
        }
        with psycopg.connect(self.db_url) as conn:
            answer = conn.execute(
                "SELECT response FROM captcha_captchastore WHERE hashkey = %s",
                (fields["captcha_0"],),
            ).fetchone()[0]
        return csrf_cookie, fields, answer

    def submit(self, number, token=None):
        """(token, code or None, status)."""
        try:
            csrf_cookie, fields, answer = self.form()
        except Exception as error:  # noqa: BLE001 - any failure is an error answer
            return token, None, f"form: {type(error).__name__}"
        token = token or fields["token"]
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": fields["csrfmiddlewaretoken"],
                "token": token,
                "mode": "anonymous",
                "accused_person": f"测试对象{number}",
                "accused_post": "工作人员",
                "accused_unit": self.unit_pk(),
                "content": f"压力测试举报第{number}号：办理低保时索要好处费。",
                "password": PASSWORD,
                "password_confirm": PASSWORD,
                "captcha_0": fields["captcha_0"],
                "captcha_1": answer,
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310
            self.base + "/report/",
            data=data,
            headers={
                "Cookie": f"csrftoken={csrf_cookie}",
                "Referer": self.base + "/report/",
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as r:  # noqa: S310
                body = r.read().decode()
                status = r.status
        except urllib.error.HTTPError as error:
            return token, None, str(error.code)
        except Exception as error:  # noqa: BLE001
            return token, None, type(error).__name__
        found = CODE.search(body)
        if found:
            self.count_confirmed()
        return token, (found.group(1).replace(" ", "") if found else None), str(status)

    _unit = None
    _lock = threading.Lock()
    confirmed = 0
    confirm_after = None
    confirmed_event = None

    def count_confirmed(self):
        with self._lock:
            self.confirmed += 1
            if self.confirm_after and self.confirmed >= self.confirm_after:
                self.confirmed_event.set()

    def unit_pk(self):
        with self._lock:
            if Client._unit is None:
                with psycopg.connect(self.db_url) as conn:
                    Client._unit = conn.execute(
                        "SELECT page_ptr_id FROM disclosure_unitpage WHERE code = %s",
                        (UNIT,),
                    ).fetchone()[0]
        return Client._unit


def start_gunicorn(env, workers):
    """gunicorn on gunicorn.conf.py with `workers` workers, no access log."""
    return subprocess.Popen(  # noqa: S603 - our own server
        [
            PY,
            "-m",
            "gunicorn",
            "sunlight.wsgi",
            "-c",
            "gunicorn.conf.py",
            "--workers",
            str(workers),
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )


def restart_when_confirmed(client, command):
    client.confirmed_event.wait(timeout=300)
    started = time.perf_counter()
    subprocess.run(shlex.split(command), check=False)  # noqa: S603
    print(
        f"  PostgreSQL restarted after {client.confirmed} confirmations "
        f"({time.perf_counter() - started:.1f} s)"
    )


def submission_key(token):
    return hashlib.sha256(f"report-form:{token}".encode()).hexdigest()


def stored(db_url, outcomes):
    """How many rows each submission left: by its form token's digest."""
    keys = [submission_key(token) for token, _, _ in outcomes if token]
    with psycopg.connect(db_url) as conn:
        rows = conn.execute(
            "SELECT submission_key, code FROM complaints_report "
            "WHERE submission_key = ANY(%s)",
            (keys,),
        ).fetchall()
    by_key = {}
    for key, code in rows:
        by_key.setdefault(key, []).append(code)
    return by_key


def run_batch(client, numbers, concurrency):
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        return list(pool.map(client.submit, numbers))


def check(db_url, outcomes, label):
    rows = stored(db_url, outcomes)
    confirmed = [(t, c) for t, c, _ in outcomes if c]
    missing = [c for t, c in confirmed if rows.get(submission_key(t)) != [c]]
    doubled = [k for k, codes in rows.items() if len(codes) > 1]
    errors = [s for _, c, s in outcomes if not c]
    unconfirmed_stored = sum(
        1 for t, c, _ in outcomes if not c and t and submission_key(t) in rows
    )
    print(
        f"{label}: {len(confirmed)} confirmed, {len(errors)} answered with an error "
        f"({', '.join(sorted(set(errors))) or '-'}), confirmed but missing "
        f"{len(missing)}, stored twice {len(doubled)}, stored without confirmation "
        f"{unconfirmed_stored}"
    )
    return not missing and not doubled


def wait_until_up(base, timeout=60):
    started = time.time()
    while time.time() - started < timeout:
        try:
            with urllib.request.urlopen(base + "/report/status/", timeout=5):  # noqa: S310
                return
        except Exception:  # noqa: BLE001, S112 - still starting
            time.sleep(0.5)
    raise SystemExit("gunicorn did not start")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database",
        default="postgres://postgres@127.0.0.1:5432/sunlight_bench_reports",
    )
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--sustained", type=int, default=300)
    parser.add_argument("--restart", default="pg_ctlcluster 15 main restart")
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
    ok = True
    try:
        wait_until_up(base)
        client = Client(base, args.database)
        print(
            f"gunicorn: {args.workers} workers (threads per gunicorn.conf.py) on {base}"
        )

        started = time.perf_counter()
        burst = run_batch(client, range(args.concurrency), args.concurrency)
        elapsed = time.perf_counter() - started
        ok &= check(args.database, burst, f"{args.concurrency} at once")
        ok &= all(code for _, code, _ in burst)
        print(f"  burst took {elapsed:.1f} s")

        # Restart once a fifth of the batch is confirmed, so that the batch has
        # reports confirmed before, refused during and confirmed after it.
        total = 2 * args.concurrency
        client.confirmed = 0
        client.confirmed_event = threading.Event()
        client.confirm_after = total // 5
        restart = threading.Thread(
            target=restart_when_confirmed, args=(client, args.restart)
        )
        restart.start()
        during = run_batch(client, range(1000, 1000 + total), args.concurrency)
        restart.join()
        ok &= check(args.database, during, f"{total} across a restart")
        retried = []
        for token, code, status in during:
            if code:
                retried.append((token, code, status))
                continue
            # The same form again (same token) when it was sent; a fresh form when
            # the error came before the reporter had one.
            outcome = (token, None, status)
            for _ in range(3):
                outcome = client.submit(0, token=token)
                if outcome[1]:
                    break
                time.sleep(1)
            retried.append(outcome)
        ok &= check(args.database, retried, "  after retrying the errors once more")
        ok &= all(code for _, code, _ in retried)

        started = time.perf_counter()
        sustained = run_batch(client, range(5000, 5000 + args.sustained), 20)
        elapsed = time.perf_counter() - started
        confirmed = sum(1 for _, code, _ in sustained if code)
        ok &= check(
            args.database, sustained, f"sustained {args.sustained} (20 at a time)"
        )
        print(
            f"sustained intake rate: {confirmed / elapsed:.1f} reports/s "
            f"({confirmed} in {elapsed:.1f} s, {args.workers} workers, "
            f"{os.cpu_count()} CPUs)"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print("OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
