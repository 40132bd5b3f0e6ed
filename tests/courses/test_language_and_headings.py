"""Issue 14: authors mark the language of parts (the editor's SV/EN marks, the source's
language), the demo loader marks Swedish sources of English lessons, and the titles of
accordions, fact boxes and reflections are headings at the level where they stand."""

import json

import pytest
from wagtail.admin.rich_text.converters.contentstate import ContentstateConverter

from courses.models import LessonPage
from demo.course import _sources_marked
from tests.factories import course_tree

pytestmark = pytest.mark.django_db


def test_the_editors_language_marks_store_a_span_with_lang():
    converter = ContentstateConverter(features=["bold", "lang-sv", "lang-en"])
    html = '<p>The <span lang="sv">Nära vård</span> reform, <span lang="en">health</span>.</p>'
    state = json.loads(converter.from_database_format(html))
    styles = [
        (r["style"], r["offset"], r["length"]) for r in state["blocks"][0]["inlineStyleRanges"]
    ]
    assert styles == [("LANG_SV", 4, 9), ("LANG_EN", 22, 6)]
    back = converter.to_database_format(json.dumps(state))
    assert '<span lang="sv">Nära vård</span>' in back and '<span lang="en">health</span>' in back


def _lesson(language, body):
    _, lessons = course_tree(modules=1, lessons_per_module=1, language=language, slug="sprak")
    lesson = LessonPage.objects.get(pk=lessons[0].pk)
    lesson.body = json.dumps(body)
    lesson.save_revision().publish()
    return LessonPage.objects.get(pk=lesson.pk)


SOURCE = {
    "title": "Lokalt och regionalt folkhälsoarbete",
    "publisher": "Folkhälsomyndigheten",
    "date": None,
    "url": "",
}


def _read(client, enrolled, lesson) -> str:
    enrolled(lesson.get_parent().get_parent().specific)
    response = client.get(lesson.url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_english_lesson_marks_swedish_words_and_a_swedish_source(client, site, enrolled):
    lesson = _lesson(
        "en",
        [
            {"type": "paragraph", "value": '<p>The <span lang="sv">Nära vård</span> reform.</p>'},
            {"type": "source", "value": {**SOURCE, "language": "sv"}},
            {"type": "source", "value": {**SOURCE, "title": "Healthy Cities", "language": "en"}},
        ],
    )
    page = _read(client, enrolled, lesson)
    assert '<span lang="sv">Nära vård</span>' in page
    assert '<cite lang="sv">Lokalt och regionalt folkhälsoarbete</cite>' in page
    assert "<cite>Healthy Cities</cite>" in page  # the page's own language: no mark


def test_titled_blocks_are_headings_one_below_the_heading_before_them(client, site, enrolled):
    fact = {"title": "Visste du?", "body": "<p>2048.</p>", "kind": "fact"}
    lesson = _lesson(
        "sv",
        [
            {"type": "fact_box", "value": fact},
            {"type": "heading", "value": {"text": "Avsnitt", "level": "h2"}},
            {"type": "accordion", "value": {"title": "Aktörer", "items": [
                {"heading": "Kommuner", "body": "<p>Välfärd.</p>"}]}},
            {"type": "heading", "value": {"text": "Underavsnitt", "level": "h3"}},
            {"type": "reflection", "value": {"question": "Vad betyder det?", "hint": ""}},
            {"type": "source", "value": SOURCE},
        ],
    )  # fmt: skip
    page = _read(client, enrolled, lesson)
    assert '<h2 class="fact-box__title">' in page  # before any heading
    assert '<h3 class="accordion__title">Aktörer</h3>' in page
    assert '<h4 class="reflection__title">Fundera på</h4>' in page


def test_the_demo_loader_marks_swedish_sources_of_english_lessons():
    swedish = [{"type": "source", "value": SOURCE}]
    english = [
        {"type": "paragraph", "value": "<p>Text.</p>"},
        {"type": "source", "value": SOURCE},
        {"type": "source", "value": {**SOURCE, "title": "WHO Healthy Cities"}},
        {"type": "source", "value": {**SOURCE, "language": "en"}},  # the data decide
    ]
    marked = _sources_marked(english, "en", swedish)
    assert [b["value"].get("language") for b in marked[1:]] == ["sv", None, "en"]
    assert _sources_marked(swedish, "sv", swedish) == swedish
