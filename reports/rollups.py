"""The reports' rollup of progress: one ``EnrolmentFacts`` row per enrolment.

Every report figure that is not a column of the enrolment itself comes from the enrolment's
lesson-progress rows (started, lessons done) and its final-test attempts (tested, passed, best
percentage). Aggregating those millions of rows on every page cost most of a national page's
time at 100,000 learners; the rollup holds the few values per enrolment instead, so a page
reads one narrow row per enrolment.

Kept exact, never late:

- ``signal_handlers`` recomputes an enrolment's row inside the transaction of each learning
  event that can change it (enrolled, lesson started or completed, quiz passed or failed), so
  the row commits (or rolls back) with the change itself. Lesson views that only count time
  write no event and no row.
- What the final tests are depends on the page tree (quiz pages placed directly in a course).
  ``FactsState`` records the keys the rows were computed for; a report that finds other
  final tests rebuilds every row first (``facts_current``), in one statement.
- An enrolment written outside the progress services (the data generator before its rebuild,
  rows made in bulk) has no row: the reports read it live (``reports.selectors.figures``).

The figures therefore equal the live aggregate over the progress tables at every moment
(``tests/reports/test_rollups.py`` compares them). Not covered: progress rows changed by
hand in the database, or by code that bypasses the progress services, for enrolments that
already have a row; ``manage.py reports_facts_rebuild`` (or ``facts_rebuild``) repairs that.
"""

from __future__ import annotations

from collections.abc import Iterable
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from progress.models import Enrolment, LessonProgress
from quizzes.models import Attempt

from .models import EnrolmentFacts, FactsState

# Stands in for "no final test at all", so an IN () never reaches the database.
NO_KEY = UUID(int=0)
STATE_ID = 1


def _keys_text(final_keys: Iterable[UUID]) -> list[str]:
    return sorted({str(key) for key in final_keys if key != NO_KEY})


def _upsert(final_keys: list[UUID], enrolment_ids: list[int] | None) -> int:
    """Compute the rows of ``enrolment_ids`` (all enrolments when None) from the progress
    tables and write them over the old ones, in one statement; returns the rows written."""
    q = connection.ops.quote_name
    key_field = Attempt._meta.get_field("placement_key")
    keys = [key_field.get_db_prep_value(key, connection) for key in (final_keys or [NO_KEY])]
    ids: list[int] = []
    only_e = only_l = only_t = ""
    if enrolment_ids is not None:
        ids = sorted(set(enrolment_ids))
        if not ids:
            return 0
        marks = ", ".join(["%s"] * len(ids))
        only_e, only_l, only_t = (
            f"e.id IN ({marks})",
            f"WHERE l.enrolment_id IN ({marks})",
            f"AND t.enrolment_id IN ({marks})",
        )
    sql = f"""
        INSERT INTO {q(EnrolmentFacts._meta.db_table)}
            (enrolment_id, started, lessons_done, tested, passed, best)
        SELECT e.id, p.enrolment_id IS NOT NULL, COALESCE(p.done, 0),
               a.enrolment_id IS NOT NULL, COALESCE(a.passed, 0) = 1, a.best
        FROM {q(Enrolment._meta.db_table)} e
        LEFT JOIN (
            SELECT l.enrolment_id,
                   COUNT(DISTINCT CASE WHEN l.completed_at IS NOT NULL THEN l.lesson_key END)
                       AS done
            FROM {q(LessonProgress._meta.db_table)} l {only_l}
            GROUP BY l.enrolment_id
        ) p ON p.enrolment_id = e.id
        LEFT JOIN (
            SELECT t.enrolment_id, MAX(t.percent) AS best,
                   MAX(CASE WHEN t.passed THEN 1 ELSE 0 END) AS passed
            FROM {q(Attempt._meta.db_table)} t
            WHERE t.submitted_at IS NOT NULL
              AND t.placement_key IN ({", ".join(["%s"] * len(keys))}) {only_t}
            GROUP BY t.enrolment_id
        ) a ON a.enrolment_id = e.id
        WHERE {only_e or "1 = 1"}
        ON CONFLICT (enrolment_id) DO UPDATE SET
            started = excluded.started, lessons_done = excluded.lessons_done,
            tested = excluded.tested, passed = excluded.passed, best = excluded.best
    """
    params = [*ids, *keys, *ids, *ids] if ids else keys
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _state_keys() -> list[str] | None:
    row = FactsState.objects.filter(pk=STATE_ID).values_list("final_keys", flat=True).first()
    return row


def facts_refresh(enrolment_ids: Iterable[int]) -> None:
    """Recompute the rows of these enrolments (inside the caller's transaction), for the final
    tests the rollup was built for (two queries)."""
    keys = _state_keys() or []
    _upsert([UUID(key) for key in keys], list(enrolment_ids))


def facts_rebuild(final_keys: Iterable[UUID]) -> int:
    """Recompute every row for ``final_keys`` and record them; returns the rows written.
    Takes the state row's lock, so two rebuilds do not overlap."""
    keys = _keys_text(final_keys)
    with transaction.atomic():
        state, _created = FactsState.objects.select_for_update().get_or_create(pk=STATE_ID)
        written = _upsert([UUID(key) for key in keys], None)
        state.final_keys = keys
        state.rebuilt_at = timezone.now()
        state.save(update_fields=["final_keys", "rebuilt_at"])
    return written


def facts_current(final_keys: Iterable[UUID]) -> None:
    """Make sure the rows were computed for these final tests, rebuilding them if the final
    tests changed (one query when nothing changed)."""
    keys = _keys_text(final_keys)
    if _state_keys() == keys:
        return
    with transaction.atomic():
        state = FactsState.objects.select_for_update().filter(pk=STATE_ID).first()
        if state is not None and state.final_keys == keys:
            return  # rebuilt meanwhile by another request
        facts_rebuild([UUID(key) for key in keys])
