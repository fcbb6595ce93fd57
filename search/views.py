"""The public search page `/search/?q=…` (issue 6, part 5).

Works without JavaScript: the query box, the facets, the order and the pages are all
plain GET links or forms. The page costs a fixed number of queries whatever it
shows: the search itself, one for the units it names, and one for the synonym
groups when a word of the query has synonyms (“您是不是要找”).
"""

from django.core.paginator import Paginator
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.html import escape, format_html, format_html_join

from disclosure.models import UnitPage
from search import analysis
from search.filters import SearchFilter, facet_groups, link, order_options
from search.models import SearchDocument, Synonym
from search.service import record_zero_result, search

PER_PAGE = 20
MAX_QUERY_LENGTH = 100
#: Deep pages are clamped: nobody reads them, and Elasticsearch refuses offsets
#: beyond 10,000 hits.
MAX_PAGE = 500
EXAMPLES = ("低保", "宅基地", "临时救助", "三重一大")
KINDS = dict(SearchDocument.Kind.choices)


def search_page(request):
    text, too_long = query_text(request.GET.get("q", ""))
    filterset = SearchFilter(request.GET)
    notices = filterset.notices
    if too_long:
        notices.insert(0, f"检索词过长，只按前 {MAX_QUERY_LENGTH} 个字检索。")
    context = {
        "text": text,
        "order": filterset.sort,
        "notices": notices,
        "examples": EXAMPLES,
    }
    if text:
        context.update(results_context(text, filterset, request.GET.get("page")))
    return TemplateResponse(request, "search/search_page.html", context)


def query_text(raw):
    """The query with its whitespace collapsed, and whether it had to be cut."""
    text = " ".join(raw.split())
    return text[:MAX_QUERY_LENGTH], len(text) > MAX_QUERY_LENGTH


def results_context(text, filterset, page_param):
    arguments = filterset.search_arguments()
    number = page_number(page_param)
    results = search(text, offset=(number - 1) * PER_PAGE, limit=PER_PAGE, **arguments)
    if results.total and not results.hits and number > 1:
        number = (results.total - 1) // PER_PAGE + 1
        results = search(
            text, offset=(number - 1) * PER_PAGE, limit=PER_PAGE, **arguments
        )
    searchable = results.query is not None and results.query.groups
    if not results.total and searchable and not filterset.active:
        # A miss caused by the reader's own filters says nothing about the site,
        # nor does a query of punctuation and function words alone.
        record_zero_result(text)
    params = filterset.params(text)
    units = units_named(results, filterset)
    page = Paginator(range(results.total), PER_PAGE).get_page(number)
    return {
        "total": results.total,
        "hits": [hit_context(hit, units, results.query) for hit in results.hits],
        "page_obj": page,
        "page_links": page_links(page, params),
        "facet_groups": facet_groups(filterset, params, results, units)
        if results.total or filterset.active
        else [],
        "orders": order_options(params, filterset.sort),
        "filtered": filterset.active,
        "clear_url": link({"q": text, "order": params.get("order")}),
        "suggestion": suggestion(results.query),
    }


def page_number(value):
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return min(max(number, 1), MAX_PAGE)


def units_named(results, filterset):
    """The units the hits and the unit facet name, by id and by code, in one query."""
    ids = {hit.unit_id for hit in results.hits}
    codes = {str(value) for value, _count in results.facets.get("unit", [])}
    units = UnitPage.objects.filter(Q(id__in=ids) | Q(code__in=codes))
    named = {}
    for unit in units.only("id", "title", "code"):
        named[unit.id] = named[unit.code] = unit
    chosen = filterset.cleaned.get("unit")
    if chosen:
        named[chosen.code] = chosen
    return named


def hit_context(hit, units, query):
    unit = units.get(hit.unit_id)
    return {
        "title": highlight(hit.title, query),
        "url": hit.url,
        "code": hit.code,
        "kind": KINDS.get(hit.kind, hit.kind),
        "unit": unit.title if unit else "",
        "snippet": highlight(hit.snippet, query),
    }


def page_links(page, params):
    links = []
    for number in page.paginator.get_elided_page_range(
        page.number, on_each_side=2, on_ends=1
    ):
        if number == page.paginator.ELLIPSIS:
            links.append({"gap": True})
        else:
            links.append({"number": number, "url": link(params, page=number)})
    return {
        "pages": links,
        "previous": link(params, page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next": link(params, page=page.next_page_number()) if page.has_next() else "",
    }


def suggestion(query):
    """“您是不是要找”: the query with each word that belongs to a synonym group
    replaced by the group's first term, when that changes anything."""
    if query is None or all(len(group) == 1 for group in query.groups):
        return None  # no word of the query has synonyms
    preferred = {}
    for synonym in Synonym.objects.filter(active=True).only("terms"):
        terms = [analysis.compact(term) for term in synonym.term_list()]
        for term in terms[1:]:
            if term != terms[0]:
                preferred.setdefault(term, terms[0])
    text = analysis.normalise(query.text)
    suggested = text
    for group in query.groups:
        word = group[0]
        if word in preferred:
            suggested = suggested.replace(word, preferred[word])
    if suggested == text:
        return None
    return {"text": suggested, "url": link({"q": suggested})}


def highlight(text, query):
    """`text` escaped, each match of the query's words (or their synonyms) wrapped
    in <mark>.

    The plain text is cut at the matches and every piece is escaped on its own, so
    no markup from the text survives and no match can fall inside an entity.
    """
    if not text or query is None:
        return escape(text)
    pieces, end = [], 0
    for start, stop in analysis.match_spans(text, query.groups):
        pieces.append((text[end:start], text[start:stop]))
        end = stop
    return format_html(
        "{}{}", format_html_join("", "{}<mark>{}</mark>", pieces), text[end:]
    )
