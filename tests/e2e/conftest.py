"""Headless Debian Chromium against pytest-django's live server, with axe-core.

The browser is the system's /usr/bin/chromium (never `playwright install`): without
it the journeys are skipped, except under CI=true where a skip would hide a gap.
"""

import os
from pathlib import Path

from django.db import connections

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BLOCKING_IMPACTS = {"serious", "critical"}
#: Generous waits: CI machines run two database passes and other work at once, and
#: a slow answer is not what these journeys test.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture
def browser(transactional_db, monkeypatch):
    """A browser per test, started after the database is ready and closed before
    it is flushed.

    While Playwright's sync API is active, asyncio reports a running loop, so Django
    keeps a separate connection for this thread; the test case's own set-up and
    flush (and serialized rollback) must run outside that window.
    """
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} 不存在：请安装 Debian 的 chromium 软件包后运行浏览器测试"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread, while the test's own
    # database work (building data, reading results) is plain synchronous code.
    # Set for the browser's lifetime only: a process-wide setting would leak into
    # the subprocesses other tests start (`check --deploy` rejects it).
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
        # The connection opened inside that window is closed inside it, so that
        # PostgreSQL can drop the test database at the end.
        connections.close_all()


@pytest.fixture
def new_page(browser):
    """Open pages in fresh browser contexts (own cookies); all closed afterwards."""
    contexts = []

    def open_page(**context_options):
        context = browser.new_context(locale="zh-CN", **context_options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page(viewport={"width": 1280, "height": 800})


@pytest.fixture
def assert_accessible():
    """Run axe-core on the current page; serious or critical findings fail."""
    axe = Axe()

    def check(page):
        violations = axe.run(page).response["violations"]
        blocking = [
            f"{v['id']} ({v['impact']}): {v['help']} @ {[n['target'] for n in v['nodes']]}"
            for v in violations
            if v["impact"] in BLOCKING_IMPACTS
        ]
        assert not blocking, f"{page.url}:\n" + "\n".join(blocking)

    return check
