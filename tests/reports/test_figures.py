"""Report figures against counts computed independently from the raw rows, and suppression
of small groups outside the manager's scope at the threshold (4 learners vs 5; the full
differencing attack is in ``test_differencing``)."""

import csv
import io
import statistics
from collections import Counter

import pytest
from django.urls import reverse as django_reverse
from django.utils import timezone, translation

from progress.models import Enrolment, LessonProgress, ModuleCompletion
from quizzes.models import Attempt

pytestmark = pytest.mark.django_db


def reverse(name):
    with translation.override("en"):
        return django_reverse(name)


def rows(client, name, **params):
    """The report's first table as CSV rows (header first)."""
    response = client.get(reverse(f"reports:{name}"), {**params, "format": "csv"})
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def number(text):
    return None if text == "" else float(text)


def expected_figures(enrolments, final_key):
    """The overview's figures for ``enrolments``, from the rows themselves."""
    started = completed = tested = passed = 0
    best_scores, days = [], []
    for enrolment in enrolments:
        opened = LessonProgress.objects.filter(enrolment=enrolment).exists()
        started += bool(opened or enrolment.completed_at)
        if enrolment.completed_at:
            completed += 1
            days.append((enrolment.completed_at - enrolment.enrolled_at).total_seconds() / 86400)
        attempts = list(
            Attempt.objects.filter(
                enrolment=enrolment, placement_key=final_key, submitted_at__isnull=False
            )
        )
        if attempts:
            tested += 1
            passed += any(a.passed for a in attempts)
            best_scores.append(max(a.percent for a in attempts))
    enrolled = len(enrolments)
    return [
        enrolled,
        started,
        completed,
        round(100 * completed / enrolled, 1) if enrolled else None,
        round(100 * passed / tested, 1) if tested else None,
        round(statistics.mean(best_scores), 1) if best_scores else None,
        round(statistics.median(days), 1) if days else None,
    ]


@pytest.fixture
def data(build, orgs):
    build.learners(orgs["malmo"], 6, started=4, completed=3, passed=2, failed=1, certified=1)
    build.learners(orgs["lund"], 5, started=1, role="elected")
    build.learners(orgs["ystad"], 4, completed=2, passed=2, days_ago=70, days_to_complete=9)
    build.learners(orgs["stockholm"], 7, completed=7, passed=5, failed=2, role="manager")
    return build


def test_overview_matches_the_raw_rows_for_each_scope(client, data, orgs, manager):
    final_key = data.final.translation_key
    cases = [
        (manager("m@example.org", organisations=[orgs["malmo"]]), [orgs["malmo"]]),
        (
            manager("c@example.org", counties=[orgs["skane"]]),
            [orgs["malmo"], orgs["lund"], orgs["ystad"]],
        ),
        (
            manager("n@example.org", national=True),
            [orgs["malmo"], orgs["lund"], orgs["ystad"], orgs["stockholm"]],
        ),
    ]
    for user, organisations in cases:
        client.force_login(user)
        header, course_row, total_row = rows(client, "overview")
        assert header[0] == "Course" and course_row[0] == "Kurs rapport"
        expected = expected_figures(
            list(Enrolment.objects.filter(organisation__in=organisations)), final_key
        )
        assert [number(x) for x in course_row[1:]] == expected, user.email
        assert [number(x) for x in total_row[1:]] == expected


def test_filters_narrow_the_figures(client, data, orgs, manager):
    client.force_login(manager("c@example.org", counties=[orgs["skane"]]))
    [_, course_row, _] = rows(client, "overview", role="elected")
    assert number(course_row[1]) == Enrolment.objects.filter(role_category="elected").count()
    [_, course_row, _] = rows(client, "overview", organisation=orgs["ystad"].pk)
    assert number(course_row[1]) == 4
    today = timezone.localdate()
    since = (today - timezone.timedelta(days=50)).isoformat()
    [_, course_row, _] = rows(client, "overview", date_from=since)
    assert number(course_row[1]) == 6 + 5  # Ystad's learners enrolled 70 days ago


def test_modules_and_learner_list_match_the_raw_rows(client, data, orgs, manager):
    client.force_login(manager("m@example.org", organisations=[orgs["malmo"]]))
    malmo = Enrolment.objects.filter(organisation=orgs["malmo"])
    header, *modules = rows(client, "modules")
    for index, module in enumerate(data.modules):
        lesson_keys = [
            lesson.translation_key for lesson in data.lessons if lesson.path.startswith(module.path)
        ]
        reached = (
            LessonProgress.objects.filter(enrolment__in=malmo, lesson_key__in=lesson_keys)
            .values("enrolment")
            .distinct()
            .count()
        )
        completed = ModuleCompletion.objects.filter(
            enrolment__in=malmo, module_key=module.translation_key
        ).count()
        assert [number(x) for x in modules[index][1:2]] == [reached]
        assert number(modules[index][3]) == completed

    header, *learners = rows(client, "learners", sort="name")
    assert header == [
        "Name",
        "Organisation",
        "Role",
        "Course",
        "Status",
        "Progress (%)",
        "Last activity",
        "Final test score (%)",
        "Certificate issued",
    ]
    assert len(learners) == malmo.count()
    assert Counter(row[4] for row in learners) == {
        "Course completed": 3,
        "In progress": 1,
        "Not started": 2,
    }
    completed = [row for row in learners if row[4] == "Course completed"]
    assert {row[5] for row in completed} == {"100.0"}
    assert sum(1 for row in learners if row[8]) == 1  # one certificate
    scores = sorted(number(row[7]) for row in learners if row[7])
    assert scores == sorted(
        Attempt.objects.filter(enrolment__in=malmo).values_list("percent", flat=True)
    )


