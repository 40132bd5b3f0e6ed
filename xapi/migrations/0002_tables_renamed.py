# The moved tables get the names of their new app (progress_… → <app>_…); PostgreSQL and
# SQLite rename a table in place, keeping its rows, ids, indexes and foreign keys.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('xapi', '0001_move_from_progress'),
    ]

    operations = [
        migrations.RenameIndex(
            model_name='outboxstatement',
            new_name='xapi_outbox_lrs_id_81b861_idx',
            old_name='progress_ou_lrs_id_2c223e_idx',
        ),
        migrations.AlterModelTable(
            name='learningrecordstore',
            table=None,
        ),
        migrations.AlterModelTable(
            name='outboxstatement',
            table=None,
        ),
    ]
