"""Who may open which report, page or export, and what the scope lets through."""

import io
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from elearning.accounts import roles

pytestmark = pytest.mark.django_db

REPORTS = ["overview", "organisations", "roles", "months", "modules", "learners"]
FORMATS = [{}, {"format": "csv"}, {"format": "xlsx"}]


def url(name, language="en"):
    with translation.override(language):
        return reverse(f"reports:{name}")


def text_of(response) -> str:
    """What a person would read: the page, the CSV, or every cell of the XLSX."""
    if response.get("Content-Type", "").startswith("application/vnd.openxml"):
        data = b"".join(response.streaming_content)
        sheet = load_workbook(io.BytesIO(data), read_only=True).active
        return "\n".join(
            " ".join("" if value is None else str(value) for value in row)
            for row in sheet.iter_rows(values_only=True)
        )
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    for name in REPORTS:
        for params in FORMATS:
            response = client.get(url(name), params)
            assert response.status_code == 302, (name, params)
            assert response["Location"].startswith(reverse("accounts:login")), name


def test_learners_and_authors_get_403(client, people):
    for user in (people["learner"], people["author"]):
        client.force_login(user)
        for name in REPORTS:
            for params in FORMATS:
                assert client.get(url(name), params).status_code == 403, (user, name, params)


def test_a_manager_without_organisations_gets_empty_reports(client, people):
    # "nobody" may see reports, but follows no organisation yet: every report answers,
    # with no learner of anyone's.
    client.force_login(people["nobody"])
    for name in REPORTS:
        for params in FORMATS:
            response = client.get(url(name), params)
            assert response.status_code == 200, (name, params)
            text = text_of(response)
            assert not re.search(r"From(Malmo|Lund|Ystad|Sthlm)", text), (name, params)
    page = client.get(url("overview")).content.decode()
    assert "You follow no organisations yet" in page


def test_only_people_with_report_access_see_the_nav_link(client, people):
    client.force_login(people["learner"])
    assert url("overview") not in client.get("/en/").content.decode()
    client.force_login(people["malmo"])
    assert f'href="{url("overview")}"' in client.get("/en/").content.decode()


@pytest.fixture(scope="module")
def world(module_db):
    """Three learners each in Malmö, Lund, Ystad and Stockholm, named after their town; a
    learner, an author, a manager of nothing, of Malmö, of Skåne and of the whole country."""
    from elearning.accounts.models import User
    from elearning.organisations.models import County, Organisation
    from tests.reports.builders import Builder, fast_course
    from tests.reports.conftest import PASSWORD, managers_make

    build = Builder(fast_course())
    town = {}
    for code, name in [("1280", "Malmo"), ("1281", "Lund"), ("1286", "Ystad"), ("0180", "Sthlm")]:
        town[name] = Organisation.objects.get(kind="municipality", code=code)
        build.learners(town[name], 3, started=2, completed=1, passed=1, first_name=f"From{name}")
    author = User.objects.create_user("author@example.org", PASSWORD, organisation=town["Malmo"])
    author.groups.add(Group.objects.get(name=roles.AUTHORS))
    skane = County.objects.get(code="12")
    return {
        "towns": town,
        "skane": skane,
        "learner": User.objects.create_user("learner@example.org", PASSWORD),
        "author": author,
        "nobody": managers_make(email="empty@example.org"),
        "malmo": managers_make([town["Malmo"]], email="malmo@example.org"),
        "county": managers_make(counties=[skane], email="county@example.org"),
        "national": managers_make(national=True, email="national@example.org"),
    }


@pytest.fixture
def people(db, world):
    return world


def test_each_manager_sees_the_learners_of_their_scope_only(client, people):
    expected = {
        "malmo": {"FromMalmo"},
        "county": {"FromMalmo", "FromLund", "FromYstad"},
        "national": {"FromMalmo", "FromLund", "FromYstad", "FromSthlm"},
    }
    for who, towns in expected.items():
        client.force_login(people[who])
        for params in FORMATS:
            response = client.get(url("learners"), params)
            assert response.status_code == 200
            text = text_of(response)
            for town in ("FromMalmo", "FromLund", "FromYstad", "FromSthlm"):
                assert text.count(town) == (3 if town in towns else 0), (who, params, town)


