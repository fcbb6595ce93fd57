from django.urls import reverse

from wagtail import hooks
from wagtail.admin.widgets import Button

from . import ACTIONS


@hooks.register("register_log_actions")
def register_twofactor_log_actions(actions):
    for action, label in ACTIONS.items():
        actions.register_action(action, label, label)


@hooks.register("register_account_menu_item")
def twofactor_account_item(request):
    return {
        "url": reverse("twofactor_manage"),
        "label": "双因素登录",
        "help_text": "绑定手机身份验证器，管理一次性恢复码。",
    }


@hooks.register("register_user_listing_buttons")
def twofactor_reset_button(user, request_user):
    if request_user.is_superuser:
        yield Button(
            "重置双因素登录",
            url=reverse("twofactor_reset", args=[user.pk]),
            icon_name="key",
            priority=60,
        )
