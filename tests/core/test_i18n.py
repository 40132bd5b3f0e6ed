"""Swedish first, English second: complete catalogues, compiled, and a language switch that
keeps the person on the same page."""

import re

import polib
import pytest

from tests.conftest import ROOT

LOCALE = ROOT / "locale"


def test_the_swedish_catalogue_is_complete():
    po = polib.pofile(str(LOCALE / "sv" / "LC_MESSAGES" / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert len(po.translated_entries()) > 50


@pytest.mark.parametrize("language", ["sv", "en"])
def test_the_compiled_catalogues_match_their_sources(language):
    folder = LOCALE / language / "LC_MESSAGES"

    def entries(catalogue):
        return {
            e.msgid: (e.msgstr, tuple(sorted(e.msgstr_plural.items())))
            for e in catalogue
            if e.msgid and (e.msgstr or any(e.msgstr_plural.values()))
        }

    po = entries(polib.pofile(str(folder / "django.po")))
    mo = entries(polib.mofile(str(folder / "django.mo")))
    assert mo == po, "run `make messages`"


def test_every_template_string_is_in_the_catalogue():
    po = {entry.msgid for entry in polib.pofile(str(LOCALE / "sv" / "LC_MESSAGES" / "django.po"))}
    pattern = re.compile(r"""{% trans(?:late)? "([^"]+)" """.strip())
    for template in (ROOT / "templates").rglob("*.html"):
        for msgid in pattern.findall(template.read_text()):
            assert msgid in po, f"{template.name}: {msgid!r} is not in the catalogue"


@pytest.mark.django_db
def test_the_root_redirects_to_swedish_by_default(client, site):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/sv/"


@pytest.mark.django_db
def test_the_root_follows_the_browser_language(client, site):
    response = client.get("/", headers={"accept-language": "en-GB,en;q=0.9"})
    assert response["Location"] == "/en/"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "language", "title", "switch_to"),
    [
        ("/sv/", "sv", "Folkhälsoakademin", {"en": "/en/"}),
        ("/en/", "en", "Public Health Academy", {"sv": "/sv/"}),
        ("/sv/kurser/", "sv", "Kurser", {"en": "/en/courses/"}),
        ("/en/courses/", "en", "Courses", {"sv": "/sv/kurser/"}),
        ("/sv/konto/logga-in/", "sv", "Logga in", {"en": "/en/account/sign-in/"}),
        ("/en/account/register/", "en", "Create an account", {"sv": "/sv/konto/registrera/"}),
    ],
)
def test_pages_are_in_their_language_with_a_switch_to_the_same_page(
    client, site, path, language, title, switch_to
):
    response = client.get(path)
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<html lang="{language}">' in body
    assert f"<h1>{title}</h1>" in body
    for other, url in switch_to.items():
        assert f'<a href="{url}" lang="{other}" hreflang="{other}">' in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "switch_to"),
    [
        ("/sv/sok/?q=h%C3%A4lsa&page=2", {"en": "/en/search/?q=h%C3%A4lsa&amp;page=2"}),
        ("/en/search/?q=health", {"sv": "/sv/sok/?q=health"}),
    ],
)
def test_the_switch_on_a_view_keeps_its_arguments_and_its_query(client, site, path, switch_to):
    """A view that is not a Wagtail page: the switch is the same view in the other language
    (from the match the request was routed by), its query string kept."""
    body = client.get(path).content.decode()
    for other, url in switch_to.items():
        assert f'<a href="{url}" lang="{other}" hreflang="{other}">' in body
