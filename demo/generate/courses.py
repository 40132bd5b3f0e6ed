"""The courses of the data set: the demo course and two smaller generated ones, as real
published pages, and their shapes (lessons, quizzes, pass marks) for the generator."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass, field

from wagtail.models import Page

# --- The courses -----------------------------------------------------------------------------


def _questions(module_title: str, facts: list[tuple[str, str, list[str]]]) -> list[dict]:
    """Raw quiz questions: for each fact a single choice (first option correct) and a
    true/false statement."""
    questions = []
    for text, right, wrong in facts:
        questions.append(
            {
                "type": "single_choice",
                "value": {
                    "text": text,
                    "points": 1,
                    "options": [{"text": right, "correct": True, "feedback": ""}]
                    + [{"text": w, "correct": False, "feedback": ""} for w in wrong],
                    "explanation": "",
                    "tag": module_title[:80],
                },
            }
        )
        questions.append(
            {
                "type": "true_false",
                "value": {
                    "text": f"{text} Svar: {right}.",
                    "points": 1,
                    "correct": True,
                    "feedback_true": "Rätt.",
                    "feedback_false": f"Fel: {right}.",
                    "explanation": "",
                    "tag": module_title[:80],
                },
            }
        )
    return questions


EXTRA_COURSES = [
    {
        "slug": "jamlik-halsa-i-praktiken",
        "title": "Jämlik hälsa i praktiken",
        "summary": "Hur kommuner och regioner minskar påverkbara skillnader i hälsa.",
        "objectives": ["Förklara hälsans bestämningsfaktorer.", "Planera en uppföljning."],
        "audience": "Folkhälsostrateger och förtroendevalda i kommuner och regioner.",
        "modules": [
            (
                "Vad är jämlik hälsa?",
                ["Hälsans bestämningsfaktorer", "Påverkbara skillnader", "Proportionell "
                 "universalism"],
                [("Vad kallas insatser för alla, anpassade efter behov?",
                  "Proportionell universalism", ["Riktade insatser", "Generell välfärd"])],
            ),
            (
                "Att mäta och följa upp",
                ["Indikatorer för jämlik hälsa", "Lokala folkhälsodata", "Från analys till "
                 "prioritering"],
                [("Hur många indikatorer har uppföljningen av folkhälsopolitiken?", "35",
                  ["8", "28"])],
            ),
            (
                "Att arbeta tvärsektoriellt",
                ["Styrning och ansvar i kommunen", "Samverkan med region och civilsamhälle",
                 "Att följa upp insatser"],
                [("Vilken nivå har det samlade ansvaret för skolan?", "Kommunen",
                  ["Regionen", "Länsstyrelsen"])],
            ),
        ],
        "final": [
            ("Till vilket år ska de påverkbara hälsoklyftorna slutas?", "2048",
             ["2030", "2060"]),
            ("Hur många målområden har folkhälsopolitiken?", "8", ["5", "12"]),
            ("Vem stödjer kommunerna med kunskap om folkhälsa?", "Folkhälsomyndigheten",
             ["Skatteverket", "Försäkringskassan"]),
        ],
    },
    {
        "slug": "halsoframjande-arbete-med-barn-och-unga",
        "title": "Hälsofrämjande arbete med barn och unga",
        "summary": "Goda uppväxtvillkor, psykisk hälsa och levnadsvanor hos barn och unga.",
        "objectives": ["Beskriva friskfaktorer i uppväxten.", "Samordna skola och vård."],
        "audience": "Tjänstepersoner och chefer inom skola, socialtjänst och hälso- och sjukvård.",
        "modules": [
            (
                "Goda uppväxtvillkor",
                ["Det tidiga livets betydelse", "Föräldraskapsstöd",
                 "Förskola och skola som friskfaktor"],
                [("Vad är en av de starkaste friskfaktorerna för barn?", "Fullföljd skolgång",
                  ["Hög inkomst i kommunen", "Många fritidsaktiviteter"])],
            ),
            (
                "Psykisk hälsa hos unga",
                ["Att främja psykiskt välbefinnande", "Tidiga tecken och stöd",
                 "Samverkan mellan skola och vård"],
                [("Vad betyder främjande arbete?", "Att stärka det som håller människor friska",
                  ["Att behandla sjukdom", "Att rehabilitera efter skada"])],
            ),
            (
                "Levnadsvanor",
                ["Fysisk aktivitet och stillasittande", "Mat och sömn",
                 "Alkohol, narkotika, tobak och spel"],
                [("Vilket målområde gäller levnadsvanor?", "Målområde 6",
                  ["Målområde 1", "Målområde 8"])],
            ),
        ],
        "final": [
            ("Vilket målområde gäller det tidiga livet?", "Målområde 1",
             ["Målområde 4", "Målområde 7"]),
            ("Vem har huvudansvaret för elevhälsan?", "Skolans huvudman",
             ["Regionen", "Folkhälsomyndigheten"]),
            ("Vad kallas stöd till föräldrar i deras föräldraskap?", "Föräldraskapsstöd",
             ["Försörjningsstöd", "Elevhälsa"]),
        ],
    },
]  # fmt: skip


@dataclass
class LessonShape:
    key: uuid.UUID
    pages: dict[str, int]
    minutes: int


@dataclass
class QuizShape:
    key: uuid.UUID
    pages: dict[str, int]
    quiz_ids: dict[str, int]
    pass_mark: int
    threshold: float  # what a pass needs: the pass mark, and the course minimum for a final
    time_limit: int | None
    review_policy: str
    snapshot: list[dict]
    max_score: float

    def __post_init__(self):
        self.snapshot_json = json.dumps(self.snapshot)


@dataclass
class ModuleShape:
    key: uuid.UUID
    pages: dict[str, int]
    lessons: list[LessonShape]
    quiz: QuizShape | None


@dataclass
class CourseShape:
    key: uuid.UUID
    pages: dict[str, int]
    title: str
    rule: dict
    modules: list[ModuleShape] = field(default_factory=list)
    final: QuizShape | None = None

    def __post_init__(self):
        self.rule_json = json.dumps(self.rule)
        self.completed_details = json.dumps({"rule": self.rule})

    @property
    def lesson_count(self) -> int:
        return sum(len(module.lessons) for module in self.modules)


def _lesson_body(title: str) -> str:
    return json.dumps(
        [
            {"type": "heading", "value": {"text": title, "level": "h2"}},
            {"type": "paragraph", "value": f"<p>{title}: om folkhälsoarbetet i praktiken.</p>"},
            {
                "type": "source",
                "value": {
                    "title": "Folkhälsopolitikens ramverk",
                    "publisher": "Folkhälsomyndigheten",
                    "date": None,
                    "url": "",
                },
            },
        ]
    )


def _publish(parent: Page, page: Page) -> Page:
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def _quiz_place(parent: Page, *, slug: str, title: str, questions: list[dict], **settings):
    from courses.models import QuizPage
    from quizzes.models import Quiz

    quiz = Quiz(title=title, questions=json.dumps(questions), locale=parent.locale, **settings)
    quiz.save()
    _publish(parent, QuizPage(title=title, slug=slug, quiz=quiz, required=True))


def _extra_course_ensure(spec: dict):
    """One of the smaller Swedish courses, made unless a course with its slug exists."""
    from courses.models import CourseCataloguePage, CoursePage, LessonPage, ModulePage

    catalogue = CourseCataloguePage.objects.get(locale__language_code="sv")
    existing = CoursePage.objects.child_of(catalogue).filter(slug=spec["slug"]).first()
    if existing is not None:
        return existing
    objectives = "".join(f"<li>{item}</li>" for item in spec["objectives"])
    course = _publish(
        catalogue,
        CoursePage(
            title=spec["title"],
            slug=spec["slug"],
            summary=spec["summary"],
            learning_objectives=f"<ul>{objectives}</ul>",
            intended_audience=spec["audience"],
            audiences=["elected", "official", "manager"],
        ),
    )
    for m, (title, lessons, facts) in enumerate(spec["modules"], start=1):
        module = _publish(
            course, ModulePage(title=title, slug=f"{spec['slug']}-modul-{m}", summary=title)
        )
        for n, lesson_title in enumerate(lessons, start=1):
            lesson = LessonPage(
                title=lesson_title,
                slug=f"{spec['slug']}-lektion-{m}-{n}",
                summary=lesson_title,
                estimated_minutes=3 + (m + n) % 3,
                body=_lesson_body(lesson_title),
            )
            _publish(module, lesson)
        _quiz_place(
            module,
            slug=f"{spec['slug']}-quiz-{m}",
            title=f"Quiz: {title}",
            questions=_questions(title, facts),
            pass_mark=70,
        )
    _quiz_place(
        course,
        slug=f"{spec['slug']}-slutprov",
        title=f"Slutprov: {spec['title']}",
        questions=_questions("Slutprov", spec["final"]),
        pass_mark=80,
        attempts_allowed=3,
        time_limit_minutes=20,
        review_policy="after_pass",
    )
    return course


def courses_ensure(count: int) -> list:
    """The Swedish course pages of the data set (the demo course first), made if missing."""
    from demo.course import demo_course_load, demo_quizzes_load

    demo = demo_course_load()
    demo_quizzes_load(demo)
    return [demo, *(_extra_course_ensure(spec) for spec in EXTRA_COURSES[: count - 1])]


def _pages_by_key(keys) -> dict[uuid.UUID, dict[str, int]]:
    """{translation_key: {language: page id}} for every locale a page exists in."""
    found: dict[uuid.UUID, dict[str, int]] = {}
    rows = Page.objects.live().filter(translation_key__in=keys)
    for key, language, pk in rows.values_list("translation_key", "locale__language_code", "pk"):
        found.setdefault(key, {})[language] = pk
    return found


def _quiz_shape(quiz_page, pages, minimum, rng: random.Random) -> QuizShape:
    quiz = quiz_page.quiz
    graded = [
        {"id": str(block.id), "type": block.block_type, "points": block.value.get("points", 0)}
        for block in quiz.questions
        if block.block_type != "reflection"
    ]
    if quiz.draw_count and quiz.draw_count < len(graded):
        drawn = set(rng.sample(range(len(graded)), quiz.draw_count))
        graded = [question for i, question in enumerate(graded) if i in drawn]
    translations = {}
    for other in type(quiz).objects.filter(translation_key=quiz.translation_key):
        translations[other.locale.language_code] = other.pk
    return QuizShape(
        key=quiz_page.translation_key,
        pages=pages[quiz_page.translation_key],
        quiz_ids=translations,
        pass_mark=quiz.pass_mark,
        threshold=max(quiz.pass_mark, minimum or 0),
        time_limit=quiz.time_limit_minutes,
        review_policy=quiz.review_policy,
        snapshot=graded,
        max_score=float(sum(question["points"] for question in graded)),
    )


def course_shape(course, rng: random.Random) -> CourseShape:
    """The course as the generator needs it: keys, page ids per language, the quizzes."""
    from courses.models import LessonPage, ModulePage, QuizPage
    from progress.services import completion_rule

    modules = list(ModulePage.objects.live().child_of(course).order_by("path"))
    lessons = {
        module.pk: list(LessonPage.objects.live().child_of(module).order_by("path"))
        for module in modules
    }
    quizzes = {
        parent.pk: QuizPage.objects.live().child_of(parent).filter(required=True).first()
        for parent in [course, *modules]
    }
    keys = [course.translation_key, *(m.translation_key for m in modules)]
    keys += [lesson.translation_key for group in lessons.values() for lesson in group]
    keys += [quiz.translation_key for quiz in quizzes.values() if quiz is not None]
    pages = _pages_by_key(keys)
    shape = CourseShape(
        key=course.translation_key,
        pages=pages[course.translation_key],
        title=course.title,
        rule=completion_rule(course),
    )
    for module in modules:
        quiz = quizzes[module.pk]
        shape.modules.append(
            ModuleShape(
                key=module.translation_key,
                pages=pages[module.translation_key],
                lessons=[
                    LessonShape(
                        lesson.translation_key,
                        pages[lesson.translation_key],
                        lesson.estimated_minutes or 5,
                    )
                    for lesson in lessons[module.pk]
                ],  # fmt: skip
                quiz=_quiz_shape(quiz, pages, None, rng) if quiz else None,
            )
        )
    final = quizzes[course.pk]
    if final is not None:
        shape.final = _quiz_shape(final, pages, course.completion_minimum_score, rng)
    return shape
