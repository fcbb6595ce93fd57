"""Whole-page cache of public pages for anonymous visitors (issue 11 item 2).

What is cached: a GET of a public page by a visitor without a session, answered 200
without setting a cookie. Nothing under /admin/, /report/, /api/ or /captcha/ is.
The 适老化 preference and today's date (deadline standings, 公示 periods) are part
of the key.

Forms are *holes*: a form carries the visitor's own CSRF token and a single-use
captcha, so a page whose view marks its forms with `punch()` (a result page with
its rating and objection forms) is stored with markers in their place, and each
later visitor gets the cached page with freshly rendered forms — a rating costs no
page render. A page that sets the CSRF cookie outside a hole is never stored. The
rating counts of result, item and unit pages are holes too, so a rating expires
none of those pages, only the small piece showing the counts.
`fragment()` keeps a piece of markup or data per generation, and optionally per tag
(the report form's unit list, the unit tree 举报 routing reads, those counts),
and the request's Wagtail Site with its root page is kept per host and generation,
so a request that is not a cache hit does not look them up in the database.

When it is dropped — exactly when something the page shows changes:
- a *generation* number covers everything published: any page or snippet published
  or unpublished, a unit, item, result, decision, calendar day or site setting saved
  or deleted, an import — all bump it (see sunlight.apps / `bump_all`);
- *tags* cover what changes often: a page or fragment records the tags it shows (a
  result's rating count, a unit's or item's rating aggregate, the lists' per-result
  counts) and a new rating bumps only those, so 20 ratings a second do not empty
  the whole cache.

An entry is served only when its generation and every tag version still match (two
cache round trips). The cache is Django's: Redis when REDIS_URL is set — which is
also when the page cache is on by default, since invalidation must reach every
worker and every process (a `manage.py import_lists` run included). PAGE_CACHE_SECONDS
sets the lifetime; 0 turns the page cache off.
"""

import re
import time

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.safestring import mark_safe

from .preferences import elderly_mode

GENERATION_KEY = "pagecache:generation"
TAG_PREFIX = "pagecache:tag:"
ENTRY_PREFIX = "pagecache:page:"
FRAGMENT_PREFIX = "pagecache:fragment:"
SITE_PREFIX = "pagecache:site:"
SKIPPED_PREFIXES = (
    "/admin/",
    "/report/",
    "/api/",
    "/captcha/",
    "/documents/",
    "/preferences/",
)
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary")
HOLE = re.compile(r"<!--pagecache-hole:(\d+)-->(.*?)<!--/pagecache-hole-->", re.S)
PLACEHOLDER = re.compile(r"<!--pagecache-hole:(\d+)-->")
#: Per-visitor markup that must never be stored outside a hole.
PERSONAL = (b"csrfmiddlewaretoken", b'name="captcha_0"')


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


def generation(request):
    """The generation this request was served under — None when the page cache is
    off or did not see the request: then nothing may be kept."""
    return getattr(request, "_pagecache_generation", None) if enabled() else None


def punch(request, renderer, html, **params):
    """Mark `html`, a form just rendered for this visitor, as a hole: the cached
    copy of the page keeps a marker, and every later visitor gets
    `renderer(request, **params)` in its place (`renderer` a module-level
    function; `params` plain values)."""
    holes = getattr(request, "_pagecache_holes", None)
    if holes is None:
        return html
    holes.append((f"{renderer.__module__}.{renderer.__qualname__}", params))
    return mark_safe(  # noqa: S308 - html is the caller's rendered (safe) form
        f"<!--pagecache-hole:{len(holes) - 1}-->{html}<!--/pagecache-hole-->"
    )


def fragment(name, build, tag=None, local=False):
    """A piece of markup or data that changes only with published content (the
    report form's list of units, the unit tree 举报 routing reads) — and, given a
    `tag`, with what the tag stands for (a result's rating counts): `build()` once
    per generation (and tag version), shared by every worker, read in one round
    trip. `local` keeps it in this process instead (for data that is slower to
    unpickle than to build; only the versions are read from the cache). Without the
    page cache, built every time."""
    if not enabled():
        return build()
    key = f"{FRAGMENT_PREFIX}{name}"
    version_keys = [GENERATION_KEY] + ([TAG_PREFIX + tag] if tag else [])
    stored = cache.get_many(version_keys if local else [key, *version_keys])
    version = tuple(stored.get(k) for k in version_keys)  # read before the data
    found = _local_fragments.get(key) if local else stored.get(key)
    if found is not None and found[0] == version:
        return found[1]
    value = build()
    if not local:
        cache.set(key, (version, value), timeout=settings.PAGE_CACHE_SECONDS)
    elif version[0] is not None:
        # (Without a generation — outside a request, before the middleware has
        # started one — a copy kept now could match a later emptied cache.)
        _local_fragments[key] = (version, value)
    return value


_local_fragments = {}


def bump(*names):
    """Something shown under each tag changed: pages that show it are stale (once
    the change is committed, so that a page built after the bump shows it)."""
    if enabled() and names:
        transaction.on_commit(lambda: _increment(*(TAG_PREFIX + n for n in names)))


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


