"""The XLSX writer of the exports, read back with openpyxl as a spreadsheet user would."""

import io
import math
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from reports.xlsx import column_letters, xlsx_write


def written(headers, rows, title="Rapport"):
    out = io.BytesIO()
    xlsx_write(out, title=title, headers=headers, rows=rows)
    return load_workbook(io.BytesIO(out.getvalue()))


def test_values_keep_their_types_and_text_is_never_a_formula():
    headers = ["Namn", "Antal", "Andel", "Exakt", "Klar", "Datum", "Tid", "Tom"]
    rows = [
        ["=HYPERLINK(\"http://evil.example\",\"x\")", 3, 66.7, Decimal("12.5"), True,
         date(2026, 3, 1), datetime(2026, 3, 1, 14, 30), None],
        ["Åsa <Öberg> & \"Co\"\x07", -1, math.nan, Decimal("NaN"), False,
         date(1900, 3, 1), datetime(2030, 12, 31, 23, 59), ""],
    ]  # fmt: skip
    sheet = written(headers, rows).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert values[0] == headers
    assert values[1] == [
        '=HYPERLINK("http://evil.example","x")', 3, 66.7, 12.5, True,
        datetime(2026, 3, 1), datetime(2026, 3, 1, 14, 30), None,
    ]  # fmt: skip
    assert values[2] == [
        'Åsa <Öberg> & "Co"', -1, "nan", "NaN", False,
        datetime(1900, 3, 1), datetime(2030, 12, 31, 23, 59), None,
    ]  # fmt: skip
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert sheet["A2"].data_type == "s" and not any(c.data_type == "f" for c in cells)
    assert sheet["F2"].number_format == "yyyy-mm-dd"
    assert sheet["G2"].number_format == "yyyy-mm-dd hh:mm"
    assert all(cell.font.b for cell in sheet[1]) and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"


def test_many_columns_and_rows_and_an_awkward_title():
    headers = [f"K{i}" for i in range(30)]
    rows = ([n * 30 + i for i in range(30)] for n in range(2000))  # a generator, read once
    workbook = written(headers, rows, title="Slutförda: län/kommun [2026]? och mer text här")
    sheet = workbook.active
    assert sheet.title == "Slutförda- län-kommun -2026-- o"
    assert sheet.max_row == 2001 and sheet.max_column == 30
    assert sheet["AD2001"].value == 1999 * 30 + 29


def test_a_row_of_the_wrong_length_is_an_error_not_a_shifted_sheet():
    with pytest.raises(ValueError):
        written(["A", "B"], [[1, 2], [1, 2, 3]])


def test_column_letters():
    assert [column_letters(i) for i in (0, 25, 26, 51, 52, 701, 702)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "shown"),
    [(200 / 3, "66,7 %"), (99.96, "100,0 %"), (45.45, "45,5 %"), (12.34, "12,3 %"), (0, "0,0 %")],
)
def test_pages_round_figures_half_up_instead_of_cutting_digits(value, shown):
    from django.utils import translation

    from reports.tables import display

    with translation.override("sv"):
        assert display(value, "percent") == shown