def test_no_report_or_export_shows_a_name_outside_the_scope(client, people):
    client.force_login(people["malmo"])
    for name in REPORTS:
        for params in FORMATS:
            response = client.get(url(name), params)
            assert response.status_code == 200, (name, params)
            text = text_of(response)
            assert "FromLund" not in text and "FromSthlm" not in text, (name, params)
            # Other organisations are never listed by name, only inside totals.
            assert "Lund" not in text and "Stockholm" not in text, (name, params)


def test_bad_filters_are_refused_and_never_widen_the_scope(client, people):
    towns = people["towns"]
    client.force_login(people["malmo"])
    bad_filters = [
        {"organisation": towns["Lund"].pk},
        {"county": towns["Sthlm"].county_id},
        {"course": "00000000-0000-0000-0000-000000000000"},
        {"course": "not-a-course"},
        {"role": "astronaut"},
        {"date_from": "2026-13-01"},
        {"date_from": "2026-05-01", "date_to": "2026-04-01"},
        {"sort": "password"},
        {"page": "0"},
        {"page": "x"},
    ]
    for name in REPORTS:
        for params in bad_filters:
            page = client.get(url(name), params)
            assert page.status_code == 400, (name, params)
            text = page.content.decode()
            assert 'class="error-summary"' in text and "FromLund" not in text, (name, params)
            for export in ("csv", "xlsx"):
                response = client.get(url(name), {**params, "format": export})
                assert response.status_code == 400, (name, params, export)
                assert response.content.strip(), "a 400 says why"
                assert b"FromLund" not in response.content
        assert client.get(url(name), {"format": "pdf"}).status_code == 400
        assert client.get(url(name), {"format": "csv", "table": "secret"}).status_code == 400


def test_sorting_only_by_the_offered_columns(client, people):
    client.force_login(people["malmo"])
    assert client.get(url("learners"), {"sort": "-score"}).status_code == 200
    assert client.get(url("overview"), {"sort": "completion"}).status_code == 200
    # Aggregate tables grouped by county or role are not sortable at all.
    assert client.get(url("organisations"), {"sort": "enrolled"}).status_code == 400


def test_a_page_beyond_the_last_is_refused(client, people):
    client.force_login(people["malmo"])
    response = client.get(url("learners"), {"page": 2})
    assert response.status_code == 400
    assert "There is no page 2" in response.content.decode()


def test_a_manager_filtering_to_another_organisation_of_their_county_gets_it(client, people):
    client.force_login(people["county"])
    text = text_of(client.get(url("learners"), {"organisation": people["towns"]["Lund"].pk}))
    assert text.count("FromLund") == 3 and "FromMalmo" not in text
    text = text_of(client.get(url("learners"), {"county": people["skane"].pk}))
    assert text.count("FromYstad") == 3 and "FromSthlm" not in text


def test_the_swedish_addresses_work_too(client, people):
    client.force_login(people["malmo"])
    for name in REPORTS:
        assert client.get(url(name, "sv")).status_code == 200, name


def test_tables_and_charts_are_labelled_and_sortable_by_link(client, people):
    client.force_login(people["county"])
    page = client.get(url("overview"), {"sort": "completion"}).content.decode()
    assert '<caption id="caption-courses">Completion per course</caption>' in page
    assert re.search(
        r'<th scope="col" aria-sort="ascending" class="num"><a href="\?sort=-completion">', page
    )
    assert '<th scope="col" aria-sort="none"><a href="?sort=course">Course</a></th>' in page
    assert '<th scope="row">All courses</th>' in page
    assert '<figcaption id="chart-courses">' in page
    assert 'role="img" aria-labelledby="chart-courses"' in page
    assert "<script" not in page.split("<main", 1)[1]  # charts are drawn on the server


def test_the_learner_list_is_paginated(client, people, monkeypatch):
    from reports import views

    monkeypatch.setattr(views, "PAGE_SIZE", 4)
    client.force_login(people["county"])  # 9 learners in Skåne: pages of 4, 4 and 1
    seen = []
    for number in (1, 2, 3):
        page = client.get(url("learners"), {"page": number, "sort": "name"}).content.decode()
        assert '<nav class="pagination" aria-label="Pages of the learner list">' in page
        assert f"Page {number} of 3" in page
        seen += re.findall(r'<th scope="row">(From\w+ Nummer\d+)</th>', page)
    assert len(seen) == len(set(seen)) == 9
    assert seen == sorted(seen, key=lambda name: name.split()[1])
