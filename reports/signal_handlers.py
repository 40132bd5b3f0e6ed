"""The reports' subscriptions: the rollup (``rollups``) follows the learning events."""

from __future__ import annotations

from progress import events

# The events after which an enrolment's lesson progress or final-test result may differ.
FACT_KINDS = (
    events.Kind.ENROLLED,
    events.Kind.LESSON_STARTED,
    events.Kind.LESSON_COMPLETED,
    events.Kind.MODULE_COMPLETED,
    events.Kind.QUIZ_PASSED,
    events.Kind.QUIZ_FAILED,
)


def facts_follow(learning_events) -> None:
    """Inside the event's transaction: recompute the rollup rows of its enrolments."""
    from .rollups import facts_refresh

    facts_refresh({event.enrolment_id for event in learning_events})


def connect() -> None:
    events.subscribe(facts_follow, uid="reports.facts", kinds=FACT_KINDS)
