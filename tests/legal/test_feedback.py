"""The accessibility feedback form: stored, e-mailed to the administrators with a receipt to
the sender; refused input is explained and stores nothing; rate-limited; read in the admin."""

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings

from elearning.legal import views
from elearning.legal.models import FeedbackMessage
from elearning.legal.tasks import feedback_notify

URL = {"sv": "/sv/tillganglighet/synpunkter/", "en": "/en/accessibility/feedback/"}
VALID = {
    "kind": "alternative",
    "message": "Jag behöver quizet i modul 2 som vanlig text.",
    "page_url": "/sv/kurser/",
    "name": "Kim Strateg",
    "email": "kim@lund.se",
    "website": "",
}


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@region.se", is_superuser=True, is_staff=True)


def test_a_message_is_stored_and_mailed_to_the_admins_with_a_receipt(
    client, admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(URL["sv"], VALID)
    assert response.status_code == 302
    assert response["Location"] == "/sv/tillganglighet/synpunkter/skickat/"
    feedback = FeedbackMessage.objects.get()
    assert (feedback.kind, feedback.message, feedback.page_url, feedback.email) == (
        "alternative",
        VALID["message"],
        "/sv/kurser/",
        "kim@lund.se",
    )
    assert feedback.language == "sv"
    assert len(queued) == 1  # the task is queued once the row is committed

    feedback_notify(feedback.pk)
    to_admins, receipt = mail.outbox
    assert to_admins.to == ["admin@region.se"]
    assert to_admins.reply_to == ["kim@lund.se"]
    assert "Jag behöver innehåll i tillgänglig form" in to_admins.subject
    assert VALID["message"] in to_admins.body and "/sv/kurser/" in to_admins.body
    assert f"/admin/legal_feedback/inspect/{feedback.pk}/" in to_admins.body
    assert receipt.to == ["kim@lund.se"]
    assert receipt.subject == "Vi har tagit emot ditt meddelande om tillgänglighet"
    assert "svarar inom 5 arbetsdagar" in receipt.body
    assert "https://www.digg.se/tdosanmalan" in receipt.body

    feedback_notify(feedback.pk)  # delivered again (acks_late): nothing is sent twice
    assert len(mail.outbox) == 2
    sent = client.get(response["Location"]).text
    assert "Tack för ditt meddelande" in sent
    assert "En bekräftelse är på väg till din e-postadress." in sent


@override_settings(ACCESSIBILITY_FEEDBACK_RECIPIENTS=["tillganglighet@region.se"])
def test_recipients_from_the_setting_and_no_receipt_without_an_address(client, admin):
    client.post(URL["en"], {**VALID, "email": "", "name": ""})
    feedback = FeedbackMessage.objects.get()
    assert feedback.language == "en"
    feedback_notify(feedback.pk)
    assert [m.to for m in mail.outbox] == [["tillganglighet@region.se"]]
    assert mail.outbox[0].reply_to == []
    feedback.refresh_from_db()
    assert feedback.admins_notified_at is not None and feedback.receipt_sent_at is not None


@pytest.mark.parametrize(
    ("change", "field", "error"),
    [
        ({"message": "   "}, "message", "Skriv vad ditt meddelande gäller."),
        ({"message": "x" * 5001}, "message", "som mest 5000 tecken"),
        ({"message": "hej\x07"}, "message", "styrtecken"),
        ({"message": "hej\x00"}, "message", "Null-tecken är inte tillåtna"),
        ({"email": "kim@"}, "email", "giltig e-postadress"),
        ({"kind": "complaint"}, "kind", "Välj ett giltigt alternativ"),
        ({"page_url": "/sv/" + "a" * 600}, "page_url", "som mest 500 tecken"),
        ({"website": "http://spam.example"}, "website", "Det här fältet ska lämnas tomt."),
    ],
)
def test_bad_input_gets_a_clear_error_and_stores_nothing(client, site, change, field, error):
    response = client.post(URL["sv"], {**VALID, **change})
    assert response.status_code == 400
    assert error in response.text
    assert 'role="alert"' in response.text
    assert response.text.count("<title>Fel:") == 1
    assert not FeedbackMessage.objects.exists()


def test_the_form_needs_a_csrf_token(site):
    response = Client(enforce_csrf_checks=True).post(URL["sv"], VALID)
    assert response.status_code == 403
    assert not FeedbackMessage.objects.exists()


def test_too_many_messages_from_one_address_are_refused(client, site, monkeypatch):
    monkeypatch.setattr(views, "FEEDBACK_LIMIT_PER_HOUR", 2)
    for _ in range(2):
        assert client.post(URL["sv"], VALID).status_code == 302
    refused = client.post(URL["sv"], VALID)
    assert refused.status_code == 429
    assert "för många meddelanden" in refused.text
    assert FeedbackMessage.objects.count() == 2
    # Counted per client address: another address may still write.
    other = client.post(URL["sv"], VALID, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 302


@pytest.mark.parametrize(
    ("referrer", "prefilled"),
    [
        ("http://testserver/sv/kurser/?q=1#x", "/sv/kurser/"),
        ("http://testserver/sv/konto/logga-in/", "/sv/konto/logga-in/"),
        # Addresses that carry a secret, another site, or nothing we know are not taken.
        ("http://testserver/sv/konto/paminnelser/abc.def/", ""),
        ("http://evil.example/sv/kurser/", ""),
        ("javascript:alert(1)", ""),
    ],
)
def test_the_page_is_prefilled_from_the_referrer_only_when_safe(client, site, referrer, prefilled):
    form = client.get(URL["sv"], HTTP_REFERER=referrer).text
    assert f'name="page_url" value="{prefilled}"' in form or (
        not prefilled and 'name="page_url" value=' not in form
    )


def test_the_senders_own_messages_are_in_their_data_and_go_with_the_account(client, make_user):
    from elearning.accounts.personal_data import personal_data_export
    from elearning.accounts.services import user_delete

    user = make_user(email="sender@example.org")
    client.force_login(user)
    client.post(URL["sv"], VALID)
    assert personal_data_export(user)["feedback"][0]["message"] == VALID["message"]
    user_delete(user=user)
    assert not FeedbackMessage.objects.exists()


def test_administrators_read_the_messages_in_the_admin_and_nobody_adds_one(
    client, admin, make_user
):
    client.post(URL["sv"], VALID)
    feedback = FeedbackMessage.objects.get()
    client.force_login(admin)
    listing = client.get("/admin/legal_feedback/")
    assert listing.status_code == 200
    assert "kim@lund.se" in listing.text
    inspect = client.get(f"/admin/legal_feedback/inspect/{feedback.pk}/")
    assert VALID["message"] in inspect.text
    assert client.get("/admin/legal_feedback/new/").status_code in (302, 403)
    edit = client.post(f"/admin/legal_feedback/edit/{feedback.pk}/", {"handled": "on"})
    assert edit.status_code == 302
    feedback.refresh_from_db()
    assert feedback.handled and feedback.message == VALID["message"]

    learner = make_user(email="learner2@example.org")
    client.force_login(learner)
    assert client.get("/admin/legal_feedback/").status_code in (302, 403)


def test_the_sweep_queues_again_what_was_lost_and_leaves_the_rest(site, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    from elearning.legal import tasks

    queued = []
    monkeypatch.setattr(tasks.feedback_notify, "delay", queued.append)
    old = timezone.now() - timedelta(minutes=6)
    lost = FeedbackMessage.objects.create(kind="other", message="a", language="sv", created_at=old)
    no_receipt = FeedbackMessage.objects.create(
        kind="other", message="b", language="sv", email="x@example.org", created_at=old,
        admins_notified_at=old,
    )  # fmt: skip
    FeedbackMessage.objects.create(  # done: no address, so no receipt is owed
        kind="other", message="c", language="sv", created_at=old, admins_notified_at=old
    )
    FeedbackMessage.objects.create(kind="other", message="d", language="sv")  # on its way
    assert tasks.feedback_sweep() == 2
    assert sorted(queued) == sorted([lost.pk, no_receipt.pk])
