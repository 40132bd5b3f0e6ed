# The certificates app takes over its models from progress (their tables are kept by the
# next migration's rename), with their content types and so their permissions.

import certificates.models
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
    content_types_move(apps, schema_editor, ['certificate', 'certificatebranding'], "progress", "certificates")


def backwards(apps, schema_editor):
    content_types_move(apps, schema_editor, ['certificate', 'certificatebranding'], "certificates", "progress")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('progress', '0006_certificates_and_xapi_leave_progress'),
        ('wagtailimages', '0027_image_description'),
    ]

    operations = [
        # The tables stay where they are: only Django's idea of which app owns the models
        # changes here. Their rows, ids and foreign keys are untouched.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CertificateBranding',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('issuer_name', models.CharField(default='Folkhälsoakademin', help_text='The organisation that issues the certificates, as printed on them.', max_length=150, verbose_name='issuer')),
                        ('signatory_name', models.CharField(blank=True, max_length=150, verbose_name='signatory')),
                        ('signatory_title_sv', models.CharField(blank=True, max_length=150, verbose_name="signatory's title (Swedish)")),
                        ('signatory_title_en', models.CharField(blank=True, max_length=150, verbose_name="signatory's title (English)")),
                        ('logo', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtailimages.image', verbose_name='logo')),
                        ('signature_image', models.ForeignKey(blank=True, help_text="A scanned signature, printed above the signatory's name.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='wagtailimages.image', verbose_name='signature')),
                    ],
                    options={
                        'verbose_name': 'certificate design',
                        'db_table': 'progress_certificatebranding',
                    },
                ),
                migrations.CreateModel(
                    name='Certificate',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(default=certificates.models.verification_code, max_length=64, unique=True, verbose_name='verification code')),
                        ('issued_at', models.DateTimeField(verbose_name='issued')),
                        ('expires_on', models.DateField(blank=True, null=True, verbose_name='expires')),
                        ('language', models.CharField(max_length=8, verbose_name='language')),
                        ('claim', models.JSONField(verbose_name='claim')),
                        ('key_id', models.CharField(max_length=64, verbose_name='key id')),
                        ('signature', models.CharField(max_length=128, verbose_name='signature')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked')),
                        ('revocation_reason', models.CharField(blank=True, max_length=300, verbose_name='reason for revocation')),
                        ('superseded_at', models.DateTimeField(blank=True, null=True, verbose_name='replaced')),
                        ('pdf', models.FileField(blank=True, upload_to='certificates/%Y/%m/', verbose_name='PDF')),
                        ('rendered_at', models.DateTimeField(blank=True, null=True)),
                        ('emailed_at', models.DateTimeField(blank=True, null=True)),
                        ('email_attempts', models.PositiveIntegerField(default=0)),
                        ('render_attempts', models.PositiveIntegerField(default=0)),
                        ('last_error', models.TextField(blank=True)),
                        ('next_attempt_at', models.DateTimeField(blank=True, null=True)),
                        ('enrolment', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='certificates', to='progress.enrolment')),
                        ('superseded_by', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='supersedes', to='certificates.certificate')),
                    ],
                    options={
                        'verbose_name': 'certificate',
                        'verbose_name_plural': 'certificates',
                        'db_table': 'progress_certificate',
                        'ordering': ['-issued_at'],
                        'indexes': [models.Index(condition=models.Q(('rendered_at__isnull', True), ('emailed_at__isnull', True), _connector='OR'), fields=['issued_at'], name='certificate_undelivered')],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('superseded_at__isnull', True)), fields=('enrolment',), name='certificate_one_current_per_enrolment')],
                    },
                ),
    
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
