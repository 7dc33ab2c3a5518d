"""An index on Directive.issued_at: the dashboard's year of letters, this month's count and its
recent letters read a range of it rather than every letter."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('directives', '0019_assignment_effective_due_date'),
        ('recipients', '0009_api_tokens'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name='directive',
            index=models.Index(fields=['issued_at'], name='directive_issued_at'),
        ),
    ]
