from django.apps import AppConfig


class LedgersConfig(AppConfig):
    """两个责任: responsibility ledgers, sign-off, report cadence and assessment."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "ledgers"
    verbose_name = "两个责任"

    def ready(self):
        from disclosure.reminders import register_source

        from .reminders import ledger_candidates

        register_source(ledger_candidates)
