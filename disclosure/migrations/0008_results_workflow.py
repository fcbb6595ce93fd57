from django.db import migrations

WORKFLOW = "一事一公开审核"
MODELS = ("result", "decision")


def create_workflow(apps, schema_editor):
    """Results and decision records are disclosed after the unit's 分管领导 or 主要领导
    approves them (seeds 000 公开办法; 三重一大 第十一条)."""
    ContentType = apps.get_model("contenttypes.ContentType")
    Workflow = apps.get_model("wagtailcore.Workflow")
    WorkflowTask = apps.get_model("wagtailcore.WorkflowTask")
    WorkflowContentType = apps.get_model("wagtailcore.WorkflowContentType")
    UnitRoleTask = apps.get_model("disclosure", "UnitRoleTask")

    workflow, created = Workflow.objects.get_or_create(name=WORKFLOW)
    if created:
        task_type, _ = ContentType.objects.get_or_create(
            app_label="disclosure", model="unitroletask"
        )
        task = UnitRoleTask.objects.create(
            name="公开审核（分管领导或主要领导）",
            content_type=task_type,
            active=True,
            role="leadership",
            checklist=False,
        )
        WorkflowTask.objects.create(workflow=workflow, task_id=task.pk, sort_order=0)
    for model in MODELS:
        content_type, _ = ContentType.objects.get_or_create(
            app_label="disclosure", model=model
        )
        WorkflowContentType.objects.update_or_create(
            content_type=content_type, defaults={"workflow": workflow}
        )


def remove_workflow(apps, schema_editor):
    apps.get_model("wagtailcore.Workflow").objects.filter(name=WORKFLOW).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0007_results_and_decisions"),
        ("wagtailcore", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_workflow, remove_workflow)]
