"""The demo course, "Folkhälsopolitik för kommuner och regioner", and its English translation,
loaded from ``courses/demo/folkhalsopolitik.json`` (written from the texts in shared/seeds).

Idempotent: a course that already exists (matched on its Swedish slug) is left as it is, so
authors' edits survive `make run`.
"""

import json
from pathlib import Path

from django.db import transaction
from wagtail.models import Locale, Page

from .models import CourseCataloguePage, CoursePage, LessonPage, ModulePage

DEMO_FILE = Path(__file__).resolve().parent / "demo" / "folkhalsopolitik.json"


def _add_published(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _add_pair(parents: dict[str, Page], make) -> dict[str, Page]:
    """Create the Swedish page, then its English translation (same translation_key) under the
    English parent; ``make(language, translation_key)`` builds the unsaved page."""
    swedish = _add_published(parents["sv"], make("sv", None))
    english = _add_published(parents["en"], make("en", swedish.translation_key))
    return {"sv": swedish, "en": english}


def _locale_kwargs(language: str, translation_key) -> dict:
    kwargs = {"locale": Locale.objects.get(language_code=language)}
    if translation_key is not None:
        kwargs["translation_key"] = translation_key
    return kwargs


@transaction.atomic
def demo_course_load(path: Path = DEMO_FILE) -> CoursePage:
    """Create the demo course tree in Swedish and English unless it exists; returns the
    Swedish course page."""
    data = json.loads(path.read_text(encoding="utf-8"))
    catalogues = {
        language: CourseCataloguePage.objects.get(locale__language_code=language)
        for language in ("sv", "en")
    }
    existing = CoursePage.objects.child_of(catalogues["sv"]).filter(
        slug=data["course"]["sv"]["slug"]
    )
    if existing.exists():
        return existing.get()

    def course(language, key):
        text = data["course"][language]
        objectives = "".join(f"<li>{item}</li>" for item in text["learning_objectives"])
        return CoursePage(
            title=text["title"],
            slug=text["slug"],
            summary=text["summary"],
            learning_objectives=f"<ul>{objectives}</ul>",
            intended_audience=text["intended_audience"],
            prerequisites=text.get("prerequisites", ""),
            audiences=data["audiences"],
            **_locale_kwargs(language, key),
        )

    courses = _add_pair(catalogues, course)
    for module_data in data["modules"]:

        def module(language, key, module_data=module_data):
            text = module_data[language]
            return ModulePage(
                title=text["title"],
                slug=text["slug"],
                summary=text["summary"],
                **_locale_kwargs(language, key),
            )

        modules = _add_pair(courses, module)
        for lesson_data in module_data["lessons"]:

            def lesson(language, key, lesson_data=lesson_data):
                text = lesson_data[language]
                return LessonPage(
                    title=text["title"],
                    slug=text["slug"],
                    summary=text["summary"],
                    estimated_minutes=lesson_data["estimated_minutes"],
                    body=json.dumps(text["body"]),
                    **_locale_kwargs(language, key),
                )

            _add_pair(modules, lesson)
    return courses["sv"]
