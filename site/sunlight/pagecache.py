"""Whole-page cache of public pages for anonymous visitors (issue 11 item 2).

What is cached: a GET of a public page by a visitor without a session, answered 200
without setting a cookie. Pages with a form set the CSRF cookie (and carry a
single-use captcha), so they are never cached; neither is anything under /admin/,
/report/, /api/ or /captcha/. The 适老化 preference is part of the key.

When it is dropped — exactly when something the page shows changes:
- a *generation* number covers everything published: any page or snippet published
  or unpublished, a unit, item, result, decision, calendar day or site setting saved
  or deleted, an import — all bump it (see sunlight.apps / `bump_all`);
- *tags* cover what changes often: a page records the tags it shows (a result's
  rating count, a unit's or item's rating aggregate) and a new rating bumps only
  those, so 20 ratings a second do not empty the whole cache.

An entry is served only when its generation and every tag version still match (two
cache round trips). The cache is Django's: Redis when REDIS_URL is set — which is
also when the page cache is on by default, since invalidation must reach every
worker and every process (a `manage.py import_lists` run included). PAGE_CACHE_SECONDS
sets the lifetime; 0 turns the page cache off.
"""

import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse

from .preferences import elderly_mode

GENERATION_KEY = "pagecache:generation"
TAG_PREFIX = "pagecache:tag:"
ENTRY_PREFIX = "pagecache:page:"
SKIPPED_PREFIXES = (
    "/admin/",
    "/report/",
    "/api/",
    "/captcha/",
    "/documents/",
    "/preferences/",
)
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")


def enabled():
    return getattr(settings, "PAGE_CACHE_SECONDS", 0) > 0


def tag(request, *names):
    """Note that the page being built shows what `names` stand for. Call it before
    reading the data: the versions are read now, so a change committed while the
    page is built leaves the entry stale rather than wrong."""
    tags = getattr(request, "_pagecache_tags", None)
    if tags is None or not names:
        return
    keys = [TAG_PREFIX + name for name in names if TAG_PREFIX + name not in tags]
    versions = cache.get_many(keys)
    tags.update({key: versions.get(key) for key in keys})


def bump(*names):
    """Something shown under each tag changed: pages that show it are stale (once
    the change is committed, so that a page built after the bump shows it)."""
    if enabled() and names:
        transaction.on_commit(lambda: [_increment(TAG_PREFIX + n) for n in names])


def bump_all(*args, **kwargs):
    """Published content changed: every cached page is stale. Usable as a signal
    receiver; within a transaction the bump runs once, after the commit."""
    if not enabled():
        return
    connection = transaction.get_connection()
    if any(entry[1] is _bump_generation for entry in connection.run_on_commit):
        return
    transaction.on_commit(_bump_generation)


def _bump_generation():
    _increment(GENERATION_KEY)


def _increment(key):
    try:
        cache.incr(key)
    except ValueError:
        # Not there (never set, or evicted): any new value differs from what
        # entries recorded, except 1 — so start from a value no entry can hold.
        cache.set(key, time.time_ns(), timeout=None)


def _entry_key(request):
    mode = "elderly" if elderly_mode(request) else "plain"
    return f"{ENTRY_PREFIX}{mode}:{request.get_host()}:{request.get_full_path()}"


def _eligible(request):
    if request.method not in ("GET", "HEAD") or not enabled():
        return False
    if request.path.startswith(SKIPPED_PREFIXES):
        return False
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _storable(request, response):
    """A plain page: no cookie set here or by the middleware outside (a form's CSRF
    token, a session), nothing private."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False
    session = getattr(request, "session", None)
    if session is not None and session.modified:
        return False
    control = response.get("Cache-Control", "")
    return not any(word in control for word in ("private", "no-store", "no-cache"))


class PublicPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _eligible(request):
            return self.get_response(request)
        key = _entry_key(request)
        found = cache.get_many([key, GENERATION_KEY])
        entry = found.get(key)
        generation = found.get(GENERATION_KEY)
        if entry is not None and entry["generation"] == generation:
            tags = entry["tags"]
            current = cache.get_many(list(tags)) if tags else {}
            if all(current.get(name) == version for name, version in tags.items()):
                return _replay(entry, request)
        request._pagecache_tags = {}
        response = self.get_response(request)
        if _storable(request, response):
            cache.set(
                key,
                {
                    "generation": generation,
                    "tags": request._pagecache_tags,
                    "status": response.status_code,
                    "content": response.content,
                    "headers": {
                        h: response[h] for h in KEPT_HEADERS if response.has_header(h)
                    },
                },
                timeout=settings.PAGE_CACHE_SECONDS,
            )
            response["X-Page-Cache"] = "MISS"
        return response


def _replay(entry, request):
    response = HttpResponse(
        b"" if request.method == "HEAD" else entry["content"], status=entry["status"]
    )
    for header, value in entry["headers"].items():
        response[header] = value
    response["Content-Length"] = str(len(entry["content"]))
    response["X-Page-Cache"] = "HIT"
    return response


#: Models whose rows public pages show: saving or deleting one empties the cache.
#: (Publishing and unpublishing pages and snippets are caught by Wagtail's signals;
#: bulk writes — the import, the calendar recompute — call bump_all themselves.)
PUBLIC_MODELS = (
    "wagtailcore.Site",
    "disclosure.HomePage",
    "disclosure.UnitPage",
    "disclosure.PowerItem",
    "disclosure.ProcessStep",
    "disclosure.NegativeListItem",
    "disclosure.Result",
    "disclosure.ResultAttachment",
    "disclosure.Objection",
    "disclosure.Decision",
    "disclosure.DecisionMember",
    "disclosure.DecisionAttachment",
    "disclosure.CalendarYear",
    "disclosure.CalendarDay",
    "sunlight.GovernmentSiteSettings",
    "search.Synonym",
    "supervision.Accountability",
    "supervision.FaultTolerance",
    "ledgers.Assessment",
    "ledgers.Indicator",
    "ledgers.Score",
)


def connect_signals():
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save

    from wagtail.signals import (
        page_published,
        page_unpublished,
        post_page_move,
        published,
        unpublished,
    )

    for signal in (
        page_published,
        page_unpublished,
        post_page_move,
        published,
        unpublished,
    ):
        signal.connect(bump_all, dispatch_uid=f"pagecache-{id(signal)}")
    for label in PUBLIC_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        for signal in (post_save, post_delete):
            signal.connect(
                bump_all, sender=model, dispatch_uid=f"pagecache-{label}-{id(signal)}"
            )
