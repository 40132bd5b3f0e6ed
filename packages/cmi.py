"""The SCORM run-time data models (1.2 and 2004): which elements a package may set, and the
type and limits of each. The commit endpoint checks every value here before storing any, so a
package (or anyone posting in its name) cannot store what the data model forbids."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

MAX_ELEMENTS = 5000  # values in one commit
MAX_INDEX = 499  # interactions, objectives and comments per part


class CmiError(ValueError):
    """A value the data model does not allow; the message names the element."""


Check = Callable[[str], bool]


def _string(limit: int) -> Check:
    return lambda value: len(value) <= limit


def _vocabulary(*words: str) -> Check:
    allowed = set(words)
    return lambda value: value in allowed


def _decimal(low=None, high=None, *, blank=False) -> Check:
    def check(value: str) -> bool:
        if value == "" and blank:
            return True
        if not re.fullmatch(r"-?\d{1,10}(\.\d{1,7})?", value):
            return False
        try:
            number = Decimal(value)
        except InvalidOperation:
            return False
        return (low is None or number >= low) and (high is None or number <= high)

    return check


def _integer(low: int, high: int) -> Check:
    return lambda value: bool(re.fullmatch(r"-?\d{1,4}", value)) and low <= int(value) <= high


def _regex(pattern: str, limit: int = 255) -> Check:
    compiled = re.compile(pattern)
    return lambda value: len(value) <= limit and bool(compiled.fullmatch(value))


TIMESPAN_12 = _regex(r"\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?")
TIME_12 = _regex(r"\d{2}:\d{2}:\d{2}(\.\d{1,2})?")
IDENTIFIER_12 = _regex(r"[^\s]{1,255}")
DURATION = _regex(
    r"P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?", 64
)
TIMESTAMP = _regex(
    r"\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2}(\.\d{1,2})?)?)?)?)?)?"
    r"(Z|[+-]\d{2}(:\d{2})?)?",
    64,
)
RESULT_12 = lambda v: v in ("correct", "wrong", "unanticipated", "neutral") or _decimal()(v)  # noqa: E731
RESULT_2004 = lambda v: v in ("correct", "incorrect", "unanticipated", "neutral") or _decimal()(v)  # noqa: E731

# Element patterns ("n" is an index) → check, for each version. Only what a SCO may write.
SCORM12: dict[str, Check] = {
    "cmi.core.lesson_location": _string(255),
    "cmi.core.lesson_status": _vocabulary(
        "passed", "completed", "failed", "incomplete", "browsed", "not attempted"
    ),
    "cmi.core.exit": _vocabulary("", "time-out", "suspend", "logout"),
    "cmi.core.session_time": TIMESPAN_12,
    "cmi.core.score.raw": _decimal(0, 100, blank=True),
    "cmi.core.score.min": _decimal(0, 100, blank=True),
    "cmi.core.score.max": _decimal(0, 100, blank=True),
    "cmi.suspend_data": _string(4096),
    "cmi.comments": _string(4096),
    "cmi.student_preference.audio": _integer(-1, 100),
    "cmi.student_preference.language": _string(255),
    "cmi.student_preference.speed": _integer(-100, 100),
    "cmi.student_preference.text": _integer(-1, 1),
    "cmi.objectives.n.id": IDENTIFIER_12,
    "cmi.objectives.n.score.raw": _decimal(0, 100, blank=True),
    "cmi.objectives.n.score.min": _decimal(0, 100, blank=True),
    "cmi.objectives.n.score.max": _decimal(0, 100, blank=True),
    "cmi.objectives.n.status": _vocabulary(
        "passed", "completed", "failed", "incomplete", "browsed", "not attempted"
    ),
    "cmi.interactions.n.id": IDENTIFIER_12,
    "cmi.interactions.n.objectives.n.id": IDENTIFIER_12,
    "cmi.interactions.n.time": TIME_12,
    "cmi.interactions.n.type": _vocabulary(
        "true-false",
        "choice",
        "fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
    ),  # fmt: skip
    "cmi.interactions.n.correct_responses.n.pattern": _string(255),
    "cmi.interactions.n.weighting": _decimal(),
    "cmi.interactions.n.student_response": _string(255),
    "cmi.interactions.n.result": RESULT_12,
    "cmi.interactions.n.latency": TIMESPAN_12,
}

SUCCESS_2004 = _vocabulary("passed", "failed", "unknown")
COMPLETION_2004 = _vocabulary("completed", "incomplete", "not attempted", "unknown")
SCORM2004: dict[str, Check] = {
    "cmi.location": _string(1000),
    "cmi.completion_status": COMPLETION_2004,
    "cmi.success_status": SUCCESS_2004,
    "cmi.exit": _vocabulary("", "time-out", "suspend", "logout", "normal"),
    "cmi.session_time": DURATION,
    "cmi.score.scaled": _decimal(-1, 1),
    "cmi.score.raw": _decimal(),
    "cmi.score.min": _decimal(),
    "cmi.score.max": _decimal(),
    "cmi.progress_measure": _decimal(0, 1),
    "cmi.suspend_data": _string(64000),
    "cmi.learner_preference.audio_level": _decimal(0),
    "cmi.learner_preference.language": _string(250),
    "cmi.learner_preference.delivery_speed": _decimal(0),
    "cmi.learner_preference.audio_captioning": _vocabulary("-1", "0", "1"),
    "cmi.comments_from_learner.n.comment": _string(4000),
    "cmi.comments_from_learner.n.location": _string(250),
    "cmi.comments_from_learner.n.timestamp": TIMESTAMP,
    "cmi.objectives.n.id": _string(4000),
    "cmi.objectives.n.score.scaled": _decimal(-1, 1),
    "cmi.objectives.n.score.raw": _decimal(),
    "cmi.objectives.n.score.min": _decimal(),
    "cmi.objectives.n.score.max": _decimal(),
    "cmi.objectives.n.success_status": SUCCESS_2004,
    "cmi.objectives.n.completion_status": COMPLETION_2004,
    "cmi.objectives.n.progress_measure": _decimal(0, 1),
    "cmi.objectives.n.description": _string(250),
    "cmi.interactions.n.id": _string(4000),
    "cmi.interactions.n.type": _vocabulary(
        "true-false",
        "choice",
        "fill-in",
        "long-fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
        "other",
    ),  # fmt: skip
    "cmi.interactions.n.objectives.n.id": _string(4000),
    "cmi.interactions.n.timestamp": TIMESTAMP,
    "cmi.interactions.n.correct_responses.n.pattern": _string(64000),
    "cmi.interactions.n.weighting": _decimal(),
    "cmi.interactions.n.learner_response": _string(64000),
    "cmi.interactions.n.result": RESULT_2004,
    "cmi.interactions.n.latency": DURATION,
    "cmi.interactions.n.description": _string(250),
    "adl.nav.request": _regex(
        r"(\{target=[^}]{1,4000}\})?(continue|previous|choice|jump|exit|exitAll|abandon|"
        r"abandonAll|suspendAll|_none_)",
        4100,
    ),
}

MODELS = {"scorm12": SCORM12, "scorm2004": SCORM2004}
_INDEX = re.compile(r"\.(\d{1,4})(?=\.|$)")


def cmi_clean(version: str, values) -> dict[str, str]:
    """The values, checked: each element one the SCO may write, each value of its type and
    within its limits. Raises ``CmiError`` for the first that is not; stores nothing."""
    model = MODELS[version]
    if not isinstance(values, dict):
        raise CmiError(_("The run-time data must be a set of elements and values."))
    if len(values) > MAX_ELEMENTS:
        raise CmiError(_("Too many run-time data elements in one commit."))
    cleaned = {}
    for element, value in values.items():
        if not isinstance(element, str) or not isinstance(value, str | int | float):
            raise CmiError(_("Run-time data elements and values must be text."))
        if isinstance(value, bool):
            raise CmiError(_("Run-time data elements and values must be text."))
        value = str(value)
        indexes = [int(number) for number in _INDEX.findall(element)]
        pattern = _INDEX.sub(".n", element)
        check = model.get(pattern)
        if check is None:
            raise CmiError(
                _("%(element)s is not an element a package may set.") % {"element": element[:80]}
            )
        if any(index > MAX_INDEX for index in indexes):
            raise CmiError(_("%(element)s: too many entries.") % {"element": element[:80]})
        if not check(value):
            raise CmiError(
                _("%(element)s: the value is not allowed by the data model.")
                % {"element": element[:80]}
            )
        cleaned[element] = value
    return cleaned


def timespan_seconds(version: str, value: str) -> int:
    """Seconds in a SCORM 1.2 CMITimespan or a SCORM 2004 duration (already checked)."""
    if not value:
        return 0
    if version == "scorm12":
        hours, minutes, seconds = value.split(":")
        return int(int(hours) * 3600 + int(minutes) * 60 + float(seconds))
    match = re.fullmatch(
        r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?", value
    )
    if not match:
        return 0
    years, months, days, hours, minutes, seconds = (float(g) if g else 0 for g in match.groups())
    return int(
        years * 365 * 86400 + months * 30 * 86400 + days * 86400 + hours * 3600 + minutes * 60
        + seconds
    )  # fmt: skip


def part_status(version: str, cmi: dict) -> tuple[bool, bool | None, float | None]:
    """(completed, success, scaled score) of one part from its stored elements. SCORM 1.2 has
    one status: passed and failed are also completed. SCORM 2004 keeps completion and
    success apart."""
    if version == "scorm12":
        status = cmi.get("cmi.core.lesson_status", "not attempted")
        completed = status in ("completed", "passed", "failed")
        success = {"passed": True, "failed": False}.get(status)
        score = None
        raw = cmi.get("cmi.core.score.raw", "")
        if raw != "":
            low = Decimal(cmi.get("cmi.core.score.min") or "0")
            high = Decimal(cmi.get("cmi.core.score.max") or "100")
            if high > low:
                score = float((Decimal(raw) - low) / (high - low))
                score = max(-1.0, min(1.0, score))
        return completed, success, score
    completed = cmi.get("cmi.completion_status") == "completed"
    success = {"passed": True, "failed": False}.get(cmi.get("cmi.success_status", "unknown"))
    score = cmi.get("cmi.score.scaled")
    return completed, success, float(score) if score not in (None, "") else None
