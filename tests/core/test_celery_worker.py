"""Tasks run through a real Celery worker process on the Redis broker."""

import re
import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone

from elearning.core.tasks import sessions_clear

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def wait_until(predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_the_worker_clears_expired_sessions_in_the_shared_database(celery_worker, site):
    now = timezone.now()
    Session.objects.create(session_key="old", session_data="", expire_date=now - timedelta(days=1))
    Session.objects.create(session_key="new", session_data="", expire_date=now + timedelta(days=1))
    sessions_clear.delay()
    assert wait_until(lambda: not Session.objects.filter(session_key="old").exists())
    assert Session.objects.filter(session_key="new").exists()


def test_password_reset_mail_is_sent_by_the_worker_and_its_link_works(
    celery_worker, smtp_sink, client, make_user
):
    make_user(email="reset.me@example.org", first_name="Rut", last_name="Ny")
    response = client.post("/sv/konto/losenord/aterstall/", {"email": "reset.me@example.org"})
    assert response.status_code == 302

    message = smtp_sink.wait_for(lambda m: m["To"] == "reset.me@example.org")
    # (strip: the encoded header is folded onto a second line, leaving a leading space)
    assert str(message["Subject"]).strip() == "Återställ ditt lösenord på Folkhälsoakademin"
    body = message.get_content()
    assert body.startswith("Hej Rut Ny,")
    link = re.search(r"http://testserver(/sv/konto/losenord/aterstall/\S+/\S+/)", body).group(1)

    form = client.get(link, follow=True)
    assert form.status_code == 200
    new_password = "Ett-nytt-lösenord-2048"
    done = client.post(
        form.redirect_chain[-1][0], {"password1": new_password, "password2": new_password}
    )
    assert done.status_code == 302
    client.logout()
    assert client.login(username="reset.me@example.org", password=new_password)


def test_an_unknown_address_gets_a_no_account_mail_and_no_reset_link(
    celery_worker, smtp_sink, client, site
):
    response = client.post("/en/account/password/reset/", {"email": "nobody@example.org"})
    # Same answer as for a known address, so the form does not reveal who has an account; the
    # address's owner learns from the mail that there is none (issue 16).
    assert response.status_code == 302
    assert response["Location"] == "/en/account/password/reset/sent/"
    message = smtp_sink.wait_for(lambda m: m["To"] == "nobody@example.org")
    body = message.get_content()
    assert "there is no account with this address" in " ".join(body.split())
    assert "/password/reset/key/" not in body
    time.sleep(2)
    assert [m["To"] for m in smtp_sink.messages].count("nobody@example.org") == 1
