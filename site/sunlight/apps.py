from django.apps import AppConfig


class SunlightConfig(AppConfig):
    name = "sunlight"
    verbose_name = "阳光权力"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import pagecache

        pagecache.connect_signals()
