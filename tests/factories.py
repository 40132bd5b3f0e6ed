"""Builders for test data: a course tree of any size under the skeleton's catalogues."""

import json

from wagtail.models import Locale

from courses.models import CourseCataloguePage, CoursePage, LessonPage, ModulePage


def lesson_body(title="Text", source="Lokalt och regionalt folkhälsoarbete"):
    return json.dumps(
        [
            {"type": "heading", "value": {"text": title, "level": "h2"}},
            {"type": "paragraph", "value": f"<p>{title}: brödtext.</p>"},
            {
                "type": "source",
                "value": {
                    "title": source,
                    "publisher": "Folkhälsomyndigheten",
                    "date": None,
                    "url": "",
                },
            },
        ]
    )


def course_tree(
    *, modules=1, lessons_per_module=3, language="sv", slug="kurs", publish=True, revisions=True
):
    """A course with ``modules`` × ``lessons_per_module`` lessons in one language.

    ``revisions=False`` adds the pages to the tree live but without revisions: several times
    faster, for tests that read only live pages and keys (no ``live_revision``)."""
    locale = Locale.objects.get(language_code=language)
    catalogue = CourseCataloguePage.objects.get(locale=locale)
    course = CoursePage(
        title=f"Kurs {slug}",
        slug=slug,
        summary="En kurs.",
        learning_objectives="<ul><li>Förklara målet.</li></ul>",
        intended_audience="Strateger",
        audiences=["official"],
        locale=locale,
    )
    catalogue.add_child(instance=course)
    if revisions:
        course.save_revision().publish()
    lessons = []
    for m in range(1, modules + 1):
        module = ModulePage(title=f"Modul {m}", slug=f"{slug}-modul-{m}", locale=locale)
        course.add_child(instance=module)
        if revisions:
            module.save_revision().publish()
        for n in range(1, lessons_per_module + 1):
            lesson = LessonPage(
                title=f"Lektion {m}.{n}",
                slug=f"{slug}-lektion-{m}-{n}",
                estimated_minutes=5,
                body=lesson_body(f"Lektion {m}.{n}"),
                locale=locale,
                live=publish,
            )
            module.add_child(instance=lesson)
            if revisions:
                revision = lesson.save_revision()
                if publish:
                    revision.publish()
            lessons.append(lesson)
    return course, lessons


def every_question():
    """One question of each type, as the quiz's StreamField stores them (raw JSON)."""
    return [
        {
            "type": "single_choice",
            "value": {
                "text": "Vilket år ska folkhälsomålet nås?",
                "points": 1,
                "options": [
                    {"text": "2030", "correct": False, "feedback": "Det är Agenda 2030."},
                    {"text": "2048", "correct": True, "feedback": "Rätt: inom en generation."},
                    {"text": "2060", "correct": False, "feedback": ""},
                ],
                "explanation": "<p>Målet ska nås till 2048.</p>",
                "tag": "modul-1",
            },
        },
        {
            "type": "multiple_response",
            "value": {
                "text": "Vilka ingår i stödstrukturen?",
                "points": 2,
                "scoring": "partial",
                "options": [
                    {"text": "28 fokusområden", "correct": True, "feedback": ""},
                    {"text": "35 indikatorer", "correct": True, "feedback": ""},
                    {"text": "17 regioner", "correct": False, "feedback": "Det finns 21 regioner."},
                ],
                "explanation": "",
                "tag": "",
            },
        },
        {
            "type": "true_false",
            "value": {
                "text": "Folkhälsopolitiken berör de flesta sektorer.",
                "points": 1,
                "correct": True,
                "feedback_true": "Rätt.",
                "feedback_false": "Fel.",
                "explanation": "",
                "tag": "",
            },
        },
        {
            "type": "ordering",
            "value": {
                "text": "Ordna från lokal till nationell nivå.",
                "points": 2,
                "items": ["Kommun", "Region", "Stat"],
                "explanation": "",
                "tag": "",
            },
        },
        {
            "type": "matching",
            "value": {
                "text": "Para ihop aktör och roll.",
                "points": 2,
                "pairs": [
                    {"prompt": "Folkhälsomyndigheten", "match": "Nationell kunskapsstyrning"},
                    {"prompt": "Länsstyrelsen", "match": "Regional samordning"},
                    {"prompt": "SKR", "match": "Nätverk för kommuner och regioner"},
                ],
                "explanation": "",
                "tag": "",
            },
        },
        {"type": "reflection", "value": {"text": "Vad betyder målet för din kommun?", "tag": ""}},
    ]


def quiz_in(module_or_course, *, questions=None, slug="quiz", required=True, **settings):
    """A quiz with ``questions`` (default: one of each type) placed under a module or course."""
    from courses.models import QuizPage
    from quizzes.models import Quiz

    quiz = Quiz.objects.create(
        title=f"Quiz {slug}",
        questions=json.dumps(questions or every_question()),
        locale=module_or_course.locale,
        **{"shuffle_options": False, **settings},
    )
    page = QuizPage(title=f"Quiz {slug}", slug=slug, quiz=quiz, required=required)
    module_or_course.add_child(instance=page)
    page.save_revision().publish()
    return quiz, page
