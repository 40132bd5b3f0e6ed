"""Timed quizzes (issue 14, WCAG 2.2.1): time accommodations granted by an administrator or
a manager within their scope, recorded and applied by the server; autosave; answers kept when
the time runs out; the quiz's texts marked with their own language."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from elearning.accounts import roles
from elearning.organisations.models import Organisation
from quizzes import services
from quizzes.models import Attempt, TimeAccommodation
from quizzes.tokens import token
from tests.quizzes.conftest import perfect

ACCOMMODATIONS = "/sv/quiz/tidsanpassningar/"


@pytest.fixture
def timed(quiz_setup):
    quiz = quiz_setup["quiz"]
    quiz.time_limit_minutes = 20
    quiz.save()
    return quiz_setup


@pytest.fixture
def manager(make_user):
    """A manager following Stockholm municipality (the learners' organisation)."""
    user = make_user(email="samordnare@example.org", organisation=_org("0180"))
    user.groups.add(Group.objects.get(name=roles.MANAGERS))
    user.managed_organisations.add(_org("0180"))
    return user


def _org(code):
    return Organisation.objects.get(kind="municipality", code=code)


def _start(client, setup) -> Attempt:
    client.post(f"/sv/quiz/{setup['page'].pk}/starta/")
    return Attempt.objects.get(enrolment__user=setup["learner"], submitted_at__isnull=True)


def _grant(client, email, **data):
    return client.post(
        ACCOMMODATIONS,
        {"email": email, "reason": "Deltagarens begäran 3 mars", "action": "grant", **data},
    )


@pytest.mark.parametrize(
    "kind, amount, minutes",
    [("multiplier", {"multiplier": "1,5"}, 30), ("minutes", {"extra_minutes": "25"}, 45)],
)
def test_a_manager_grants_extra_time_which_the_next_attempt_gets(
    client, timed, manager, kind, amount, minutes
):
    client.force_login(manager)
    response = _grant(client, "LEARNER@example.org", kind=kind, **amount)
    assert response.status_code == 302
    granted = TimeAccommodation.objects.get()
    assert (granted.learner, granted.granted_by) == (timed["learner"], manager)
    assert granted.reason == "Deltagarens begäran 3 mars" and granted.granted_at is not None
    page = client.get(ACCOMMODATIONS).content.decode()
    assert "Given av Test Person" in page and "Deltagarens begäran 3 mars" in page

    client.force_login(timed["learner"])
    quiz_page = client.get(timed["page"].url).content.decode()
    assert "Din tid" in quiz_page and f"{minutes} minuter" in quiz_page
    attempt = _start(client, timed)
    assert attempt.deadline - attempt.started_at == timedelta(minutes=minutes)
    assert attempt.accommodation == granted and attempt.time_limit_minutes == 20
    assert "med din anpassning" in client.get(f"/sv/quiz/forsok/{attempt.pk}/").content.decode()


def test_no_limit_and_an_open_attempt_takes_the_new_time_at_once(client, timed, manager):
    client.force_login(timed["learner"])
    attempt = _start(client, timed)
    assert attempt.deadline - attempt.started_at == timedelta(minutes=20)
    services.accommodation_grant(
        granted_by=manager, learner=timed["learner"], kind="no_limit", reason="Beslut 1 mars"
    )
    attempt.refresh_from_db()
    assert attempt.deadline is None
    page = client.get(f"/sv/quiz/forsok/{attempt.pk}/").content.decode()
    assert "Ingen tidsgräns gäller för dig" in page and "quiz-timer.js" not in page

    # Withdrawn: the next attempt has the quiz's limit again; the open one keeps its time.
    services.accommodation_end(ended_by=manager, learner=timed["learner"])
    attempt.refresh_from_db()
    assert attempt.deadline is None
    assert TimeAccommodation.objects.get().ended_by == manager


def test_the_server_accepts_a_submit_within_the_extended_time_only(client, timed, manager):
    services.accommodation_grant(
        granted_by=manager,
        learner=timed["learner"],
        kind="multiplier",
        multiplier=Decimal("2.0"),
        reason="Beslut 1 mars",
    )
    client.force_login(timed["learner"])
    attempt = _start(client, timed)
    # 25 minutes in: past the quiz's 20 minutes, within the learner's 40.
    Attempt.objects.filter(pk=attempt.pk).update(
        started_at=attempt.started_at - timedelta(minutes=25),
        deadline=attempt.deadline - timedelta(minutes=25),
    )
    response = client.post(
        f"/sv/quiz/forsok/{attempt.pk}/", {**perfect(attempt), "action": "submit"}
    )
    assert response.status_code == 302
    graded = Attempt.objects.get(pk=attempt.pk)
    assert graded.percent == 100 and graded.submitted_at > graded.started_at + timedelta(minutes=20)


def test_without_accommodation_late_answers_are_not_taken_but_the_saved_ones_are(client, timed):
    client.force_login(timed["learner"])
    attempt = _start(client, timed)
    single = attempt.questions[0]
    right = next(token(o) for o in single["options"] if o["correct"])
    response = client.post(
        f"/sv/quiz/forsok/{attempt.pk}/", {f"q-{single['id']}": right, "action": "autosave"}
    )
    assert response.status_code == 200 and response.json() == {"saved": True}
    right_id = next(o["id"] for o in single["options"] if o["correct"])
    assert Attempt.objects.get(pk=attempt.pk).answers == {single["id"]: right_id}
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    response = client.post(
        f"/sv/quiz/forsok/{attempt.pk}/", {**perfect(attempt), "action": "autosave"}
    )
    assert response.status_code == 409 and response.json()["result"].endswith("/resultat/")
    graded = Attempt.objects.get(pk=attempt.pk)
    assert not graded.is_open and graded.score == single["points"]  # only the saved answer


def test_autosave_refuses_tampered_answers_and_changes_nothing(client, timed):
    client.force_login(timed["learner"])
    attempt = _start(client, timed)
    response = client.post(f"/sv/quiz/forsok/{attempt.pk}/", {"score": "100", "action": "autosave"})
    assert response.status_code == 400 and "score" in response.json()["error"]
    fresh = Attempt.objects.get(pk=attempt.pk)
    assert fresh.is_open and fresh.answers == {}


def test_who_may_grant(client, timed, manager, make_user):
    other = make_user(email="annan@example.org", organisation=_org("1280"))
    client.force_login(manager)
    # Outside the manager's organisations, unknown, or the manager themself: one message.
    for email in ("annan@example.org", "ingen@example.org", "samordnare@example.org"):
        response = _grant(client, email, kind="no_limit")
        assert response.status_code == 400
        assert "Ingen deltagare med den e-postadressen" in response.content.decode()
    assert not TimeAccommodation.objects.exists()
    assert "annan@example.org" not in client.get(ACCOMMODATIONS).content.decode()
    # A learner may not open the page at all.
    client.force_login(timed["learner"])
    assert client.get(ACCOMMODATIONS).status_code == 403
    # An administrator may grant to anyone.
    admin = make_user(email="admin@example.org", is_superuser=True)
    client.force_login(admin)
    assert (
        _grant(client, "annan@example.org", kind="minutes", extra_minutes="10").status_code == 302
    )
    assert TimeAccommodation.objects.get().learner == other


@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "multiplier", "multiplier": "9"}, "mindre än eller lika med 5"),
        ({"kind": "multiplier"}, "Ange talet som tidsgränsen multipliceras med."),
        ({"kind": "minutes", "extra_minutes": "0"}, "större än eller lika med 1"),
        ({"kind": "forever"}, "Välj ett giltigt alternativ"),
        ({"kind": "no_limit", "reason": " "}, "Det här fältet är obligatoriskt"),
    ],
)
def test_bad_input_gets_a_clear_error_and_changes_nothing(client, timed, manager, data, message):
    client.force_login(manager)
    response = client.post(
        ACCOMMODATIONS,
        {"email": "learner@example.org", "reason": "Beslut", "action": "grant", **data},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not TimeAccommodation.objects.exists()


def test_one_accommodation_in_force_per_learner_the_old_one_kept_as_record(timed, manager):
    learner = timed["learner"]
    first = services.accommodation_grant(
        granted_by=manager, learner=learner, kind="minutes", extra_minutes=10, reason="Ett"
    )
    second = services.accommodation_grant(
        granted_by=manager, learner=learner, kind="no_limit", reason="Två"
    )
    first.refresh_from_db()
    assert first.ended_at is not None and first.ended_by == manager
    assert services.accommodation_in_force(learner=learner) == second


def test_only_the_timed_attempt_page_runs_a_script(client, timed, quiz_setup):
    client.force_login(timed["learner"])
    attempt = _start(client, timed)
    response = client.get(f"/sv/quiz/forsok/{attempt.pk}/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
    page = response.content.decode()
    assert 'src="/static/js/quiz-timer.js"' in page
    assert 'role="timer"' in page and 'role="alert"' in page
    assert "script-src 'none'" in client.get(timed["page"].url)["Content-Security-Policy"]


def test_a_swedish_attempt_read_from_the_english_site_keeps_its_language(client, quiz_setup):
    client.force_login(quiz_setup["learner"])
    attempt = _start(client, quiz_setup)
    page = client.get(f"/en/quiz/attempt/{attempt.pk}/").content.decode()
    assert '<html lang="en">' in page
    question = attempt.questions[0]["text"]
    assert f'<span lang="sv">{question}</span>' in page
    assert 'lang="sv">Sant</label>' in page  # true/false in the quiz's language
    client.post(f"/en/quiz/attempt/{attempt.pk}/", {"action": "submit"})
    result = client.get(f"/en/quiz/attempt/{attempt.pk}/result/").content.decode()
    assert f'class="review__question" lang="sv">{question}</p>' in result
    # On the Swedish site nothing is marked: the page's language is the quiz's.
    swedish = client.get(f"/sv/quiz/forsok/{attempt.pk}/resultat/").content.decode()
    assert f'class="review__question">{question}</p>' in swedish


def test_the_learners_download_shows_their_accommodations(client, timed, manager):
    services.accommodation_grant(
        granted_by=manager, learner=timed["learner"], kind="no_limit", reason="Beslut"
    )
    from elearning.accounts.personal_data import personal_data_export

    data = json.loads(json.dumps(personal_data_export(timed["learner"]), default=str))
    assert data["time_accommodations"][0]["kind"] == "no_limit"
    assert data["time_accommodations"][0]["reason"] == "Beslut"


@pytest.mark.parametrize("value", ["abc", "9" * 30, "١٢", "", "0"])
def test_withdrawing_with_a_bad_learner_id_changes_nothing(client, timed, manager, value):
    services.accommodation_grant(
        granted_by=manager, learner=timed["learner"], kind="no_limit", reason="Beslut"
    )
    client.force_login(manager)
    response = client.post(ACCOMMODATIONS, {"action": "end", "learner": value}, follow=True)
    assert "Ingen anpassning gäller för den deltagaren." in response.content.decode()
    assert TimeAccommodation.objects.get().ended_at is None
