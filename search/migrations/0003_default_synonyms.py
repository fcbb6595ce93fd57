"""Synonym groups every county uses; editors change them under 同义词."""

from django.db import migrations

GROUPS = [
    "低保、最低生活保障",
    "五保、特困人员供养、特困供养",
    "医保、医疗保险",
    "社保、社会保险",
    "新农合、新型农村合作医疗",
    "公租房、公共租赁住房",
    "廉租房、廉租住房",
    "村委会、村民委员会",
    "居委会、居民委员会",
    "纪委、纪律检查委员会",
    "残疾证、残疾人证",
    "户口、户籍",
    "优抚、优待抚恤",
]


def add_groups(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    for terms in GROUPS:
        Synonym.objects.get_or_create(terms=terms)


def remove_groups(apps, schema_editor):
    Synonym = apps.get_model("search", "Synonym")
    Synonym.objects.filter(terms__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext_structures")]

    operations = [migrations.RunPython(add_groups, remove_groups)]
