"""The learner list's exports at a few thousand rows: complete, well-formed, and streamed
(their first bytes are sent before the rows are read)."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from elearning.organisations.models import Organisation

pytestmark = pytest.mark.django_db


def url(name):
    with translation.override("en"):
        return reverse(f"reports:{name}")


@pytest.fixture
def thousands(db, site, client):
    """2,500 learners in Malmö and 500 in Stockholm, and a national manager signed in."""
    from tests.reports.builders import Builder, fast_course
    from tests.reports.conftest import managers_make

    build = Builder(fast_course(slug="stor"))
    build.learners(Organisation.objects.get(kind="municipality", code="1280"), 2500, started=2000,
                   completed=1200, passed=900, failed=200, certified=300)  # fmt: skip
    build.learners(Organisation.objects.get(kind="municipality", code="0180"), 500, completed=50)
    client.force_login(managers_make(national=True, email="n@example.org"))
    return client


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_learner_list_streams_every_row_and_starts_before_reading_them(
    thousands, monkeypatch, fmt
):
    from reports import views

    read = []
    streamed = views._streamed

    def counting(qs, row):
        for values in streamed(qs, row):
            read.append(1)
            yield values

    monkeypatch.setattr(views, "_streamed", counting)
    response = thousands.get(url("learners"), {"format": fmt})
    assert isinstance(response, StreamingHttpResponse)
    chunks = iter(response.streaming_content)
    first = next(chunks)
    # The first bytes are out before any learner row was read from the database.
    assert first and len(read) == 0
    data = first + b"".join(chunks)
    assert len(read) == 3000
    if fmt == "csv":
        rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    else:
        rows = [list(r) for r in load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    assert header[:2] == ["Name", "Organisation"] and len(body) == 3000
    assert sum(row[1] == "Malmö" for row in body) == 2500
    assert sum(row[4] == "Course completed" for row in body) == 1250
    names = [row[0] for row in body]
    assert names == sorted(names, key=lambda n: n.split()[-1])  # by last name, all there
