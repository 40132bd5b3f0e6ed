"""The second demo course (issue 18), "Att spela upp färdigt innehåll" and its English
translation "Playing existing content": one module with a SCORM 2004 lesson, a SCORM 1.2
lesson and an H5P lesson playing the sample packages in ``demo/data/packages/`` (licences and
attribution in the README there).

Idempotent and in place like the policy course (``demo.course``): pages are matched on their
Swedish slug (the English ones on the translation key) and updated only when they differ; a
package already stored (the same file, by its SHA-256) is reused, never stored twice."""

from pathlib import Path

from django.db import transaction
from wagtail.models import Page

from courses.models import CourseCataloguePage, CoursePage, ModulePage

from .course import LANGUAGES, _pages_order, _pair_set

PACKAGES_DIR = Path(__file__).resolve().parent / "data" / "packages"
CREDIT = {
    "sv": "Exempelpaket av Rustici Software (scorm.com), licens CC BY 3.0.",
    "en": "Example package by Rustici Software (scorm.com), licensed CC BY 3.0.",
}
COURSE = {
    "sv": {
        "title": "Att spela upp färdigt innehåll",
        "slug": "att-spela-upp-fardigt-innehall",
        "summary": "En kort demokurs med innehåll i SCORM och H5P, som en producent lämnar "
        "över det: lektionerna räknas som plattformens egna.",
        "learning_objectives": "<ul><li>Gå igenom en SCORM-lektion och fortsätt där du "
        "slutade.</li><li>Svara på en H5P-fråga.</li></ul>",
        "intended_audience": "Författare och deltagare som vill se hur färdiga paket spelas.",
    },
    "en": {
        "title": "Playing existing content",
        "slug": "playing-existing-content",
        "summary": "A short demo course with SCORM and H5P content as a producer hands it "
        "over: its lessons count like the platform's own.",
        "learning_objectives": "<ul><li>Go through a SCORM lesson and resume where you left "
        "off.</li><li>Answer an H5P question.</li></ul>",
        "intended_audience": "Authors and learners who want to see packages played.",
    },
}
MODULE = {
    "sv": {"title": "Paket från andra verktyg", "slug": "paket-fran-andra-verktyg",
           "summary": "Tre lektioner: SCORM 2004, SCORM 1.2 och H5P."},
    "en": {"title": "Packages from other tools", "slug": "packages-from-other-tools",
           "summary": "Three lessons: SCORM 2004, SCORM 1.2 and H5P."},
}  # fmt: skip
# (file, lesson model, completed when, minutes, {language: (title, slug, summary)})
LESSONS = [
    (
        "RuntimeBasicCalls_SCORM20043rdEdition.zip",
        "PackageLessonPage",
        "passed",
        15,
        {
            "sv": ("Golf i SCORM 2004", "golf-i-scorm-2004",
                   "Ett paket på engelska med ett prov på slutet. " + CREDIT["sv"]),
            "en": ("Golf in SCORM 2004", "golf-in-scorm-2004",
                   "A package with a test at the end. " + CREDIT["en"]),
        },
    ),
    (
        "RuntimeMinimumCalls_SCORM12.zip",
        "PackageLessonPage",
        "either",
        15,
        {
            "sv": ("Golf i SCORM 1.2, i delar", "golf-i-scorm-12",
                   "Ett paket på engelska i arton delar. " + CREDIT["sv"]),
            "en": ("Golf in SCORM 1.2, in parts", "golf-in-scorm-12",
                   "A package in eighteen parts. " + CREDIT["en"]),
        },
    ),
    (
        "h5p-test.h5p",
        "H5PLessonPage",
        "either",
        2,
        {
            "sv": ("En fråga i H5P", "en-fraga-i-h5p",
                   "En sant-eller-falskt-fråga på engelska (H5P, licens MIT)."),
            "en": ("A question in H5P", "a-question-in-h5p",
                   "A true-or-false question (H5P, MIT licence)."),
        },
    ),
]  # fmt: skip


def _package(name: str):
    """The stored package of the sample ``name``: the one already stored, else stored now."""
    from packages import storage
    from packages.models import Package
    from packages.services import package_create

    with (PACKAGES_DIR / name).open("rb") as file:
        found = Package.objects.filter(sha256=storage.sha256_of(file)).order_by("pk").first()
        if found is not None:
            return found
        file.seek(0)
        return package_create(file, name=name)


@transaction.atomic
def demo_package_course_load() -> CoursePage:
    """Create the package demo course in Swedish and English, or bring it up to date in
    place; returns the Swedish course page."""
    from packages import models as package_models

    catalogues = {
        language: CourseCataloguePage.objects.get(locale__language_code=language)
        for language in LANGUAGES
    }
    courses = _pair_set(
        catalogues,
        CoursePage,
        {language: {**COURSE[language], "audiences": ["official"]} for language in LANGUAGES},
    )
    modules = _pair_set(courses, ModulePage, MODULE)
    lessons: dict[str, list[Page]] = {language: [] for language in LANGUAGES}
    for name, model_name, completion_by, minutes, texts in LESSONS:
        package = _package(name)
        pair = _pair_set(
            modules,
            getattr(package_models, model_name),
            {
                language: {
                    "title": texts[language][0],
                    "slug": texts[language][1],
                    "summary": texts[language][2],
                    "estimated_minutes": minutes,
                    "package": package,
                    "completion_by": completion_by,
                    # The samples are in English: their parts' titles are marked so.
                    "content_language": "en" if language != "en" else "",
                }
                for language in LANGUAGES
            },
        )
        for language in LANGUAGES:
            lessons[language].append(pair[language])
    for language in LANGUAGES:
        _pages_order(modules[language], lessons[language])
    return courses["sv"]
