"""The beat schedule of the dispatch: the outbox sweep, the morning reminders and the clerks'
afternoon digest. Rows in django-celery-beat, so administrators change the times in the admin;
an existing task of the same name (edited by an administrator) is left alone."""

from django.db import migrations

TIME_ZONE = "Asia/Ho_Chi_Minh"
SCHEDULE = [
    # (name, task, minute, hour)
    ("Dispatch: outbox sweep", "directives.tasks.sweep_outbox", "*/5", "*"),
    ("Dispatch: reminders and escalations", "directives.tasks.send_reminders", "30", "7"),
    ("Dispatch: clerks' daily digest", "directives.tasks.send_digests", "30", "16"),
]


def create(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTasks = apps.get_model("django_celery_beat", "PeriodicTasks")
    for name, task, minute, hour in SCHEDULE:
        if PeriodicTask.objects.filter(name=name).exists():
            continue
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=TIME_ZONE,
        )
        PeriodicTask.objects.create(name=name, task=task, crontab=crontab, enabled=True)
    # Tell a running beat that the schedule changed (what PeriodicTasks.changed() does).
    from django.utils import timezone

    PeriodicTasks.objects.update_or_create(ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULE]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("directives", "0003_vietnamese_search"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
