"""Statements built from learning-event rows: pure apart from reading page titles, and
deterministic (the same event always gives the same statement id)."""

import math
import uuid
from datetime import UTC, datetime

from django.utils import timezone
from wagtail.models import Page

from . import profile

# The namespace of the ids of events written before events kept their own random id:
# uuid5(namespace, "learning-event:<pk>"). Only those events still use it (their statements
# are in LRSs under these ids); it repeats across installations, so nothing new may.
LEGACY_STATEMENT_NAMESPACE = uuid.UUID("4f0d5b1e-6a43-5c53-9a4e-5b2f1d6c7e21")
# Certificate activity ids: uuid5(namespace, <statement id of the certificate_issued event>),
# so nothing in them leads to the verification code or the public page.
CERTIFICATE_NAMESPACE = uuid.UUID("ddf3a7a2-404a-474e-a19a-d895dc82bf26")


def statement_id(event) -> str:
    """The event's kept random id (unique per installation, the same on every re-send)."""
    if event.statement_id is not None:
        return str(event.statement_id)
    return str(uuid.uuid5(LEGACY_STATEMENT_NAMESPACE, f"learning-event:{event.pk}"))


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
        model = "question"
        activity = _interaction_activity(event)
    else:
        names, model = _names(event.object_key)
        model = model or _fallback_model(event.kind)
        if event.kind == "certificate_issued":
            activity, model = _certificate_activity(event, names), "certificate"
        else:
            activity = _activity(event.object_key, names, model)
    verb_iri, english, swedish = profile.VERBS[event.kind]
    statement = {
        "id": statement_id(event),
        "actor": profile.actor(learner_id),
        "verb": {"id": verb_iri, "display": {"en-US": english, "sv-SE": swedish}},
        "object": activity,
        "timestamp": _timestamp(event.occurred_at),
        "version": "1.0.0",
    }
    result = _result(event)
    if result:
        statement["result"] = result
    statement["context"] = _context(event, model)
    return statement


def _certificate_activity(event, course_names: dict) -> dict:
    """The certificate itself, under an id made from the statement id: neither its
    verification code nor its public address (whose page names the learner) is in it."""
    key = uuid.uuid5(CERTIFICATE_NAMESPACE, statement_id(event))
    prefix = {"sv-SE": "Intyg", "en-US": "Certificate"}
    names = {
        tag: f"{prefix.get(tag, 'Certificate')}: {title}" for tag, title in course_names.items()
    }
    return _activity(key, names, "certificate")


def _language_map(event, text: str) -> dict:
    return {profile.LANGUAGE_TAGS.get(event.language, event.language): text}


def _pattern(interaction: str, response) -> str | None:
    """One response in the format of xAPI 1.0.3 (2.4.4.1.3): ids joined with ``[,]``,
    a matched pair as ``source[.]target``; a true-false response is ``true`` or ``false``."""
    if not isinstance(response, list):
        return None
    if interaction == "matching":
        pairs = [pair for pair in response if isinstance(pair, list) and len(pair) == 2]
        return "[,]".join(f"{source}[.]{target}" for source, target in pairs) or None
    ids = [str(value) for value in response]
    if interaction == "true-false":
        return ids[0] if len(ids) == 1 and ids[0] in ("true", "false") else None
    return "[,]".join(ids) or None


def _kept_interaction(event) -> dict:
    """What progress.services kept of the question for its statement ({} for older events)."""
    kept = (event.details or {}).get("interaction")
    return kept if isinstance(kept, dict) else {}


def _interaction_activity(event) -> dict:
    """The question as a cmi.interaction: interactionType, its component lists and the
    correct responses, from the stable ids the event kept (see progress.services)."""
    details = event.details or {}
    kept = _kept_interaction(event)
    type_iri, segment = profile.ACTIVITY_TYPES["question"]
    interaction = profile.INTERACTION_TYPES.get(kept.get("question_type"), "other")
    definition = {
        "type": type_iri,
        "name": _language_map(event, details.get("question", "")),
        "interactionType": interaction,
    }
    lists = profile.INTERACTION_COMPONENTS[interaction]
    stored = {"choices": "choices", "source": "prompts", "target": "matches"}
    for name in lists:
        components = [
            {"id": str(entry["id"]), "description": _language_map(event, entry.get("text", ""))}
            for entry in kept.get(stored[name], [])
        ]
        if components:
            definition[name] = components
    patterns = [_pattern(interaction, r) for r in kept.get("correct_responses", [])]
    patterns = [pattern for pattern in patterns if pattern is not None]
    if patterns and interaction != "long-fill-in":
        definition["correctResponsesPattern"] = patterns
    return {
        "objectType": "Activity",
        "id": profile.activity_id(segment, event.object_key),
        "definition": definition,
    }


def _score(raw, maximum) -> dict | None:
    """A score as xAPI requires it (min < max, min <= raw <= max, scaled in [-1, 1]), or None
    when there is nothing to score (a reflection, a quiz of reflections only)."""
    numbers = (raw, maximum)
    if any(isinstance(n, bool) or not isinstance(n, int | float) for n in numbers):
        return None
    if not all(math.isfinite(n) for n in numbers) or maximum <= 0:
        return None
    raw = min(max(raw, 0), maximum)
    return {"raw": raw, "min": 0, "max": maximum, "scaled": round(raw / maximum, 4)}


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
    if event.kind in ("module_completed", "course_completed", "certificate_issued"):
        return {"completion": True}
    if event.kind == "question_answered":
        kept = _kept_interaction(event)
        interaction = profile.INTERACTION_TYPES.get(kept.get("question_type"), "other")
        if interaction == "long-fill-in" or (
            interaction == "other" and not details.get("max_points")
        ):
            return {"completion": True}  # an ungraded reflection: what was typed stays here
        result = {"success": bool(details.get("correct"))}
        score = _score(details.get("points", 0), details.get("max_points"))
        if score:
            result["score"] = score
        response = _pattern(interaction, kept.get("response"))
        if response is not None:
            result["response"] = response
        return result
    if event.kind in ("lesson_passed", "lesson_failed"):  # issue 18: a package's own status
        result = {"success": event.kind == "lesson_passed"}
        if details.get("completion") is True:
            result["completion"] = True
        scaled = details.get("score_scaled")
        if isinstance(scaled, int | float) and not isinstance(scaled, bool) and -1 <= scaled <= 1:
            result["score"] = {"scaled": round(scaled, 4)}
        return result
    if event.kind in ("quiz_passed", "quiz_failed"):
        result = {"success": event.kind == "quiz_passed", "completion": True}
        score = _score(details.get("score", 0), details.get("max_score"))
        if score:
            result["score"] = score
        return result
    return {}


def _context(event, model: str) -> dict:
    enrolment = event.enrolment
    context = {
        "registration": str(enrolment.registration),
        "platform": profile.PLATFORM,
        "language": profile.LANGUAGE_TAGS.get(event.language, event.language),
    }
    if model == "certificate":
        # The course the certificate is for (its object is the certificate itself).
        context["contextActivities"] = {
            "parent": [_activity(enrolment.course_key, {}, "coursepage")]
        }
    elif model == "question":
        # The quiz, or (issue 18) the package lesson the interaction belongs to.
        parent_type = event.details.get("parent_type", "quizpage")
        quiz = _activity(event.details.get("quiz_key"), {}, parent_type)
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
