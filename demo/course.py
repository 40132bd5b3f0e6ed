"""The demo course, "Folkhälsopolitik för kommuner och regioner", and its English translation,
loaded from ``demo/data/folkhalsopolitik.json`` (sources and the record of facts:
docs/course-content.md).

Idempotent and in place (issue 15): every page is matched on its Swedish slug under its
parent, and its English translation on the translation key. A page whose text differs from
the file gets a new published revision; a page missing from the tree is added at its place in
the file's order (before a module's quiz, and before the course's final test); a module or
lesson no longer in the file is unpublished, not deleted. Pages keep their ids, so learners'
progress, attempts and certificates are untouched. The file owns the demo course's text: an
author's edit to a demo page is replaced on the next `make run`.
"""

import json
from pathlib import Path

from django.db import transaction
from wagtail.models import Locale, Page

from courses.models import CourseCataloguePage, CoursePage, LessonPage, ModulePage

DEMO_FILE = Path(__file__).resolve().parent / "data" / "folkhalsopolitik.json"
QUIZ_FILE = Path(__file__).resolve().parent / "data" / "quizzes.json"
LANGUAGES = ("sv", "en")


def _locale(language: str) -> Locale:
    return Locale.objects.get(language_code=language)


def _comparable(page: Page, name: str, value):
    """``value`` as the field would store it, so that an unchanged file compares equal (a
    stream is compared by its blocks' types and values, without the blocks' ids)."""
    field = page._meta.get_field(name)
    if hasattr(field, "stream_block"):
        stream = field.stream_block.to_python(value) if isinstance(value, list) else value
        return [
            {"type": block["type"], "value": block["value"]}
            for block in field.stream_block.get_prep_value(stream)
        ]
    return value


def _page_set(parent: Page, model, fields: dict, *, translation_of: Page | None = None) -> Page:
    """The ``model`` page under ``parent`` with ``fields`` published: found by slug (or, for a
    translation, by the Swedish page's translation key), updated if it differs, else created."""
    if translation_of is None:
        page = model.objects.child_of(parent).filter(slug=fields["slug"]).first()
    else:
        page = model.objects.filter(
            translation_key=translation_of.translation_key, locale=parent.locale
        ).first()
    if page is None:
        extra = {"locale": parent.locale}
        if translation_of is not None:
            extra["translation_key"] = translation_of.translation_key
        page = model(**fields, **extra)
        parent.add_child(instance=page)
        page.save_revision().publish()
        return page
    page = page.specific
    changed = not page.live
    for name, value in fields.items():
        if _comparable(page, name, getattr(page, name)) != _comparable(page, name, value):
            setattr(page, name, value)
            changed = True
    if changed:
        page.save_revision().publish()
    return page


def _pages_order(parent: Page, pages: list[Page]) -> None:
    """Put ``pages`` first among ``parent``'s live children, in this order: before the
    children the file does not list (a module's quiz, the course's final test)."""
    children = list(parent.get_children().live().order_by("path"))
    wanted = [page.pk for page in pages]
    others = [child.pk for child in children if child.pk not in wanted]
    if [child.pk for child in children] == wanted + others:
        return
    for pk in wanted:
        page = Page.objects.get(pk=pk)
        if others:
            page.move(Page.objects.get(pk=others[0]), pos="left")
        else:
            page.move(Page.objects.get(pk=parent.pk), pos="last-child")


def _unpublish_missing(parent: Page, model, keep: list[Page]) -> None:
    """Unpublish ``model`` children of ``parent`` (and their pages) that the file no longer
    has; their progress and history stay."""
    for page in model.objects.child_of(parent).live().exclude(pk__in=[p.pk for p in keep]):
        for stale in [page, *page.get_descendants().live().specific()]:
            stale.unpublish()


