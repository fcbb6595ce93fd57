from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "纪委监督"

    def ready(self):
        from supervision import search, signals  # noqa: F401 - receivers, Source
