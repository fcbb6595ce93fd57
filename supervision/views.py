"""Public pages: 问责通报 (seeds 000 监督问责办法 第十四条) and 澄清正名 (seeds 004
二(三)5). They show what an official notice carries and nothing more: no record of
who entered it, no internal notes, no 谈话提醒 or 诫勉谈话, no 容错 case until its
澄清 is published."""

from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from disclosure.views_results import paginate

from .search import published_clarifications, published_notices


def notice_list(request):
    notices = (
        published_notices().select_related("unit").order_by("-published_on", "-pk")
    )
    page, page_range = paginate(request, notices)
    return TemplateResponse(
        request,
        "supervision/notices.html",
        {"page_obj": page, "page_range": page_range},
    )


def notice_detail(request, pk):
    entry = get_object_or_404(published_notices().select_related("unit"), pk=pk)
    return TemplateResponse(request, "supervision/notice.html", {"entry": entry})


def clarification_list(request):
    cases = (
        published_clarifications()
        .select_related("unit")
        .order_by("-clarified_on", "-pk")
    )
    page, page_range = paginate(request, cases)
    return TemplateResponse(
        request,
        "supervision/clarifications.html",
        {"page_obj": page, "page_range": page_range},
    )


def clarification_detail(request, pk):
    case = get_object_or_404(published_clarifications().select_related("unit"), pk=pk)
    return TemplateResponse(request, "supervision/clarification.html", {"case": case})
