"""Assignment.effective_due_date: the day each deadline really falls on (past weekends and
holidays), so that the dashboard counts late and on-time reports in the database. Backfilled
once per distinct due date."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    from django.db.models import Case, F, Value, When

    from directives.workdays import effective_deadline

    Assignment = apps.get_model("directives", "Assignment")
    # Most deadlines fall on a working day and stay; the others move, a few hundred statements'
    # worth of WHENs at a time rather than one pass over the table per date.
    Assignment.objects.filter(due_date__isnull=False).update(effective_due_date=F("due_date"))
    dues = (
        Assignment.objects.filter(due_date__isnull=False)
        .order_by()
        .values_list("due_date", flat=True)
        .distinct()
    )
    moved = [(due, effective_deadline(due)) for due in dues]
    moved = [(due, real) for due, real in moved if real != due]
    for start in range(0, len(moved), 200):
        chunk = moved[start : start + 200]
        Assignment.objects.filter(due_date__in=[due for due, _real in chunk]).update(
            effective_due_date=Case(*(When(due_date=due, then=Value(real)) for due, real in chunk))
        )


class Migration(migrations.Migration):
    dependencies = [
        ("directives", "0018_pending_assignments"),
    ]

    operations = [
        migrations.AddField(
            model_name="assignment",
            name="effective_due_date",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
