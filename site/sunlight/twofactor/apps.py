from django.apps import AppConfig
from django.core import checks


class TwoFactorConfig(AppConfig):
    name = "sunlight.twofactor"
    label = "sunlight_twofactor"
    verbose_name = "员工双因素登录"

    def ready(self):
        checks.register(check_enforced, checks.Tags.security, deploy=True)


def check_enforced(app_configs=None, **kwargs):
    from django.conf import settings

    from . import enforced

    if settings.DEBUG or enforced():
        return []
    return [
        checks.Warning(
            "生产环境关闭了员工双因素登录（SUNLIGHT_REQUIRE_2FA=0）：纪委人员和超级管理员"
            "仅凭密码即可查看实名举报人身份。",
            id="sunlight.W2FA",
        )
    ]
