"""Indexes for the dashboard's counts over every year of letters: the letters waiting for
acknowledgement and the open tasks by task, each read from its index alone, and an agency's
letters by state with every column the scoping door reads (it replaces the index on issuing
unit and status, its first two columns)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('directives', '0022_incomingentry_recall_attachments'),
        ('recipients', '0009_api_tokens'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='directive',
            name='directives__issuing_51a03e_idx',
        ),
        migrations.AddIndex(
            model_name='assignment',
            index=models.Index(condition=models.Q(('status__in', ('pending', 'in_progress'))), fields=['task', 'due_date'], name='assignment_open_task'),
        ),
        migrations.AddIndex(
            model_name='directive',
            index=models.Index(fields=['issuing_unit', 'status', 'drafting_unit', 'id'], name='directive_tracked'),
        ),
        migrations.AddIndex(
            model_name='dispatch',
            index=models.Index(condition=models.Q(('acknowledged_at__isnull', True)), fields=['directive'], name='dispatch_letter_waiting'),
        ),
    ]
