from django.db import migrations

TASKS = [
    ("unitroletask", "提出（分管领导审核）", {"role": "leader", "checklist": False}),
    ("unitroletask", "会审（合法性与保密审查）", {"role": "leadership", "checklist": True}),
    ("unitroletask", "审定（主要领导）", {"role": "head", "checklist": False}),
    ("filingtask", "报备（上级公开机构，抄送纪委）", {}),
]


def create_workflow(apps, schema_editor):
    """The four-step catalog approval of seeds 000 公开办法, assigned to every catalog."""
    ContentType = apps.get_model("contenttypes.ContentType")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowContentType = apps.get_model("wagtailcore.WorkflowContentType")

    workflow, created = Workflow.objects.get_or_create(name="公开目录四步审批")
    if not created:
        return
    for order, (model, name, fields) in enumerate(TASKS):
        Model = apps.get_model("disclosure", model)
        content_type, _ = ContentType.objects.get_or_create(app_label="disclosure", model=model)
        task = Model.objects.create(name=name, content_type=content_type, active=True, **fields)
        WorkflowTask.objects.create(workflow=workflow, task_id=task.pk, sort_order=order)
    catalog_type, _ = ContentType.objects.get_or_create(
        app_label="disclosure", model="disclosurecatalog"
    )
    WorkflowContentType.objects.update_or_create(
        content_type=catalog_type, defaults={"workflow": workflow}
    )


def remove_workflow(apps, schema_editor):
    apps.get_model("wagtailcore.Workflow").objects.filter(name="公开目录四步审批").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0005_catalog_review_roles"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_workflow, remove_workflow)]
