"""Writes of the packages app: storing an uploaded package, and the learner's run-time data
with what it leads to in progress (time, interactions, passed/failed, lesson completion)."""

from __future__ import annotations

import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from progress.events import event_record, events_record
from progress.models import LearningEvent
from progress.services import (
    ProgressError,
    course_of,
    enrolment_locked,
    lesson_complete,
    lesson_view,
)

from . import cmi, storage
from .inspection import PackageRefused, package_inspect
from .models import CompletionBy, Package, PackageRecord, interaction_key


def package_create(file, *, name: str = "", user=None, kinds=None) -> Package:
    """Inspect the uploaded file and store it; ``PackageRefused`` (and nothing stored) when it
    is not a usable package, or not of one of ``kinds``."""
    inspected = package_inspect(file)
    if kinds is not None and inspected.kind not in kinds:
        if inspected.kind == Package.Kind.H5P:
            raise PackageRefused(_("This is an H5P file: add it as an H5P lesson."))
        raise PackageRefused(_("This is a SCORM package: add it as a SCORM lesson."))
    sha256 = storage.sha256_of(file)
    folder = storage.extract(file, sha256, inspected.names)
    return Package.objects.create(
        kind=inspected.kind,
        title=inspected.title,
        sha256=sha256,
        folder=folder,
        manifest=inspected.manifest,
        file_count=len(inspected.names),
        size_bytes=inspected.size_bytes,
        original_name=name[:255],
        uploaded_by=user if user is not None and user.is_authenticated else None,
    )


def record_of(enrolment, lesson) -> PackageRecord | None:
    return PackageRecord.objects.filter(
        enrolment=enrolment, lesson_key=lesson.translation_key
    ).first()


@transaction.atomic
def session_start(*, user, lesson) -> PackageRecord:
    """The learner opened the package (a launch): the record, created on the first."""
    enrolment = enrolment_locked(user=user, course=course_of(lesson))
    record, _created = PackageRecord.objects.select_for_update().get_or_create(
        enrolment=enrolment, lesson_key=lesson.translation_key, defaults={"lesson": lesson}
    )
    record.sessions += 1
    record.save(update_fields=["sessions", "updated_at"])
    return record


def _lesson_state(
    package: Package, record: PackageRecord
) -> tuple[bool, bool, bool | None, float | None]:
    """(every part completed, every part passed, overall success, mean score)."""
    version = package.kind
    completed, passed, successes, scores = True, True, [], []
    for sco in package.scos:
        values = record.cmi.get(sco["identifier"], {})
        if version == "h5p":
            part = (values.get("completed") == "true", _h5p_success(values), _h5p_score(values))
        else:
            part = cmi.part_status(version, values)
        completed = completed and part[0]
        passed = passed and part[1] is True
        successes.append(part[1])
        if part[2] is not None:
            scores.append(part[2])
    success = None
    if any(s is False for s in successes):
        success = False
    elif successes and all(s is True for s in successes):
        success = True
    score = round(sum(scores) / len(scores), 4) if scores else None
    return completed, passed, success, score


def _h5p_success(values):
    return {"true": True, "false": False}.get(values.get("success"))


def _h5p_score(values):
    return float(values["scaled"]) if values.get("scaled") not in (None, "") else None


def _interactions_12_2004(version: str, values: dict) -> dict[str, dict]:
    """The interactions among the values, by index: id, type, response, result, patterns."""
    found: dict[str, dict] = {}
    response_name = "student_response" if version == "scorm12" else "learner_response"
    for element, value in values.items():
        if not element.startswith("cmi.interactions."):
            continue
        parts = element.split(".")
        index, rest = parts[2], ".".join(parts[3:])
        entry = found.setdefault(index, {"patterns": {}})
        if rest == "id":
            entry["id"] = value
        elif rest == "type":
            entry["type"] = value
        elif rest == response_name:
            entry["response"] = value
        elif rest == "result":
            entry["result"] = value
        elif rest == "description":
            entry["description"] = value
        elif rest.startswith("correct_responses.") and rest.endswith(".pattern"):
            entry["patterns"][parts[4]] = value
    return {i: e for i, e in found.items() if e.get("id") and "result" in e}


