"""PostgreSQL: title-only matching through the GIN index (title tokens marked in
`search_vector`, no `title_vector` column), narrow rows (toast_tuple_target) and no
planner statistics on the vector; existing documents get their new vectors. Nothing
changes on SQLite."""

from django.db import migrations


def forwards(apps, schema_editor):
    from search.backends import database

    connection = schema_editor.connection
    database.install(connection)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Statistics gathered before STATISTICS 0 stay until the column's type
            # is set again (a no-op for the data, no rewrite).
            cursor.execute(
                "ALTER TABLE search_searchdocument "
                "ALTER COLUMN search_vector TYPE tsvector"
            )
        database.backend_for(connection).rebuild()


class Migration(migrations.Migration):
    dependencies = [("search", "0003_default_synonyms")]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)
    ]
