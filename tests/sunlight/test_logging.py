"""gunicorn's access log as configured in gunicorn.conf.py (DESIGN rule 9; issue 11
item 6): lines for /report/ paths carry no client address or user agent, every other
line keeps them (网络安全法: access logs kept six months).

test_security.py checks `scrub_access_atoms` on a dict; these go through gunicorn's
own Logger — the formatting the server really does — and through a real gunicorn
started with gunicorn.conf.py.
"""

import datetime
import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from sunlight.logging import PrivacyAccessLogger

ROOT = Path(__file__).resolve().parents[2]
CONF = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
ADDRESS = "203.0.113.9"
AGENT = "Mozilla/5.0 (Reporter's Phone)"
# The configured format, plus the header atoms an operator might add.
FORMAT = (
    CONF["access_log_format"] + " %({x-real-ip}i)s %({user-agent}i)s %({referer}i)s"
)


def test_gunicorn_conf_installs_the_privacy_logger():
    assert CONF["logger_class"] == "sunlight.logging.PrivacyAccessLogger"
    # What the logger has to blank is in the format: the address and the agent.
    assert "%(h)s" in CONF["access_log_format"]
    assert "%(a)s" in CONF["access_log_format"]


def access_line(tmp_path, path, raw=None, query="", log_format=FORMAT):
    log = tmp_path / "access.log"
    cfg = Config()
    cfg.set("accesslog", str(log))
    cfg.set("access_log_format", log_format)
    logger = PrivacyAccessLogger(cfg)
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": (raw or path) + (f"?{query}" if query else ""),
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": ADDRESS,
        "HTTP_USER_AGENT": AGENT,
        "HTTP_REFERER": f"https://gk.example.gov.cn{path}",
        "HTTP_X_REAL_IP": ADDRESS,
    }
    request = SimpleNamespace(
        headers=[
            ("USER-AGENT", AGENT),
            ("X-REAL-IP", ADDRESS),
            ("X-FORWARDED-FOR", ADDRESS),
            ("REFERER", f"https://gk.example.gov.cn{path}"),
            ("HOST", "gk.example.gov.cn"),
        ]
    )
    response = SimpleNamespace(
        status="200 OK", headers=[("Content-Type", "text/html")], sent=1234
    )
    logger.access(response, request, environ, datetime.timedelta(milliseconds=42))
    for handler in logger.access_log.handlers:
        handler.flush()
        handler.close()
    return log.read_text()


@pytest.mark.parametrize(
    ("path", "raw"),
    [
        ("/report/", None),
        ("/report/status/", None),
        ("/report/recover/", None),
        ("/report", None),
        # gunicorn decodes PATH_INFO; the request line keeps what was sent.
        ("/report/", "/%72eport/"),
    ],
)
def test_report_lines_carry_no_address_or_agent(tmp_path, path, raw):
    line = access_line(tmp_path, path, raw=raw)
    assert line.count("\n") == 1
    assert ADDRESS not in line
    assert "Mozilla" not in line
    assert "Reporter" not in line
    # Still a useful line: method, path, status, size, duration.
    assert f"POST {raw or path} HTTP/1.1" in line
    assert " 200 1234 " in line
    assert "0.042000s" in line


def test_other_lines_keep_address_and_agent(tmp_path):
    line = access_line(tmp_path, "/search/", query="q=低保")
    assert line.startswith(ADDRESS + " ")
    assert AGENT in line
    assert "/search/?q=" in line


def test_environ_atoms_are_blanked_on_report_paths_too(tmp_path):
    log_format = (
        '%({remote_addr}e)s "%({http_user_agent}e)s" %({http_x_real_ip}e)s %(r)s'
    )
    line = access_line(tmp_path, "/report/", log_format=log_format)
    assert ADDRESS not in line
    assert "Mozilla" not in line


APP = """
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_real_gunicorn_with_the_project_config_keeps_reporters_out(tmp_path):
    """gunicorn.conf.py as deployed (logger class by name, its format), a stub app:
    the address and agent of /report/ requests never reach the file."""
    (tmp_path / "stub_app.py").write_text(APP)
    log = tmp_path / "access.log"
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - gunicorn from this environment
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--pythonpath",
            f"{ROOT / 'site'},{tmp_path}",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--access-logfile",
            str(log),
            "--error-logfile",
            str(tmp_path / "error.log"),
            "stub_app:app",
        ],
        cwd=tmp_path,
        env={**os.environ, "FORWARDED_ALLOW_IPS": "127.0.0.1"},
        start_new_session=True,
    )
    try:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/up", timeout=2)  # noqa: S310
                break
            except OSError:
                if time.time() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
        for path in ("/report/", "/report/status/", "/results/"):
            request = urllib.request.Request(  # noqa: S310 - loopback
                f"http://127.0.0.1:{port}{path}",
                headers={"User-Agent": AGENT, "X-Real-IP": ADDRESS},
            )
            urllib.request.urlopen(request, timeout=10).read()  # noqa: S310
    finally:
        server.terminate()
        server.wait(timeout=30)
    lines = {
        line.split('"')[1].split()[1]: line for line in log.read_text().splitlines()
    }
    for path in ("/report/", "/report/status/"):
        assert "127.0.0.1" not in lines[path]
        assert "Mozilla" not in lines[path]
        assert lines[path].startswith("- ")
    assert lines["/results/"].startswith("127.0.0.1 ")
    assert AGENT in lines["/results/"]
