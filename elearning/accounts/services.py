"""Writes to accounts."""

from django.db import transaction

from .models import User


@transaction.atomic
def user_delete(*, user: User) -> None:
    """Delete the account and every personal detail; progress stays as anonymous records
    (enrolments keep organisation and role, lose the person), so statistics do not change."""
    from django.contrib.contenttypes.models import ContentType
    from wagtail.models import ModelLogEntry

    from .personal_data import personal_data_forget

    # The admin's history of the user row carries the person's name in its label.
    ModelLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).delete()
    # Each app forgets what it holds (quizzes: free-text answers; certificates: the name).
    personal_data_forget(user)
    user.delete()
