"""The generated data set: what a reader of the reports would notice if it were wrong."""

import io
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command

from demo.generate import DOMAIN, GenerateError, dataset_generate

LEARNERS = 300


def _first_learners(count=20):
    from elearning.accounts.models import User
    from progress.models import Enrolment

    users = User.objects.filter(email__startswith="learner").order_by("email")[:count]
    return [
        (
            u.email,
            u.first_name,
            u.last_name,
            u.organisation_id,
            u.role_category,
            u.preferred_language,
            sorted(
                (str(e.course_key), e.enrolled_at, e.completed_at, e.left_at)
                for e in Enrolment.objects.filter(user=u)
            ),
        )
        for u in users
    ]


def _course_order(course):
    """Lesson keys in course order, and per module its lesson keys and quiz key."""
    from courses.models import LessonPage, ModulePage, QuizPage

    order, modules = [], {}
    for module in ModulePage.objects.live().child_of(course).order_by("path"):
        keys = [
            lesson.translation_key
            for lesson in LessonPage.objects.live().child_of(module).order_by("path")
        ]
        quiz = QuizPage.objects.live().child_of(module).first()
        modules[module.translation_key] = (keys, quiz.translation_key if quiz else None)
        order.extend(keys)
    final = QuizPage.objects.live().child_of(course).first()
    return order, modules, final


def _check_invariants(counts):
    from courses.models import CoursePage
    from elearning.accounts.models import User
    from elearning.organisations.models import Organisation
    from progress.models import Enrolment, LearningEvent, LessonProgress, ModuleCompletion
    from progress.services import completion_rule
    from quizzes.models import Attempt

    learners = User.objects.filter(email__endswith=f"@{DOMAIN}", email__startswith="learner")
    assert learners.count() == LEARNERS
    assert not learners.filter(organisation__isnull=True).exists()
    assert not any(user.has_usable_password() for user in learners[:5])
    kinds = set(learners.values_list("organisation__kind", flat=True))
    assert {Organisation.Kind.MUNICIPALITY, Organisation.Kind.REGION} <= kinds
    municipalities = learners.filter(organisation__kind=Organisation.Kind.MUNICIPALITY)
    assert municipalities.values("organisation").distinct().count() > 50
    assert set(learners.values_list("role_category", flat=True)) == {
        "elected",
        "official",
        "manager",
        "other",
    }

    enrolments = list(Enrolment.objects.filter(user__in=learners).select_related("user"))
    assert counts["progress.Enrolment"] == len(enrolments)
    assert 1.0 <= len(enrolments) / LEARNERS <= 1.7
    assert {e.course_key for e in enrolments} == set(
        CoursePage.objects.filter(locale__language_code="sv").values_list(
            "translation_key", flat=True
        )
    )
    completed = [e for e in enrolments if e.completed_at]
    assert 0.3 <= len(completed) / len(enrolments) <= 0.6
    for enrolment in enrolments:
        assert enrolment.organisation_id == enrolment.user.organisation_id
        assert enrolment.role_category == enrolment.user.role_category

    courses = {c.translation_key: c for c in CoursePage.objects.filter(locale__language_code="sv")}
    shapes = {key: _course_order(course) for key, course in courses.items()}
    rules = {key: completion_rule(course) for key, course in courses.items()}

    lessons = defaultdict(list)
    for row in LessonProgress.objects.filter(enrolment__in=enrolments):
        lessons[row.enrolment_id].append(row)
    modules = defaultdict(dict)
    for row in ModuleCompletion.objects.filter(enrolment__in=enrolments):
        modules[row.enrolment_id][row.module_key] = row
    attempts = defaultdict(lambda: defaultdict(list))
    for row in Attempt.objects.filter(enrolment__in=enrolments).order_by("number"):
        attempts[row.enrolment_id][row.placement_key].append(row)
    events = defaultdict(lambda: defaultdict(list))
    for row in LearningEvent.objects.filter(enrolment__in=enrolments):
        events[row.enrolment_id][row.kind].append(row)

    reached_last_module = 0
    for enrolment in enrolments:
        order, module_shapes, final = shapes[enrolment.course_key]
        mine = events[enrolment.pk]
        # Lessons: the completed ones are the first k of the course, then at most one started.
        by_key = {row.lesson_key: row for row in lessons[enrolment.pk]}
        done = [key for key in order if key in by_key and by_key[key].completed_at]
        assert done == order[: len(done)]
        started = [key for key in by_key if not by_key[key].completed_at]
        assert started in ([], [order[len(done)]] if len(done) < len(order) else [])
        for row in by_key.values():
            assert enrolment.enrolled_at <= row.first_viewed_at <= row.last_seen_at
        # Modules: completed exactly when all their lessons are done and their quiz passed.
        for module_key, (keys, quiz_key) in module_shapes.items():
            lessons_done = all(k in done for k in keys)
            quiz_passed = quiz_key is None or any(
                a.passed for a in attempts[enrolment.pk][quiz_key]
            )
            assert (module_key in modules[enrolment.pk]) == (lessons_done and quiz_passed)
            if any(a for a in attempts[enrolment.pk][quiz_key]):
                assert lessons_done  # no quiz before the module's lessons
        if list(module_shapes)[-1] in modules[enrolment.pk]:
            reached_last_module += 1
        # Attempts: numbered 1..n, graded consistently, nothing after a pass.
        for rows in attempts[enrolment.pk].values():
            assert [a.number for a in rows] == list(range(1, len(rows) + 1))
            for attempt in rows:
                assert attempt.submitted_at is not None
                assert attempt.passed == (attempt.percent >= attempt.pass_mark)
                assert 0 <= attempt.score <= attempt.max_score
            assert not any(a.passed for a in rows[:-1])
        final_rows = attempts[enrolment.pk][final.translation_key]
        if enrolment.completed_at:
            assert set(modules[enrolment.pk]) == set(module_shapes)
            assert final_rows and final_rows[-1].passed
            assert final_rows[-1].submitted_at == enrolment.completed_at
            assert enrolment.completion_rule == rules[enrolment.course_key]
            assert len(done) == len(order)
        else:
            assert not any(a.passed for a in final_rows)
            assert enrolment.completion_rule is None
        # Events agree with the rows.
        assert len(mine["enrolled"]) == 1
        assert mine["enrolled"][0].occurred_at == enrolment.enrolled_at
        assert len(mine["course_completed"]) == (1 if enrolment.completed_at else 0)
        assert len(mine["lesson_completed"]) == len(done)
        assert len(mine["module_completed"]) == len(modules[enrolment.pk])
        all_attempts = [a for rows in attempts[enrolment.pk].values() for a in rows]
        assert len(mine["quiz_passed"]) == sum(a.passed for a in all_attempts)
        assert len(mine["quiz_failed"]) == sum(not a.passed for a in all_attempts)
        assert len(mine["left"]) == (1 if enrolment.left_at else 0)
        moments = [e.occurred_at for kind in mine.values() for e in kind]
        assert min(moments) == enrolment.enrolled_at
        assert max(moments) <= max(enrolment.left_at or enrolment.enrolled_at,
                                   enrolment.last_activity_at)  # fmt: skip
    # Drop-off: fewer reach the last module than enrol.
    assert 0 < reached_last_module < len(enrolments)
    assert (
        counts["progress.LearningEvent"]
        == LearningEvent.objects.filter(enrolment__in=enrolments).count()
    )


