"""Generating learners, their enrolments, progress, attempts and events."""

from __future__ import annotations

import bisect
import math
import random
import uuid
from datetime import UTC, datetime

from elearning.accounts.models import User
from elearning.organisations.models import Organisation

from .courses import CourseShape, QuizShape
from .shares import (
    COMPLETE_SHARE,
    CONTINUE,
    COURSE_COUNT_SHARES,
    COURSE_WEIGHTS,
    DAY,
    DAYS_PER_LESSON,
    DOMAIN,
    EMPTY,
    ENGLISH_SHARE,
    FINAL_TEST_ATTEMPTS,
    FIRST_NAMES,
    KIND_SHARES,
    LARGE_MUNICIPALITIES,
    LAST_NAMES,
    MODULE_QUIZ_ATTEMPTS,
    NEVER_STARTED,
    ROLE_SHARES,
    SESSION_BREAK,
    SMALL_MUNICIPALITIES,
    SMALL_WEIGHT,
    GenerateError,
)
from .writer import (
    ATTEMPT_FIELDS,
    ENROLMENT_FIELDS,
    EVENT_FIELDS,
    LESSON_FIELDS,
    MODULE_FIELDS,
    USER_FIELDS,
)

# --- Generating ------------------------------------------------------------------------------


def chooser(rng: random.Random, shares):
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
    pick_kind = chooser(rng, shares)
    pickers = {kind: chooser(rng, kinds[kind]) for kind, _ in shares}
    return lambda: pickers[pick_kind()]()


def random_uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def dt(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class Generator:
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
        self.pick_role = chooser(rng, ROLE_SHARES)
        self.pick_course_count = chooser(rng, COURSE_COUNT_SHARES)
        self.module_attempts = chooser(rng, MODULE_QUIZ_ATTEMPTS)
        self.final_attempts = chooser(rng, FINAL_TEST_ATTEMPTS)
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
    def steps(self, course: CourseShape, completes: bool) -> list[tuple]:
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

    def times(self, course: CourseShape, steps: list[tuple], enrolled: float, full: int) -> list:
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

    def score(self, quiz: QuizShape, passed: bool) -> tuple[float, float]:
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
                    f"learner{number:06d}@{DOMAIN}", False, True, dt(joined), language,
                    organisation, role, False, False, "", random_uuid(rng), rng.random() < 0.03,
                    dt(joined),
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
        users = [row[:1] + (dt(last_login[row[0]]),) + row[1:] for row in users]
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
        events.append(("enrolled", pk, dt(enrolled), course.key, page(course.pages), lang, EMPTY))
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
                    lessons.append((pk, lesson.key, lesson_page, dt(opened), dt(opened), 0, None))
                    last = opened
                    break
                done = dt(at)
                lessons.append((pk, lesson.key, lesson_page, dt(opened), done, spent, done))
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
            submitted = dt(at)
            started = at - len(quiz.snapshot) * (20 + 40 * rng.random())
            quiz_id = quiz.quiz_ids.get(language) or quiz.quiz_ids.get("sv")
            attempts.append(
                (pk, quiz.key, page(quiz.pages), quiz_id, number, dt(started),
                 dt(started + quiz.time_limit * 60) if quiz.time_limit else None, submitted,
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
                ("course_completed", pk, dt(completed_at), course.key, page(course.pages),
                 lang, course.completed_details)
            )  # fmt: skip
        left_at = reminded = None
        idle = now - last
        if completed_at is None and idle > 14 * DAY:
            if idle > 30 * DAY and rng.random() < 0.25:
                left_at = min(last + (1 + 20 * rng.random()) * DAY, now)
                events.append(
                    ("left", pk, dt(left_at), course.key, page(course.pages), lang, EMPTY)
                )
            elif rng.random() < 0.8:
                reminded = last + 14 * DAY + 8 * 3600
        row = (
            pk, user_id, course.key, page(course.pages), random_uuid(rng), organisation, role,
            dt(enrolled), dt(left_at) if left_at else None,
            dt(completed_at) if completed_at else None,
            course.rule_json if completed_at else None, last_lesson, dt(last),
            dt(reminded) if reminded and reminded <= now else None,
        )  # fmt: skip
        return row, last

    @staticmethod
    def module_done(pk, module, lang, page, at, modules, events):
        module_page = page(module.pages)
        modules.append((pk, module.key, module_page, at))
        events.append(("module_completed", pk, at, module.key, module_page, lang, EMPTY))
