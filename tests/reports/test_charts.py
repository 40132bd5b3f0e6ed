"""Issue 14: report charts readable on a phone: whole labels as HTML text (the SVG drawing
cut them at 28 characters and scaled them to about 5 px at 320 px), two series told apart by
more than colour (stripes and each bar named with its series and figure)."""

import re

from django.utils import translation

from reports.charts import Series, bar_chart

LONG = "Folkhälsopolitik för kommuner och regioner – fördjupning för förtroendevalda"


def test_labels_are_whole_html_text_and_each_bar_says_its_series_and_figure():
    with translation.override("sv"):
        html = bar_chart(
            caption_id="chart-months",
            labels=[LONG, "Kort"],
            series=[Series("Anmälningar", [12, 3]), Series("Slutförda", [5, None])],
        )
    assert html.startswith('<div class="chart" role="img" aria-labelledby="chart-months">')
    assert f'<div class="chart__label">{LONG}</div>' in html  # whole, not cut
    assert "<text" not in html  # no text drawn in SVG, where it scales with the drawing
    values = re.findall(r'<span class="chart__value">([^<]*)</span>', html)
    assert values == ["Anmälningar: 12", "Slutförda: 5", "Anmälningar: 3", "Slutförda: –"]
    # The second series is striped (a pattern), the first solid: not told apart by hue alone.
    assert html.count("<pattern") == 2 and 'fill="url(#chart-months-p0-1)"' in html
    assert re.search(r'<rect x="0" y="0" width="100.0" height="10" fill="#0f4c5c">', html)
    assert re.search(r'width="41.7" height="10" fill="url', html)  # 5 of the top 12


def test_one_series_needs_no_name_on_its_bars():
    with translation.override("sv"):  # the figure in Swedish form, whatever ran before
        html = bar_chart(
            caption_id="c",
            labels=["A"],
            series=[Series("Andel", [50.0])],
            kind="percent",
            maximum=100,
        )
    assert re.findall(r'<span class="chart__value">([^<]*)</span>', html) == ["50,0 %"]
    assert "<pattern" not in html and 'width="50.0"' in html
