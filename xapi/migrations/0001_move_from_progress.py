# The xapi app takes over its models from progress (their tables are kept by the
# next migration's rename), with their content types and so their permissions.

import django.db.models.deletion
from django.db import migrations, models


def content_types_move(apps, schema_editor, models, old, new):
    """Carry the content types (and with them every permission and group assignment, and
    the admin's history) from the old app label to the new one."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in models:
        if ContentType.objects.using(db).filter(app_label=new, model=model).exists():
            continue  # already created for the new app (a fresh database)
        ContentType.objects.using(db).filter(app_label=old, model=model).update(app_label=new)


def forwards(apps, schema_editor):
    content_types_move(apps, schema_editor, ['learningrecordstore', 'outboxstatement'], "progress", "xapi")


def backwards(apps, schema_editor):
    content_types_move(apps, schema_editor, ['learningrecordstore', 'outboxstatement'], "xapi", "progress")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('organisations', '0002_load_swedish_register'),
        ('progress', '0006_certificates_and_xapi_leave_progress'),
    ]

    operations = [
        # The tables stay where they are: only Django's idea of which app owns the models
        # changes here. Their rows, ids and foreign keys are untouched.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='LearningRecordStore',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, unique=True, verbose_name='name')),
                        ('endpoint', models.URLField(help_text='The xAPI base address, ending in /xAPI/ or similar.', verbose_name='endpoint')),
                        ('username', models.CharField(blank=True, max_length=200, verbose_name='username')),
                        ('password', models.CharField(blank=True, max_length=500, verbose_name='password')),
                        ('active', models.BooleanField(default=True, verbose_name='sending')),
                        ('paused_reason', models.CharField(blank=True, max_length=300)),
                        ('organisations', models.ManyToManyField(blank=True, to='organisations.organisation', verbose_name='only learners of')),
                    ],
                    options={
                        'verbose_name': 'learning record store',
                        'verbose_name_plural': 'learning record stores',
                        'db_table': 'progress_learningrecordstore',
                    },
                ),
                migrations.CreateModel(
                    name='OutboxStatement',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('statement_id', models.UUIDField()),
                        ('payload', models.JSONField()),
                        ('status', models.CharField(choices=[('pending', 'Pending'), ('sent', 'Sent'), ('failed', 'Failed')], default='pending', max_length=10)),
                        ('attempts', models.PositiveIntegerField(default=0)),
                        ('next_attempt_at', models.DateTimeField()),
                        ('last_error', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField()),
                        ('sent_at', models.DateTimeField(blank=True, null=True)),
                        ('event', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='statements', to='progress.learningevent')),
                        ('lrs', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='outbox', to='xapi.learningrecordstore')),
                    ],
                    options={
                        'db_table': 'progress_outboxstatement',
                        'indexes': [models.Index(fields=['lrs', 'status', 'next_attempt_at'], name='progress_ou_lrs_id_2c223e_idx')],
                        'constraints': [models.UniqueConstraint(fields=('statement_id', 'lrs'), name='outbox_statement_once_per_lrs')],
                    },
                ),
    
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
