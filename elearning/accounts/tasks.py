"""Accounts' periodic jobs."""

from celery import shared_task


@shared_task
def sign_in_log_prune() -> int:
    """Delete sign-in log rows past their retention (nightly, from Celery beat)."""
    from .signins import sign_in_log_prune as prune

    return prune()
