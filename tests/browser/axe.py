"""Accessibility in the browser: axe-core in the page (zero WCAG 2.1 A/AA violations,
reported readably when there are some) and moving by keyboard alone."""

from pathlib import Path

import axe_playwright_python

AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page) -> None:
    # Evaluated through the debugging protocol, not added as a <script>: the site's
    # Content-Security-Policy allows no script at all, and must not be loosened for a test.
    page.evaluate(f"() => {{ {AXE_SOURCE}\n }}")
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        WCAG_TAGS,
    )
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
    ]
    assert not problems, f"axe-core found on {page.url}:\n" + "\n".join(problems)
    assert result["passes"], "axe-core ran no rule at all"


def tab_to(page, locator, limit=80):
    """Press Tab until ``locator`` has the focus: the keyboard is the only input."""
    for _ in range(limit):
        if locator.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {locator} by Tab")
