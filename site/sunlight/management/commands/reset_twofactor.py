"""Clear a staff member's second factors from the server, for when nobody who could
do it in the admin can log in (the only superuser lost phone and recovery codes)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from sunlight.twofactor import audit, clear_failures, remove_devices


class Command(BaseCommand):
    help = (
        "重置某个员工账号的双因素登录（身份验证器和恢复码全部作废，下次登录重新绑定）。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="员工的登录用户名")

    def handle(self, *args, username, **options):
        User = get_user_model()
        try:
            user = User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist as error:
            raise CommandError(f"没有用户名为 {username} 的账号。") from error
        removed = remove_devices(user)
        clear_failures(user)
        if removed:
            audit(
                user, "sunlight.twofactor_reset", None, username=username, via="命令行"
            )
            self.stdout.write(f"已重置 {username} 的双因素登录，下次登录时重新绑定。")
        else:
            self.stdout.write(f"{username} 尚未启用双因素登录，无需重置。")
