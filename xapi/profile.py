"""The platform's xAPI profile: which verb and activity type each learning event becomes, and
how activity ids are formed. Documented in docs/xapi.md; change both together."""

from django.conf import settings

ADL = "http://adlnet.gov/expapi"

# Learning event kind → (verb IRI, English display, Swedish display).
VERBS = {
    "enrolled": (f"{ADL}/verbs/registered", "registered", "registrerade sig"),
    "left": ("http://id.tincanapi.com/verb/unregistered", "unregistered", "avregistrerade sig"),
    "lesson_started": (f"{ADL}/verbs/experienced", "experienced", "upplevde"),
    "lesson_completed": (f"{ADL}/verbs/completed", "completed", "slutförde"),
    "module_completed": (f"{ADL}/verbs/completed", "completed", "slutförde"),
    "question_answered": (f"{ADL}/verbs/answered", "answered", "besvarade"),
    "quiz_passed": (f"{ADL}/verbs/passed", "passed", "klarade"),
    "quiz_failed": (f"{ADL}/verbs/failed", "failed", "klarade inte"),
    # Issue 18: a package lesson's own success status (SCORM, H5P).
    "lesson_passed": (f"{ADL}/verbs/passed", "passed", "klarade"),
    "lesson_failed": (f"{ADL}/verbs/failed", "failed", "klarade inte"),
    "course_completed": (f"{ADL}/verbs/completed", "completed", "slutförde"),
    "certificate_issued": ("http://id.tincanapi.com/verb/earned", "earned", "erhöll"),
}

# Page type → (activity type IRI, path segment of the activity id).
ACTIVITY_TYPES = {
    "coursepage": (f"{ADL}/activities/course", "course"),
    "modulepage": (f"{ADL}/activities/module", "module"),
    "lessonpage": (f"{ADL}/activities/lesson", "lesson"),
    # Issue 18: package lessons are lessons (the cmi5 assignable unit is one too).
    "packagelessonpage": (f"{ADL}/activities/lesson", "lesson"),
    "h5plessonpage": (f"{ADL}/activities/lesson", "lesson"),
    "quizpage": (f"{ADL}/activities/assessment", "assessment"),
    "question": (f"{ADL}/activities/cmi.interaction", "question"),
    "certificate": ("http://id.tincanapi.com/activitytype/certificate", "certificate"),
}

# Question type (quizzes.grading) → cmi.interaction interactionType (xAPI 1.0.3, 2.4.4.1.2).
INTERACTION_TYPES = {
    "single": "choice",
    "multiple": "choice",
    "true_false": "true-false",
    "ordering": "sequencing",
    "matching": "matching",
    "reflection": "long-fill-in",  # free text: the statement never carries what was typed
}
# Which component lists each interactionType has (the spec allows no others).
INTERACTION_COMPONENTS = {
    "choice": ("choices",),
    "sequencing": ("choices",),
    "matching": ("source", "target"),
    "true-false": (),
    "long-fill-in": (),
    "other": (),
}

LANGUAGE_TAGS = {"sv": "sv-SE", "en": "en-US"}
PLATFORM = "Folkhälsoakademin"


def extension_id(name: str) -> str:
    return f"{settings.SITE_URL}/xapi/extensions/{name}"


def activity_id(segment: str, translation_key) -> str:
    """Stable across languages and page moves: the page's translation_key under the site."""
    return f"{settings.SITE_URL}/xapi/activities/{segment}/{translation_key}"


def actor(learner_id) -> dict:
    """An opaque account: never an e-mail address or a name."""
    return {
        "objectType": "Agent",
        "account": {"homePage": settings.SITE_URL, "name": str(learner_id)},
    }