QUESTION_TYPES = {"true-false": "true_false", "choice": "single", "sequencing": "ordering"}


def _split(version: str, value: str) -> list[str]:
    separator = "," if version == "scorm12" else "[,]"
    return [part for part in value.split(separator) if part != ""]


def _answered_events(enrolment, lesson, record, sco: str, version: str, values: dict, now):
    events = []
    for entry in _interactions_12_2004(version, values).values():
        seen_key = f"{sco} | {entry['id']}"
        fingerprint = f"{entry.get('response', '')} | {entry['result']}"
        if record.answered.get(seen_key) == fingerprint:
            continue
        record.answered[seen_key] = fingerprint
        correct = entry["result"] == "correct"
        kind = QUESTION_TYPES.get(entry.get("type", ""), entry.get("type", "other"))
        interaction = {"question_type": kind}
        if kind in ("true_false", "single", "ordering"):
            patterns = [_split(version, p) for _, p in sorted(entry["patterns"].items())]
            if kind == "true_false":
                patterns = [
                    [p[0][:1].replace("t", "true").replace("f", "false")] for p in patterns if p
                ]
            interaction["correct_responses"] = patterns
            response = _split(version, entry.get("response", ""))
            if kind == "true_false" and response:
                response = [response[0][:1].replace("t", "true").replace("f", "false")]
            if response:
                interaction["response"] = response
            if kind != "true_false":
                ids = sorted({i for p in patterns for i in p} | set(response))
                interaction["choices"] = [{"id": i, "text": i} for i in ids]
        events.append(
            LearningEvent(
                enrolment=enrolment,
                kind=LearningEvent.Kind.QUESTION_ANSWERED,
                occurred_at=now,
                object_key=interaction_key(lesson.translation_key, sco, entry["id"]),
                object_page=lesson,
                language=lesson.locale.language_code,
                details={
                    "quiz_key": str(lesson.translation_key),
                    "parent_type": "lessonpage",
                    "question": (entry.get("description") or entry["id"])[:250],
                    "interaction_id": entry["id"][:250],
                    "sco": sco[:250],
                    "correct": correct,
                    "points": 1 if correct else 0,
                    "max_points": 1,
                    "interaction": interaction,
                },
            )
        )
    return events


@transaction.atomic
def cmi_commit(*, user, lesson, sco: str, values, finished: bool = False) -> PackageRecord:
    """Store what the package set in part ``sco`` of ``lesson`` for the learner, after checking
    every value against the data model (``cmi.CmiError``, nothing stored, when one is wrong);
    then count the time as for every lesson, record the answered interactions, the passed or
    failed status, and complete the lesson when the package's status says so."""
    package = lesson.package
    course = course_of(lesson)
    enrolment = enrolment_locked(user=user, course=course)  # ProgressError when not enrolled
    identifiers = {part["identifier"] for part in package.scos}
    if sco not in identifiers:
        raise cmi.CmiError(_("The package has no part %(sco)s.") % {"sco": str(sco)[:80]})
    if package.kind == Package.Kind.H5P:
        cleaned = h5p_clean(values)
    else:
        cleaned = cmi.cmi_clean(package.kind, values)
    now = timezone.now()
    lesson_view(user=user, lesson=lesson, course=course)  # time on the lesson, capped
    record, _created = PackageRecord.objects.select_for_update().get_or_create(
        enrolment=enrolment, lesson_key=lesson.translation_key, defaults={"lesson": lesson}
    )
    before = _lesson_state(package, record)
    part = dict(record.cmi.get(sco, {}))
    session_name = {"scorm12": "cmi.core.session_time", "scorm2004": "cmi.session_time"}.get(
        package.kind
    )
    if session_name and session_name in cleaned and finished:
        record.session_seconds += cmi.timespan_seconds(package.kind, cleaned[session_name])
    part.update(cleaned)
    record.cmi = {**record.cmi, sco: part}
    if package.kind != Package.Kind.H5P:
        events_record(_answered_events(enrolment, lesson, record, sco, package.kind, part, now))
    else:
        events_record(_h5p_answered(enrolment, lesson, record, cleaned, now))
    completed, passed, success, score = _lesson_state(package, record)
    record.completed, record.success, record.score_scaled = completed, success, score
    record.save()
    if success is not None and (success, score) != (before[2], before[3]):
        event_record(
            enrolment=enrolment,
            kind=LearningEvent.Kind.LESSON_PASSED if success else LearningEvent.Kind.LESSON_FAILED,
            page=lesson,
            at=now,
            details={"score_scaled": score, "completion": completed},
        )
    rule = lesson.completion_by
    done = {
        CompletionBy.COMPLETED: completed,
        CompletionBy.PASSED: passed,
        CompletionBy.EITHER: _every_part_completed_or_passed(package, record),
    }[rule]
    if done:
        lesson_complete(user=user, lesson=lesson)
    return record


