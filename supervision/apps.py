from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "纪委监督"

    def ready(self):
        from disclosure.reminders import register_source
        from supervision import search, signals  # noqa: F401 - receivers, Source
        from supervision.reminders import order_candidates

        register_source(order_candidates)
