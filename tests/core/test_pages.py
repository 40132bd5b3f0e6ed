"""The skeleton pages a person sees: home, catalogue, errors, with an accessible layout."""

import pytest
from django.template.loader import render_to_string

pytestmark = pytest.mark.django_db


def test_home_page_has_landmarks_skip_link_and_catalogue_link(client, site):
    body = client.get("/sv/").content.decode()
    assert '<a class="skip-link" href="#main">Hoppa till huvudinnehållet</a>' in body
    assert '<main id="main"' in body
    assert '<nav class="site-nav" aria-label="Huvudmeny">' in body
    assert '<a class="button" href="/sv/kurser/">Se kurserna</a>' in body
    assert "<footer" in body


def test_catalogue_without_courses_says_so(client, site):
    body = client.get("/en/courses/").content.decode()
    assert "No courses have been published yet." in body


def test_signed_in_header_shows_name_and_sign_out(client, make_user):
    client.force_login(make_user(first_name="Ada", last_name="Lind"))
    body = client.get("/sv/").content.decode()
    assert "Ada Lind" in body
    assert ">Logga ut</button>" in body
    assert ">Redigera kurser<" not in body  # learners have no authoring link


def test_unknown_address_gives_a_translated_404(client, site):
    response = client.get("/sv/finns-inte/")
    assert response.status_code == 404
    assert "Sidan finns inte" in response.content.decode()
    response = client.get("/en/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_the_500_page_needs_no_context_and_is_bilingual():
    body = render_to_string("500.html")
    assert '<html lang="sv">' in body
    assert '<section lang="en">' in body
