"""A realistic large data set for benchmarks and demos of the manager reports.

``dataset_generate`` (``manage.py reports_generate``) writes learners, their enrolments,
lesson progress, module completions, quiz attempts and learning events straight into the
real tables, so reports computed from them behave as on a real installation. It never calls
the progress services: those queue xAPI statements and e-mails, which a data set must not.
No ``OutboxStatement``, ``AttemptAnswer`` or ``Certificate`` rows are made.

What is generated (ratios are targets; the exact numbers depend on the seed):

- Courses: the demo course "Folkhälsopolitik för kommuner och regioner" (Swedish and English,
  5 modules, 18 lessons, a quiz per module, a final test) and, with ``courses`` 2 or 3, two
  smaller Swedish courses (3 modules × 3 lessons, a quiz per module, a final test). They are
  real published pages, made once and reused by later runs.
- Learners: e-mail ``learnerNNNNNN@generated.example`` (that domain marks everything this
  module made; real users are never touched), common Swedish names, an unusable password,
  in the learners' group. Organisation: 80 % a municipality, 13 % a region, 5 % a county
  board, 2 % a national body. Municipalities are weighted by a rough participation weight:
  the twelve largest cities by population (Stockholm ≈ 1,000 down to Lund ≈ 130, in
  thousands), 34 very small municipalities 0.8, the rest a log-normal weight around 15; so
  at 100,000 learners the small ones have a handful of learners and fewer than 5 in some
  course (the reports' small-group suppression shows). Regions are weighted like their
  county's municipalities, county boards and national bodies evenly. Role: elected 20 %,
  official 55 %, manager 15 %, other 10 %. Language: Swedish 95 %, English 5 %.
- Enrolments: 1 course (72 %), 2 (20 %) or 3 (8 %) per learner, about 1.35 on average; the
  demo course is chosen most (weights 55:27:18). Enrolment times are spread over the last
  ``months`` months with growth (three times as many enrolments per day at the end as at
  the start), on weekdays mostly. Organisation and role are copied from the learner.
- Progress: about 47 % of enrolments are meant to complete, after a log-normal number of
  days (median about 0.6 day per lesson, some take months); those whose completion would lie
  in the future are still in progress, so about 45 % end up completed (a run at 55 % gave
  53 %). The others drop out along the course (12 % never start, then each lesson or quiz
  is passed by 85 % of those who reach it), so later modules are reached by fewer; half
  of those who stop leave a lesson started, or fail a quiz once or twice before stopping.
  Lessons are done in order, in sessions of a few lessons with breaks of days between
  them; time spent is about the lesson's estimate. A quarter of those inactive for more
  than 30 days left the course; most of those inactive for 14 days got a reminder.
- Quiz attempts: a module quiz is passed at the first attempt by 78 %, at the second by
  17 %, at the third by 5 %; the final test (at most 3 attempts) by 65 %, 25 %, 10 %. The
  score matches pass or fail against the pass mark (and the course's minimum score).
  ``questions`` is a compact snapshot (question id, type and points, no texts) to keep the
  data set small.
- Learning events: ``enrolled``, ``lesson_completed`` (with ``duration_seconds``),
  ``module_completed``, ``quiz_passed``/``quiz_failed`` (with the score), ``course_completed``
  (with the rule) and ``left``, at the times of the rows they describe. Not generated:
  ``lesson_started``, ``question_answered``, ``certificate_issued``.
- Managers: a national one, one for Skåne län and one for Malmö, in the managers' group,
  with the password ``MANAGER_PASSWORD`` (printed), e-mail ``manager-…@generated.example``.

Times: "now" is the start of the current day (UTC), so two runs on the same day with the same
seed write the same rows (only database ids differ). On PostgreSQL the rows are written with
COPY in chunks of learners, in one transaction; on other databases with ``bulk_create``
(slow, for small numbers).
"""

from __future__ import annotations

import bisect
import json
import math
import random
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, models, transaction
from wagtail.models import Locale, Page

from elearning.accounts import roles
from elearning.accounts.models import RoleCategory, User
from elearning.organisations.models import County, Organisation

DOMAIN = "generated.example"
MANAGER_PASSWORD = "folkhalsa-generated"
CHUNK = 5_000  # learners per round of COPY statements: bounded memory, big batches
MAX_COURSES = 3


class GenerateError(Exception):
    """The data set cannot be generated as asked; the message says why."""


