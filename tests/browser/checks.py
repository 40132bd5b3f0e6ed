"""Checks beyond axe (issue 14): reflow at 320 CSS px, language of parts, and the Nu HTML
Checker (vnu) over saved pages in one run.

``reflow_problems`` fails a page whose document scrolls sideways or that has an element wider
than the viewport (or reaching past it), except inside a labelled, focusable scroll region
(``role="region"`` with a name and ``tabindex="0"``: data tables scroll there, WCAG 1.4.10
allows it). ``language_problems`` checks that given texts sit inside an element whose
nearest ``lang`` is the expected one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.conftest import ROOT, service_missing

VNU_VERSION = "26.9.27"
VNU_DIR = ROOT / "var" / "vnu"
VNU_JAR = VNU_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
HTML_DIR = ROOT / "var" / "html-checks"
SCREENSHOTS = ROOT / "var" / "screenshots"

REFLOW_JS = """() => {
    const width = document.documentElement.clientWidth;
    const problems = [];
    const scroll = document.scrollingElement.scrollWidth;
    if (scroll > width) problems.push(`the page is ${scroll} px wide`);
    const region = '[role=region][tabindex="0"][aria-labelledby],'
        + ' [role=region][tabindex="0"][aria-label]';
    for (const element of document.body.querySelectorAll("*")) {
        const box = element.getBoundingClientRect();
        if (box.width <= 1 && box.height <= 1) continue;  // visually hidden (clipped) text
        const style = getComputedStyle(element);
        if (style.display === "none" || style.visibility === "hidden") continue;
        if (element.parentElement && element.parentElement.closest(region)) continue;
        if (element.closest(".skip-link")) continue;  // shown on screen once focused
        if (box.width > width + 0.5 || box.right > width + 0.5 || box.left < -0.5) {
            const name = element.tagName.toLowerCase() + (element.id ? "#" + element.id : "")
                + (element.className && typeof element.className === "string"
                    ? "." + element.className.trim().split(/\\s+/).join(".") : "");
            problems.push(`${name} spans ${Math.round(box.left)}..${Math.round(box.right)} px`);
        }
    }
    return problems.slice(0, 10);
}"""

LANGUAGE_JS = """(expected) => {
    const problems = [];
    for (const [text, language] of expected) {
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        let found = 0;
        while (walker.nextNode()) {
            const node = walker.currentNode;
            if (!node.textContent.includes(text)) continue;
            found += 1;
            const owner = node.parentElement.closest("[lang]");
            const got = owner ? owner.getAttribute("lang") : "";
            if (got !== language) problems.push(`"${text}" is in lang="${got}", not "${language}"`);
        }
        if (!found) problems.push(`"${text}" is not on the page`);
    }
    return problems;
}"""


def reflow_problems(page) -> list[str]:
    return page.evaluate(REFLOW_JS)


def language_problems(page, expected: dict[str, str]) -> list[str]:
    return page.evaluate(LANGUAGE_JS, list(expected.items()))


def vnu_command() -> list[str]:
    """``java -jar vnu.jar``, installing the npm package under var/vnu/ the first time."""
    java = shutil.which("java")
    if java is None:
        service_missing(
            "Java is missing for the Nu HTML Checker (apt-get install default-jre-headless)"
        )
    if not VNU_JAR.exists():
        npm = shutil.which("npm")
        if npm is None:
            service_missing("npm is missing to install vnu-jar (apt-get install npm)")
        VNU_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(VNU_DIR), "--no-save", "--no-package-lock",
             "--no-audit", "--no-fund", f"vnu-jar@{VNU_VERSION}"],
            check=True, capture_output=True, timeout=600,
        )  # fmt: skip
    # One short run: the quick compiler and the serial collector start faster (measured
    # here: 8 s instead of 23 s for 52 pages on a loaded machine).
    return [java, "-Xss2m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(VNU_JAR)]


def vnu_errors(files: list[Path]) -> list[str]:
    """Every error the Nu HTML Checker finds in ``files`` (one run for all)."""
    result = subprocess.run(
        [*vnu_command(), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine', '?')}: {m.get('message')}"
        f" [{m.get('extract', '').strip()[:120]}]"
        for m in messages
        if m.get("type") == "error" or m.get("subType") == "fatal"
    ]


# The public pages, in both languages, that every browser check visits (axe in
# test_accessibility.py; reflow, language of parts and the Nu HTML Checker in
# test_page_checks.py); each file adds its own pages to these.
PUBLIC_PAGES = [
    "/sv/",
    "/en/",
    "/sv/kurser/",
    "/en/courses/",
    "/sv/konto/logga-in/",
    "/en/account/sign-in/",
    "/sv/konto/registrera/",
    "/en/account/register/",
    "/sv/konto/losenord/aterstall/",
    "/en/account/password/reset/",
    # Issue 14: the accessibility statement, the privacy notice and the feedback form.
    "/sv/tillganglighetsredogorelse/",
    "/en/accessibility-statement/",
    "/sv/personuppgifter/",
    "/en/personal-data/",
    "/sv/tillganglighet/synpunkter/",
    "/en/accessibility/feedback/",
    "/sv/finns-inte/",
]
