"""Ratings and objections are no longer in Wagtail's reference index: drop the rows
indexed for them before (they listed every rating as a "usage" of its result)."""

from django.db import migrations


def drop_references(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ReferenceIndex = apps.get_model("wagtailcore", "ReferenceIndex")
    types = ContentType.objects.filter(
        app_label="disclosure", model__in=["rating", "objection"]
    )
    ReferenceIndex.objects.filter(content_type__in=types).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0013_deadline_notice_order_kind"),
        ("wagtailcore", "0078_referenceindex"),
    ]

    operations = [migrations.RunPython(drop_references, migrations.RunPython.noop)]
