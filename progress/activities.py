"""Activities that other apps place in courses and that completion can require (quizzes
today; content packages next). Progress decides when a module or course is complete, but it
does not know how an activity is passed: the app that runs the activity registers a function
that answers it. Progress therefore imports no activity app.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from uuid import UUID

# (enrolment, placement keys, minimum score in % or None) -> the keys among them passed
PassedFunction = Callable[[object, Collection[UUID], int | None], Collection[UUID]]

_passed_functions: dict[str, PassedFunction] = {}


def activity_register(name: str, *, passed: PassedFunction) -> None:
    """Register how to tell which placements of an activity a learner has passed; ``name``
    identifies the activity (registering it again replaces the function)."""
    _passed_functions[name] = passed


def placements_passed(enrolment, keys: Collection[UUID], minimum_score: int | None = None):
    """The placement keys among ``keys`` that the learner of ``enrolment`` has passed (with at
    least ``minimum_score`` %), whatever activity they belong to."""
    keys = set(keys)
    if not keys:
        return set()
    passed: set[UUID] = set()
    for function in _passed_functions.values():
        passed |= set(function(enrolment, keys, minimum_score))
    return passed & keys
