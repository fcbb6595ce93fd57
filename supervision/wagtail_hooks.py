from django.db.models import Count, Q
from django.urls import path, reverse
from django.utils import timezone

from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.components import Component

from disclosure.workdays import load_calendar

from . import access, patrols
from . import admin_views as views
from .models import SupervisionOrder

SUBMENU_HOOK = "register_supervision_menu_item"


@hooks.register("register_admin_urls")
def register_supervision_urls():
    return [
        path("jiwei/", views.WorkspaceView.as_view(), name=views.HOME),
        path("jiwei/patrols/", views.PatrolListView.as_view(), name=views.PATROLS),
        path(
            "jiwei/patrols/<int:pk>/",
            views.PatrolDetailView.as_view(),
            name=views.PATROL,
        ),
        path("jiwei/orders/", views.OrderListView.as_view(), name=views.ORDERS),
        path(
            "jiwei/orders/<int:pk>/", views.OrderDetailView.as_view(), name=views.ORDER
        ),
        path("duban/", views.UnitOrderListView.as_view(), name=views.UNIT_ORDERS),
        path(
            "jiwei/statistics/",
            views.StatisticsView.as_view(),
            name=views.STATISTICS,
        ),
        path(
            "jiwei/accountability/",
            views.AccountabilityListView.as_view(),
            name=views.ACCOUNTABILITIES,
        ),
        path(
            "jiwei/accountability/<int:pk>/",
            views.AccountabilityDetailView.as_view(),
            name=views.ACCOUNTABILITY,
        ),
        path("jiwei/tolerance/", views.CaseListView.as_view(), name=views.CASES),
        path(
            "jiwei/tolerance/<int:pk>/",
            views.CaseDetailView.as_view(),
            name=views.CASE,
        ),
    ]


class CommissionMenuItem(MenuItem):
    """纪委 staff and superusers only; every view checks again."""

    def is_shown(self, request):
        return access.is_commission_staff(request.user)


class CommissionSubmenu(SubmenuMenuItem):
    def is_shown(self, request):
        return access.is_commission_staff(request.user)


class UnitOrdersMenuItem(MenuItem):
    def is_shown(self, request):
        return access.is_unit_staff(request.user)


SUBMENU = (
    ("工作台", views.HOME, "home", 100),
    ("巡查台账", views.PATROLS, "list-ul", 200),
    ("督办", views.ORDERS, "tasks", 300),
    ("统计分析", views.STATISTICS, "table", 400),
    ("问责", views.ACCOUNTABILITIES, "warning", 500),
    ("容错纠错", views.CASES, "help", 600),
)


def _submenu_item(label, url_name, icon, order):
    @hooks.register(SUBMENU_HOOK)
    def register():
        return CommissionMenuItem(
            label, reverse(url_name), name=url_name, icon_name=icon, order=order
        )

    return register


for _label, _url_name, _icon, _order in SUBMENU:
    _submenu_item(_label, _url_name, _icon, _order)


@hooks.register("register_admin_menu_item")
def register_supervision_menu():
    return CommissionSubmenu(
        "纪委监督",
        Menu(register_hook_name=SUBMENU_HOOK),
        name="jiwei",
        icon_name="view",
        order=255,
    )


@hooks.register("register_admin_menu_item")
def register_unit_orders_menu_item():
    return UnitOrdersMenuItem(
        "督办整改",
        reverse(views.UNIT_ORDERS),
        name="duban",
        icon_name="tasks",
        order=256,
    )


class SupervisionPanel(Component):
    """Admin home for 纪委 staff and superusers: today's 巡查 and the 督办 waiting
    (seeds 000 平台办法 第十四条: patrols every working day, morning and afternoon)."""

    name = "supervision"
    order = 100
    template_name = "supervision/admin/panel.html"

    def __init__(self, user):
        self.user = user

    def get_context_data(self, parent_context=None):
        now = timezone.localtime()
        today = now.date()
        calendar = load_calendar()
        commissions = list(
            access.own_commissions(self.user).order_by("path").only("pk", "title")[:20]
        )
        recorded = patrols.recorded_sessions([c.pk for c in commissions], today, today)
        rows = [
            {
                "commission": commission,
                "sessions": patrols.today_states(
                    today, recorded.get(commission.pk, set()), calendar, now
                ),
            }
            for commission in commissions
        ]
        return {
            "rows": rows,
            "orders": views.order_counts(views.visible_orders(self.user), today),
            "home_url": reverse(views.HOME),
            "orders_url": reverse(views.ORDERS),
        }


class UnitOrdersPanel(Component):
    """Admin home for unit staff with 督办 waiting for their reply."""

    name = "supervision_unit_orders"
    order = 105
    template_name = "supervision/admin/unit_panel.html"

    def __init__(self, counts):
        self.counts = counts

    def get_context_data(self, parent_context=None):
        return {**self.counts, "index_url": reverse(views.UNIT_ORDERS)}


@hooks.register("construct_homepage_panels")
def add_supervision_panels(request, panels):
    user = request.user
    if access.is_commission_staff(user):
        panels.append(SupervisionPanel(user))
    units = access.replying_units(user)
    if units:
        today = timezone.localdate()
        counts = SupervisionOrder.objects.filter(unit_id__in=units).aggregate(
            waiting=Count("pk", filter=Q(state=SupervisionOrder.State.ISSUED)),
            overdue=Count(
                "pk", filter=Q(state=SupervisionOrder.State.ISSUED, due__lt=today)
            ),
        )
        if counts["waiting"]:
            panels.append(UnitOrdersPanel(counts))


@hooks.register("register_log_actions")
def register_supervision_log_actions(actions):
    for action, label in (
        ("patrol_logged", "登记巡查"),
        ("finding_added", "登记巡查发现问题"),
        ("order_issued", "下发督办"),
        ("order_replied", "回复督办"),
        ("order_closed", "督办办结"),
        ("order_reordered", "再次督办"),
        ("accountability_recorded", "登记问责"),
        ("accountability_published", "发布问责通报"),
        ("accountability_withdrawn", "撤回问责通报"),
        ("tolerance_registered", "登记容错纠错"),
        ("tolerance_accepted", "受理容错纠错"),
        ("tolerance_refused", "不予受理容错纠错"),
        ("tolerance_extended", "延长容错调查期限"),
        ("tolerance_decided", "作出容错认定"),
        ("tolerance_filed", "容错认定报上级备案"),
        ("tolerance_feedback", "反馈容错申请人"),
        ("tolerance_clarified", "发布澄清正名"),
        ("statistics_exported", "导出纪委监督统计"),
    ):
        actions.register_action(f"supervision.{action}", label, label)
