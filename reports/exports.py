"""CSV and XLSX downloads of a report table, streamed, and safe to open in a spreadsheet.

CSV: UTF-8 with a byte-order mark (so Excel reads å, ä, ö right), ``;`` between fields
(what Excel expects with Swedish regional settings, where the comma is the decimal sign),
written row by row through a ``StreamingHttpResponse``. XLSX: written a row at a time by
``xlsx.xlsx_chunks`` and streamed the same way as it is written (no length, no temporary
file): both start before the last row is read, in constant memory.

Formula injection: a text cell starting with = + - @ tab or carriage return would be run as a
formula by a spreadsheet. In CSV such text gets a leading apostrophe; in XLSX all text is an
inline string cell (never a formula). Numbers and dates stay numbers and dates.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date, datetime

from django.http import StreamingHttpResponse

from .tables import Table
from .xlsx import xlsx_chunks

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITER = ";"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def csv_safe(value):
    """A value as it goes into a CSV cell: risky text prefixed with an apostrophe."""
    kind = type(value)  # exact types first: this runs for every cell of a national export
    if kind is str:
        return "'" + value if value.startswith(FORMULA_STARTS) else value
    if kind is int or kind is float:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _Echo:
    """A file-like object whose write returns what was written (for csv.writer)."""

    def write(self, value):
        return value


def _csv_lines(table: Table, rows_per_chunk: int = 500) -> Iterable[str]:
    """The CSV text: the header at once, then chunks of rows (a chunk per row made the
    response's per-chunk work cost as much as the rows)."""
    writer = csv.writer(_Echo(), delimiter=CSV_DELIMITER)
    yield "\ufeff" + writer.writerow(table.headers())  # before the first row is read
    chunk = []
    for row in table.export_rows():
        chunk.append(writer.writerow([csv_safe(value) for value in row]))
        if len(chunk) >= rows_per_chunk:
            yield "".join(chunk)
            chunk = []
    yield "".join(chunk)


def csv_response(table: Table, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(_csv_lines(table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(table: Table, filename: str) -> StreamingHttpResponse:
    chunks = xlsx_chunks(
        title=str(table.caption), headers=table.headers(), rows=table.export_rows()
    )
    response = StreamingHttpResponse(chunks, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
