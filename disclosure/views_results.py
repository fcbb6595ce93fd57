"""The public side of 一事一公开 results and 三重一大 decisions: a result's page (with
its dates, deadlines and the 公示/异议 part), the lists per unit and per item, the
site-wide 最新公开 list, Atom feeds, and decision pages with the vote tally.

The public sees live results of disclosed, live items of public units; a private
person's name only during the 公示 period (DESIGN rules 2 and 10). Lists run a fixed
number of queries whatever their size.
"""

from django.contrib.syndication.views import Feed
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed

from disclosure import deadlines, ratings
from disclosure.filters import ResultFilter
from disclosure.models import Decision, Objection, Result
from disclosure.results import published_results
from disclosure.workdays import format_date, load_calendar, start_of_day
from sunlight import pagecache

PER_PAGE = 20
FEED_SIZE = 50


def public_results():
    from disclosure.api import public_units

    return published_results().filter(unit__in=public_units().values("pk"))


def public_decisions():
    from disclosure.api import public_units

    return Decision.objects.filter(live=True, unit__in=public_units().values("pk"))


def listed(results):
    return results.select_related("unit", "item").only(
        "title",
        "act_date",
        "result_date",
        "disclosed_on",
        "disclosure_due",
        "entry_due",
        "entered_on",
        "rating_total",
        "unit__title",
        "unit__code",
        "unit__url_path",
        "unit__path",
        "unit__depth",
        "item__code",
        "item__name",
        "item__power_type",
    )


def add_result_urls(results, request):
    """Each listed result gets its page address from its unit's (one lookup per
    unit, no query: Wagtail caches the site root paths on the request)."""
    bases = {}
    for result in results:
        unit = result.unit
        if unit.pk not in bases:
            bases[unit.pk] = unit.get_url(request)
        result.public_url = bases[unit.pk] + unit.reverse_subpage(
            "result", kwargs={"pk": result.pk}
        )


def result_url(unit, request, pk):
    """The public address of result `pk` of `unit`."""
    return unit.get_url(request) + unit.reverse_subpage("result", kwargs={"pk": pk})


def paginate(request, objects):
    """The requested page of `objects` (PER_PAGE a page) and its elided page range."""
    paginator = Paginator(objects, PER_PAGE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return page, paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)


def result_list(request, *, unit=None, heading, template="disclosure/results.html"):
    """A filtered, paginated list of public results: the unit's own (with `unit`),
    or the whole county's 最新公开."""
    # Rows show their rating counts.
    pagecache.tag(request, f"unit-path:{unit.path}" if unit is not None else "ratings")
    base = public_results()
    if unit is not None:
        base = base.filter(unit=unit)
    filterset = ResultFilter(request.GET, base, unit=unit)
    ordered = listed(filterset.qs).order_by("-disclosed_on", "-result_date", "-pk")
    page, page_range = paginate(request, ordered)
    add_result_urls(page.object_list, request)
    context = unit.get_context(request) if unit is not None else {}
    context.update(
        {
            "heading": heading,
            "filter": filterset,
            "page_obj": page,
            "page_range": page_range,
            "feed_url": (
                unit.get_url(request) + unit.reverse_subpage("results_feed")
                if unit is not None
                else None
            ),
        }
    )
    if unit is None:
        context["page"] = None
    return TemplateResponse(request, template, context)


def latest_results(request):
    """最新公开: every unit's newest disclosed results, with filters."""
    return result_list(request, heading="最新公开（一事一公开）")


def unit_results(unit, request):
    return result_list(request, unit=unit, heading=f"{unit.title}办理结果公开")


def result_detail(unit, request, pk, objection_form=None, rating_form=None, status=200):
    pagecache.tag(request, f"result:{pk}")  # its ratings, comments and replies
    result = get_object_or_404(
        public_results()
        .filter(unit=unit)
        .select_related("item")
        .prefetch_related(
            "attachments__document",
            Prefetch(
                "objections",
                queryset=Objection.objects.only(
                    "result_id", "content", "created_at", "answer", "answered_at"
                ).order_by("created_at"),
                to_attr="all_objections",
            ),
        ),
        pk=pk,
    )
    result.unit = unit
    context = unit.get_context(request)
    context.update(result_context(result, request))
    url = result_url(unit, request, pk)
    if context["in_publicity"] or objection_form is not None:
        from disclosure.objections import objection_form_html

        context["objection_form"] = objection_form
        context["objection_form_html"] = objection_form_html(
            request, url + "objection/", objection_form
        )
    from disclosure.rating_views import rating_form_html, rating_summary_html

    context["rating_form"] = rating_form
    # The page thanking a rater has no second form: this browser has rated.
    if rating_form is not None or request.GET.get("rating") != "received":
        context["rating_form_html"] = rating_form_html(
            request, url + "rating/", rating_form
        )
    context["rating_summary_html"] = rating_summary_html(request, result.pk)
    context["rating_comments"] = list(ratings.shown_comments(result))
    return TemplateResponse(request, "disclosure/result.html", context, status=status)


