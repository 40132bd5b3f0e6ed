"""The accessibility statement and the privacy notice: made by setup_site in both languages,
prefilled after Digg's model and GDPR art. 13, linked from every page's footer."""

import pytest
from django.test import override_settings

from elearning.core.services import site_setup
from elearning.legal.models import AccessibilityStatementPage, PrivacyPage

STATEMENT = {"sv": "/sv/tillganglighetsredogorelse/", "en": "/en/accessibility-statement/"}
PRIVACY = {"sv": "/sv/personuppgifter/", "en": "/en/personal-data/"}


def test_setup_makes_both_pages_in_both_languages_once_and_keeps_edits(site):
    for model in (AccessibilityStatementPage, PrivacyPage):
        pages = model.objects.live()
        assert sorted(p.locale.language_code for p in pages) == ["en", "sv"]
        assert len({p.translation_key for p in pages}) == 1  # translations of each other
    statement = AccessibilityStatementPage.objects.get(locale__language_code="sv")
    statement.organisation = "Region Exempel"
    statement.save_revision().publish()

    site_setup()

    assert AccessibilityStatementPage.objects.count() == 2
    assert PrivacyPage.objects.count() == 2
    statement.refresh_from_db()
    assert statement.organisation == "Region Exempel"


@pytest.mark.parametrize("language", ["sv", "en"])
def test_every_page_links_to_the_statement_and_the_privacy_notice(client, site, language):
    home = client.get(f"/{language}/")
    assert f'href="{STATEMENT[language]}"' in home.text
    assert f'href="{PRIVACY[language]}"' in home.text
    login = client.get("/sv/konto/logga-in/" if language == "sv" else "/en/account/sign-in/")
    assert f'href="{STATEMENT[language]}"' in login.text


def test_the_statement_has_what_the_law_asks_for(client, site):
    page = client.get(STATEMENT["sv"], HTTP_REFERER="http://testserver/sv/kurser/")
    assert page.status_code == 200
    text = page.text
    assert "Folkhälsoakademin är delvis förenlig med lagen om tillgänglighet" in text
    assert "1.1.1 Icke-textuellt innehåll" in text  # a shortcoming with its criteria
    assert "Kursförfattarna granskar varje paket" in text  # ...and the plan
    assert 'href="https://www.digg.se/tdosanmalan"' in text
    assert "Vi svarar inom 5 arbetsdagar." in text
    assert "Vi har gjort en självskattning" in text
    assert "Redogörelsen uppdaterades senast den" in text
    assert "Bristande förenlighet med lagkraven" in text
    assert "Oskäligt betungande anpassning" in text
    assert "Innehåll som inte omfattas av lagstiftningen" in text
    # The form, prefilled with the page the visitor came from.
    assert 'action="/sv/tillganglighet/synpunkter/"' in text
    assert 'value="/sv/kurser/"' in text
    assert 'name="csrfmiddlewaretoken"' in text


def test_the_english_statement(client, site):
    text = client.get(STATEMENT["en"]).text
    assert "Public Health Academy is partially compliant with the law" in text
    assert "1.1.1 Non-text Content" in text
    assert "We answer within 5 working days." in text
    assert "(in Swedish)" in text


def test_the_review_date_edited_by_an_administrator_is_shown(client, site):
    import datetime

    page = AccessibilityStatementPage.objects.get(locale__language_code="en")
    page.reviewed_on = datetime.date(2026, 9, 23)
    page.save_revision().publish()
    assert (
        "This statement was last reviewed on 23 September 2026." in client.get(STATEMENT["en"]).text
    )


@override_settings(
    RETENTION_FREE_TEXT_DAYS=17,
    RETENTION_INACTIVE_ACCOUNT_DAYS=400,
    RETENTION_INACTIVE_ACCOUNT_WARNING_DAYS=21,
    RETENTION_STATEMENT_PAYLOAD_DAYS=0,
)
def test_the_privacy_notice_shows_the_retention_settings_in_force(client, site):
    text = client.get(PRIVACY["sv"]).text
    assert "raderas 17 dagar efter försöket" in text
    assert "tas bort när ingen har loggat in på 400 dagar" in text
    assert "varning per e-post 21 dagar innan" in text
    assert "Lärandeposter (xAPI)" not in text.split("Hur länge")[1].split("Vem som ser")[0]
    assert "tas bort 730 dagar efter att de kom in" in text
    assert 'href="/sv/konto/mina-uppgifter/"' in text
    assert 'href="/sv/konto/radera/"' in text
    assert 'href="https://www.imy.se/"' in text
    english = client.get(PRIVACY["en"]).text
    assert "erased 17 days after the attempt" in english
    assert "Learning records (xAPI)" in english  # what is stored, prefilled


def test_the_privacy_notice_names_the_learning_record_stores_that_receive_data(client, site):
    from xapi.models import LearningRecordStore

    assert "Lärandearkiv som tar emot" not in client.get(PRIVACY["sv"]).text
    LearningRecordStore.objects.create(name="Regionens LRS", endpoint="https://lrs.invalid/")
    LearningRecordStore.objects.create(
        name="Avstängd", endpoint="https://old.invalid/", active=False
    )
    text = client.get(PRIVACY["sv"]).text
    assert "Lärandearkiv som tar emot dina lärandeposter nu: Regionens LRS." in text
    assert "Avstängd" not in text
