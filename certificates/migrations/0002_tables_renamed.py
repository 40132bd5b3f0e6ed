# The moved tables get the names of their new app (progress_… → <app>_…); PostgreSQL and
# SQLite rename a table in place, keeping its rows, ids, indexes and foreign keys.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('certificates', '0001_move_from_progress'),
    ]

    operations = [
        migrations.AlterModelTable(
            name='certificate',
            table=None,
        ),
        migrations.AlterModelTable(
            name='certificatebranding',
            table=None,
        ),
    ]
