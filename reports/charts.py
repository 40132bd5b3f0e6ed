"""Bar charts drawn on the server: no JavaScript and nothing from a CDN.

A chart is a picture of a table printed beside it; the chart is ``role="img"`` labelled by
the figure's caption, so screen readers announce it once and read the table instead.

Readable on a phone (issue 14): the labels and figures are HTML text at the page's size,
each label whole on its own line above its bars (an SVG drawing scaled down to 320 px had
labels cut at 28 characters and about 5 px high). Only the bars are SVG (the site's policy
allows no inline style, so a bar's length is a rectangle in a track of 0..100 units). Two
series are told apart by more than colour: the second is striped, and every bar is labelled
with its series' name and figure.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from .tables import display

# Brand teal and a dark orange: both at least 4.5:1 against white, and told apart by more
# than hue (stripes, the direct labels, the legend and the table).
SERIES_COLOURS = ("#0f4c5c", "#a14f00")


@dataclass
class Series:
    name: str
    values: list[float | int | None]


def _bar(*, pattern_id: str, number: int, share: float) -> SafeString:
    colour = SERIES_COLOURS[number % len(SERIES_COLOURS)]
    if number % 2 == 0:
        return format_html(
            '<rect x="0" y="0" width="{}" height="10" fill="{}"></rect>', share, colour
        )
    # Stripes: the second series is striped, the first solid.
    return format_html(
        '<defs><pattern id="{}" width="3" height="10" patternUnits="userSpaceOnUse">'
        '<rect x="0" y="0" width="3" height="10" fill="#ffffff"></rect>'
        '<rect x="0" y="0" width="1.6" height="10" fill="{}"></rect></pattern></defs>'
        '<rect x="0" y="0" width="{}" height="10" fill="url(#{})" stroke="{}" '
        'stroke-width="1" vector-effect="non-scaling-stroke"></rect>',
        pattern_id,
        colour,
        share,
        pattern_id,
        colour,
    )


def bar_chart(
    *, caption_id: str, labels: list[str], series: list[Series], kind: str = "int", maximum=None
) -> SafeString:
    """Horizontal bars, one group per label (the label above) and one bar per series."""
    values = [v for s in series for v in s.values if v is not None]
    top = maximum or max(values, default=0) or 1
    named = len(series) > 1
    groups = []
    for index, label in enumerate(labels):
        bars = []
        for number, one in enumerate(series):
            value = one.values[index]
            share = round(min(100.0, 100 * (value or 0) / top), 1)
            bars.append(
                format_html(
                    '<div class="chart__bar chart__bar--{}">'
                    '<svg class="chart__track" viewBox="0 0 100 10" preserveAspectRatio="none" '
                    'focusable="false" aria-hidden="true">{}</svg>'
                    '<span class="chart__value">{}{}</span></div>',
                    number % len(SERIES_COLOURS) + 1,
                    _bar(pattern_id=f"{caption_id}-p{index}-{number}", number=number, share=share),
                    format_html("{}: ", one.name) if named else "",
                    display(value, kind),
                )
            )
        groups.append(
            format_html(
                '<div class="chart__group"><div class="chart__label">{}</div>{}</div>',
                label,
                SafeString("".join(bars)),
            )
        )
    return format_html(
        '<div class="chart" role="img" aria-labelledby="{}">{}</div>',
        caption_id,
        SafeString("".join(groups)),
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
