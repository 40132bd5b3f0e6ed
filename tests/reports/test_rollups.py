"""The reports' rollup (reports.EnrolmentFacts) equals the live aggregate over the progress
tables after learners enrol, open and complete lessons, pass and fail the final test, leave
and move to another organisation; and every report page and export shows the same figures
from it as computed live."""

import csv
import io
import re
from statistics import mean

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone, translation

from courses.models import ModulePage
from elearning.organisations.models import Organisation
from progress.models import Enrolment, LessonProgress
from progress.services import enrolment_create, enrolment_leave, lesson_complete, lesson_view
from quizzes.models import Attempt
from quizzes.services import attempt_start, attempt_submit
from reports.models import EnrolmentFacts
from tests.factories import course_tree, every_question, quiz_in
from tests.reports.builders import Builder, fast_course

pytestmark = pytest.mark.django_db
REPORTS = ["overview", "organisations", "roles", "months", "modules", "learners"]


def url(name):
    with translation.override("en"):
        return reverse(f"reports:{name}")


def final_test(user, page, *, right: bool):
    """Start and submit the one-question final test, answered right or wrong."""
    attempt = attempt_start(user=user, placement=page)
    question = attempt.questions[0]
    option = next(o for o in question["options"] if o["correct"] == right)
    data = QueryDict(mutable=True)
    data["action"] = "submit"
    data[f"q-{question['id']}"] = option.get("token") or option["id"]
    return attempt_submit(user=user, attempt_id=attempt.pk, data=data)


@pytest.fixture
def learning(site, make_user):
    """A course with two modules of two lessons and a final test; learners who go through it
    by the progress and quiz services (so the learning events keep the rollup), and a few
    written as raw rows (no events, no rollup rows) beside them."""
    course, lessons = course_tree(modules=2, lessons_per_module=2, slug="rollup")
    final = quiz_in(course, questions=every_question()[:1], slug="rollup-final", pass_mark=60)[1]
    get = Organisation.objects.get
    malmo, lund = get(kind="municipality", code="1280"), get(kind="municipality", code="1281")
    stockholm = get(kind="municipality", code="0180")

    def learner(n, organisation, role="official", **extra):
        return make_user(
            email=f"r{n}@example.org", organisation=organisation, role_category=role, **extra
        )

    done = learner(1, malmo)
    enrolment_create(user=done, course=course)
    for lesson in lessons:
        lesson_complete(user=done, lesson=lesson)
    final_test(done, final, right=True)

    opened = learner(2, malmo, "elected")
    enrolment_create(user=opened, course=course)
    lesson_view(user=opened, lesson=lessons[0])
    lesson_view(user=opened, lesson=lessons[0])  # a second view: time only, no event

    failed = learner(3, lund)
    enrolment_create(user=failed, course=course)
    for lesson in lessons[:2]:
        lesson_complete(user=failed, lesson=lesson)
    final_test(failed, final, right=False)

    leaver = learner(4, lund, "manager")
    enrolment_create(user=leaver, course=course)
    lesson_view(user=leaver, lesson=lessons[2])
    enrolment_leave(user=leaver, course=course)

    second_try = learner(5, stockholm)
    enrolment_create(user=second_try, course=course)
    for lesson in lessons:
        lesson_complete(user=second_try, lesson=lesson)
    final_test(second_try, final, right=False)
    final_test(second_try, final, right=True)

    mover = learner(6, malmo)
    enrolment_create(user=mover, course=course)
    lesson_view(user=mover, lesson=lessons[1])
    mover.organisation = lund  # moves after enrolling: the enrolment stays Malmö's
    mover.save(update_fields=["organisation"])

    unverified = learner(7, malmo, verified_at=None)  # counts nowhere
    enrolment_create(user=unverified, course=course)
    lesson_complete(user=unverified, lesson=lessons[0])

    # Raw rows in a second course, written without the services (no events).
    raw = Builder(fast_course(slug="raw"))
    raw.learners(malmo, 4, started=3, completed=2, passed=1, failed=1)
    raw.learners(stockholm, 3, started=2, completed=1, passed=1)
    return {"course": course, "lessons": lessons, "final": final, "mover": mover}


def live_facts(enrolment, final_keys):
    """What the rollup row of ``enrolment`` must hold, from its own rows."""
    progress = LessonProgress.objects.filter(enrolment=enrolment)
    attempts = Attempt.objects.filter(
        enrolment=enrolment, placement_key__in=final_keys, submitted_at__isnull=False
    )
    percents = [a.percent for a in attempts if a.percent is not None]
    return {
        "started": progress.exists(),
        "lessons_done": progress.filter(completed_at__isnull=False).count(),
        "tested": attempts.exists(),
        "passed": attempts.filter(passed=True).exists(),
        "best": max(percents) if percents else None,
    }


