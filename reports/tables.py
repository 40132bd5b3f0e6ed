"""A report table as data: the same rows feed the HTML page and the CSV and XLSX exports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

# Shown instead of a figure that would tell something about fewer than 5 learners outside
# the manager's organisations (pages and exports alike).
SUPPRESSED = _("not shown")


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text, int, percent, decimal, date, month, datetime
    sort: str = ""  # the sort key of a sortable column

    @property
    def numeric(self) -> bool:
        return self.kind in {"int", "percent", "decimal"}


@dataclass
class Row:
    values: list
    # Leading cells that name the row (shown even when the figures are suppressed).
    labels: int = 1
    suppressed: bool = False
    css: str = ""
    # Keys of the columns whose figures are not shown (the rest of the row is).
    hidden: frozenset[str] = frozenset()


@dataclass
class Table:
    id: str
    caption: str
    columns: list[Column]
    rows: Iterable[Row] = field(default_factory=list)
    sort: str = ""  # the current sort, "-key" for descending
    query: str = ""  # the current filters, urlencoded, for sort and export links
    note: str = ""  # a sentence under the caption (e.g. what suppression means here)

    def export_rows(self) -> Iterable[list]:
        """Raw values (numbers stay numbers, date-times local and naive); a suppressed row
        says so in each figure cell, a hidden figure in its own cell."""
        zone = timezone.get_current_timezone()  # once, not per cell: it is a context lookup
        suppressed = str(SUPPRESSED)
        for row in self.rows:
            if row.suppressed:
                yield row.values[: row.labels] + [suppressed] * (len(self.columns) - row.labels)
            elif row.hidden:
                yield [
                    suppressed if column.key in row.hidden else _export_value(value, zone)
                    for value, column in zip(row.values, self.columns, strict=True)
                ]
            else:
                yield [_export_value(value, zone) for value in row.values]

    def headers(self) -> list[str]:
        return [str(column.label) for column in self.columns]

    def display_rows(self):
        """(row, cells) with each cell as (text, column, span); for the template. A span
        above 1 is the suppressed rest of a row, 0 one hidden figure."""
        for row in self.rows:
            cells = []
            for index, column in enumerate(self.columns):
                if row.suppressed and index >= row.labels:
                    if index == row.labels:
                        cells.append((str(SUPPRESSED), column, len(self.columns) - index))
                    continue
                if column.key in row.hidden:
                    cells.append((str(SUPPRESSED), column, 0))
                    continue
                cells.append((display(row.values[index], column.kind), column, 1))
            yield row, cells

    def body_html(self) -> SafeString:
        """The table's body rows as HTML, for the template: what ``includes/table.html``
        rendered cell by cell (a national organisation table of 360 rows took 0.2 s through
        the template engine). Every text is escaped."""
        rows = []
        for row, cells in self.display_rows():
            css = f' class="report-table__{conditional_escape(row.css)}"' if row.css else ""
            parts = [f"<tr{css}>"]
            for number, (text, column, span) in enumerate(cells, start=1):
                text = conditional_escape(text)
                if number == row.labels:
                    parts.append(f'<th scope="row">{text}</th>')
                elif span > 1:
                    parts.append(f'<td colspan="{span}" class="suppressed">{text}</td>')
                elif span == 0:
                    parts.append(f'<td class="suppressed">{text}</td>')
                else:
                    numeric = ' class="num"' if column.numeric else ""
                    parts.append(f"<td{numeric}>{text}</td>")
            parts.append("</tr>")
            rows.append("".join(parts))
        return mark_safe("\n".join(rows))  # noqa: S308 - every text escaped above

    def link(self, **params) -> str:
        """This report's address with the current filters and ``params``."""
        extra = "&".join(f"{key}={value}" for key, value in params.items())
        return "?" + "&".join(part for part in (self.query, extra) if part)

    @property
    def csv_url(self) -> str:
        return self.link(format="csv", table=self.id)

    @property
    def xlsx_url(self) -> str:
        return self.link(format="xlsx", table=self.id)

    def header_cells(self):
        """(column, aria-sort value, the link that sorts by the column, or "")."""
        current = self.sort.lstrip("-")
        descending = self.sort.startswith("-")
        for column in self.columns:
            if not column.sort:
                yield column, "", ""
            elif column.sort == current:
                yield (
                    column,
                    "descending" if descending else "ascending",
                    self.link(sort=column.sort if descending else f"-{column.sort}"),
                )
            else:
                yield column, "none", self.link(sort=column.sort)


def _export_value(value, zone):
    kind = type(value)
    if kind is float:
        return round(value, 1)
    if kind is datetime:
        return value.astimezone(zone).replace(tzinfo=None, microsecond=0)
    return value


def _one_decimal(value) -> Decimal:
    """``value`` rounded half up to one decimal. Django's number_format cuts the digits off
    instead (2 of 3 completed would read 66,6 %, 99.96 % would read 99,9 %)."""
    number = Decimal(str(value))
    return number.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) if number.is_finite() else number


def display(value, kind: str) -> str:
    if value is None or value == "":
        return "–"
    if kind == "percent":
        return f"{formats.number_format(_one_decimal(value), 1)} %"
    if kind == "decimal":
        return formats.number_format(_one_decimal(value), 1)
    if kind == "int":
        return formats.number_format(value, 0, force_grouping=True)
    if kind == "datetime" and isinstance(value, datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATE_FORMAT")
    if kind == "month" and isinstance(value, date):
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    if kind == "date" and isinstance(value, date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)
