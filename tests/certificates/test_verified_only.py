"""Certificates go to verified accounts only (issue 16): one earned before the address was
confirmed is held back, and issued once when it is."""

import pytest

from certificates import services as certificate_services
from certificates.models import Certificate
from elearning.accounts.verification import user_verified

from .conftest import course_complete

pytestmark = pytest.mark.django_db


def test_an_unverified_account_gets_its_certificate_when_it_is_verified(
    site, make_user, monkeypatch, django_capture_on_commit_callbacks
):
    requested = []
    monkeypatch.setattr(certificate_services, "delivery_request", requested.extend)
    learner = make_user(first_name="Åsa", last_name="Öberg-Lind", verified_at=None)
    course, enrolment = course_complete(learner)
    assert enrolment.completed_at is not None
    assert not Certificate.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        user_verified(user=learner)
    certificate = Certificate.objects.get()
    assert certificate.enrolment == enrolment
    assert certificate.claim["learner"]["name"] == "Åsa Öberg-Lind"
    assert requested == [certificate.pk]  # rendered and mailed like any other

    user_verified(user=learner)  # again: nothing more
    assert Certificate.objects.count() == 1