def exports(client):
    """Every table of every report as CSV rows, and each page's figure cells."""
    tables = {}
    for name in REPORTS:
        page = client.get(url(name))
        assert page.status_code == 200
        html = page.content.decode()
        cells = re.findall(r"<td[^>]*>(.*?)</td>", html, re.S)
        tables[name, "page"] = cells
        for link in re.findall(r'href="(\?[^"]*format=csv[^"]*)"', html):
            response = client.get(url(name) + link.replace("&amp;", "&"))
            text = b"".join(response.streaming_content).decode("utf-8-sig")
            tables[name, link] = list(csv.reader(io.StringIO(text), delimiter=";"))
    return tables


def test_the_rollup_follows_the_learning_events_and_equals_the_live_aggregate(
    client, learning, manager, orgs
):
    from reports.selectors import final_test_keys

    keys = final_test_keys()
    national = manager("n@example.org", national=True)
    county = manager("c@example.org", counties=[orgs["skane"]])
    client.force_login(national)
    before = exports(client)  # also makes the rollup current (final tests, layout)

    # Every enrolment made through the services has its row, equal to its own rows.
    by_services = Enrolment.objects.filter(course_key=learning["course"].translation_key)
    facts = {f.enrolment_id: f for f in EnrolmentFacts.objects.filter(enrolment__in=by_services)}
    assert set(facts) == set(by_services.values_list("pk", flat=True))
    for enrolment in by_services:
        row = facts[enrolment.pk]
        expected = live_facts(enrolment, keys)
        got = {name: getattr(row, name) for name in expected}
        assert got == expected, enrolment.user.email

    # The pages' figures equal the plain aggregate of the progress rows (by services only).
    counted = by_services.exclude(user__verified_at=None)
    started = [e for e in counted if e.completed_at or LessonProgress.objects.filter(enrolment=e)]
    best = [live_facts(e, keys)["best"] for e in counted if live_facts(e, keys)["tested"]]
    overview = before["overview", next(k for n, k in before if n == "overview" and k != "page")]
    row = next(r for r in overview if r[0] == learning["course"].title)
    assert row[1:4] == [str(counted.count()), str(len(started)), str(counted.filter(
        completed_at__isnull=False).count())]  # fmt: skip
    assert float(row[6]) == pytest.approx(round(mean(best), 1))
    organisations = before[
        "organisations", next(k for n, k in before if n == "organisations" and k != "page")
    ]
    malmo = next(r for r in organisations if r[1] == "Malmö")
    # Malmö: the finisher, the opener and the mover (enrolled there); 4 raw rows besides.
    assert malmo[2] == str(3 + 4)

    # The same pages and exports read with no rollup at all (every value live): equal.
    for user in (national, county):
        client.force_login(user)
        with_rollup = exports(client)
        EnrolmentFacts.objects.all().delete()
        assert exports(client) == with_rollup
        from reports.rollups import facts_rebuild

        facts_rebuild(keys)
        assert exports(client) == with_rollup


def test_a_change_rolled_back_leaves_the_rollup_as_it_was(learning, make_user):
    from django.db import transaction

    user = make_user(email="undo@example.org")
    enrolment, _ = enrolment_create(user=user, course=learning["course"])
    row = EnrolmentFacts.objects.get(enrolment=enrolment)
    assert not row.started and row.opened == 0
    with pytest.raises(RuntimeError), transaction.atomic():
        lesson_complete(user=user, lesson=learning["lessons"][0])
        assert EnrolmentFacts.objects.get(enrolment=enrolment).lessons_done == 1
        raise RuntimeError("undo")
    row.refresh_from_db()
    assert not row.started and row.lessons_done == 0 and row.opened == 0


def test_a_new_final_test_or_lesson_rebuilds_the_rollup_before_the_next_report(
    client, learning, manager
):
    from reports.models import FactsState

    client.force_login(manager("n@example.org", national=True))
    client.get(url("overview"))
    state = FactsState.objects.get()
    assert str(learning["final"].translation_key) in state.final_keys
    module = ModulePage.objects.child_of(learning["course"]).first()
    extra = quiz_in(learning["course"], questions=every_question()[:1], slug="second-final")[1]
    lesson = learning["lessons"][0].copy(
        to=module, update_attrs={"slug": "extra-lesson", "title": "Extra"}, keep_live=True
    )
    client.get(url("overview"))
    state.refresh_from_db()
    assert str(extra.translation_key) in state.final_keys
    assert (
        str(lesson.translation_key)
        in state.layout[str(learning["course"].translation_key)]["lessons"]
    )
    assert state.rebuilt_at <= timezone.now()
