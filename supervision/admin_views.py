"""The 纪委 workspace in the Wagtail admin (issue 9): 工作台, 巡查台账, 督办, 统计,
问责 and 容错纠错; and the unit's side of a 督办 (its orders and the reply).

Views parse, call a service (patrols, orders, notices, tolerance) and render; a
SupervisionError from a service is shown on the form with nothing changed. Scope
comes from `access`: a record out of scope answers 404, as reports do.
"""

import datetime

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import TemplateView

from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.log_actions import log

from disclosure.exports import XLSX_TYPE, download, to_xlsx
from disclosure.models import UnitPage
from disclosure.workdays import format_date, load_calendar

from . import access, forms, notices, orders, patrols, statistics, tolerance
from .errors import SupervisionError
from .models import Accountability, FaultTolerance, Finding, Patrol, SupervisionOrder

HOME = "supervision_home"
PATROLS = "supervision_patrols"
PATROL = "supervision_patrol"
ORDERS = "supervision_orders"
ORDER = "supervision_order"
UNIT_ORDERS = "supervision_unit_orders"
STATISTICS = "supervision_statistics"
ACCOUNTABILITIES = "supervision_accountabilities"
ACCOUNTABILITY = "supervision_accountability"
CASES = "supervision_cases"
CASE = "supervision_case"

OrderState = SupervisionOrder.State
CaseState = FaultTolerance.State


def forbidden(request):
    return TemplateResponse(
        request,
        "supervision/admin/forbidden.html",
        {"page_title": "无权访问", "header_icon": "warning"},
        status=403,
    )


class WorkspaceMixin(WagtailAdminTemplateMixin):
    """纪委 staff (and superusers) only."""

    header_icon = "view"
    breadcrumbs_items = [
        *WagtailAdminTemplateMixin.breadcrumbs_items,
        {"url": reverse_lazy(HOME), "label": "纪委监督"},
    ]

    def allowed(self, user):
        return access.is_commission_staff(user)

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    @cached_property
    def user(self):
        return self.request.user

    @cached_property
    def commissions(self):
        return access.own_commissions(self.user)

    @cached_property
    def scope_units(self):
        """The units this user may choose in forms: every unit its 纪委s supervise."""
        ids = access.visible_unit_ids(self.user)
        units = UnitPage.objects.all()
        return units if ids is None else units.filter(pk__in=ids)

    def invalid(self, context, status=400):
        return self.render_to_response(self.get_context_data(**context), status=status)


def _page(request, queryset, per_page=50):
    return Paginator(queryset, per_page).get_page(request.GET.get("p"))


# 工作台 ----------------------------------------------------------------------------


def parse_month(text, today):
    """(year, month, error) from "YYYY-MM"; the current month on bad input."""
    if not text:
        return today.year, today.month, ""
    try:
        year, month = (int(part) for part in text.split("-", 1))
        datetime.date(year, month, 1)
    except ValueError:
        return today.year, today.month, "月份格式应为“2026-11”，已显示本月。"
    if not 2000 <= year <= today.year or datetime.date(year, month, 1) > today:
        return (
            today.year,
            today.month,
            "只能查看2000年1月至本月的巡查情况，已显示本月。",
        )
    return year, month, ""


def order_counts(orders_queryset, today):
    return orders_queryset.aggregate(
        waiting=Count("pk", filter=Q(state=OrderState.ISSUED)),
        review=Count("pk", filter=Q(state=OrderState.REPLIED)),
        overdue=Count("pk", filter=Q(state=OrderState.ISSUED, due__lt=today)),
    )


