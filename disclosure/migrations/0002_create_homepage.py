import uuid

from django.db import migrations


def create_homepage(apps, schema_editor):
    """Replace Wagtail's default welcome page with the portal's home page."""
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    HomePage = apps.get_model("disclosure.HomePage")

    page_type = ContentType.objects.get(model="page", app_label="wagtailcore")
    Page.objects.filter(content_type=page_type, depth=2, slug="home").delete()
    if HomePage.objects.exists():
        return
    home_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="disclosure")
    locale = Locale.objects.order_by("pk").first()
    path = "00010001"
    while Page.objects.filter(path=path).exists():
        path = f"0001{int(path[4:]) + 1:04d}"
    home = HomePage.objects.create(
        title="阳光权力",
        draft_title="阳光权力",
        slug="home",
        content_type=home_type,
        path=path,
        depth=2,
        numchild=0,
        url_path="/home/",
        live=True,
        locale=locale,
        translation_key=uuid.uuid4(),
        intro="",
    )
    root = Page.objects.get(depth=1)
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    Site.objects.all().delete()
    Site.objects.create(
        hostname="localhost", port=80, root_page=home, is_default_site=True, site_name="阳光权力"
    )


def remove_homepage(apps, schema_editor):
    apps.get_model("disclosure.HomePage").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0001_initial")]

    operations = [migrations.RunPython(create_homepage, remove_homepage)]
