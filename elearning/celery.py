"""The Celery application, configured from Django settings (the CELERY_ block in base.py)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elearning.settings.dev")

app = Celery("elearning")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
