"""Writes to accounts."""

from django.db import transaction

from .forms import RegistrationForm
from .models import User
from .roles import LEARNERS


@transaction.atomic
def user_register(*, form: RegistrationForm) -> User:
    """Create a learner account from a valid registration form and put it in the learners' group."""
    user = form.save()
    user.groups.add(*user.groups.model.objects.filter(name=LEARNERS))
    return user
