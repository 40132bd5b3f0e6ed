"""Celery tasks of the course tree."""

from celery import shared_task
from django.core.management import call_command


@shared_task
def pages_publish_scheduled() -> None:
    """Publish revisions whose scheduled time has come and unpublish expired pages (beat,
    every minute); Wagtail's own command does the work."""
    call_command("publish_scheduled")