def _every_part_completed_or_passed(package, record) -> bool:
    for sco in package.scos:
        values = record.cmi.get(sco["identifier"], {})
        if package.kind == "h5p":
            state = (values.get("completed") == "true", _h5p_success(values))
        else:
            state = cmi.part_status(package.kind, values)[:2]
        if not (state[0] or state[1] is True):
            return False
    return True


# --- H5P: what the content's xAPI events say, relayed by the player -------------------------

H5P_KEYS = {"completed", "success", "raw", "max", "scaled", "state", "interaction", "response",
            "correct_responses", "question", "interaction_type"}  # fmt: skip


def h5p_clean(values) -> dict[str, str]:
    if not isinstance(values, dict) or not set(values) <= H5P_KEYS:
        raise cmi.CmiError(_("The H5P result holds elements it may not."))
    cleaned = {}
    for key, value in values.items():
        if not isinstance(value, str) or len(value) > 64000:
            raise cmi.CmiError(_("%(element)s: the value is not allowed.") % {"element": key})
        cleaned[key] = value
    if "state" in cleaned and not _json_state(cleaned["state"]):
        raise cmi.CmiError(_("%(element)s: the value is not allowed.") % {"element": "state"})
    for key in ("completed", "success"):
        if key in cleaned and cleaned[key] not in ("true", "false"):
            raise cmi.CmiError(_("%(element)s: the value is not allowed.") % {"element": key})
    for key, low, high in (("raw", None, None), ("max", 0, None), ("scaled", -1, 1)):
        if key in cleaned and not cmi._decimal(low, high)(cleaned[key]):
            raise cmi.CmiError(_("%(element)s: the value is not allowed.") % {"element": key})
    return cleaned


def _json_state(value: str) -> bool:
    """The content's state as H5P saves it: a JSON object (or array)."""
    try:
        return isinstance(json.loads(value), dict | list)
    except ValueError:
        return False


def _h5p_answered(enrolment, lesson, record, cleaned, now):
    if "interaction" not in cleaned or "success" not in cleaned:
        return []
    seen_key = f"h5p | {cleaned['interaction']}"
    fingerprint = f"{cleaned.get('response', '')} | {cleaned['success']}"
    if record.answered.get(seen_key) == fingerprint:
        return []
    record.answered[seen_key] = fingerprint
    correct = cleaned["success"] == "true"
    interaction = {
        "question_type": QUESTION_TYPES.get(cleaned.get("interaction_type", ""), "other")
    }
    if interaction["question_type"] == "true_false":
        if cleaned.get("correct_responses") in ("true", "false"):
            interaction["correct_responses"] = [[cleaned["correct_responses"]]]
        if cleaned.get("response") in ("true", "false"):
            interaction["response"] = [cleaned["response"]]
    return [
        LearningEvent(
            enrolment=enrolment,
            kind=LearningEvent.Kind.QUESTION_ANSWERED,
            occurred_at=now,
            object_key=interaction_key(lesson.translation_key, "h5p", cleaned["interaction"]),
            object_page=lesson,
            language=lesson.locale.language_code,
            details={
                "quiz_key": str(lesson.translation_key),
                "parent_type": "lessonpage",
                "question": (cleaned.get("question") or cleaned["interaction"])[:250],
                "interaction_id": cleaned["interaction"][:250],
                "sco": "h5p",
                "correct": correct,
                "points": 1 if correct else 0,
                "max_points": 1,
                "interaction": interaction,
            },
        )
    ]


__all__ = ["ProgressError", "PackageRefused", "cmi_commit", "package_create", "session_start"]