def _start_generation():
    """A new or emptied cache has no generation yet: start one (from a value no
    entry can hold), so that what is kept from now on names one."""
    cache.add(GENERATION_KEY, time.time_ns(), timeout=None)
    return cache.get(GENERATION_KEY)


def _increment(*keys):
    """Add 1 to each version. One missing (never set, or evicted) starts from a
    value no entry can hold: any new value differs from what entries recorded
    (None), except 1. With Redis, all keys in one round trip."""
    together = getattr(cache, "increment_versions", None)
    if together is not None:
        together(keys, start=time.time_ns())
        return
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, time.time_ns(), timeout=None)


def _entry_key(request):
    mode = "elderly" if elderly_mode(request) else "plain"
    today = timezone.localdate().isoformat()
    path = request.get_full_path()
    return f"{ENTRY_PREFIX}{mode}:{today}:{request.get_host()}:{path}"


def _eligible(request):
    if request.method not in ("GET", "HEAD") or not enabled():
        return False
    if request.path.startswith(SKIPPED_PREFIXES):
        return False
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _storable(request, response, content):
    """A plain page: no cookie set here or by the middleware outside (a session; a
    CSRF token used outside a hole), nothing private. `content` is the page with
    its holes taken out."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if any(marker in content for marker in PERSONAL):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE") and not request._pagecache_holes:
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
        if not enabled() or request.path.startswith("/admin/"):
            return self.get_response(request)
        eligible = _eligible(request)
        key, site_key = _entry_key(request), _site_key(request)
        found = cache.get_many(
            [key, site_key, GENERATION_KEY] if eligible else [site_key, GENERATION_KEY]
        )
        entry = found.get(key)
        generation = found.get(GENERATION_KEY)
        if generation is None:
            generation = _start_generation()
        if entry is not None and entry["generation"] == generation:
            tags = entry["tags"]
            current = cache.get_many(list(tags)) if tags else {}
            if all(current.get(name) == version for name, version in tags.items()):
                return _replay(entry, request)
        _attach_site(request, site_key, found.get(site_key), generation)
        request._pagecache_generation = generation
        if not eligible:
            return self.get_response(request)
        request._pagecache_tags = {}
        request._pagecache_holes = []
        response = self.get_response(request)
        if response.streaming or not request._pagecache_holes:
            content = None if response.streaming else response.content
        else:
            page = response.content.decode(response.charset)
            content = HOLE.sub(r"<!--pagecache-hole:\1-->", page).encode(
                response.charset
            )
            response.content = HOLE.sub(r"\2", page).encode(response.charset)
        if _storable(request, response, content):
            cache.set(
                key,
                {
                    "generation": generation,
                    "tags": request._pagecache_tags,
                    "holes": request._pagecache_holes,
                    "status": response.status_code,
                    "content": content,
                    "headers": {
                        h: response[h] for h in KEPT_HEADERS if response.has_header(h)
                    },
                },
                timeout=settings.PAGE_CACHE_SECONDS,
            )
            response["X-Page-Cache"] = "MISS"
        return response


def _site_key(request):
    return f"{SITE_PREFIX}{request._get_raw_host()}:{request.get_port()}"


def _attach_site(request, key, found, generation):
    """Wagtail looks up the request's Site and then its root page in the database
    on every request it serves; the pair is kept in the shared cache per host and
    generation instead (saving a Site or publishing a page starts a new one)."""
    from wagtail.models import Site

    if found is not None and found[0] == generation:
        request._wagtail_site = found[1]
        return
    site = Site._find_for_request(request)  # Wagtail's own lookup
    if site is None:
        return
    site.root_page = site.root_page.specific
    cache.set(key, (generation, site), timeout=settings.PAGE_CACHE_SECONDS)
    request._wagtail_site = site


def _replay(entry, request):
    content = entry["content"]
    if entry.get("holes"):
        content = _fill(content.decode(), entry["holes"], request).encode()
    response = HttpResponse(
        b"" if request.method == "HEAD" else content, status=entry["status"]
    )
    for header, value in entry["headers"].items():
        response[header] = value
    response["Content-Length"] = str(len(content))
    response["X-Page-Cache"] = "HIT"
    return response


def _fill(page, holes, request):
    """The stored page with this visitor's own forms in its holes."""
    filled = [import_string(path)(request, **params) for path, params in holes]
    return PLACEHOLDER.sub(lambda hole: filled[int(hole.group(1))], page)


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


#: Models shown on a few pages only: saving or deleting a row expires those (tags),
#: given the row and whether it was just created.
TAGGED_MODELS = {
    # A comment shown or withheld, a unit's reply: the result page lists them. A
    # new rating is counted by disclosure.ratings.count (its comment waits).
    "disclosure.Rating": lambda rating, created: (
        [] if created else [f"result:{rating.result_id}"]
    ),
}


def _bump_tags_of(tags_of):
    def receiver(sender, instance, created=False, **kwargs):
        bump(*tags_of(instance, created))

    return receiver


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
    for label, tags_of in TAGGED_MODELS.items():
        receiver = _bump_tags_of(tags_of)
        for signal in (post_save, post_delete):
            signal.connect(
                receiver,
                sender=apps.get_model(label),
                weak=False,
                dispatch_uid=f"pagecache-{label}-{id(signal)}",
            )
