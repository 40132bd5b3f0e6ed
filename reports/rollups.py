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
- What the final tests are, and which bit stands for which lesson or module, depend on the
  page tree. ``FactsState`` records both as the rows were computed; a report that finds
  other final tests, lessons or modules rebuilds every row first (``facts_current``), in one
  statement.
- An enrolment written outside the progress services (the data generator before its rebuild,
  rows made in bulk) has no row: the reports read it live (``reports.selectors.figures``).

The figures therefore equal the live aggregate over the progress tables at every moment
(``tests/reports/test_rollups.py`` compares them). Not covered: progress rows changed by
hand in the database, or by code that bypasses the progress services, for enrolments that
already have a row; ``manage.py reports_facts_rebuild`` (or ``facts_rebuild``) repairs that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from courses.models import CoursePage, LessonPage, ModulePage
from progress.models import Enrolment, LessonProgress, ModuleCompletion
from quizzes.models import Attempt

from .models import EnrolmentFacts, FactsState

# Stands in for "no final test at all", so an IN () never reaches the database.
NO_KEY = UUID(int=0)
STATE_ID = 1
# Bits of a signed 64-bit integer the masks use; a course with more lessons or modules has
# no masks (its module report is read live).
MASK_BITS = 63


def _keys_text(final_keys: Iterable[UUID]) -> list[str]:
    return sorted({str(key) for key in final_keys if key != NO_KEY})


def layout_read() -> dict[str, dict[str, list[str]]]:
    """Per course key: its lesson keys and module keys (all pages, any language or state),
    sorted; a key's position is its bit in ``opened`` / ``modules_done`` (three queries)."""
    courses = dict(CoursePage.objects.values_list("path", "translation_key"))
    layout: dict[str, dict[str, set]] = defaultdict(lambda: {"lessons": set(), "modules": set()})
    if courses:
        length = len(next(iter(courses)))  # courses all sit at the same depth
        for model, kind in ((LessonPage, "lessons"), (ModulePage, "modules")):
            for path, key in model.objects.values_list("path", "translation_key"):
                course = courses.get(path[:length])
                if course is not None:
                    layout[str(course)][kind].add(str(key))
    return {
        course: {kind: sorted(keys) for kind, keys in kinds.items()}
        for course, kinds in sorted(layout.items())
    }


def bits(layout: dict, kind: str) -> dict[str, int]:
    """Key → its bit, for the ``kind`` ("lessons" or "modules") of every course that fits."""
    return {
        key: 1 << position
        for entry in layout.values()
        if len(entry[kind]) <= MASK_BITS
        for position, key in enumerate(entry[kind])
    }


def _mask_sql(column: str, mapping: dict[str, int], field) -> tuple[str, list]:
    """SQL summing the distinct bits of ``column``'s keys (the OR of them), and its params."""
    if not mapping:
        return "0", []
    whens = " ".join(["WHEN %s THEN %s"] * len(mapping))
    params = []
    for key, bit in mapping.items():
        params += [field.get_db_prep_value(UUID(key), connection), bit]
    return f"CAST(SUM(DISTINCT CASE {column} {whens} ELSE 0 END) AS BIGINT)", params