def result_context(result, request):
    """What the result template needs beside the page. Also the admin preview's,
    where `result` may be an unsaved draft without deadlines yet."""
    today = timezone.localdate()
    calendar = load_calendar()
    context = {"result": result, "today": today}
    if result.disclosure_due:
        context["entry"] = result.entry_standing(today, calendar)
        context["disclosure"] = result.disclosure_standing(today, calendar)
        context["entry_explanation"] = deadlines.entry_deadline(
            result.act_date, calendar
        ).explanation
        context["disclosure_explanation"] = deadlines.disclosure_deadline(
            result.result_date, calendar
        ).explanation
    context["public_subject"] = result.public_subject(today)
    context["in_publicity"] = result.in_publicity(today)
    objections = getattr(result, "all_objections", [])
    answered = [o for o in objections if o.is_answered]
    # A private person's result may carry the 公示 list: it goes with the name.
    context["public_attachments"] = (
        result.subject_kind != Result.SubjectKind.PERSON or context["in_publicity"]
    )
    context["objection_count"] = len(objections)
    context["objections_waiting"] = len(objections) - len(answered)
    # During the 公示 the answered objections are read in full (masked); after
    # it, only how many there were: they may name the person or third parties.
    context["answered_objections"] = answered if context["in_publicity"] else []
    if result.pk and result.unit_id:
        item = result.item
        context["item_url"] = result.unit.get_url(
            request
        ) + result.unit.reverse_subpage("power_item", kwargs={"code": item.code})
    return context


# Feeds --------------------------------------------------------------------------


class UnitResultsFeed(Feed):
    """Atom feed of a unit's newest public results."""

    feed_type = Atom1Feed

    def __call__(self, request, unit):
        self.unit = unit
        return super().__call__(request)

    def get_object(self, request, *args, **kwargs):
        self.request = request
        return self.unit

    def title(self, unit):
        return f"{unit.title}一事一公开"

    def link(self, unit):
        return unit.get_url(self.request) + unit.reverse_subpage("results")

    def subtitle(self, unit):
        return f"{unit.title}最新公开的权力运行结果"

    def items(self, unit):
        results = list(
            listed(public_results().filter(unit=unit)).order_by("-disclosed_on", "-pk")[
                :FEED_SIZE
            ]
        )
        add_result_urls(results, self.request)
        return results

    def item_title(self, result):
        return result.title

    def item_description(self, result):
        parts = [result.item.name, f"结果产生日 {format_date(result.result_date)}"]
        if result.disclosed_on:
            parts.append(f"公开日期 {format_date(result.disclosed_on)}")
        return "；".join(parts)

    def item_link(self, result):
        return result.public_url

    def item_pubdate(self, result):
        return start_of_day(result.disclosed_on or result.result_date)

    def item_updateddate(self, result):
        return start_of_day(result.disclosed_on or result.result_date)


unit_results_feed = UnitResultsFeed()


# Decisions ------------------------------------------------------------------------


def unit_decisions(unit, request):
    decisions = (
        public_decisions()
        .filter(unit=unit)
        .only("meeting", "meeting_date", "topic", "decision_type", "outcome", "unit")
        .order_by("-meeting_date", "-pk")
    )
    page, page_range = paginate(request, decisions)
    base = unit.get_url(request)
    for decision in page.object_list:
        decision.public_url = base + unit.reverse_subpage(
            "decision", kwargs={"pk": decision.pk}
        )
    context = unit.get_context(request)
    context.update(
        {
            "heading": f"{unit.title}“三重一大”决策公开",
            "page_obj": page,
            "page_range": page_range,
        }
    )
    return TemplateResponse(request, "disclosure/decisions.html", context)


def decision_detail(unit, request, pk):
    decision = get_object_or_404(
        public_decisions()
        .filter(unit=unit)
        .prefetch_related("members", "attachments__document"),
        pk=pk,
    )
    decision.unit = unit
    context = unit.get_context(request)
    context.update(decision_context(decision))
    return TemplateResponse(request, "disclosure/decision.html", context)


def decision_context(decision):
    return {
        "decision": decision,
        "members": decision.members_in_order(),
        "tally": decision.tally,
        "public_attachments": [a for a in decision.attachments.all() if a.public],
    }