def test_months_match_the_raw_rows(client, data, orgs, manager):
    client.force_login(manager("n@example.org", national=True))
    header, *months = rows(client, "months")
    enrolled = Counter(
        timezone.localtime(e.enrolled_at).strftime("%Y-%m-01") for e in Enrolment.objects.all()
    )
    completed = Counter(
        timezone.localtime(e.completed_at).strftime("%Y-%m-01")
        for e in Enrolment.objects.exclude(completed_at=None)
    )
    assert {row[0]: int(row[1]) for row in months if int(row[1])} == dict(enrolled)
    assert {row[0]: int(row[2]) for row in months if int(row[2])} == dict(completed)
    # Every month between the first and the last is listed, empty ones too.
    assert len(months) == len({row[0] for row in months}) >= len(set(enrolled) | set(completed))


@pytest.mark.parametrize("lund_learners, suppressed", [(3, True), (4, True), (5, False)])
def test_figures_whose_outside_part_is_below_five_learners_are_not_shown(
    client, build, orgs, manager, lund_learners, suppressed
):
    """Malmö's manager sees the Skåne and national totals for comparison. What those tell
    them beyond their own rows is Lund's part: 3 or 4 learners are not shown, although the
    totals (5, 6) reach 5; 5 are shown, but not the one Lund learner who completed."""
    build.learners(orgs["malmo"], 2, completed=1)
    build.learners(orgs["lund"], lund_learners, completed=1)
    total = 2 + lund_learners
    client.force_login(manager("m@example.org", organisations=[orgs["malmo"]]))
    header, *table = rows(client, "organisations")
    by_name = {row[1]: row for row in table}
    assert by_name["Malmö"][2:5] == ["2", "1", "1"]  # own organisation: exact, however small
    for name in ("All organisations in the county", "Whole country"):
        figures = dict(zip(header[2:], by_name[name][2:], strict=True))
        # Nobody took the final test: the rates of no one are exact (blank) everywhere.
        assert figures["Final test pass rate (%)"] == figures["Mean final test score (%)"] == ""
        if suppressed:
            assert set(figures.values()) == {"not shown", ""}, name
        else:
            assert figures["Enrolled"] == str(total), name
            # 1 of Lund's learners completed (and started): a group of 1, with its rates.
            for column in (
                "Started",
                "Completed",
                "Completion rate (%)",
                "Median days to complete",
            ):
                assert figures[column] == "not shown", (name, column)
    page = client.get(reverse("reports:organisations")).content.decode()
    assert 'class="suppressed">not shown<' in page
    # The role comparison over the whole country follows the same rule.
    response = client.get(reverse("reports:roles"), {"format": "csv", "table": "country"})
    country = list(
        csv.reader(
            io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"
        )
    )
    official = next(row for row in country if row[0] == "Official or strategist")
    assert official[1] == ("not shown" if suppressed else str(total))
    # Every role category is listed, with or without learners: exact zeros are allowed.
    assert [row[0] for row in country[1:]] == [
        "Elected official",
        "Official or strategist",
        "Manager",
        "Other",
        "Not given",
    ]
    assert next(row for row in country if row[0] == "Manager")[1:4] == ["0", "0", "0"]


def test_padding_the_own_scope_does_not_uncover_others(client, build, orgs, manager):
    """Registration is open, so a manager can enrol accounts in their own organisation until
    a comparison total is large; what the total tells about others stays Lund's 2."""
    build.learners(orgs["malmo"], 40, completed=40, first_name="Padding")
    build.learners(orgs["lund"], 2, completed=2)
    client.force_login(manager("m@example.org", organisations=[orgs["malmo"]]))
    header, *table = rows(client, "organisations")
    by_name = {row[1]: row for row in table}
    assert by_name["Malmö"][2] == "40"
    for name in ("All organisations in the county", "Whole country"):
        assert set(by_name[name][2:]) == {"not shown", ""}, name


def test_the_same_small_groups_are_exact_inside_the_scope(client, build, orgs, manager):
    build.learners(orgs["malmo"], 2, completed=1)
    build.learners(orgs["lund"], 2, completed=1)
    client.force_login(manager("c@example.org", counties=[orgs["skane"]]))
    header, *table = rows(client, "organisations")
    by_name = {row[1]: row for row in table}
    assert by_name["All organisations in the county"][2:5] == ["4", "2", "2"]
    assert by_name["Lund"][2] == "2"
    # Nobody is enrolled outside Skåne: the country adds nothing to the county, so exact.
    assert by_name["Whole country"][2:5] == ["4", "2", "2"]
    build.learners(orgs["stockholm"], 2)
    header, *table = rows(client, "organisations")
    by_name = {row[1]: row for row in table}
    assert by_name["All organisations in the county"][2:5] == ["4", "2", "2"]
    # Stockholm's 2, who started nothing: the enrolments are not shown, the (exact) started
    # and completed figures are.
    country = dict(zip(header[2:], by_name["Whole country"][2:], strict=True))
    assert country["Enrolled"] == country["Completion rate (%)"] == "not shown"
    assert country["Started"] == country["Completed"] == "2"
    client.force_login(manager("n@example.org", national=True))
    header, *table = rows(client, "organisations")
    assert {row[1]: row for row in table}["Whole country"][2] == "6"
