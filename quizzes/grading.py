"""Grading: one served question snapshot against one learner answer.

Pure Python on purpose (no Django, no database): these functions are the single source of
truth for scores, so the attempt views, the review and any re-grading all call them.

The snapshot is the question exactly as it was served (see ``grade``); the answer is what the
form layer parsed. The form layer validates, but grading never trusts it: an answer of an
unexpected shape (``None``, an ``int`` where an id is expected, a ``dict`` where a list is
expected, ids of the wrong type, ...) simply earns nothing and never raises.

Fractions are computed exactly (``fractions.Fraction``) and only turned into a float at the
end, rounded to 4 decimals and clamped so that ``0 <= points <= max_points`` always holds.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"
ORDERING = "ordering"
MATCHING = "matching"
REFLECTION = "reflection"
TYPES = (SINGLE, MULTIPLE, TRUE_FALSE, ORDERING, MATCHING, REFLECTION)

ALL_OR_NOTHING = "all_or_nothing"
PARTIAL = "partial"

DECIMALS = 4


@dataclass(frozen=True)
class Grade:
    points: float  # awarded, 0 <= points <= max_points, rounded to 4 decimals
    max_points: float  # the question's points (0 for a reflection)
    correct: bool  # full marks (a reflection is never "correct")
    answered: bool  # the learner gave a (non-empty) answer


# --- reading the snapshot defensively -------------------------------------------------------


def _max_points(question: Mapping) -> float:
    """The question's points as a float; anything that is not a finite number >= 0 is 0."""
    value = question.get("points")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    value = float(value)
    if not math.isfinite(value) or value < 0:
        return 0.0
    return value


def _entries(question: Mapping, key: str) -> list[Mapping]:
    """A list of dicts from the snapshot (options, items, pairs); missing or odd -> []."""
    value = question.get(key)
    if not isinstance(value, list | tuple):
        return []
    return [entry for entry in value if isinstance(entry, Mapping)]


def _ids(entries: list[Mapping]) -> list[str]:
    return [entry["id"] for entry in entries if isinstance(entry.get("id"), str)]


def _str_ids(values) -> list[str]:
    """The non-empty string elements of a list-like answer, in order (others are ignored)."""
    return [value for value in values if isinstance(value, str) and value != ""]


# --- building a Grade -----------------------------------------------------------------------


def _grade(fraction: Fraction, max_points: float, answered: bool) -> Grade:
    """Scale an exact fraction in [0, 1] to the question's points, round, then clamp."""
    fraction = min(max(fraction, Fraction(0)), Fraction(1))
    awarded = float(round(fraction * Fraction(max_points), DECIMALS))
    awarded = min(max(awarded, 0.0), max_points)
    return Grade(
        points=awarded, max_points=max_points, correct=fraction == 1, answered=bool(answered)
    )


def _share(right: int, total: int) -> Fraction:
    """right / total, with nothing to score (total == 0) scoring nothing."""
    return Fraction(right, total) if total else Fraction(0)


# --- one function per question type ---------------------------------------------------------


def _grade_choice(question: Mapping, answer, max_points: float) -> Grade:
    """single and true_false: full points iff the chosen option exists and is correct."""
    if not isinstance(answer, str) or answer == "":
        return _grade(Fraction(0), max_points, answered=False)
    correct_ids = {
        entry["id"]
        for entry in _entries(question, "options")
        if isinstance(entry.get("id"), str) and entry.get("correct") is True
    }
    return _grade(Fraction(int(answer in correct_ids)), max_points, answered=True)


def _grade_multiple(question: Mapping, answer, max_points: float) -> Grade:
    """multiple: all_or_nothing, or partial = right/#correct - wrong/#incorrect (>= 0)."""
    if isinstance(answer, list | tuple | set | frozenset):
        chosen = set(_str_ids(answer))  # duplicates count once
    else:
        chosen = set()
    options = _entries(question, "options")
    option_ids = set(_ids(options))
    correct_ids = {
        entry["id"]
        for entry in options
        if isinstance(entry.get("id"), str) and entry.get("correct") is True
    }
    incorrect_ids = option_ids - correct_ids
    known = chosen & option_ids  # unknown ids are ignored
    right = len(known & correct_ids)
    wrong = len(known & incorrect_ids)
    answered = bool(chosen)

    if question.get("scoring") == PARTIAL:
        # A question with no correct option at all is vacuously fully answered by choosing no
        # right option -- the same verdict all_or_nothing gives (chosen set == empty set).
        right_share = Fraction(right, len(correct_ids)) if correct_ids else Fraction(1)
        wrong_share = Fraction(wrong, len(incorrect_ids)) if incorrect_ids else Fraction(0)
        return _grade(right_share - wrong_share, max_points, answered)
    return _grade(Fraction(int(known == correct_ids)), max_points, answered)


