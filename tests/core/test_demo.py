"""The demo: one account per role, created once however often `make run` loads it."""

import pytest
from django.core.management import CommandError, call_command

from demo.services import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_REPORT_LEARNERS
from elearning.accounts.models import User
from progress.models import Enrolment

pytestmark = pytest.mark.django_db


def test_load_demo_twice_creates_each_account_once(settings, client):
    settings.DEBUG = True
    call_command("load_demo")
    call_command("load_demo")
    assert User.objects.count() == len(DEMO_ACCOUNTS) + len(DEMO_REPORT_LEARNERS) == 15
    # The demo learner is in the policy course and the package course (issue 18).
    assert Enrolment.objects.count() == 2 + len(DEMO_REPORT_LEARNERS)
    for account in DEMO_ACCOUNTS:
        assert client.login(username=account.email, password=DEMO_PASSWORD), account.email
        client.logout()
    manager = User.objects.get(email="samordnare@example.org")
    assert sorted(manager.managed_organisations.values_list("name", flat=True)) == ["Lund", "Malmö"]
    assert list(manager.managed_counties.values_list("name", flat=True)) == ["Skåne län"]
    assert User.objects.get(email="admin@example.org").is_superuser


def test_load_demo_refuses_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="Refusing to create demo accounts"):
        call_command("load_demo")
    assert not User.objects.exists()


def _demo_subset(tmp_path, name, change=None):
    """A small course in the demo file's format (the first two modules, two lessons each) and
    a quiz file with the first module's quiz and the final test; ``change`` edits the data."""
    import copy
    import json

    from demo.course import DEMO_FILE, QUIZ_FILE

    course = json.loads(DEMO_FILE.read_text(encoding="utf-8"))
    course["modules"] = copy.deepcopy(course["modules"][:2])
    for module in course["modules"]:
        module["lessons"] = module["lessons"][:2]
    quizzes = json.loads(QUIZ_FILE.read_text(encoding="utf-8"))
    quizzes["quizzes"] = [q for q in quizzes["quizzes"] if q["module"] in (0, None)]
    if change:
        change(course, quizzes)
    paths = tmp_path / f"{name}-course.json", tmp_path / f"{name}-quizzes.json"
    for path, data in zip(paths, (course, quizzes), strict=True):
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return paths


def test_loading_again_updates_the_course_in_place_and_keeps_progress(site, make_user, tmp_path):
    """Issue 15: re-running the loader brings an existing demo course up to date (changed
    text, a new module before the final test, a lesson dropped) without touching the pages
    learners have progress on; an unchanged file adds no revisions."""
    from wagtail.models import Revision

    from courses.models import CoursePage, LessonPage, ModulePage, QuizPage
    from courses.selectors import course_outline
    from demo.course import demo_course_load, demo_quizzes_load
    from progress.models import LessonProgress
    from progress.services import enrolment_create, lesson_complete

    course_file, quiz_file = _demo_subset(tmp_path, "first")
    course = demo_course_load(course_file)
    assert demo_quizzes_load(course, quiz_file, course_file) == 2
    learner = make_user()
    enrolment_create(user=learner, course=course)
    first, second, third, fourth = LessonPage.objects.descendant_of(course).order_by("path")
    lesson_complete(user=learner, lesson=first)
    revisions = Revision.objects.count()

    assert demo_course_load(course_file) == course
    assert demo_quizzes_load(course, quiz_file, course_file) == 0
    assert Revision.objects.count() == revisions  # nothing changed, nothing republished

    def change(data, quizzes):
        data["modules"][0]["lessons"][0]["sv"]["title"] = "Målet, omskrivet"
        data["modules"][0]["lessons"][0]["en"]["title"] = "The goal, rewritten"
        del data["modules"][1]["lessons"][1]
        new = {
            k: dict(v, slug=v["slug"] + "-ny")
            for k, v in data["modules"][1].items()
            if k != "lessons"
        }
        lesson = data["modules"][1]["lessons"][0]
        new["lessons"] = [
            dict(lesson, sv=dict(lesson["sv"], slug="ny-lektion"), en=dict(lesson["en"], slug="ny"))
        ]
        data["modules"].append(new)
        quizzes["quizzes"][0]["sv"]["title"] = "Quiz, omskrivet"

    course_file, quiz_file = _demo_subset(tmp_path, "second", change)
    assert demo_course_load(course_file) == course
    assert demo_quizzes_load(course, quiz_file, course_file) == 0

    first.refresh_from_db()
    assert first.title == "Målet, omskrivet" and first.live
    english = first.get_translation(first.get_translations().get().locale)
    assert english.title == "The goal, rewritten"
    fourth.refresh_from_db()
    assert not fourth.live  # dropped from the file: unpublished, still there
    progress = LessonProgress.objects.get(enrolment__user=learner)
    assert progress.lesson_id == first.pk and progress.completed_at is not None
    swedish_quiz = QuizPage.objects.child_of(ModulePage.objects.child_of(course).first()).get()
    assert swedish_quiz.quiz.title == "Quiz, omskrivet"

    for page in (course, english.get_parent().get_parent()):
        outline = course_outline(course=CoursePage.objects.get(pk=page.pk))
        assert len(outline.modules) == 3 and len(outline.lessons) == 4
        assert len(outline.final_tests) == 1
        children = list(page.get_children().live().order_by("path").specific())
        assert [type(child).__name__ for child in children] == [
            "ModulePage", "ModulePage", "ModulePage", "QuizPage",
        ]  # fmt: skip
        assert children[-2].slug.endswith("-ny")