@pytest.mark.django_db
def test_generate_is_consistent_deterministic_and_replaceable(site, make_user):
    from elearning.accounts import roles
    from elearning.accounts.models import User
    from progress.models import Enrolment, LearningEvent

    real = make_user(email="riktig@example.org", first_name="Riktig")
    real_before = User.objects.filter(pk=real.pk).values().get()

    counts = dataset_generate(learners=LEARNERS, seed=7)
    _check_invariants(counts)
    first = _first_learners()

    managers = User.objects.filter(email__startswith="manager-", email__endswith=f"@{DOMAIN}")
    assert managers.count() == 3
    assert all(m.groups.filter(name=roles.MANAGERS).exists() for m in managers)
    assert managers.get(email=f"manager-nationell@{DOMAIN}").manages_nationally
    assert managers.get(email=f"manager-skane@{DOMAIN}").managed_counties.get().code == "12"
    assert managers.get(email=f"manager-malmo@{DOMAIN}").managed_organisations.get().code == "1280"

    # Without --replace a second run refuses and changes nothing.
    with pytest.raises(GenerateError, match="--replace"):
        dataset_generate(learners=10, seed=7)
    with pytest.raises(CommandError, match="--replace"):
        call_command("reports_generate", "--learners", "10")
    assert User.objects.filter(email__endswith=f"@{DOMAIN}").count() == LEARNERS + 3

    # --replace leaves exactly one generation, and the same seed gives the same data.
    out = io.StringIO()
    call_command(
        "reports_generate", "--learners", str(LEARNERS), "--seed", "7", "--replace", stdout=out
    )
    assert "Deleted the earlier generated data" in out.getvalue()
    assert f"manager-nationell@{DOMAIN}" in out.getvalue()
    assert User.objects.filter(email__endswith=f"@{DOMAIN}").count() == LEARNERS + 3
    assert (
        Enrolment.objects.filter(user__email__endswith=f"@{DOMAIN}").count()
        == (counts["progress.Enrolment"])
    )
    assert LearningEvent.objects.count() == counts["progress.LearningEvent"]
    assert _first_learners() == first

    # The real user is never touched.
    assert User.objects.filter(pk=real.pk).values().get() == real_before


def test_bad_arguments_are_refused():
    with pytest.raises(GenerateError):
        dataset_generate(learners=0)
    with pytest.raises(GenerateError):
        dataset_generate(learners=10, courses=4)
