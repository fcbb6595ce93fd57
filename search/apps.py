from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = "全文检索"

    def ready(self):
        from search import disclosures, indexing  # noqa: F401 - signal receivers
        from search.backends import database

        post_migrate.connect(database.repair, sender=self)
