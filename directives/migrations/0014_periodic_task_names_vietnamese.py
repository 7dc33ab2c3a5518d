"""The beat schedule's tasks named in Vietnamese, as the admin shows them to administrators.
A task an administrator renamed already is left alone."""

from django.db import migrations

NAMES = [
    ("Dispatch: outbox sweep", "Gửi văn bản: quét hàng đợi thư"),
    ("Dispatch: reminders and escalations", "Gửi văn bản: nhắc hạn và báo cấp trên"),
    ("Dispatch: clerks' daily digest", "Gửi văn bản: bản tổng hợp hằng ngày cho văn thư"),
]


def rename(apps, pairs) -> None:
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for old, new in pairs:
        if not PeriodicTask.objects.filter(name=new).exists():
            PeriodicTask.objects.filter(name=old).update(name=new)


def forwards(apps, schema_editor):
    rename(apps, NAMES)


def backwards(apps, schema_editor):
    rename(apps, [(new, old) for old, new in NAMES])


class Migration(migrations.Migration):
    dependencies = [
        ("directives", "0013_scale_indexes"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
