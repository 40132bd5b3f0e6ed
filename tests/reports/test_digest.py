"""The monthly digest: one e-mail per manager and month in their language, with their
scope's figures; opt-out by a signed link; nothing twice, also when two runs overlap."""

import re
import smtplib
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.utils import timezone

from elearning.accounts.models import User
from elearning.celery import app
from progress.models import Enrolment
from reports.tasks import digest_send, digests_send
from tests.conftest import at_once

TODAY = timezone.localdate()
MONTH_START = (TODAY.replace(day=1) - timedelta(days=1)).replace(day=1)


@pytest.fixture
def eager_tasks():
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def managers(build, orgs, manager, make_user):
    build.learners(orgs["malmo"], 3, completed=1, days_ago=(TODAY - MONTH_START).days - 2)
    build.learners(orgs["lund"], 2, days_ago=(TODAY - MONTH_START).days - 3)
    build.learners(orgs["stockholm"], 4, completed=4, days_ago=(TODAY - MONTH_START).days - 1)
    make_user(email="learner@example.org")
    return {
        "malmo": manager("malmo@example.org", organisations=[orgs["malmo"]]),
        "county": manager("county@example.org", counties=[orgs["skane"]], preferred_language="en"),
        "out": manager("out@example.org", organisations=[orgs["malmo"]], digest_opt_out=True),
        "gone": manager("gone@example.org", organisations=[orgs["malmo"]], is_active=False),
    }


@pytest.mark.django_db
def test_each_manager_gets_one_digest_a_month_with_their_figures(
    managers, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = digests_send()
    with django_capture_on_commit_callbacks(execute=True):
        again = digests_send()
    assert again == 0
    by_address = {message.to[0]: message for message in mail.outbox}
    # The administrator-less test site: exactly the two active managers who did not opt out.
    assert sent == 2 and set(by_address) == {"malmo@example.org", "county@example.org"}
    month = f"{MONTH_START:%Y-%m}"
    assert set(
        User.objects.filter(email__in=by_address).values_list("digest_sent_for", flat=True)
    ) == {month}

    county = by_address["county@example.org"]
    assert county.subject.startswith("Completion in your organisations")
    in_month = Enrolment.objects.filter(
        organisation__county__code="12", enrolled_at__date__gte=MONTH_START
    ).count()
    assert f"New enrolments: {in_month} (all enrolments: 5)" in county.body
    assert "Completions: 1 (all completions: 1)" in county.body
    malmo = by_address["malmo@example.org"].body
    assert re.search(r": 3\)", malmo) and not re.search(r": 5\)", malmo)  # Malmö's only
    for message in mail.outbox:
        assert settings.SITE_URL + "/" in message.body
        assert re.search(r"http\S+/digest/\S+/|http\S+/sammanfattning/\S+/", message.body)


@pytest.mark.django_db
def test_the_opt_out_link_works_without_signing_in(
    client, managers, eager_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        digest_send(user_id=managers["county"].pk)
    [message] = mail.outbox
    link = re.search(r"(http\S+/)\n", message.body.split("no sign-in needed")[1]).group(1)
    path = link.removeprefix(settings.SITE_URL)
    page = client.get(path)
    assert page.status_code == 200 and "Stop the digest" in page.content.decode()
    User.objects.filter(pk=managers["county"].pk).update(digest_sent_for="")
    assert not User.objects.get(pk=managers["county"].pk).digest_opt_out  # a GET changes nothing
    client.post(path)
    assert User.objects.get(pk=managers["county"].pk).digest_opt_out
    assert digests_send() == 1  # only Malmö's manager now
    assert client.get(path.replace("/digest/", "/digest/x")).status_code == 400


class FlakySmtpBackend(EmailBackend):
    """The mail relay refuses the first ``failures`` messages, then accepts (into the outbox)."""

    failures = 0

    def send_messages(self, messages):
        if FlakySmtpBackend.failures:
            FlakySmtpBackend.failures -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


@pytest.mark.django_db
def test_an_smtp_failure_leaves_the_month_unsent_and_the_retry_sends_it(managers, settings):
    settings.EMAIL_BACKEND = "tests.reports.test_digest.FlakySmtpBackend"
    malmo = User.objects.filter(pk=managers["malmo"].pk)
    FlakySmtpBackend.failures = 1
    with pytest.raises(smtplib.SMTPException):  # called directly: no retry, the error shows
        digest_send(user_id=malmo.get().pk)
    assert malmo.get().digest_sent_for == "" and not mail.outbox

    FlakySmtpBackend.failures = 2  # as the worker runs it: retried until the relay accepts
    result = digest_send.apply(kwargs={"user_id": malmo.get().pk})
    assert result.get() is True
    assert [m.to for m in mail.outbox] == [["malmo@example.org"]]
    assert malmo.get().digest_sent_for == f"{MONTH_START:%Y-%m}"


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_send_once(managers, eager_tasks):
    if connection.vendor != "postgresql":
        pytest.skip("row locking needs PostgreSQL")
    results = at_once(lambda: digest_send(user_id=managers["malmo"].pk), times=2)
    assert sorted(results) == [False, True]
    assert len(mail.outbox) == 1


def test_beat_sends_the_digest_on_the_first_of_the_month():
    entry = settings.CELERY_BEAT_SCHEDULE["reports-digests-send"]
    assert entry["task"] == "reports.tasks.digests_send"
    assert entry["schedule"].day_of_month == {1}
    assert "reports.tasks.digests_send" in app.tasks
