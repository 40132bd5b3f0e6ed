"""Bar charts as inline SVG, drawn on the server: no JavaScript and nothing from a CDN.

A chart is a picture of a table printed beside it; the SVG is ``role="img"`` labelled by
the figure's caption, so screen readers announce it once and read the table instead.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .tables import display

# Brand teal and a dark orange: both at least 4.5:1 against white, and told apart by more
# than hue (the legend and the table name every bar).
SERIES_COLOURS = ("#0f4c5c", "#a14f00")
LABEL_WIDTH = 190
BAR_AREA = 420
VALUE_WIDTH = 80
BAR_HEIGHT = 16
GAP = 10


@dataclass
class Series:
    name: str
    values: list[float | int | None]


def _shorten(text: str, length: int = 28) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def bar_chart(
    *, caption_id: str, labels: list[str], series: list[Series], kind: str = "int", maximum=None
) -> SafeString:
    """Horizontal bars, one group per label and one bar per series."""
    values = [v for s in series for v in s.values if v is not None]
    top = maximum or max(values, default=0) or 1
    group_height = len(series) * BAR_HEIGHT + GAP
    height = max(len(labels) * group_height + GAP, 2 * GAP)
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    parts = []
    for index, label in enumerate(labels):
        y = GAP + index * group_height
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end" class="chart__label">{}</text>',
                LABEL_WIDTH - 8,
                y + len(series) * BAR_HEIGHT / 2 + 5,
                _shorten(label),
            )
        )
        for number, one in enumerate(series):
            value = one.values[index]
            bar_y = y + number * BAR_HEIGHT
            bar_width = round(BAR_AREA * (value or 0) / top, 1)
            parts.append(
                format_html(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                    '<text x="{}" y="{}" class="chart__value">{}</text>',
                    LABEL_WIDTH,
                    bar_y + 1,
                    bar_width,
                    BAR_HEIGHT - 2,
                    SERIES_COLOURS[number % len(SERIES_COLOURS)],
                    LABEL_WIDTH + bar_width + 6,
                    bar_y + BAR_HEIGHT - 4,
                    display(value, kind),
                )
            )
    body = SafeString("".join(parts))
    return format_html(
        '<svg class="chart" role="img" aria-labelledby="{}" viewBox="0 0 {} {}" '
        'preserveAspectRatio="xMinYMin meet" focusable="false">'
        '<line x1="{}" y1="0" x2="{}" y2="{}" class="chart__axis"></line>{}</svg>',
        caption_id,
        width,
        height,
        LABEL_WIDTH,
        LABEL_WIDTH,
        height,
        body,
    )


def legend(series: list[Series]) -> SafeString:
    """The series names beside their colours (an HTML list under the chart)."""
    return format_html(
        '<ul class="chart-legend">{}</ul>',
        format_html_join(
            "",
            '<li><span class="chart-legend__swatch chart-legend__swatch--{}" aria-hidden="true">'
            "</span>{}</li>",
            ((index % len(SERIES_COLOURS) + 1, one.name) for index, one in enumerate(series)),
        ),
    )
