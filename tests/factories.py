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


def course_tree(*, modules=1, lessons_per_module=3, language="sv", slug="kurs", publish=True):
    """A course with ``modules`` × ``lessons_per_module`` lessons in one language."""
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
    course.save_revision().publish()
    lessons = []
    for m in range(1, modules + 1):
        module = ModulePage(title=f"Modul {m}", slug=f"{slug}-modul-{m}", locale=locale)
        course.add_child(instance=module)
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
            revision = lesson.save_revision()
            if publish:
                revision.publish()
            lessons.append(lesson)
    return course, lessons
