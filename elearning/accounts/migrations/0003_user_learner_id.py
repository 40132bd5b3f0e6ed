"""Give every user a random learner id (the xAPI actor), existing users included."""

import uuid

from django.db import migrations, models


def fill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.filter(learner_id__isnull=True).only("pk"):
        User.objects.filter(pk=user.pk).update(learner_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_reminders_opt_out")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="learner_id",
            field=models.UUIDField(null=True, editable=False, verbose_name="learner id"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="learner_id",
            field=models.UUIDField(
                default=uuid.uuid4, editable=False, unique=True, verbose_name="learner id"
            ),
        ),
    ]
