"""Report data built in bulk as raw rows (no views, no services): a small live course and
learners with enrolments, lesson progress, module completions, final-test attempts and
certificates."""

import json
from datetime import timedelta

from django.utils import timezone

from certificates.models import Certificate
from courses.models import ModulePage
from elearning.accounts.models import User
from progress.models import Enrolment, LessonProgress, ModuleCompletion
from quizzes.models import Attempt
from tests.factories import course_tree, every_question

NOW = timezone.now()


def fast_course(slug="rapport"):
    """A live course with two modules of two lessons and a final test, without revisions
    (reports read only live pages and keys, and this is fast)."""
    from wagtail.models import Locale

    from courses.models import QuizPage
    from quizzes.models import Quiz

    course, lessons = course_tree(modules=2, lessons_per_module=2, slug=slug, revisions=False)
    modules = list(ModulePage.objects.child_of(course).order_by("path"))
    locale = Locale.objects.get(language_code="sv")
    quiz = Quiz.objects.create(
        title="Slutprov", questions=json.dumps(every_question()[2:3]), locale=locale
    )
    final = course.add_child(
        instance=QuizPage(title="Slutprov", slug=f"{slug}-slutprov", quiz=quiz, locale=locale)
    )
    return course, lessons, modules, final


class Builder:
    """Adds learners with enrolments in one course, in bulk."""

    def __init__(self, course):
        self.course, self.lessons, self.modules, self.final = course
        self.count = 0

    def learners(
        self,
        organisation,
        n,
        *,
        role="official",
        started=0,
        completed=0,
        passed=0,
        failed=0,
        certified=0,
        first_name="Lärande",
        days_ago=40,
        days_to_complete=None,
    ):
        """``n`` learners of ``organisation``; the first ``started`` opened lesson 1, the
        first ``completed`` completed everything (module 1 and 2, final test) after
        ``days_to_complete`` (default 1, 2, 3… days), of whom ``passed`` passed the final
        test (and ``failed`` more only failed it); the first ``certified`` have a certificate."""
        users = []
        for _ in range(n):
            self.count += 1
            users.append(
                User(
                    email=f"l{self.count}@example.org",
                    first_name=first_name,
                    last_name=f"Nummer{self.count:04d}",
                    organisation=organisation,
                    role_category=role,
                    verified_at=NOW,  # only verified accounts count (issue 16)
                )
            )
        users = User.objects.bulk_create(users)
        enrolled_at = NOW - timedelta(days=days_ago)
        enrolments = []
        for index, user in enumerate(users):
            days = days_to_complete if days_to_complete is not None else index + 1
            enrolments.append(
                Enrolment(
                    user=user,
                    course_key=self.course.translation_key,
                    course=self.course,
                    organisation=organisation,
                    role_category=role,
                    enrolled_at=enrolled_at,
                    completed_at=enrolled_at + timedelta(days=days) if index < completed else None,
                    last_activity_at=enrolled_at + timedelta(days=1),
                )
            )
        enrolments = Enrolment.objects.bulk_create(enrolments)
        progress, modules, attempts, certificates = [], [], [], []
        for index, enrolment in enumerate(enrolments):
            done = index < completed
            if index < max(started, completed):
                for lesson in self.lessons if done else self.lessons[:1]:
                    progress.append(
                        LessonProgress(
                            enrolment=enrolment,
                            lesson_key=lesson.translation_key,
                            lesson=lesson,
                            first_viewed_at=enrolled_at,
                            last_seen_at=enrolled_at,
                            completed_at=enrolled_at if done else None,
                        )
                    )
            if done:
                modules += [
                    ModuleCompletion(
                        enrolment=enrolment,
                        module_key=module.translation_key,
                        module=module,
                        completed_at=enrolment.completed_at,
                    )
                    for module in self.modules
                ]
            if index < passed + failed:
                ok = index < passed
                attempts.append(
                    Attempt(
                        enrolment=enrolment,
                        placement_key=self.final.translation_key,
                        placement=self.final,
                        number=1,
                        started_at=enrolled_at,
                        submitted_at=enrolled_at,
                        questions=[],
                        pass_mark=70,
                        review_policy="after_each",
                        score=1 if ok else 0,
                        max_score=1,
                        percent=90.0 - index if ok else 40.0,
                        passed=ok,
                    )
                )
            if index < certified:
                certificates.append(
                    Certificate(
                        enrolment=enrolment,
                        issued_at=enrolled_at + timedelta(days=2),
                        language="sv",
                        claim={},
                        key_id="test",
                        signature="x",
                    )
                )
        LessonProgress.objects.bulk_create(progress)
        ModuleCompletion.objects.bulk_create(modules)
        Attempt.objects.bulk_create(attempts)
        Certificate.objects.bulk_create(certificates)
        return enrolments