def _grade_ordering(question: Mapping, answer, max_points: float) -> Grade:
    """ordering: share of items in their correct position, if the answer is a permutation."""
    if not isinstance(answer, list | tuple) or not answer:
        return _grade(Fraction(0), max_points, answered=False)
    expected = _ids(_entries(question, "items"))
    if not all(isinstance(value, str) for value in answer) or Counter(answer) != Counter(expected):
        return _grade(Fraction(0), max_points, answered=True)
    in_place = sum(1 for given, wanted in zip(answer, expected, strict=True) if given == wanted)
    return _grade(_share(in_place, len(expected)), max_points, answered=True)


def _grade_matching(question: Mapping, answer, max_points: float) -> Grade:
    """matching: share of prompts matched with their own pair id."""
    pair_ids = _ids(_entries(question, "pairs"))
    if not isinstance(answer, Mapping):
        return _grade(Fraction(0), max_points, answered=False)
    chosen = {pid: answer.get(pid) for pid in pair_ids}
    answered = any(isinstance(value, str) and value != "" for value in chosen.values())
    right = sum(1 for pid, value in chosen.items() if isinstance(value, str) and value == pid)
    return _grade(_share(right, len(pair_ids)), max_points, answered)


def _grade_reflection(answer) -> Grade:
    """reflection: never scored; answered when the text is not blank."""
    answered = isinstance(answer, str) and answer.strip() != ""
    return Grade(points=0.0, max_points=0.0, correct=False, answered=answered)


# --- public API -----------------------------------------------------------------------------


def grade(question: dict, answer) -> Grade:
    """Grade one served question snapshot against one learner answer.

    Answers by type (anything else earns 0 and counts as not answered):
      single / true_false: an option id (str) or None
      multiple: a list of option ids (duplicates count once, unknown ids are ignored)
      ordering: a list of item ids in the learner's order (0 unless a permutation)
      matching: {prompt pair id: chosen pair id}, possibly partial
      reflection: a str
    A question of an unknown type earns 0 of its points.
    """
    if not isinstance(question, Mapping):
        return Grade(points=0.0, max_points=0.0, correct=False, answered=False)
    kind = question.get("type")
    if kind == REFLECTION:
        return _grade_reflection(answer)
    max_points = _max_points(question)
    if kind in (SINGLE, TRUE_FALSE):
        return _grade_choice(question, answer, max_points)
    if kind == MULTIPLE:
        return _grade_multiple(question, answer, max_points)
    if kind == ORDERING:
        return _grade_ordering(question, answer, max_points)
    if kind == MATCHING:
        return _grade_matching(question, answer, max_points)
    return Grade(points=0.0, max_points=max_points, correct=False, answered=False)


def grade_attempt(
    questions: list[dict], answers: dict[str, object]
) -> tuple[list[Grade], float, float]:
    """Grade every question of an attempt: (grades in question order, total, total max).

    ``answers`` is keyed by question id; a missing answer is graded as None.
    """
    if not isinstance(answers, Mapping):
        answers = {}
    grades = []
    for question in questions:
        qid = question.get("id") if isinstance(question, Mapping) else None
        answer = answers.get(qid) if isinstance(qid, str) else None
        grades.append(grade(question, answer))
    total_max = round(math.fsum(g.max_points for g in grades), DECIMALS)
    total = round(math.fsum(g.points for g in grades), DECIMALS)
    return grades, min(max(total, 0.0), total_max), total_max


def percent(points: float, max_points: float) -> float:
    """Score as a percentage in 0..100, rounded to 2 decimals; 100.0 when nothing is scored
    (max_points == 0, e.g. a quiz of reflections only)."""
    if max_points <= 0:
        return 100.0
    value = round(points / max_points * 100, 2)
    return min(max(value, 0.0), 100.0)