def _upsert(final_keys: list[UUID], layout: dict, enrolment_ids: list[int] | None) -> int:
    """Compute the rows of ``enrolment_ids`` (all enrolments when None) from the progress
    tables and write them over the old ones, in one statement; returns the rows written."""
    q = connection.ops.quote_name
    key_field = Attempt._meta.get_field("placement_key")
    keys = [key_field.get_db_prep_value(key, connection) for key in (final_keys or [NO_KEY])]
    ids: list[int] = []
    only = {"e": "", "l": "", "t": "", "m": ""}
    if enrolment_ids is not None:
        ids = sorted(set(enrolment_ids))
        if not ids:
            return 0
        marks = ", ".join(["%s"] * len(ids))
        only = {
            "e": f"e.id IN ({marks})",
            "l": f"WHERE l.enrolment_id IN ({marks})",
            "t": f"AND t.enrolment_id IN ({marks})",
            "m": f"WHERE c.enrolment_id IN ({marks})",
        }
    opened, opened_params = _mask_sql(
        "l.lesson_key", bits(layout, "lessons"), LessonProgress._meta.get_field("lesson_key")
    )
    done, done_params = _mask_sql(
        "c.module_key", bits(layout, "modules"), ModuleCompletion._meta.get_field("module_key")
    )
    sql = f"""
        INSERT INTO {q(EnrolmentFacts._meta.db_table)}
            (enrolment_id, started, lessons_done, tested, passed, best, opened, modules_done)
        SELECT e.id, p.enrolment_id IS NOT NULL, COALESCE(p.done, 0),
               a.enrolment_id IS NOT NULL, COALESCE(a.passed, 0) = 1, a.best,
               COALESCE(p.opened, 0), COALESCE(m.done, 0)
        FROM {q(Enrolment._meta.db_table)} e
        LEFT JOIN (
            SELECT l.enrolment_id,
                   COUNT(DISTINCT CASE WHEN l.completed_at IS NOT NULL THEN l.lesson_key END)
                       AS done,
                   {opened} AS opened
            FROM {q(LessonProgress._meta.db_table)} l {only["l"]}
            GROUP BY l.enrolment_id
        ) p ON p.enrolment_id = e.id
        LEFT JOIN (
            SELECT t.enrolment_id, MAX(t.percent) AS best,
                   MAX(CASE WHEN t.passed THEN 1 ELSE 0 END) AS passed
            FROM {q(Attempt._meta.db_table)} t
            WHERE t.submitted_at IS NOT NULL
              AND t.placement_key IN ({", ".join(["%s"] * len(keys))}) {only["t"]}
            GROUP BY t.enrolment_id
        ) a ON a.enrolment_id = e.id
        LEFT JOIN (
            SELECT c.enrolment_id, {done} AS done
            FROM {q(ModuleCompletion._meta.db_table)} c {only["m"]}
            GROUP BY c.enrolment_id
        ) m ON m.enrolment_id = e.id
        WHERE {only["e"] or "1 = 1"}
        ON CONFLICT (enrolment_id) DO UPDATE SET
            started = excluded.started, lessons_done = excluded.lessons_done,
            tested = excluded.tested, passed = excluded.passed, best = excluded.best,
            opened = excluded.opened, modules_done = excluded.modules_done
    """
    params = [*opened_params, *ids, *keys, *ids, *done_params, *ids, *ids]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def state_read() -> tuple[list[str], dict] | None:
    """(final keys, layout) the rollup was computed for, or None before its first build."""
    row = FactsState.objects.filter(pk=STATE_ID).values_list("final_keys", "layout").first()
    return None if row is None else (row[0], row[1])


def facts_refresh(enrolment_ids: Iterable[int]) -> None:
    """Recompute the rows of these enrolments (inside the caller's transaction), for the final
    tests and layout the rollup was built for (two queries)."""
    final_keys, layout = state_read() or ([], {})
    _upsert([UUID(key) for key in final_keys], layout, list(enrolment_ids))


def facts_rebuild(final_keys: Iterable[UUID], layout: dict | None = None) -> int:
    """Recompute every row for ``final_keys`` and ``layout`` (read when None) and record
    them; returns the rows written. Takes the state row's lock, so two rebuilds do not
    overlap."""
    keys = _keys_text(final_keys)
    layout = layout_read() if layout is None else layout
    with transaction.atomic():
        state, _created = FactsState.objects.select_for_update().get_or_create(pk=STATE_ID)
        written = _upsert([UUID(key) for key in keys], layout, None)
        state.final_keys = keys
        state.layout = layout
        state.rebuilt_at = timezone.now()
        state.save(update_fields=["final_keys", "layout", "rebuilt_at"])
    return written


def facts_current(final_keys: Iterable[UUID]) -> dict:
    """Make sure the rows were computed for these final tests and the courses' present
    lessons and modules, rebuilding them if either changed (four queries when nothing
    changed); returns the layout."""
    keys = _keys_text(final_keys)
    layout = layout_read()
    if state_read() == (keys, layout):
        return layout
    with transaction.atomic():
        state = FactsState.objects.select_for_update().filter(pk=STATE_ID).first()
        if state is not None and (state.final_keys, state.layout) == (keys, layout):
            return layout  # rebuilt meanwhile by another request
        facts_rebuild([UUID(key) for key in keys], layout)
    return layout
