"""The beat schedule reads the edXML inbox every minute (`directives.tasks.read_edxml_inbox`);
an existing task of the same name (edited by an administrator) is left alone."""

from django.db import migrations

TIME_ZONE = "Asia/Ho_Chi_Minh"
NAME = "Trao đổi edXML: đọc thư mục văn bản đến"
TASK = "directives.tasks.read_edxml_inbox"


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    crontab, _ = CrontabSchedule.objects.get_or_create(
        minute="*",
        hour="*",
        day_of_week="*",
        day_of_month="*",
        month_of_year="*",
        timezone=TIME_ZONE,
    )
    PeriodicTask.objects.create(name=NAME, task=TASK, crontab=crontab, enabled=True)
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("directives", "0016_incoming_edxml_document"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
