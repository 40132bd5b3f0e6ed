"""Exactly one certificate and one e-mail per completion, whatever happens twice."""

import base64
import os
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from certificates import services as certificate_services
from certificates import signing
from certificates.claims import claim_build
from certificates.models import Certificate
from certificates.tasks import (
    certificate_deliver,
    certificate_render,
    certificate_send,
    undelivered,
)
from courses.models import LessonPage
from progress.models import Enrolment, LearningEvent
from progress.services import enrolment_create, lesson_complete
from tests.conftest import ROOT, at_once, celery_worker_command, database_url
from tests.factories import course_tree

from .conftest import course_complete, pdf_text

pytestmark = pytest.mark.django_db


def test_completion_issues_one_signed_certificate_with_the_whole_claim(site, learner):
    course, enrolment = course_complete(learner, certificate_validity_months=24)
    certificate = Certificate.objects.get()
    claim = certificate.claim
    assert certificate.enrolment == enrolment
    assert len(base64.b32decode(certificate.code.upper())) * 8 >= 128
    assert claim["learner"]["name"] == "Åsa Öberg-Lind"
    assert claim["course"]["title"] == course.title
    assert claim["course"]["revision"] == course.live_revision_id
    completed = timezone.localdate(enrolment.completed_at)  # the day in Sweden, not in UTC
    assert claim["completed_on"] == completed.isoformat()
    assert claim["score_percent"] is None  # the course has no final test
    assert claim["course"]["estimated_minutes"] > 0
    assert claim["issuer"]["name"] == "Folkhälsoakademin"
    assert claim["language"] == "sv"
    in_two_years = completed.replace(year=completed.year + 2, day=min(completed.day, 28))
    assert claim["expires_on"][:8] == in_two_years.isoformat()[:8]  # same month, 2 years on
    assert signing.verify(claim, certificate.key_id, certificate.signature)
    assert LearningEvent.objects.filter(kind="certificate_issued").count() == 1


def test_the_completion_date_is_the_swedish_calendar_day(site, learner):
    """Completed at 23:30 UTC on 22 November is 23 November in Sweden (00:30 CET)."""
    course, enrolment = course_complete(learner, certificate_validity_months=1)
    enrolment.completed_at = datetime(2026, 11, 22, 23, 30, tzinfo=UTC)
    claim = claim_build(
        enrolment=enrolment, course=course, code="a" * 32, issued_at=timezone.now(), issuer="F"
    )
    assert claim["completed_on"] == "2026-11-23"
    assert claim["expires_on"] == "2026-12-23"


def test_completing_twice_issues_once(site, learner):
    course, enrolment = course_complete(learner)
    last = LessonPage.objects.child_of(course.get_children().first()).last()
    lesson_complete(user=learner, lesson=last)
    with transaction.atomic():
        locked = Enrolment.objects.select_for_update().get(pk=enrolment.pk)
        again = certificate_services.certificate_issue(
            enrolment=locked, course=course, now=enrolment.completed_at
        )
    assert again is None
    assert Certificate.objects.count() == 1
    assert LearningEvent.objects.filter(kind="certificate_issued").count() == 1


def test_no_certificate_before_completion_or_where_the_course_gives_none(site, make_user):
    course, lessons = course_tree(modules=1, lessons_per_module=2)
    learner = make_user()
    enrolment_create(user=learner, course=course)
    lesson_complete(user=learner, lesson=lessons[0])
    assert not Certificate.objects.exists()
    other = make_user(email="other@example.org")
    course_complete(other, slug="utan-intyg", issues_certificate=False)
    assert Enrolment.objects.filter(user=other, completed_at__isnull=False).exists()
    assert not Certificate.objects.exists()


def test_a_task_run_twice_renders_once_and_mails_once(certificate):
    assert certificate_render(certificate.pk) is True
    certificate.refresh_from_db()
    first_file = certificate.pdf.name
    assert certificate_render(certificate.pk) is False
    assert certificate_send(certificate.pk) is True
    assert certificate_send(certificate.pk) is False
    certificate_deliver.apply(args=[certificate.pk])
    certificate.refresh_from_db()
    assert certificate.pdf.name == first_file
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["learner@example.org"]
    assert message.subject.startswith("Ditt intyg: ")
    assert certificate.claim["verification_url"] in message.body
    (name, content, kind), *others = message.attachments
    assert not others and kind == "application/pdf" and name.endswith(".pdf")
    assert "Åsa Öberg-Lind" in pdf_text(content)


def test_revoked_or_replaced_certificates_are_not_mailed(certificate):
    certificate_services.certificate_revoke(certificate=certificate, reason="Fusk vid sluttestet")
    certificate_deliver.apply(args=[certificate.pk])
    assert mail.outbox == []
    assert not undelivered(grace=timedelta(0)).exists()