# --- Names and weights -----------------------------------------------------------------------

FIRST_NAMES = (
    "Anna Eva Maria Karin Sara Lena Emma Kerstin Ingrid Malin Linnéa Elin Johanna Sofia "
    "Elsa Maja Ida Hanna Julia Amanda Louise Helena Camilla Marie Annika Ulrika Fatima "
    "Lars Mikael Anders Johan Erik Per Karl Peter Thomas Jan Daniel Fredrik Andreas Stefan "
    "Hans Mattias Jonas Magnus Oskar Lucas William Alexander Ali Mohammed Ahmed Nils Olle"
).split()
LAST_NAMES = (
    "Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsson Persson Svensson Gustafsson "
    "Pettersson Jonsson Jansson Hansson Bengtsson Jönsson Lindberg Jakobsson Magnusson "
    "Lindström Olofsson Lindqvist Lindgren Berg Axelsson Bergström Lundberg Lind Lundgren "
    "Lundqvist Mattsson Berglund Fredriksson Sandberg Henriksson Forsberg Sjöberg Ali "
    "Wallin Mohammed Engström Eklund Danielsson Lundin Håkansson Björk Bergman Gunnarsson "
    "Holm Wikström Samuelsson Isaksson Fransson Bergqvist Nyström Holmberg Arvidsson Löfgren"
).split()

# Population in thousands of the twelve largest municipalities (kommunkod: weight).
LARGE_MUNICIPALITIES = {
    "0180": 984, "1480": 604, "1280": 362, "0380": 245, "0580": 167, "1880": 160,
    "1980": 158, "1283": 151, "0581": 146, "0680": 145, "2480": 133, "1281": 128,
}  # fmt: skip
# Very small municipalities: few learners, so reports must suppress them in some courses.
SMALL_MUNICIPALITIES = (
    "2403 2422 2425 2506 2463 2513 2418 0512 1445 1447 1438 1860 2417 2518 1864 1863 2021 "
    "1904 0560 0509 0821 1762 1962 2101 2303 2305 2326 2404 2421 2505 2510 2521 2039 0834"
).split()
SMALL_WEIGHT = 0.8
KIND_SHARES = (
    (Organisation.Kind.MUNICIPALITY, 0.80),
    (Organisation.Kind.REGION, 0.13),
    (Organisation.Kind.COUNTY_BOARD, 0.05),
    (Organisation.Kind.NATIONAL, 0.02),
)
ROLE_SHARES = (
    (RoleCategory.ELECTED, 0.20),
    (RoleCategory.OFFICIAL, 0.55),
    (RoleCategory.MANAGER, 0.15),
    (RoleCategory.OTHER, 0.10),
)
COURSE_COUNT_SHARES = ((1, 0.72), (2, 0.20), (3, 0.08))
COURSE_WEIGHTS = (55, 27, 18)
ENGLISH_SHARE = 0.05

# Progress behaviour (see the module docstring).
COMPLETE_SHARE = 0.47
NEVER_STARTED = 0.12
CONTINUE = 0.85
MODULE_QUIZ_ATTEMPTS = ((1, 0.78), (2, 0.17), (3, 0.05))
FINAL_TEST_ATTEMPTS = ((1, 0.65), (2, 0.25), (3, 0.10))
DAYS_PER_LESSON = 0.6  # median days to complete, per lesson
SESSION_BREAK = 0.3  # chance that the learner stops for the day after a step
DAY = 86_400.0
EMPTY = "{}"


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
class _Lesson:
    key: uuid.UUID
    pages: dict[str, int]
    minutes: int


@dataclass
class _Quiz:
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
class _Module:
    key: uuid.UUID
    pages: dict[str, int]
    lessons: list[_Lesson]
    quiz: _Quiz | None


@dataclass
class _Course:
    key: uuid.UUID
    pages: dict[str, int]
    title: str
    rule: dict
    modules: list[_Module] = field(default_factory=list)
    final: _Quiz | None = None

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
    from courses.demo import demo_course_load, demo_quizzes_load

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


