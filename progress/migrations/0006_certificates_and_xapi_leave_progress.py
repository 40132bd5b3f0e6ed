# Certificates and the xAPI outbox leave progress for apps of their own (certificates,
# xapi): state only; the new apps' 0001 migrations take the models over.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('progress', '0005_certificate_next_attempt'),
    ]

    operations = [
        # The tables stay where they are: only Django's idea of which app owns the models
        # changes here. Their rows, ids and foreign keys are untouched.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='certificatebranding',
                    name='logo',
                ),
                migrations.RemoveField(
                    model_name='certificatebranding',
                    name='signature_image',
                ),
                migrations.RemoveField(
                    model_name='learningrecordstore',
                    name='organisations',
                ),
                migrations.RemoveField(
                    model_name='outboxstatement',
                    name='lrs',
                ),
                migrations.RemoveField(
                    model_name='outboxstatement',
                    name='event',
                ),
                migrations.DeleteModel(
                    name='Certificate',
                ),
                migrations.DeleteModel(
                    name='CertificateBranding',
                ),
                migrations.DeleteModel(
                    name='LearningRecordStore',
                ),
                migrations.DeleteModel(
                    name='OutboxStatement',
                ),
    
            ],
            database_operations=[],
        ),
    ]