def case_counts(cases, today):
    investigation_due = Coalesce("extended_due", "investigation_due")
    return cases.annotate(run_due=investigation_due).aggregate(
        receiving=Count("pk", filter=Q(state=CaseState.RECEIVED)),
        accept_overdue=Count(
            "pk", filter=Q(state=CaseState.RECEIVED, accept_due__lt=today)
        ),
        investigating=Count("pk", filter=Q(state=CaseState.INVESTIGATING)),
        investigation_overdue=Count(
            "pk", filter=Q(state=CaseState.INVESTIGATING, run_due__lt=today)
        ),
        filing=Count("pk", filter=Q(state=CaseState.DECIDED, filed_on__isnull=True)),
        filing_overdue=Count(
            "pk",
            filter=Q(
                state=CaseState.DECIDED, filed_on__isnull=True, filing_due__lt=today
            ),
        ),
    )


def visible_orders(user):
    return access.in_scope(SupervisionOrder.objects.all(), user)


def visible_cases(user):
    return access.about_someone_else(
        access.in_scope(FaultTolerance.objects.all(), user), user
    )


def visible_accountabilities(user):
    return access.about_someone_else(
        access.in_scope(Accountability.objects.all(), user), user
    )


class WorkspaceView(WorkspaceMixin, TemplateView):
    """工作台: today's patrols, the month's calendar of missed ones, open 督办 and
    容错 timers — a fixed number of queries however much is recorded."""

    page_title = "纪委监督工作台"
    template_name = "supervision/admin/home.html"

    def get_breadcrumbs_items(self):
        return [
            *WagtailAdminTemplateMixin.breadcrumbs_items,
            {"url": "", "label": "纪委监督"},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.localtime()
        today = now.date()
        year, month, error = parse_month(self.request.GET.get("month"), today)
        if error:
            messages.warning(self.request, error)
        calendar = load_calendar()
        commissions = list(self.commissions.order_by("path").only("pk", "title"))
        first = datetime.date(year, month, 1)
        last = (first + datetime.timedelta(days=32)).replace(
            day=1
        ) - datetime.timedelta(days=1)
        start = min(first, today)
        recorded = patrols.recorded_sessions(
            [c.pk for c in commissions], start, max(last, today)
        )
        boards = []
        for commission in commissions:
            done = recorded.get(commission.pk, set())
            grid = patrols.month_grid(year, month, done, calendar, now)
            missed = patrols.missed_sessions(
                first, min(last, today), done, calendar, now
            )
            boards.append(
                {
                    "commission": commission,
                    "today": patrols.today_states(today, done, calendar, now),
                    "grid": grid,
                    "missed": missed,
                }
            )
        previous = first - datetime.timedelta(days=1)
        following = last + datetime.timedelta(days=1)
        context.update(
            boards=boards,
            month_label=f"{year}年{month}月",
            previous_month=f"{previous.year}-{previous.month:02d}",
            next_month=(
                f"{following.year}-{following.month:02d}" if following <= today else ""
            ),
            today=today,
            today_is_workday=calendar.is_workday(today),
            state_labels=patrols.STATE_LABELS,
            orders=order_counts(visible_orders(self.user), today),
            cases=case_counts(visible_cases(self.user), today),
            weekdays="一二三四五六日",
        )
        return context


# 巡查台账 --------------------------------------------------------------------------


class PatrolListView(WorkspaceMixin, TemplateView):
    page_title = "巡查台账"
    template_name = "supervision/admin/patrols.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        patrol_rows = access.visible_patrols(Patrol.objects.all(), self.user)
        page = _page(
            self.request,
            patrol_rows.select_related("commission", "recorded_by")
            .annotate(finding_count=Count("findings"))
            .order_by("-date", "-session", "commission__path"),
        )
        context.update(
            page_obj=page,
            form=form
            or forms.PatrolForm(
                commissions=self.commissions,
                initial={
                    "date": timezone.localdate(),
                    "session": default_session(),
                },
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = forms.PatrolForm(request.POST, commissions=self.commissions)
        if not form.is_valid():
            return self.invalid({"form": form})
        data = form.cleaned_data
        try:
            patrol = patrols.log_patrol(
                self.user,
                data["commission"],
                data["date"],
                data["session"],
                data["summary"].strip(),
            )
        except SupervisionError as error:
            form.add_error(None, str(error))
            return self.invalid({"form": form})
        messages.success(
            request,
            f"已登记{format_date(patrol.date)}{patrol.get_session_display()}巡查。",
        )
        return redirect(PATROL, pk=patrol.pk)


def default_session():
    now = timezone.localtime()
    if now.time() < patrols.MORNING_ENDS:
        return Patrol.Session.MORNING
    return Patrol.Session.AFTERNOON


class PatrolDetailView(WorkspaceMixin, TemplateView):
    template_name = "supervision/admin/patrol.html"
    breadcrumbs_items = [
        *WorkspaceMixin.breadcrumbs_items,
        {"url": reverse_lazy(PATROLS), "label": "巡查台账"},
    ]

    @cached_property
    def patrol(self):
        patrol = (
            access.visible_patrols(Patrol.objects.all(), self.user)
            .select_related("commission", "recorded_by")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if patrol is None:
            raise Http404("巡查记录不存在或不在您的范围内")
        return patrol

    def get_page_title(self):
        patrol = self.patrol
        return f"{format_date(patrol.date)}{patrol.get_session_display()}巡查"

    @cached_property
    def can_write(self):
        return access.may_act_for(self.user, self.patrol.commission)

    @cached_property
    def finding_units(self):
        return UnitPage.objects.filter(
            pk__in=access.supervised_by(self.patrol.commission)
        )

    def get_context_data(self, finding_form=None, order_forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        findings = access.in_scope(
            self.patrol.findings.select_related("unit", "item").prefetch_related(
                "orders"
            ),
            self.user,
        ).order_by("created_at", "pk")
        order_forms = order_forms or {}
        rows = []
        for finding in findings:
            existing = list(finding.orders.all())
            form = None
            if self.can_write and not existing:
                form = order_forms.get(finding.pk) or forms.OrderForm(
                    prefix=f"order-{finding.pk}",
                    initial={"requirement": finding.description},
                )
            rows.append({"finding": finding, "orders": existing, "form": form})
        context.update(
            patrol=self.patrol,
            rows=rows,
            can_write=self.can_write,
            finding_form=(finding_form or forms.FindingForm(units=self.finding_units))
            if self.can_write
            else None,
        )
        return context

    def get(self, request, *args, **kwargs):
        self.patrol  # noqa: B018 - 404 before anything renders
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.can_write:
            return forbidden(request)
        if request.POST.get("action") == "order":
            return self.post_order(request)
        form = forms.FindingForm(request.POST, units=self.finding_units)
        if not form.is_valid():
            return self.invalid({"finding_form": form})
        data = form.cleaned_data
        try:
            patrols.add_finding(
                self.user,
                self.patrol,
                data["unit"],
                data["problem_type"],
                data["description"],
                item=data["item"],
            )
        except SupervisionError as error:
            form.add_error(None, str(error))
            return self.invalid({"finding_form": form})
        messages.success(request, "已登记发现的问题。")
        return redirect(PATROL, pk=self.patrol.pk)

    def post_order(self, request):
        finding = get_object_or_404(
            Finding, pk=request.POST.get("finding"), patrol=self.patrol
        )
        form = forms.OrderForm(request.POST, prefix=f"order-{finding.pk}")
        if not form.is_valid():
            return self.invalid({"order_forms": {finding.pk: form}})
        try:
            order = orders.issue(
                self.user,
                self.patrol.commission,
                finding.unit,
                form.cleaned_data["requirement"],
                finding=finding,
            )
        except SupervisionError as error:
            form.add_error(None, str(error))
            return self.invalid({"order_forms": {finding.pk: form}})
        messages.success(
            request,
            f"已向{finding.unit.title}下发督办，整改期限{format_date(order.due)}。",
        )
        return redirect(ORDER, pk=order.pk)


# 督办 ------------------------------------------------------------------------------

ORDER_FILTERS = (
    ("open", "办理中"),
    ("overdue", "逾期未回复"),
    ("replied", "待审核"),
    ("closed", "已办结"),
    ("all", "全部"),
)


def filter_orders(queryset, chosen, today):
    if chosen == "open":
        return queryset.filter(state__in=SupervisionOrder.OPEN_STATES)
    if chosen == "overdue":
        return queryset.filter(state=OrderState.ISSUED, due__lt=today)
    if chosen == "replied":
        return queryset.filter(state=OrderState.REPLIED)
    if chosen == "closed":
        return queryset.filter(state__in=(OrderState.CLOSED, OrderState.REORDERED))
    return queryset


def decorate_orders(page, today, calendar):
    for order in page:
        order.standing = orders.standing(order, today, calendar)
    return page


class OrderListView(WorkspaceMixin, TemplateView):
    page_title = "督办"
    template_name = "supervision/admin/orders.html"

    def base_orders(self):
        return visible_orders(self.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        chosen = self.request.GET.get("show", "open")
        if chosen not in dict(ORDER_FILTERS):
            chosen = "open"
        queryset = filter_orders(self.base_orders(), chosen, today)
        page = _page(
            self.request,
            queryset.select_related("unit", "commission").order_by(
                "state", "due", "pk"
            ),
        )
        decorate_orders(page, today, load_calendar())
        context.update(
            page_obj=page,
            filters=ORDER_FILTERS,
            chosen=chosen,
            counts=order_counts(self.base_orders(), today),
        )
        return context


class UnitOrderListView(OrderListView):
    """督办整改: the orders sent to the user's units, to be answered."""

    page_title = "督办整改"
    breadcrumbs_items = WagtailAdminTemplateMixin.breadcrumbs_items

    def allowed(self, user):
        return access.is_unit_staff(user)

    def base_orders(self):
        return SupervisionOrder.objects.filter(
            unit_id__in=access.replying_units(self.user)
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["unit_side"] = True
        return context


ORDER_ACTIONS = {
    "reply": (forms.ReplyForm, "回复整改情况"),
    "close": (forms.CloseForm, "审核办结"),
    "reorder": (forms.ReorderForm, "再次督办"),
}


class OrderDetailView(WorkspaceMixin, TemplateView):
    """One order with its history: for the 纪委 in scope (close, order again) and
    for the staff of the unit it was sent to (reply) — nobody else."""

    template_name = "supervision/admin/order.html"

    def allowed(self, user):
        return access.is_commission_staff(user) or access.is_unit_staff(user)

    @cached_property
    def order(self):
        order = get_object_or_404(
            SupervisionOrder.objects.select_related(
                "unit", "commission", "finding", "issued_by", "closed_by"
            ),
            pk=self.kwargs["pk"],
        )
        if not (self.as_commission(order) or self.as_unit(order)):
            raise Http404("督办不存在或不在您的范围内")
        return order

    def as_commission(self, order):
        return visible_orders(self.user).filter(pk=order.pk).exists()

    def as_unit(self, order):
        return order.unit_id in access.replying_units(self.user)

    def get_page_title(self):
        return f"督办：{self.order.unit.title}（第{self.order.round}次）"

    def get_breadcrumbs_items(self):
        if self.as_commission(self.order):
            middle = {"url": reverse(ORDERS), "label": "督办"}
            return [
                *self.breadcrumbs_items,
                middle,
                {"url": "", "label": self.get_page_title()},
            ]
        return [
            *WagtailAdminTemplateMixin.breadcrumbs_items,
            {"url": reverse(UNIT_ORDERS), "label": "督办整改"},
            {"url": "", "label": self.get_page_title()},
        ]

    def available(self):
        order, today = self.order, timezone.localdate()
        names = []
        if self.as_unit(order):
            names.append("reply")
        if access.may_act_for(self.user, order.commission):
            names += ["close", "reorder"]
        return [name for name in names if not orders.refusal(order, name, today)]

    def action_forms(self, bound=None, data=None):
        result = []
        for name in self.available():
            form_class, label = ORDER_ACTIONS[name]
            form = form_class(data if name == bound else None, prefix=name)
            result.append((name, label, form))
        return result

    def chain(self):
        """This order and the ones before it, oldest first, with their replies."""
        found, order = [], self.order
        while order is not None:
            found.append(order)
            order = (
                SupervisionOrder.objects.select_related("issued_by", "closed_by")
                .filter(pk=order.previous_id)
                .first()
                if order.previous_id
                else None
            )
        return list(reversed(found))

    def get_context_data(self, action_forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        order = self.order
        calendar = load_calendar()
        today = timezone.localdate()
        chain = self.chain()
        for item in chain:
            item.standing = orders.standing(item, today, calendar)
            item.reply_list = list(item.replies.select_related("replied_by"))
        following = (
            getattr(order, "next_order", None)
            if order.state == OrderState.REORDERED
            else None
        )
        context.update(
            order=order,
            chain=chain,
            following=following,
            explanation=orders.deadline_for(order.issued_on, calendar).explanation,
            show_finding=self.as_commission(order),
            action_forms=action_forms or self.action_forms(),
        )
        return context

    def get(self, request, *args, **kwargs):
        self.order  # noqa: B018 - 404 before anything renders
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        order = self.order
        action = request.POST.get("action", "")
        if action not in ORDER_ACTIONS:
            raise Http404("未知操作")
        action_forms = self.action_forms(action, request.POST)
        form = next((f for name, _, f in action_forms if name == action), None)
        if form is None:
            form = ORDER_ACTIONS[action][0](request.POST, prefix=action)
            form.is_valid()
            form.add_error(None, self.refusal(action))
            action_forms = [(action, ORDER_ACTIONS[action][1], form), *action_forms]
            return self.invalid({"action_forms": action_forms})
        if not form.is_valid():
            return self.invalid({"action_forms": action_forms})
        data = form.cleaned_data
        try:
            if action == "reply":
                orders.reply(self.user, order, data["content"])
                text = "已回复整改情况，等待纪委审核。"
            elif action == "close":
                orders.close(self.user, order, data["note"])
                text = "督办已办结。"
            else:
                again = orders.reorder(self.user, order, data["requirement"])
                messages.success(
                    request, f"已再次督办，新的整改期限为{format_date(again.due)}。"
                )
                return redirect(ORDER, pk=again.pk)
        except SupervisionError as error:
            form.add_error(None, str(error))
            return self.invalid({"action_forms": action_forms})
        messages.success(request, text)
        return redirect(ORDER, pk=order.pk)

    def refusal(self, action):
        """Why an action that is not offered now was refused (a stale form)."""
        order = self.order
        if action == "reply" and not self.as_unit(order):
            return "只有被督办单位的工作人员可以回复。"
        if action != "reply" and not access.may_act_for(self.user, order.commission):
            return "只有下发该督办的纪委可以办理。"
        return (
            orders.refusal(order, action, timezone.localdate())
            or "该操作现在不能办理。"
        )


# 统计分析 --------------------------------------------------------------------------


def bar_chart(rows, measure, limit=10):
    """[(label, value, percent of the largest)] of the rows with the highest count."""
    ranked = sorted(
        (row for row in rows if row.count(measure)),
        key=lambda row: (-row.count(measure), row.label),
    )[:limit]
    top = max((row.count(measure) for row in ranked), default=0)
    return [
        {
            "label": row.label,
            "value": row.count(measure),
            "percent": round(row.count(measure) * 100 / top) if top else 0,
            "y": index * 28,
        }
        for index, row in enumerate(ranked)
    ]


class StatisticsView(WorkspaceMixin, TemplateView):
    """统计分析 for the units in the user's scope: per unit, per cadre, per month,
    and rolled up per supervising 纪委; XLSX export (`?format=xlsx`)."""

    page_title = "统计分析"
    template_name = "supervision/admin/statistics.html"

    @cached_property
    def period(self):
        today = timezone.localdate()
        params = self.request.GET
        try:
            return statistics.parse_period(
                params.get("kind"), params.get("year"), params.get("number"), today
            ), ""
        except statistics.PeriodError as error:
            default = statistics.parse_period("", "", "", today)
            return default, f"{error}已显示{default.label}。"

    def compute(self):
        period, _ = self.period
        units = access.visible_unit_ids(self.user)
        exclude = "" if self.user.is_superuser else access.person_name(self.user)
        return statistics.compute(
            units,
            statistics.handler_scope(self.user, units),
            period,
            exclude_person=exclude,
        )

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") != "xlsx":
            return super().get(request, *args, **kwargs)
        stats = self.compute()
        content = to_xlsx(
            statistics.sheets(stats), title=f"纪委监督统计 {stats.period.label}"
        )
        target = self.commissions.order_by("path").first()
        if target is not None:
            log(
                target,
                "supervision.statistics_exported",
                user=self.user,
                data={"period": stats.period.label},
            )
        return download(
            content,
            XLSX_TYPE,
            f"纪委监督统计-{stats.period.label}.xlsx",
            f"supervision-{stats.period.slug}.xlsx",
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period, error = self.period
        if error:
            messages.warning(self.request, error)
        stats = self.compute()
        query = f"kind={period.kind}&year={period.year}&number={period.number}"
        charts = [
            {
                "measure": measure,
                "label": label,
                "bars": bar_chart(stats.units, measure),
            }
            for measure, label in statistics.MEASURES
        ]
        today = timezone.localdate()
        context.update(
            stats=stats,
            measures=statistics.MEASURES,
            cadre_measures=[
                (m, statistics.LABELS[m]) for m in statistics.CADRE_MEASURES
            ],
            charts=charts,
            month_bars=[
                {
                    "measure": measure,
                    "label": label,
                    "bars": bar_chart(stats.months, measure, limit=12),
                }
                for measure, label in statistics.MEASURES
            ],
            kinds=statistics.PERIOD_KINDS,
            years=range(today.year, max(today.year - 5, 2000) - 1, -1),
            export_url=f"{reverse(STATISTICS)}?{query}&format=xlsx",
        )
        return context


# 问责 ------------------------------------------------------------------------------


class AccountabilityListView(WorkspaceMixin, TemplateView):
    page_title = "问责"
    template_name = "supervision/admin/accountabilities.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        page = _page(
            self.request,
            visible_accountabilities(self.user)
            .select_related("unit", "commission")
            .order_by("-decided_on", "-pk"),
        )
        context.update(
            page_obj=page,
            form=form
            or forms.AccountabilityForm(
                commissions=self.commissions,
                units=self.scope_units,
                initial={"decided_on": timezone.localdate()},
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = forms.AccountabilityForm(
            request.POST, commissions=self.commissions, units=self.scope_units
        )
        if not form.is_valid():
            return self.invalid({"form": form})
        data = dict(form.cleaned_data)
        commission, unit = data.pop("commission"), data.pop("unit")
        try:
            entry = notices.record(self.user, commission, unit, **data)
        except SupervisionError as error:
            form.add_error(None, str(error))
            return self.invalid({"form": form})
        messages.success(request, "问责已登记。")
        return redirect(ACCOUNTABILITY, pk=entry.pk)


class AccountabilityDetailView(WorkspaceMixin, TemplateView):
    template_name = "supervision/admin/accountability.html"
    breadcrumbs_items = [
        *WorkspaceMixin.breadcrumbs_items,
        {"url": reverse_lazy(ACCOUNTABILITIES), "label": "问责"},
    ]

    @cached_property
    def entry(self):
        entry = (
            visible_accountabilities(self.user)
            .select_related("unit", "commission", "created_by")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if entry is None:
            raise Http404("问责记录不存在或不在您的范围内")
        return entry

    def get_page_title(self):
        return f"问责：{self.entry.person}（{self.entry.post}）"

    def get_context_data(self, error="", **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.entry
        context.update(
            entry=entry,
            can_write=access.may_act_for(self.user, entry.commission),
            publishable=entry.method in notices.PUBLIC_METHODS,
            problems=notices.personal_data_problems(entry),
            error=error,
        )
        return context

    def get(self, request, *args, **kwargs):
        self.entry  # noqa: B018 - 404 before anything renders
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        entry = self.entry
        action = request.POST.get("action")
        try:
            if action == "publish":
                notices.publish(self.user, entry)
                messages.success(request, "问责通报已在网站公开。")
            elif action == "withdraw":
                notices.withdraw(self.user, entry)
                messages.success(request, "问责通报已撤回。")
            else:
                raise Http404("未知操作")
        except SupervisionError as error:
            return self.invalid({"error": str(error)})
        return redirect(ACCOUNTABILITY, pk=entry.pk)


# 容错纠错 --------------------------------------------------------------------------


class CaseListView(WorkspaceMixin, TemplateView):
    page_title = "容错纠错"
    template_name = "supervision/admin/cases.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        page = _page(
            self.request,
            visible_cases(self.user)
            .select_related("unit", "commission")
            .order_by("-received_on", "-pk"),
        )
        context.update(
            page_obj=page,
            counts=case_counts(visible_cases(self.user), timezone.localdate()),
            form=form
            or forms.ToleranceForm(
                commissions=self.commissions,
                units=self.scope_units,
                initial={
                    "received_on": timezone.localdate(),
                    "origin": FaultTolerance.Origin.APPLICATION,
                },
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        form = forms.ToleranceForm(
            request.POST, commissions=self.commissions, units=self.scope_units
        )
        if not form.is_valid():
            return self.invalid({"form": form})
        data = form.cleaned_data
        try:
            case = tolerance.register(
                self.user,
                data["commission"],
                data["unit"],
                data["person"],
                data["post"],
                data["origin"],
                data["matter"],
                data["circumstances"],
                data["received_on"],
                referred_by=data["referred_by"],
            )
        except SupervisionError as error:
            form.add_error(None, str(error))
            return self.invalid({"form": form})
        messages.success(
            request, f"已登记，须在{format_date(case.accept_due)}前作出是否受理的决定。"
        )
        return redirect(CASE, pk=case.pk)


CASE_ACTIONS = {
    "accept": (forms.AcceptForm, "受理"),
    "refuse": (forms.RefuseForm, "不予受理"),
    "extend": (forms.ExtendForm, "延长调查期限"),
    "decide": (forms.DecideForm, "作出认定决定"),
    "file": (forms.FileForm, "报上级备案"),
    "feedback": (forms.FeedbackForm, "反馈申请人"),
    "clarify": (forms.ClarifyForm, "发布澄清"),
}
CASE_STATE_ACTIONS = {
    CaseState.RECEIVED: ("accept", "refuse"),
    CaseState.INVESTIGATING: ("decide", "extend"),
    CaseState.REFUSED: (),
    CaseState.DECIDED: ("file", "feedback", "clarify"),
}


class CaseDetailView(WorkspaceMixin, TemplateView):
    template_name = "supervision/admin/case.html"
    breadcrumbs_items = [
        *WorkspaceMixin.breadcrumbs_items,
        {"url": reverse_lazy(CASES), "label": "容错纠错"},
    ]

    @cached_property
    def case(self):
        case = (
            visible_cases(self.user)
            .select_related("unit", "commission__supervisor")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if case is None:
            raise Http404("案件不存在或不在您的范围内")
        return case

    def get_page_title(self):
        return f"容错纠错：{self.case.person}（{self.case.post}）"

    def available(self):
        case = self.case
        if not access.may_act_for(self.user, case.commission):
            return []
        names = list(CASE_STATE_ACTIONS[CaseState(case.state)])
        if case.filed_on:
            names = [name for name in names if name != "file"]
        if case.decision == FaultTolerance.Decision.REJECTED:
            names = [name for name in names if name != "clarify"]
        return names

    def action_forms(self, bound=None, data=None):
        result = []
        for name in self.available():
            form_class, label = CASE_ACTIONS[name]
            initial = {}
            if name == "file":
                initial["filed_to"] = tolerance.default_filed_to(self.case)
            if name == "clarify":
                initial["text"] = self.case.clarification
            form = form_class(
                data if name == bound else None, prefix=name, initial=initial
            )
            result.append((name, label, form))
        return result

    def get_context_data(self, action_forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        case = self.case
        context.update(
            case=case,
            timers=tolerance.timers(case, timezone.localdate(), load_calendar()),
            action_forms=action_forms or self.action_forms(),
        )
        return context

    def get(self, request, *args, **kwargs):
        self.case  # noqa: B018 - 404 before anything renders
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        case = self.case
        action = request.POST.get("action", "")
        if action not in CASE_ACTIONS:
            raise Http404("未知操作")
        action_forms = self.action_forms(action, request.POST)
        form = next((f for name, _, f in action_forms if name == action), None)
        if form is None:
            form = CASE_ACTIONS[action][0](request.POST, prefix=action)
            form.is_valid()
            form.add_error(None, self.refusal(action))
            action_forms = [(action, CASE_ACTIONS[action][1], form), *action_forms]
            return self.invalid({"action_forms": action_forms})
        if not form.is_valid():
            return self.invalid({"action_forms": action_forms})
        try:
            text = self.apply(action, form.cleaned_data)
        except SupervisionError as error:
            form.add_error(None, str(error))
            return self.invalid({"action_forms": action_forms})
        messages.success(request, text)
        return redirect(CASE, pk=case.pk)

    def refusal(self, action):
        case = self.case
        if not access.may_act_for(self.user, case.commission):
            return "只有承办该案件的纪委可以办理。"
        if action == "decide" and case.state == CaseState.RECEIVED:
            return "案件尚未受理，不能作出认定决定；请先作出受理决定。"
        if (
            action in ("file", "feedback", "clarify")
            and case.state != CaseState.DECIDED
        ):
            return "案件尚未作出认定决定，不能办理该事项。"
        return f"案件当前状态为“{case.get_state_display()}”，不能{CASE_ACTIONS[action][1]}。"

    def apply(self, action, data):
        case, user = self.case, self.user
        if action == "accept":
            case = tolerance.accept(user, case, data["on"])
            return f"已受理，调查期限为{format_date(case.investigation_due)}。"
        if action == "refuse":
            tolerance.refuse(user, case, data["on"], data["reason"])
            return "已作出不予受理决定，请书面告知当事人。"
        if action == "extend":
            tolerance.extend(user, case, data["new_due"], data["reason"])
            return f"调查期限已延长至{format_date(data['new_due'])}。"
        if action == "decide":
            case = tolerance.decide(
                user, case, data["decision"], data["reason"], data["on"]
            )
            return f"已作出认定决定，须在{format_date(case.filing_due)}前报上级备案。"
        if action == "file":
            tolerance.file_upward(user, case, data["on"], data["filed_to"])
            return "已报上级备案。"
        if action == "feedback":
            tolerance.give_feedback(user, case, data["on"], data["text"])
            return "已反馈申请人。"
        tolerance.clarify(user, case, data["text"])
        return "澄清已在网站公开。"
