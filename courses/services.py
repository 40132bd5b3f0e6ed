"""Writes to the page tree that are not authoring: setting up the site's skeleton."""

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page, Site

from .models import CourseCataloguePage, HomePage

# The skeleton's texts, per language. Authors edit the pages afterwards; these are only used
# when a page does not exist yet, so an edit is never overwritten.
SKELETON = {
    "sv": {
        "home": {
            "title": "Folkhälsoakademin",
            "slug": "hem",
            "intro": (
                "Kurser om den nationella folkhälsopolitiken för strateger, tjänstepersoner och "
                "förtroendevalda i kommuner, regioner och länsstyrelser."
            ),
        },
        "catalogue": {
            "title": "Kurser",
            "slug": "kurser",
            "intro": "Välj en kurs. Du kan läsa i din egen takt och fortsätta där du slutade.",
        },
    },
    "en": {
        "home": {
            "title": "Public Health Academy",
            "slug": "home",
            "intro": (
                "Courses on Sweden's national public-health policy for strategists, officials "
                "and elected representatives in municipalities, regions and county boards."
            ),
        },
        "catalogue": {
            "title": "Courses",
            "slug": "courses",
            "intro": "Choose a course. Learn at your own pace and pick up where you left off.",
        },
    },
}


def _locales() -> dict[str, Locale]:
    return {
        code: Locale.objects.get_or_create(language_code=code)[0] for code, _ in settings.LANGUAGES
    }


def _translate(page: Page, locale: Locale, texts: dict) -> Page:
    """The page's translation into ``locale``, created and published if missing: a page of the
    same type and translation_key under the parent's translation (or the tree root)."""
    existing = page.get_translation_or_none(locale)
    if existing is not None:
        return existing.specific
    parent = page.get_parent()
    if parent.depth > 1:
        parent = parent.get_translation(locale)
    translation = type(page)(locale=locale, translation_key=page.translation_key, **texts)
    parent.add_child(instance=translation)
    translation.save_revision().publish()
    return translation


@transaction.atomic
def page_tree_ensure() -> HomePage:
    """Ensure locales, the Swedish home and catalogue pages, their English translations and
    the default site; returns the Swedish home page. Safe to run any number of times."""
    locales = _locales()
    default = locales[settings.LANGUAGE_CODE]
    root = Page.get_first_root_node()
    if root is None:
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=default))

    home = HomePage.objects.filter(locale=default).first()
    if home is None:
        home = HomePage(locale=default, **SKELETON[default.language_code]["home"])
        root.add_child(instance=home)
        home.save_revision().publish()
    # Wagtail's own placeholder ("Welcome to your new Wagtail site!") is a plain Page.
    Page.objects.filter(
        depth=2, content_type__model="page", content_type__app_label="wagtailcore"
    ).delete()

    site = Site.objects.filter(is_default_site=True).first() or Site(is_default_site=True)
    site.hostname = site.hostname or "localhost"
    site.port = site.port or 80
    site.site_name = settings.WAGTAIL_SITE_NAME
    site.root_page = home
    site.save()

    catalogue = CourseCataloguePage.objects.child_of(home).first()
    if catalogue is None:
        catalogue = CourseCataloguePage(
            locale=default, **SKELETON[default.language_code]["catalogue"]
        )
        home.add_child(instance=catalogue)
        catalogue.save_revision().publish()

    for code, locale in locales.items():
        if locale == default:
            continue
        _translate(home, locale, SKELETON[code]["home"])
        _translate(catalogue, locale, SKELETON[code]["catalogue"])
    return home
