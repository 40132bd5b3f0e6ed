"""Statements built from learning-event rows: pure apart from reading page titles, and
deterministic (the same event always gives the same statement id)."""

import uuid
from datetime import UTC, datetime

from django.utils import timezone
from wagtail.models import Page

from . import profile

# Namespace for statement ids: uuid5(namespace, "learning-event:<pk>").
STATEMENT_NAMESPACE = uuid.UUID("4f0d5b1e-6a43-5c53-9a4e-5b2f1d6c7e21")


def statement_id(event) -> str:
    return str(uuid.uuid5(STATEMENT_NAMESPACE, f"learning-event:{event.pk}"))


def _activity(page_key, names: dict, content_model: str) -> dict:
    type_iri, segment = profile.ACTIVITY_TYPES[content_model]
    definition = {"type": type_iri}
    if names:
        definition["name"] = names
    return {
        "objectType": "Activity",
        "id": profile.activity_id(segment, page_key),
        "definition": definition,
    }


def _names(translation_key) -> tuple[dict, str | None]:
    """Titles of the page in every language, and its page type (from any translation)."""
    names, model = {}, None
    for language, title, content_model in Page.objects.filter(
        translation_key=translation_key
    ).values_list("locale__language_code", "title", "content_type__model"):
        names[profile.LANGUAGE_TAGS.get(language, language)] = title
        model = content_model
    return names, model


def _timestamp(at: datetime) -> str:
    # UTC, and never in the future (a clock a little ahead must not date a statement ahead).
    return min(at, timezone.now()).astimezone(UTC).isoformat(timespec="milliseconds")


def _duration(seconds: int) -> str:
    return f"PT{int(seconds)}S"


def statement_for(event, *, learner_id) -> dict:
    """The xAPI statement of one learning event."""
    if event.kind == "question_answered":
        language = profile.LANGUAGE_TAGS.get(event.language, event.language)
        names, model = {language: event.details.get("question", "")}, "question"
    else:
        names, model = _names(event.object_key)
        model = model or _fallback_model(event.kind)
    verb_iri, english, swedish = profile.VERBS[event.kind]
    statement = {
        "id": statement_id(event),
        "actor": profile.actor(learner_id),
        "verb": {"id": verb_iri, "display": {"en-US": english, "sv-SE": swedish}},
        "object": _activity(event.object_key, names, model),
        "timestamp": _timestamp(event.occurred_at),
        "version": "1.0.0",
    }
    result = _result(event)
    if result:
        statement["result"] = result
    statement["context"] = _context(event, model)
    return statement


def _fallback_model(kind: str) -> str:
    if kind.startswith("quiz"):
        return "quizpage"
    if kind.startswith("lesson"):
        return "lessonpage"
    if kind.startswith("module"):
        return "modulepage"
    return "coursepage"


def _result(event) -> dict:
    details = event.details or {}
    if event.kind == "lesson_completed":
        return {"completion": True, "duration": _duration(details.get("duration_seconds", 0))}
    if event.kind in ("module_completed", "course_completed"):
        return {"completion": True}
    if event.kind == "certificate_issued":
        # Where anyone can check the certificate (the LRS gets no copy of the claim itself).
        url = details.get("verification_url", "")
        return {"completion": True, "extensions": {profile.extension_id("certificate"): url}}
    if event.kind == "question_answered":
        if not details.get("max_points"):
            return {"completion": True}  # an ungraded reflection
        score = {"raw": details.get("points", 0), "min": 0, "max": details["max_points"]}
        return {"success": bool(details.get("correct")), "score": score}
    if event.kind in ("quiz_passed", "quiz_failed"):
        maximum = details.get("max_score") or 0
        score = {"raw": details.get("score", 0), "min": 0, "max": maximum}
        if maximum:
            score["scaled"] = round(details.get("score", 0) / maximum, 4)
        return {"score": score, "success": event.kind == "quiz_passed", "completion": True}
    return {}


def _context(event, model: str) -> dict:
    enrolment = event.enrolment
    context = {
        "registration": str(enrolment.registration),
        "platform": profile.PLATFORM,
        "language": profile.LANGUAGE_TAGS.get(event.language, event.language),
    }
    if model == "question":
        quiz = _activity(event.details.get("quiz_key"), {}, "quizpage")
        course = profile.activity_id("course", enrolment.course_key)
        context["contextActivities"] = {
            "parent": [quiz],
            "grouping": [{"objectType": "Activity", "id": course}],
        }
    elif model != "coursepage":
        parents = []
        page = event.object_page
        if page is not None:
            for ancestor in page.get_ancestors().filter(depth__gte=4).specific(defer=True):
                segment_model = ancestor.content_type.model
                if segment_model in profile.ACTIVITY_TYPES:
                    parents.append(_activity(ancestor.translation_key, {}, segment_model))
        course = profile.activity_id("course", enrolment.course_key)
        grouping = [{"objectType": "Activity", "id": course}]
        if parents:
            context["contextActivities"] = {"parent": [parents[-1]], "grouping": grouping}
        else:
            context["contextActivities"] = {"grouping": grouping}
    return context
