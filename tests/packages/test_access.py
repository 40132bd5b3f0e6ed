"""Who may fetch package files and post run-time data, and what the data model accepts."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from packages.models import PackageRecord
from packages.tokens import token_issue
from progress.models import LearningEvent, LessonProgress
from progress.services import enrolment_create
from tests.packages.conftest import package_lesson

pytestmark = pytest.mark.django_db
SITE = "http://testserver"


@pytest.fixture
def hosts(settings):
    settings.PACKAGES_ORIGIN = "http://packages.testserver"
    settings.ALLOWED_HOSTS = ["testserver", "packages.testserver"]


def file_url(lesson, token, path="shared/launchpage.html"):
    return reverse("packages:file", args=[lesson.pk, token, path])


def fetch(url):
    return Client(HTTP_HOST="packages.testserver").get(url)


def post(client, lesson, body, **extra):
    return client.post(
        reverse("package_commit", args=[lesson.pk]),
        data=json.dumps(body),
        content_type="application/json",
        **extra,
    )


def test_files_only_by_a_valid_token_of_a_learner_who_may_see_the_lesson(
    hosts, package_course, make_user
):
    course, _module, _lesson, lesson = package_course
    learner = make_user(email="inne@example.org")
    enrolment_create(user=learner, course=course)
    outsider = make_user(email="ute@example.org")  # enrolled in no course of this lesson
    token = token_issue(user=learner, lesson=lesson, site_origin=SITE)
    response = fetch(file_url(lesson, token))
    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox allow-scripts allow-forms allow-popups")
    assert f"frame-ancestors 'self' {SITE}" in policy
    launcher = fetch(reverse("packages:launch", args=[lesson.pk, token, 0]))
    assert launcher.status_code == 200 and b"scorm2004.min.js" in launcher.content

    assert fetch(file_url(lesson, "forged:token:x")).status_code == 404
    assert fetch(file_url(lesson, token_issue(user=outsider, lesson=lesson, site_origin=SITE))
                 ).status_code == 404  # fmt: skip
    assert fetch(file_url(lesson, token, "../../../etc/passwd")).status_code == 404
    # Never on the site's own host, where package scripts would run in the site's origin.
    assert Client().get(file_url(lesson, token)).status_code == 404
    # Nor does the package host answer the site's pages.
    assert fetch("/sv/").status_code == 404
    from progress.services import enrolment_leave

    enrolment_leave(user=learner, course=course)
    assert fetch(file_url(lesson, token)).status_code == 404  # checked on every request


def test_only_the_enrolled_learner_posts_data_with_the_csrf_token(hosts, package_course, make_user):
    course, _module, _lesson, lesson = package_course
    body = {"sco": "item_1", "values": {"cmi.completion_status": "completed"}}
    assert post(Client(), lesson, body).status_code == 403  # anonymous
    outsider = make_user(email="annan@example.org")
    other = Client()
    other.force_login(outsider)
    assert post(other, lesson, body).status_code == 403  # not enrolled in this course
    learner = make_user(email="deltagare2@example.org")
    enrolment_create(user=learner, course=course)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert post(strict, lesson, body).status_code == 403  # no CSRF token
    assert PackageRecord.objects.count() == 0


def test_scorm_2004_completion_and_success_are_kept_apart(hosts, package_course, make_user):
    course, _module, _lesson, lesson = package_course  # completed only when passed
    learner = make_user(email="status@example.org")
    enrolment_create(user=learner, course=course)
    client = Client()
    client.force_login(learner)
    first = post(client, lesson, {"sco": "item_1", "values": {
        "cmi.completion_status": "completed", "cmi.success_status": "failed",
        "cmi.score.scaled": "0.4", "cmi.interactions.0.id": "q1",
        "cmi.interactions.0.type": "true-false", "cmi.interactions.0.learner_response": "false",
        "cmi.interactions.0.correct_responses.0.pattern": "true",
        "cmi.interactions.0.result": "incorrect"}, "finished": True})  # fmt: skip
    assert first.status_code == 200, first.content
    assert first.json()["completed"] is True and first.json()["success"] is False
    assert first.json()["lesson_completed"] is False  # the author asked for passed
    record = PackageRecord.objects.get()
    assert record.score_scaled == 0.4
    answered = LearningEvent.objects.get(kind="question_answered")
    assert answered.details["correct"] is False
    assert answered.details["interaction"]["response"] == ["false"]
    assert LearningEvent.objects.filter(kind="lesson_failed").count() == 1
    second = post(client, lesson, {"sco": "item_1", "values": {
        "cmi.success_status": "passed", "cmi.score.scaled": "0.9"}})  # fmt: skip
    assert second.json()["lesson_completed"] is True
    assert LessonProgress.objects.get(lesson_key=lesson.translation_key).completed_at
    assert LearningEvent.objects.filter(kind="lesson_passed").count() == 1

    from xapi.statements import statement_for

    statement = statement_for(LearningEvent.objects.get(kind="lesson_passed"), learner_id="x")
    assert statement["verb"]["id"].endswith("/passed")
    assert statement["result"] == {"success": True, "completion": True, "score": {"scaled": 0.9}}
    question = statement_for(answered, learner_id="x")
    assert question["object"]["definition"]["interactionType"] == "true-false"
    assert question["result"]["response"] == "false"
    assert question["context"]["contextActivities"]["parent"][0]["id"].endswith(
        f"/lesson/{lesson.translation_key}"
    )


@pytest.mark.parametrize(
    "values",
    [
        {"cmi.completion_status": "done"},
        {"cmi.score.scaled": "1.5"},
        {"cmi.suspend_data": "x" * 64001},
        {"cmi.session_time": "01:00:00"},
        {"cmi.learner_id": "someone-else"},
        {"cmi.interactions.999.id": "q"},
        "not a dict",
    ],
    ids=[
        "vocabulary",
        "scaled-range",
        "suspend-data-limit",
        "duration-format",
        "read-only",
        "too-many",
        "not-a-dict",
    ],  # fmt: skip
)
def test_values_the_data_model_forbids_are_refused_and_nothing_stored(
    hosts, package_course, make_user, values
):
    course, _module, _lesson, lesson = package_course
    learner = make_user(email="fel@example.org")
    enrolment_create(user=learner, course=course)
    client = Client()
    client.force_login(learner)
    good = {"cmi.location": "3"}
    mixed = {**good, **values} if isinstance(values, dict) else values
    response = post(client, lesson, {"sco": "item_1", "values": mixed})
    assert response.status_code == 400 and response.json()["error"]
    assert PackageRecord.objects.filter(cmi__has_key="item_1").count() == 0


def test_scorm_12_limits(hosts, site, make_user):
    from courses.models import ModulePage
    from tests.factories import course_tree

    course, _ = course_tree(modules=1, lessons_per_module=0, slug="tolv")
    lesson = package_lesson(ModulePage.objects.child_of(course).first(), "singlesco_scorm12.zip")
    learner = make_user(email="tolv@example.org")
    enrolment_create(user=learner, course=course)
    client = Client()
    client.force_login(learner)
    for bad in ({"cmi.core.lesson_status": "done"}, {"cmi.core.score.raw": "abc"},
                {"cmi.suspend_data": "x" * 4097}, {"cmi.core.session_time": "PT1S"}):  # fmt: skip
        assert post(client, lesson, {"sco": "item_1", "values": bad}).status_code == 400
    values = {
        "cmi.core.lesson_status": "passed",
        "cmi.core.score.raw": "80",
        "cmi.core.session_time": "00:02:05.5",
        "cmi.suspend_data": "x" * 4096,
    }
    ok = post(client, lesson, {"sco": "item_1", "values": values, "finished": True})
    assert ok.status_code == 200 and ok.json()["lesson_completed"] is True
    record = PackageRecord.objects.get()
    assert record.score_scaled == 0.8 and record.session_seconds == 125


def test_authors_see_attempts_completion_score_and_interactions(hosts, package_course, make_user):
    course, _module, _lesson, lesson = package_course
    for number, (result, scaled) in enumerate((("correct", "1"), ("incorrect", "0.5"))):
        learner = make_user(email=f"statistik-{number}@example.org")
        enrolment_create(user=learner, course=course)
        client = Client()
        client.force_login(learner)
        values = {
            "cmi.completion_status": "completed", "cmi.score.scaled": scaled,
            "cmi.interactions.0.id": "q1", "cmi.interactions.0.type": "choice",
            "cmi.interactions.0.description": "Vem ansvarar?",
            "cmi.interactions.0.result": result,
        }  # fmt: skip
        assert post(client, lesson, {"sco": "item_1", "values": values}).status_code == 200
    learner_client = Client()
    learner_client.force_login(learner)
    url = reverse("package_statistics", args=[lesson.pk])
    assert learner_client.get(url).status_code in (302, 403)  # learners see no statistics
    admin = Client()
    admin.force_login(make_user(email="redaktor@example.org", is_superuser=True, is_staff=True))
    index = admin.get(reverse("package_statistics_index"))
    assert index.status_code == 200 and lesson.title in index.content.decode()
    page = admin.get(url).content.decode()
    assert "2 deltagare, 0 försök, 2 slutförda." in page or "2 learners" in page
    assert "Vem ansvarar?" in page and "50 %" in page and "75 %" in page


def test_h5p_state_is_checked_kept_per_learner_and_given_back_at_launch(
    hosts, package_course, make_user
):
    """The H5P content's state (to resume an answer): only the enrolled learner with the CSRF
    token stores it, only a JSON object or array of at most 64000 characters, and the player
    gets it back for that learner only."""
    course, module, _lesson, _scorm = package_course
    from tests.packages.conftest import H5P

    lesson = package_lesson(module, H5P, slug="h5p-state")
    (sco,) = [part["identifier"] for part in lesson.package.scos]
    learner = make_user(email="h5p-state@example.org")
    enrolment_create(user=learner, course=course)
    other = make_user(email="h5p-annan@example.org")
    enrolment_create(user=other, course=course)
    state = json.dumps({"answer": False})
    assert post(Client(), lesson, {"sco": sco, "values": {"state": state}}).status_code == 403
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert post(strict, lesson, {"sco": sco, "values": {"state": state}}).status_code == 403
    client = Client()
    client.force_login(learner)
    for bad in ("not json", '"a string"', "[" * 10 + "]" * 10 + "x", "{" + " " * 64000 + "}"):
        response = post(client, lesson, {"sco": sco, "values": {"state": bad}})
        assert response.status_code == 400, bad[:20]
        assert "state" in response.json()["error"]
    assert not PackageRecord.objects.filter(enrolment__user=learner).exists()  # nothing stored
    assert post(client, lesson, {"sco": sco, "values": {"state": state}}).status_code == 200

    def launch_state(user):
        token = token_issue(user=user, lesson=lesson, site_origin=SITE)
        response = fetch(reverse("packages:launch", args=[lesson.pk, token, 0]))
        assert response.status_code == 200
        data = response.content.decode().split('id="lms-data" type="application/json">')[1]
        return json.loads(data.split("</script>")[0])["h5p"]["state"]

    assert launch_state(learner) == state
    assert launch_state(other) == ""  # another learner's content starts afresh
