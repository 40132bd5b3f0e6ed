"""Administrators enrol many learners from a CSV file, with a clear report per row."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from elearning.accounts import roles
from progress.models import Enrolment
from progress.services import enrolment_create
from tests.factories import course_tree

pytestmark = pytest.mark.django_db
URL = "/admin/progress/enrol/"


@pytest.fixture
def administrator(client, make_user):
    admin = make_user(email="admin@example.org")
    admin.groups.add(Group.objects.get(name=roles.ADMINISTRATORS))
    client.force_login(admin)
    return admin


def upload(text, name="deltagare.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_a_csv_enrols_the_known_addresses_and_reports_every_row(
    client, administrator, make_user, site
):
    course, _ = course_tree()
    anna = make_user(email="anna@kommun.se")
    make_user(email="bo@kommun.se")
    enrolment_create(user=make_user(email="cecilia@kommun.se"), course=course)
    csv = "\n".join(
        [
            "E-post",
            "Anna@Kommun.se",
            "bo@kommun.se",
            "cecilia@kommun.se",
            "okand@kommun.se",
            "inte-en-adress",
            "bo@kommun.se",
        ]
    )
    response = client.post(URL, {"course": course.pk, "addresses": upload(csv)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 anmälda, 1 redan anmälda, 3 rader med fel." in body
    for text in (
        "Inget konto har den här e-postadressen.",
        "Inte en giltig e-postadress.",
        "Adressen finns två gånger i filen.",
    ):
        assert text in body
    assert Enrolment.objects.count() == 3
    enrolment = Enrolment.objects.get(user=anna)
    assert enrolment.enrolled_by == administrator


def test_a_file_that_is_not_csv_changes_nothing(client, administrator, make_user, site):
    course, _ = course_tree()
    make_user(email="anna@kommun.se")
    response = client.post(
        URL, {"course": course.pk, "addresses": upload("anna@kommun.se", "lista.xlsx")}
    )
    assert response.status_code == 400
    assert "Ladda upp en .csv-fil." in response.content.decode()
    response = client.post(
        URL, {"course": course.pk, "addresses": SimpleUploadedFile("a.csv", b"\xff\xfe\x00bad")}
    )
    assert response.status_code == 400
    assert not Enrolment.objects.exists()


def test_only_administrators_enrol_in_bulk(client, make_user, site):
    author = make_user(email="author@example.org")
    author.groups.add(Group.objects.get(name=roles.AUTHORS))
    client.force_login(author)
    response = client.get(URL)
    assert response.status_code in (302, 403)
    assert response.status_code == 403 or response["Location"] == "/admin/"


def test_oversized_fields_are_errors_of_their_rows_only(client, administrator, make_user, site):
    """A field over the documented 254 characters, even one over the 131,072 the csv module
    refuses, is reported on its row; the rows around it are enrolled."""
    course, _ = course_tree()
    make_user(email="anna@kommun.se")
    make_user(email="bo@kommun.se")
    make_user(email="cecilia@kommun.se")
    csv = "\n".join(
        [
            "anna@kommun.se",
            "x" * 200_000 + "@kommun.se",
            "bo@kommun.se",
            '"' + "y" * 140_000 + '"',
            "cecilia@kommun.se," + "z" * 300,
            "a" * 250 + "@kommun.se",
        ]
    )
    response = client.post(URL, {"course": course.pk, "addresses": upload(csv)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "2 anmälda, 0 redan anmälda, 4 rader med fel." in body
    assert body.count("Ett fält på den här raden är längre än 254 tecken.") == 4
    assert "x" * 41 not in body  # the report does not echo the whole field
    assert set(Enrolment.objects.values_list("user__email", flat=True)) == {
        "anna@kommun.se",
        "bo@kommun.se",
    }
