"""Writes of the xAPI app outside delivery."""

from django.conf import settings

from .models import LearningRecordStore


def lrs_from_environment() -> None:
    """Keep the LRS of LRS_ENDPOINT/LRS_USERNAME/LRS_PASSWORD as the store named "default"
    (a step of ``site_setup``, run on every deploy)."""
    if settings.LRS_ENDPOINT:
        LearningRecordStore.objects.update_or_create(
            name="default",
            defaults={
                "endpoint": settings.LRS_ENDPOINT,
                "username": settings.LRS_USERNAME,
                "password": settings.LRS_PASSWORD,
            },
        )
