"""The confirmation mail of a new account goes the way production sends it: the request hands
it to Celery on commit, a real worker process renders and sends it over SMTP (here a local
sink standing in for the relay), and the link in what arrives confirms the address."""

import re

import pytest

from elearning.accounts.models import User
from tests.accounts.registration import registration_data

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def test_the_worker_sends_the_confirmation_and_its_link_confirms_the_address(
    client, site, celery_worker, smtp_sink
):
    response = client.post(
        "/sv/konto/registrera/",
        registration_data(email="kim.worker@lund.se"),
    )
    assert response.status_code == 302
    message = smtp_sink.wait_for(lambda m: m["To"] == "kim.worker@lund.se", timeout=60)
    assert message["Subject"] == "Bekräfta din e-postadress hos Folkhälsoakademin"
    body = message.get_body(preferencelist=("plain",)).get_content()
    path = re.search(r"https?://[^/\s]+(/sv/konto/e-post/bekrafta/\S+/)", body).group(1)
    user = User.objects.get(email="kim.worker@lund.se")
    assert user.verified_at is None
    assert client.post(path)["Location"] == "/sv/"
    user.refresh_from_db()
    assert user.verified_at is not None