def _pair_set(parents: dict[str, Page], model, texts: dict[str, dict]) -> dict[str, Page]:
    swedish = _page_set(parents["sv"], model, texts["sv"])
    english = _page_set(parents["en"], model, texts["en"], translation_of=swedish)
    return {"sv": swedish, "en": english}


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
    """Create the demo course tree in Swedish and English, or bring it up to date with the
    file in place; returns the Swedish course page."""
    data = json.loads(path.read_text(encoding="utf-8"))
    catalogues = {
        language: CourseCataloguePage.objects.get(locale__language_code=language)
        for language in LANGUAGES
    }

    def course_fields(language):
        text = data["course"][language]
        objectives = "".join(f"<li>{item}</li>" for item in text["learning_objectives"])
        return {
            "title": text["title"],
            "slug": text["slug"],
            "summary": text["summary"],
            "learning_objectives": f"<ul>{objectives}</ul>",
            "intended_audience": text["intended_audience"],
            "prerequisites": text.get("prerequisites", ""),
            "audiences": data["audiences"],
        }

    courses = _pair_set(catalogues, CoursePage, {lang: course_fields(lang) for lang in LANGUAGES})
    module_pages = {language: [] for language in LANGUAGES}
    for module_data in data["modules"]:
        modules = _pair_set(
            courses,
            ModulePage,
            {
                language: {key: module_data[language][key] for key in ("title", "slug", "summary")}
                for language in LANGUAGES
            },
        )
        lesson_pages = {language: [] for language in LANGUAGES}
        for lesson_data in module_data["lessons"]:
            lessons = _pair_set(
                modules,
                LessonPage,
                {
                    language: {
                        "title": lesson_data[language]["title"],
                        "slug": lesson_data[language]["slug"],
                        "summary": lesson_data[language]["summary"],
                        "estimated_minutes": lesson_data["estimated_minutes"],
                        "body": _sources_marked(
                            lesson_data[language]["body"], language, lesson_data["sv"]["body"]
                        ),
                    }
                    for language in LANGUAGES
                },
            )
            for language in LANGUAGES:
                lesson_pages[language].append(lessons[language])
        for language in LANGUAGES:
            _unpublish_missing(modules[language], LessonPage, lesson_pages[language])
            _pages_order(modules[language], lesson_pages[language])
            module_pages[language].append(modules[language])
    for language in LANGUAGES:
        _unpublish_missing(courses[language], ModulePage, module_pages[language])
        _pages_order(courses[language], module_pages[language])
    return courses["sv"]


@transaction.atomic
def demo_quizzes_load(
    course: CoursePage, path: Path = QUIZ_FILE, course_path: Path = DEMO_FILE
) -> int:
    """A quiz per module and a final test, in Swedish and English, placed in ``course`` (the
    Swedish course) and its translation; a quiz already placed is brought up to date with the
    file in place (attempts keep the questions as they were served). Returns how many quiz
    pages were created."""
    from courses.models import QuizPage
    from quizzes.models import Quiz

    data = json.loads(path.read_text(encoding="utf-8"))
    course_data = json.loads(course_path.read_text(encoding="utf-8"))
    english = _locale("en")
    courses = {"sv": course, "en": course.get_translation(english)}
    modules = {"sv": [], "en": []}
    for module_data in course_data["modules"]:
        swedish = ModulePage.objects.child_of(course).get(slug=module_data["sv"]["slug"])
        modules["sv"].append(swedish)
        modules["en"].append(swedish.get_translation(english))
    settings_keys = (
        "pass_mark",
        "attempts_allowed",
        "time_limit_minutes",
        "shuffle_questions",
        "draw_count",
        "review_policy",
    )
    created = 0
    for entry in data["quizzes"]:
        index = entry["module"]
        parents = {
            language: courses[language] if index is None else modules[language][index]
            for language in LANGUAGES
        }
        placed = QuizPage.objects.child_of(parents["sv"]).filter(slug=entry["sv"]["page_slug"])
        placed = placed.select_related("quiz").first()
        quizzes = {}
        for language in LANGUAGES:
            text = entry[language]
            fields = {
                "title": text["title"],
                "instructions": text["instructions"],
                "questions": text["questions"],
                "feedback_bands": [
                    {"type": "band", "value": band} for band in text["feedback_bands"]
                ],
                **{key: entry[key] for key in settings_keys},
            }
            quiz = None
            if placed is not None:
                quiz = placed.quiz if language == "sv" else placed.get_translation(english).quiz
            if quiz is None:
                key = quizzes["sv"].translation_key if quizzes else None
                extra = {"translation_key": key} if key else {}
                quiz = Quiz(locale=_locale(language), **extra)
            changed = quiz.pk is None
            for name, value in fields.items():
                if _comparable(quiz, name, getattr(quiz, name)) != _comparable(quiz, name, value):
                    setattr(quiz, name, value)
                    changed = True
            if changed:
                quiz.save()
            quizzes[language] = quiz
        if placed is None:
            created += 1
        pages = {}
        for language in LANGUAGES:
            pages[language] = _page_set(
                parents[language],
                QuizPage,
                {
                    "title": entry[language]["title"],
                    "slug": entry[language]["page_slug"],
                    "quiz": quizzes[language],
                    "required": True,
                },
                translation_of=pages.get("sv"),
            )
    return created
