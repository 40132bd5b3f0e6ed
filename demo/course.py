"""The demo course, "Folkhälsopolitik för kommuner och regioner", and its English translation,
loaded from ``demo/data/folkhalsopolitik.json`` (written from the texts in shared/seeds).

Idempotent: a course that already exists (matched on its Swedish slug) is left as it is, so
authors' edits survive `make run`.
"""

import json
from pathlib import Path

from django.db import transaction
from wagtail.models import Locale, Page

from courses.models import CourseCataloguePage, CoursePage, LessonPage, ModulePage

DEMO_FILE = Path(__file__).resolve().parent / "data" / "folkhalsopolitik.json"


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


def _sources_marked(body: list, language: str, swedish_body: list) -> list:
    """The body with each source's ``language`` set where it is obvious and the data leave
    it out: a source of an English lesson titled as a source of the Swedish lesson is a
    Swedish text (issue 14, WCAG 3.1.2: its title gets lang="sv")."""
    if language == "sv":
        return body
    swedish_titles = {
        block["value"]["title"] for block in swedish_body if block["type"] == "source"
    }
    marked = []
    for block in body:
        if (
            block["type"] == "source"
            and "language" not in block["value"]
            and block["value"]["title"] in swedish_titles
        ):
            block = {**block, "value": {**block["value"], "language": "sv"}}
        marked.append(block)
    return marked


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
                    body=json.dumps(
                        _sources_marked(text["body"], language, lesson_data["sv"]["body"])
                    ),
                    **_locale_kwargs(language, key),
                )

            _add_pair(modules, lesson)
    return courses["sv"]


QUIZ_FILE = Path(__file__).resolve().parent / "data" / "quizzes.json"


@transaction.atomic
def demo_quizzes_load(course: CoursePage, path: Path = QUIZ_FILE) -> int:
    """A quiz per module and a final test, in Swedish and English, placed in ``course`` (the
    Swedish course) and its translation; quizzes that are already placed are left alone.
    Returns how many quiz pages were created."""
    from courses.models import QuizPage
    from quizzes.models import Quiz

    data = json.loads(path.read_text(encoding="utf-8"))
    english = Locale.objects.get(language_code="en")
    courses = {"sv": course, "en": course.get_translation(english)}
    modules = {
        language: list(ModulePage.objects.child_of(parent).order_by("path"))
        for language, parent in courses.items()
    }
    created = 0
    for entry in data["quizzes"]:
        index = entry["module"]
        parents = {
            language: courses[language] if index is None else modules[language][index]
            for language in ("sv", "en")
        }
        if QuizPage.objects.child_of(parents["sv"]).filter(slug=entry["sv"]["page_slug"]).exists():
            continue
        settings = {
            key: entry[key]
            for key in (
                "pass_mark",
                "attempts_allowed",
                "time_limit_minutes",
                "shuffle_questions",
                "draw_count",
                "review_policy",
            )
        }
        quizzes = {}
        for language in ("sv", "en"):
            text = entry[language]
            quiz = Quiz(
                title=text["title"],
                instructions=text["instructions"],
                questions=json.dumps(text["questions"]),
                feedback_bands=json.dumps(
                    [{"type": "band", "value": band} for band in text["feedback_bands"]]
                ),
                **_locale_kwargs(language, quizzes["sv"].translation_key if quizzes else None),
                **settings,
            )
            quiz.save()
            quizzes[language] = quiz

        def page(language, key, entry=entry, quizzes=quizzes):
            return QuizPage(
                title=entry[language]["title"],
                slug=entry[language]["page_slug"],
                quiz=quizzes[language],
                required=True,
                **_locale_kwargs(language, key),
            )

        _add_pair(parents, page)
        created += 1
    return created
