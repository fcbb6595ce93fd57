"""The database backend's full-text structures over SearchDocument: an FTS5 table
and its triggers on SQLite, a tsvector column, trigger and GIN index on PostgreSQL
(nothing on other databases). Django does not know about them; see
search.backends.database, which also re-creates them after every migrate."""

from django.db import migrations


def install(apps, schema_editor):
    from search.backends import database

    database.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from search.backends import database

    database.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