def _quiz_shape(quiz_page, pages, minimum, rng: random.Random) -> _Quiz:
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
    return _Quiz(
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


def _course_shape(course, rng: random.Random) -> _Course:
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
    shape = _Course(
        key=course.translation_key,
        pages=pages[course.translation_key],
        title=course.title,
        rule=completion_rule(course),
    )
    for module in modules:
        quiz = quizzes[module.pk]
        shape.modules.append(
            _Module(
                key=module.translation_key,
                pages=pages[module.translation_key],
                lessons=[
                    _Lesson(
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


# --- Writing rows ----------------------------------------------------------------------------


class _Writer:
    """Writes rows given as tuples of field attnames: COPY on PostgreSQL, bulk_create
    elsewhere. JSON values come serialised (many rows share one text).

    On PostgreSQL a second thread runs the COPY statements on the same connection (and
    transaction) while the main thread draws the next chunk: the database's work and
    Python's then overlap on a machine with two cores. ``drain`` waits for it."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}
        self.pending: list = []
        self.pool = ThreadPoolExecutor(max_workers=1) if self.postgres else None

    def drain(self) -> None:
        """Wait for the queued writes; raises what the writing thread raised."""
        pending, self.pending = self.pending, []
        for future in pending:
            future.result()

    def close(self) -> None:
        if self.pool is not None:
            try:
                self.drain()
            finally:
                self.pool.shutdown(wait=True, cancel_futures=True)
                self.pool = None

    def ids(self, model: type[models.Model], count: int) -> list[int]:
        """Reserve ``count`` primary keys (rows written later with these ids)."""
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))

    def write(self, model: type[models.Model], names: tuple[str, ...], rows: list[tuple]):
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + len(rows)
        if not rows:
            return
        fields = [model._meta.get_field(name) for name in names]
        if not self.postgres:
            json_at = {
                n for n, f in zip(names, fields, strict=True) if isinstance(f, models.JSONField)
            }

            def instance(row):
                values = dict(zip(names, row, strict=True))
                for name in json_at:
                    if values[name] is not None:
                        values[name] = json.loads(values[name])
                return model(**values)

            model.objects.bulk_create(map(instance, rows), batch_size=500)
            return
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        connection.ensure_connection()
        raw = connection.connection  # psycopg's own: usable from the writing thread
        sql = f"COPY {table} ({columns}) FROM STDIN"
        self.pending.append(self.pool.submit(self._copy, raw, sql, rows))

    @staticmethod
    def _copy(raw, sql: str, rows: list[tuple]) -> None:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


# --- Generating ------------------------------------------------------------------------------


def _chooser(rng: random.Random, shares):
    """A function drawing one of the values of ``shares`` ((value, weight) pairs)."""
    values = [value for value, _ in shares]
    cumulative = []
    total = 0.0
    for _, weight in shares:
        total += weight
        cumulative.append(total)

    def choose():
        return values[bisect.bisect_right(cumulative, rng.random() * total)]

    return choose


def _organisation_weights(rng: random.Random):
    """(kind, [(organisation id, weight)]) for the kinds learners come from."""
    municipalities = list(
        Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY, is_active=True)
        .order_by("code")
        .values_list("pk", "code", "county_id")
    )
    if not municipalities:
        raise GenerateError("No municipalities: run `manage.py setup_site` first.")
    by_county: dict[int, float] = {}
    weighted = []
    for pk, code, county_id in municipalities:
        if code in LARGE_MUNICIPALITIES:
            weight = float(LARGE_MUNICIPALITIES[code])
        elif code in SMALL_MUNICIPALITIES:
            weight = SMALL_WEIGHT
        else:
            weight = min(max(rng.lognormvariate(math.log(15), 0.6), 3.0), 100.0)
        weighted.append((pk, weight))
        by_county[county_id] = by_county.get(county_id, 0.0) + weight
    kinds = {Organisation.Kind.MUNICIPALITY: weighted}
    regions = Organisation.objects.filter(kind=Organisation.Kind.REGION, is_active=True)
    kinds[Organisation.Kind.REGION] = [
        (pk, by_county.get(county_id, 1.0))
        for pk, county_id in regions.order_by("code").values_list("pk", "county_id")
    ]
    for kind in (Organisation.Kind.COUNTY_BOARD, Organisation.Kind.NATIONAL):
        rows = Organisation.objects.filter(kind=kind, is_active=True).order_by("code")
        kinds[kind] = [(pk, 1.0) for pk in rows.values_list("pk", flat=True)]
    shares = [(kind, share) for kind, share in KIND_SHARES if kinds[kind]]
    pick_kind = _chooser(rng, shares)
    pickers = {kind: _chooser(rng, kinds[kind]) for kind, _ in shares}
    return lambda: pickers[pick_kind()]()


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def _dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class _Generator:
    """Draws learners and their progress, chunk by chunk, and writes them."""

    def __init__(self, *, rng, courses, now, months, writer, learners_group, learners):
        from progress.models import Enrolment

        self.rng = rng
        self.courses = courses
        self.now = now.timestamp()
        self.start = self.now - months * 30.44 * DAY
        self.writer = writer
        self.group_id = learners_group.pk
        self.pick_organisation = _organisation_weights(rng)
        self.pick_role = _chooser(rng, ROLE_SHARES)
        self.pick_course_count = _chooser(rng, COURSE_COUNT_SHARES)
        self.module_attempts = _chooser(rng, MODULE_QUIZ_ATTEMPTS)
        self.final_attempts = _chooser(rng, FINAL_TEST_ATTEMPTS)
        self.course_weights = list(COURSE_WEIGHTS[: len(courses)])
        self.password = "!" + "generated-no-password"  # "!" first: an unusable password
        self.user_ids = iter(writer.ids(User, learners))
        # Enough for every learner in every course; unused ids are a gap in the sequence.
        self.enrolment_ids = iter(writer.ids(Enrolment, learners * len(courses)))

    def enrolment_time(self) -> float:
        """A time in [start, now] with linear growth (density 1 at the start, 3 at the end),
        moved off weekends mostly, in working hours."""
        rng = self.rng
        share = (-1 + math.sqrt(1 + 8 * rng.random())) / 2
        day = math.floor((self.start + share * (self.now - self.start)) / DAY) * DAY
        weekday = (int(day // DAY) + 3) % 7  # 1970-01-01 was a Thursday: 0 is Monday
        if weekday >= 5 and rng.random() < 0.85:
            day -= (weekday - 4) * DAY
        moment = day + (6.5 + rng.random() * 9.5) * 3600  # 07:30-17:00 in Sweden, roughly
        return min(max(moment, self.start), self.now - 60)

    # One enrolment's steps: ("lesson", module, lesson), ("attempt", module|None, quiz,
    # number, passed) and at most one trailing ("started", module, lesson).
    def steps(self, course: _Course, completes: bool) -> list[tuple]:
        rng = self.rng
        units = []
        for module in course.modules:
            units.extend(("lesson", module, lesson) for lesson in module.lessons)
            if module.quiz is not None:
                units.append(("quiz", module, module.quiz))
        if course.final is not None:
            units.append(("quiz", None, course.final))
        if completes:
            stop = len(units)
        elif rng.random() < NEVER_STARTED:
            stop = 0
        else:
            stop = 1
            while stop < len(units) - 1 and rng.random() < CONTINUE:
                stop += 1
        steps = []
        for unit in units[:stop]:
            if unit[0] == "lesson":
                steps.append(unit)
                continue
            _, module, quiz = unit
            tries = self.module_attempts() if module is not None else self.final_attempts()
            for number in range(1, tries + 1):
                steps.append(("attempt", module, quiz, number, number == tries))
        if stop < len(units) and stop > 0 and rng.random() < 0.5:
            kind, module, thing = units[stop]
            if kind == "lesson":
                steps.append(("started", module, thing))
            else:
                limit = 3 if module is None else 2
                for number in range(1, rng.randint(1, limit) + 1):
                    steps.append(("attempt", module, thing, number, False))
        return steps

    def times(self, course: _Course, steps: list[tuple], enrolled: float, full: int) -> list:
        """A time for each step: sessions of consecutive steps, breaks of days between
        them, the whole spread over a log-normal number of days."""
        rng = self.rng
        median = DAYS_PER_LESSON * max(course.lesson_count, 1) * DAY
        span = min(rng.lognormvariate(math.log(median), 1.0), 300 * DAY)
        span *= len(steps) / max(full, 1)
        busy = []
        breaks = []
        for i, step in enumerate(steps):
            if step[0] == "attempt":
                busy.append(len(step[2].snapshot) * (20 + 40 * rng.random()))
            else:
                busy.append(step[2].minutes * 60 * (0.6 + 0.9 * rng.random()))
            pause = rng.random() < (0.5 if i == 0 else SESSION_BREAK)
            breaks.append(rng.expovariate(1.0) if pause else 0.0)
        total_break = sum(breaks)
        spare = max(span - sum(busy), 0.0)
        scale = spare / total_break if total_break else 0.0
        moments = []
        t = enrolled
        for work, pause in zip(busy, breaks, strict=True):
            t += pause * scale + work + 5 + 60 * rng.random()
            moments.append(t)
        return moments

    def score(self, quiz: _Quiz, passed: bool) -> tuple[float, float]:
        """(score, percent) on the right side of the quiz's pass threshold."""
        from quizzes.grading import percent

        maximum = quiz.max_score
        if maximum <= 0:
            return 0.0, 100.0
        if passed:
            need = math.ceil(quiz.threshold / 100 * maximum - 1e-9)
            points = need + round((maximum - need) * self.rng.random() ** 0.6)
        else:
            below = math.ceil(quiz.pass_mark / 100 * maximum - 1e-9) - 1
            points = max(0, round(below * (0.45 + 0.55 * self.rng.random())))
        points = float(min(max(points, 0), maximum))
        value = percent(points, maximum)
        if passed and value < quiz.threshold:
            points, value = maximum, 100.0
        if not passed and value >= quiz.pass_mark:
            points, value = 0.0, 0.0
        return points, value

    def chunk(self, first: int, count: int):
        """Learners ``first`` .. ``first + count - 1``: draw, then write every table."""
        from progress.models import Enrolment, LearningEvent, LessonProgress, ModuleCompletion
        from quizzes.models import Attempt

        rng = self.rng
        user_ids = [next(self.user_ids) for _ in range(count)]
        users, groups, enrolments, lessons, modules, attempts, events = [], [], [], [], [], [], []
        planned = []
        for offset, user_id in enumerate(user_ids):
            number = first + offset
            organisation = self.pick_organisation()
            role = self.pick_role()
            language = "en" if rng.random() < ENGLISH_SHARE else "sv"
            first_name = rng.choice(FIRST_NAMES)
            last_name = rng.choice(LAST_NAMES)
            taken = min(self.pick_course_count(), len(self.courses))
            chosen: list[int] = []
            while len(chosen) < taken:
                index = rng.choices(range(len(self.courses)), self.course_weights)[0]
                if index not in chosen:
                    chosen.append(index)
            times = sorted(self.enrolment_time() for _ in chosen)
            joined = max(times[0] - rng.random() * 3 * DAY, self.start - 30 * DAY)
            planned.append((user_id, organisation, role, language, chosen, times))
            users.append(
                (
                    user_id, self.password, False, first_name, last_name,
                    f"learner{number:06d}@{DOMAIN}", False, True, _dt(joined), language,
                    organisation, role, False, False, "", _uuid(rng), rng.random() < 0.03,
                )
            )  # fmt: skip
            groups.append((user_id, self.group_id))
        enrolment_ids = self.enrolment_ids
        last_login = {}
        for user_id, organisation, role, language, chosen, times in planned:
            for index, enrolled in zip(chosen, times, strict=True):
                row, last = self.enrolment(
                    next(enrolment_ids), self.courses[index], user_id, organisation, role,
                    language, enrolled, lessons, modules, attempts, events,
                )  # fmt: skip
                enrolments.append(row)
                last_login[user_id] = max(last_login.get(user_id, 0.0), last)
        users = [row[:1] + (_dt(last_login[row[0]]),) + row[1:] for row in users]
        self.writer.drain()  # the previous chunk is in before this one goes
        w = self.writer.write
        w(User, USER_FIELDS, users)
        w(User.groups.through, ("user_id", "group_id"), groups)
        w(Enrolment, ENROLMENT_FIELDS, enrolments)
        w(LessonProgress, LESSON_FIELDS, lessons)
        w(ModuleCompletion, MODULE_FIELDS, modules)
        w(Attempt, ATTEMPT_FIELDS, attempts)
        w(LearningEvent, EVENT_FIELDS, events)

    def enrolment(self, pk, course, user_id, organisation, role, language, enrolled,
                  lessons, modules, attempts, events):  # fmt: skip
        """Rows of one enrolment (appended to the lists); returns (enrolment row, last
        activity time)."""
        rng = self.rng
        now = self.now
        completes = rng.random() < COMPLETE_SHARE
        steps = self.steps(course, completes)
        full = course.lesson_count + len(course.modules) + 1
        moments = self.times(course, steps, enrolled, full)

        def page(pages):
            return pages.get(language) or pages["sv"]

        lang = language if language in course.pages else "sv"
        events.append(("enrolled", pk, _dt(enrolled), course.key, page(course.pages), lang, EMPTY))
        last = enrolled
        last_lesson = None
        done_in_module: dict[uuid.UUID, int] = {}
        modules_done = 0
        completed_at = None
        for step, at in zip(steps, moments, strict=True):
            if at > now:
                break
            kind, module = step[0], step[1]
            if kind in ("lesson", "started"):
                lesson = step[2]
                spent = int(lesson.minutes * 60 * (0.6 + 0.9 * rng.random()))
                opened = max(at - spent - 30 * rng.random(), last)
                lesson_page = page(lesson.pages)
                last_lesson = lesson.key
                if kind == "started":
                    lessons.append((pk, lesson.key, lesson_page, _dt(opened), _dt(opened), 0, None))
                    last = opened
                    break
                done = _dt(at)
                lessons.append((pk, lesson.key, lesson_page, _dt(opened), done, spent, done))
                events.append(
                    ("lesson_completed", pk, done, lesson.key, lesson_page, lang,
                     f'{{"duration_seconds": {spent}}}')
                )  # fmt: skip
                last = at
                done_in_module[module.key] = done_in_module.get(module.key, 0) + 1
                if module.quiz is None and done_in_module[module.key] == len(module.lessons):
                    self.module_done(pk, module, lang, page, done, modules, events)
                    modules_done += 1
                continue
            quiz, number, passed = step[2], step[3], step[4]
            points, value = self.score(quiz, passed)
            submitted = _dt(at)
            started = at - len(quiz.snapshot) * (20 + 40 * rng.random())
            quiz_id = quiz.quiz_ids.get(language) or quiz.quiz_ids.get("sv")
            attempts.append(
                (pk, quiz.key, page(quiz.pages), quiz_id, number, _dt(started),
                 _dt(started + quiz.time_limit * 60) if quiz.time_limit else None, submitted,
                 quiz.snapshot_json, quiz.pass_mark, quiz.review_policy, EMPTY, points,
                 quiz.max_score, value, passed)
            )  # fmt: skip
            events.append(
                ("quiz_passed" if passed else "quiz_failed", pk, submitted, quiz.key,
                 page(quiz.pages), lang,
                 f'{{"attempt": {number}, "score": {points}, "max_score": {quiz.max_score}, '
                 f'"percent": {value}, "pass_mark": {quiz.pass_mark}}}')
            )  # fmt: skip
            last = at
            if passed and module is not None:
                self.module_done(pk, module, lang, page, submitted, modules, events)
                modules_done += 1
            if passed and module is None:
                completed_at = at
        if course.final is None and modules_done == len(course.modules) and modules_done:
            completed_at = last
        if completed_at is not None:
            events.append(
                ("course_completed", pk, _dt(completed_at), course.key, page(course.pages),
                 lang, course.completed_details)
            )  # fmt: skip
        left_at = reminded = None
        idle = now - last
        if completed_at is None and idle > 14 * DAY:
            if idle > 30 * DAY and rng.random() < 0.25:
                left_at = min(last + (1 + 20 * rng.random()) * DAY, now)
                events.append(
                    ("left", pk, _dt(left_at), course.key, page(course.pages), lang, EMPTY)
                )
            elif rng.random() < 0.8:
                reminded = last + 14 * DAY + 8 * 3600
        row = (
            pk, user_id, course.key, page(course.pages), _uuid(rng), organisation, role,
            _dt(enrolled), _dt(left_at) if left_at else None,
            _dt(completed_at) if completed_at else None,
            course.rule_json if completed_at else None, last_lesson, _dt(last),
            _dt(reminded) if reminded and reminded <= now else None,
        )  # fmt: skip
        return row, last

    @staticmethod
    def module_done(pk, module, lang, page, at, modules, events):
        module_page = page(module.pages)
        modules.append((pk, module.key, module_page, at))
        events.append(("module_completed", pk, at, module.key, module_page, lang, EMPTY))


USER_FIELDS = (
    "id", "last_login", "password", "is_superuser", "first_name", "last_name", "email",
    "is_staff", "is_active", "date_joined", "preferred_language", "organisation_id",
    "role_category", "manages_nationally", "digest_opt_out", "digest_sent_for", "learner_id",
    "reminders_opt_out",
)  # fmt: skip
ENROLMENT_FIELDS = (
    "id", "user_id", "course_key", "course_id", "registration", "organisation_id",
    "role_category", "enrolled_at", "left_at", "completed_at", "completion_rule",
    "last_lesson_key", "last_activity_at", "reminder_sent_at",
)  # fmt: skip
LESSON_FIELDS = (
    "enrolment_id", "lesson_key", "lesson_id", "first_viewed_at", "last_seen_at",
    "time_spent_seconds", "completed_at",
)  # fmt: skip
MODULE_FIELDS = ("enrolment_id", "module_key", "module_id", "completed_at")
ATTEMPT_FIELDS = (
    "enrolment_id", "placement_key", "placement_id", "quiz_id", "number", "started_at",
    "deadline", "submitted_at", "questions", "pass_mark", "review_policy", "answers", "score",
    "max_score", "percent", "passed",
)  # fmt: skip
EVENT_FIELDS = (
    "kind", "enrolment_id", "occurred_at", "object_key", "object_page_id", "language", "details",
)  # fmt: skip


def _reference_checks_skip() -> bool:
    """On PostgreSQL as a superuser, skip the foreign-key triggers for this transaction: at
    100,000 learners the deferred checks of millions of rows take as long as writing them,
    and every reference written here is to a row just written or read, every row deleted
    has its dependents deleted first. False when not allowed (then the checks run)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


# --- Managers --------------------------------------------------------------------------------


def _managers_create(writer: _Writer) -> list[str]:
    """Three managers: national, Skåne län, Malmö. Returns their e-mail addresses."""
    group = Group.objects.get(name=roles.MANAGERS)
    malmo = Organisation.objects.get(kind=Organisation.Kind.MUNICIPALITY, code="1280")
    skane = County.objects.get(code="12")
    region = Organisation.objects.filter(kind=Organisation.Kind.REGION, code="12").first()
    made = []
    password = make_password(MANAGER_PASSWORD)  # hashed once: it is slow on purpose
    for slug, first, last, organisation in (
        ("nationell", "Nora", "Nationell", None),
        ("skane", "Sven", "Skånsk", region),
        ("malmo", "Maja", "Malmöbo", malmo),
    ):
        user = User.objects.create(
            email=f"manager-{slug}@{DOMAIN}",
            password=password,
            first_name=first,
            last_name=last,
            organisation=organisation,
            role_category=RoleCategory.MANAGER,
            manages_nationally=slug == "nationell",
        )
        user.groups.add(group)
        if slug == "skane":
            user.managed_counties.add(skane)
        if slug == "malmo":
            user.managed_organisations.add(malmo)
        made.append(user.email)
    writer.counts[User._meta.label] = writer.counts.get(User._meta.label, 0) + len(made)
    return made


# --- Entry points ----------------------------------------------------------------------------


def generated_users():
    return User.objects.filter(email__endswith=f"@{DOMAIN}")


def dataset_delete() -> dict[str, int]:
    """Delete everything an earlier generation wrote (users of the generated domain, their
    enrolments and all rows hanging from them); returns rows deleted per table."""
    from progress.models import (
        Certificate,
        Enrolment,
        LearningEvent,
        LessonProgress,
        ModuleCompletion,
        OutboxStatement,
    )
    from quizzes.models import Attempt, AttemptAnswer

    q = connection.ops.quote_name
    enrolments = (
        f"SELECT e.id FROM {q(Enrolment._meta.db_table)} e JOIN {q(User._meta.db_table)} u "
        f"ON u.id = e.user_id WHERE u.email LIKE %s"
    )
    pattern = f"%@{DOMAIN}"
    attempts = f"SELECT id FROM {q(Attempt._meta.db_table)} WHERE enrolment_id IN ({enrolments})"
    events = (
        f"SELECT id FROM {q(LearningEvent._meta.db_table)} WHERE enrolment_id IN ({enrolments})"
    )
    statements = [
        (OutboxStatement, f"event_id IN ({events})"),
        (AttemptAnswer, f"attempt_id IN ({attempts})"),
        (Attempt, f"enrolment_id IN ({enrolments})"),
        (LearningEvent, f"enrolment_id IN ({enrolments})"),
        (LessonProgress, f"enrolment_id IN ({enrolments})"),
        (ModuleCompletion, f"enrolment_id IN ({enrolments})"),
    ]
    handled = {
        Enrolment: {Attempt, LearningEvent, LessonProgress, ModuleCompletion, Certificate},
        Attempt: {AttemptAnswer},
        LearningEvent: {OutboxStatement},
    }
    for model, known in handled.items():
        unknown = {rel.related_model for rel in model._meta.related_objects} - known
        if unknown:
            # Rows are deleted without foreign-key checks: a new dependent table must be
            # added here, or its rows would point at deleted ones.
            raise GenerateError(
                f"{model.__name__} has dependents the generator does not know: "
                f"{', '.join(sorted(m._meta.label for m in unknown))}."
            )
    deleted = {}
    with connection.cursor() as cursor:
        if Certificate.objects.filter(enrolment__user__email__endswith=f"@{DOMAIN}").exists():
            raise GenerateError(
                "Generated learners have certificates (issued outside the generator); "
                "delete them first."
            )
        for model, where in statements:
            cursor.execute(f"DELETE FROM {q(model._meta.db_table)} WHERE {where}", [pattern])
            deleted[model._meta.label] = cursor.rowcount
        cursor.execute(
            f"DELETE FROM {q(Enrolment._meta.db_table)} WHERE id IN ({enrolments})", [pattern]
        )
        deleted[Enrolment._meta.label] = cursor.rowcount
        learners = f"SELECT id FROM {q(User._meta.db_table)} WHERE email LIKE %s"
        for through in (
            User.groups.through,
            User.user_permissions.through,
            User.managed_organisations.through,
            User.managed_counties.through,
        ):
            cursor.execute(
                f"DELETE FROM {q(through._meta.db_table)} WHERE user_id IN ({learners})",
                [pattern],
            )  # fmt: skip
    # Anything else pointing at the users (admin log, Wagtail profiles) goes the ORM's way.
    count, _ = generated_users().delete()
    deleted[User._meta.label] = count
    return deleted


def dataset_generate(
    *,
    learners: int,
    seed: int = 1,
    courses: int = 3,
    months: int = 18,
    replace: bool = False,
    stdout=None,
) -> dict[str, int]:
    """Generate ``learners`` learners with enrolments and progress in ``courses`` courses
    over the last ``months`` months, plus three managers; returns rows written per model.

    Refuses when generated data exists, unless ``replace`` (then deletes it first)."""
    if learners < 1:
        raise GenerateError("Give at least one learner.")
    if not 1 <= courses <= MAX_COURSES:
        raise GenerateError(f"Courses: 1 to {MAX_COURSES}.")
    if months < 1:
        raise GenerateError("Months: at least 1.")
    say = stdout.write if stdout is not None else (lambda text: None)
    began = time.monotonic()
    rng = random.Random(seed)
    with transaction.atomic():
        postgres = connection.vendor == "postgresql"
        if postgres and _reference_checks_skip():
            say("Foreign-key checks are skipped in this transaction (rows are consistent).")
        if generated_users().exists():
            if not replace:
                raise GenerateError(
                    f"Generated data exists (users @{DOMAIN}); run with --replace to delete "
                    "it and generate again."
                )
            deleted = dataset_delete()
            say(f"Deleted the earlier generated data: {_summary(deleted)}.")
        if not Group.objects.filter(name=roles.MANAGERS).exists() or not Locale.objects.exists():
            raise GenerateError("The site is not set up: run `manage.py setup_site` first.")
        pages = courses_ensure(courses)
        shapes = [_course_shape(course, rng) for course in pages]
        say(f"Courses: {', '.join(shape.title for shape in shapes)} ({_seconds(began)}).")
        writer = _Writer()
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        generator = _Generator(
            rng=rng,
            courses=shapes,
            now=today,
            months=months,
            writer=writer,
            learners_group=Group.objects.get(name=roles.LEARNERS),
            learners=learners,
        )
        try:
            for first in range(1, learners + 1, CHUNK):
                generator.chunk(first, min(CHUNK, learners + 1 - first))
                if learners > CHUNK:
                    say(f"  {min(first + CHUNK - 1, learners):,} learners ({_seconds(began)})")
        finally:
            writer.close()
        managers = _managers_create(writer)
        if writer.postgres:
            from progress.models import Enrolment, LearningEvent, LessonProgress
            from quizzes.models import Attempt

            with connection.cursor() as cursor:
                for model in (User, Enrolment, LessonProgress, Attempt, LearningEvent):
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    say(f"Wrote {_summary(writer.counts)} in {_seconds(began)}.")
    say(f"Managers (password {MANAGER_PASSWORD!r}): {', '.join(managers)}")
    return writer.counts


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{count:,} {label}" for label, count in counts.items())


def _seconds(began: float) -> str:
    return f"{time.monotonic() - began:.1f} s"
