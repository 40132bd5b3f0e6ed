# Each learning event keeps a random xAPI statement id (unique per installation).

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('progress', '0006_certificates_and_xapi_leave_progress'),
    ]

    operations = [
        # Added without a default first: a default here would give every existing row the
        # same value. Existing rows stay empty and keep the id they were sent with.
        migrations.AddField(
            model_name='learningevent',
            name='statement_id',
            field=models.UUIDField(editable=False, null=True, unique=True),
        ),
        # New rows get a random id from Python (no database default is involved).
        migrations.AlterField(
            model_name='learningevent',
            name='statement_id',
            field=models.UUIDField(default=uuid.uuid4, editable=False, null=True, unique=True),
        ),
    ]