@pytest.mark.django_db(transaction=True)
def test_parallel_completions_and_deliveries_give_one_certificate_and_one_email(
    site, make_user, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    # This test is the deliverer: a session's Celery worker started by an earlier test would
    # otherwise take the delivery message and mail through its own backend, not this outbox.
    monkeypatch.setattr(certificate_services, "delivery_request", lambda ids: None)
    course, lessons = course_tree(modules=1, lessons_per_module=1)
    learner = make_user()
    enrolment_create(user=learner, course=course)
    lesson = LessonPage.objects.get(pk=lessons[0].pk)
    at_once(lambda: lesson_complete(user=learner, lesson=lesson))
    certificate = Certificate.objects.get()
    at_once(lambda: certificate_deliver.apply(args=[certificate.pk]))
    certificate_deliver.apply(args=[certificate.pk])  # and the sweeper's turn after them
    assert Certificate.objects.count() == 1
    assert LearningEvent.objects.filter(kind="certificate_issued").count() == 1
    assert len([m for m in mail.outbox if m.to == [learner.email]]) == 1


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_once_even_when_asked_again(site, make_user, celery_worker, smtp_sink):
    learner = make_user(email="worker-learner@example.org", first_name="Kim", last_name="Berg")
    course_complete(learner)  # committed: the delivery task goes to the real worker
    certificate = Certificate.objects.get()
    smtp_sink.wait_for(lambda m: m["To"] == learner.email)
    certificate_services.delivery_request([certificate.pk])  # a duplicate message
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.5)
    certificate.refresh_from_db()
    assert certificate.rendered_at and certificate.emailed_at
    to_learner = [m for m in smtp_sink.messages if m["To"] == learner.email]
    assert len(to_learner) == 1
    attachment = next(to_learner[0].iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert "Kim Berg" in pdf_text(attachment.get_content())


def _row_locked(pk) -> bool:
    """Whether another transaction holds the certificate's row lock, asked without locking.

    Trying the lock ourselves (NOWAIT) would hold it for an instant, and a worker arriving in
    that instant skips the row (SKIP LOCKED) and never renders. A locked row's xmax names the
    locking transaction, which is in pg_locks until it ends.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT EXISTS (
                    SELECT 1 FROM {Certificate._meta.db_table} c
                    JOIN pg_locks l ON l.locktype = 'transactionid'
                        AND l.transactionid::text = c.xmax::text
                    WHERE c.id = %s AND l.pid <> pg_backend_pid())""",
            [pk],
        )
        return cursor.fetchone()[0]


def _private_worker(queue, smtp_port, log):
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "elearning.settings.test",
        "DATABASE_URL": database_url(db),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
    }
    return subprocess.Popen(
        celery_worker_command("-Q", queue, loglevel="WARNING"),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_while_rendering_ends_with_one_certificate_and_one_email(
    site, make_user, redis_broker, smtp_sink, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("the worker shares the PostgreSQL test database")
    queue = f"{settings.CELERY_TASK_DEFAULT_QUEUE}-killed"
    # Keep the shared test worker out of it: this test hands the task to its own workers.
    monkeypatch.setattr(certificate_services, "delivery_request", lambda ids: None)
    learner = make_user(email="killed@example.org", first_name="Alex", last_name="Ek")
    course_complete(learner)
    certificate = Certificate.objects.get()
    (ROOT / "var").mkdir(exist_ok=True)
    with open(ROOT / "var" / "test-celery-worker-killed.log", "w") as log:
        worker = _private_worker(queue, smtp_sink.port, log)
        try:
            certificate_deliver.apply_async(args=[certificate.pk], queue=queue)
            # The worker's first render holds the row lock for a second or more (WeasyPrint
            # loads its fonts): wait until it is held, then kill the worker.
            deadline = time.monotonic() + 180
            while not _row_locked(certificate.pk):
                rendered = Certificate.objects.filter(pk=certificate.pk, rendered_at__isnull=False)
                assert not rendered.exists(), "rendered before the lock was seen: no kill"
                assert time.monotonic() < deadline, "the worker did not start rendering in 3 min"
                assert worker.poll() is None, "the worker exited"
                time.sleep(0.005)
            worker.send_signal(signal.SIGKILL)
            worker.wait(timeout=10)
        finally:
            if worker.poll() is None:
                worker.kill()
        certificate.refresh_from_db()
        assert certificate.rendered_at is None and not certificate.pdf
        assert not [m for m in smtp_sink.messages if m["To"] == learner.email]

        worker = _private_worker(queue, smtp_sink.port, log)
        try:
            # What the sweeper does every minute (without its grace period).
            for pk in undelivered(grace=timedelta(0)).values_list("pk", flat=True):
                certificate_deliver.apply_async(args=[pk], queue=queue)
            smtp_sink.wait_for(lambda m: m["To"] == learner.email, timeout=60)
            certificate_deliver.apply_async(args=[certificate.pk], queue=queue)
            time.sleep(3)
        finally:
            worker.terminate()
            worker.wait(timeout=20)
    certificate.refresh_from_db()
    assert certificate.rendered_at and certificate.emailed_at
    assert Certificate.objects.count() == 1
    assert len([m for m in smtp_sink.messages if m["To"] == learner.email]) == 1
