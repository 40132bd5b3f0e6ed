"""Writing the generated rows: COPY on PostgreSQL, bulk_create elsewhere."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from django.db import DatabaseError, connection, models, transaction

# --- Writing rows ----------------------------------------------------------------------------


class Writer:
    """Writes rows given as tuples of field attnames: COPY on PostgreSQL, bulk_create
    elsewhere. JSON values come serialised (many rows share one text).

    On PostgreSQL a second thread runs the COPY statements on the same connection (and
    transaction) while the main thread draws the next chunk: the database's work and
    Python's then overlap on a machine with two cores. ``drain`` waits for it."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"
        self.counts: dict[str, int] = {}
        self.pending: list = []
        self.pool = ThreadPoolExecutor(max_workers=1) if self.postgres else None

    def drain(self) -> None:
        """Wait for the queued writes; raises what the writing thread raised."""
        pending, self.pending = self.pending, []
        for future in pending:
            future.result()

    def close(self) -> None:
        if self.pool is not None:
            try:
                self.drain()
            finally:
                self.pool.shutdown(wait=True, cancel_futures=True)
                self.pool = None

    def ids(self, model: type[models.Model], count: int) -> list[int]:
        """Reserve ``count`` primary keys (rows written later with these ids)."""
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if self.postgres:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
            start = cursor.fetchone()[0] + 1
            return list(range(start, start + count))

    def write(self, model: type[models.Model], names: tuple[str, ...], rows: list[tuple]):
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + len(rows)
        if not rows:
            return
        fields = [model._meta.get_field(name) for name in names]
        if not self.postgres:
            json_at = {
                n for n, f in zip(names, fields, strict=True) if isinstance(f, models.JSONField)
            }

            def instance(row):
                values = dict(zip(names, row, strict=True))
                for name in json_at:
                    if values[name] is not None:
                        values[name] = json.loads(values[name])
                return model(**values)

            model.objects.bulk_create(map(instance, rows), batch_size=500)
            return
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        connection.ensure_connection()
        raw = connection.connection  # psycopg's own: usable from the writing thread
        sql = f"COPY {table} ({columns}) FROM STDIN"
        self.pending.append(self.pool.submit(self._copy, raw, sql, rows))

    @staticmethod
    def _copy(raw, sql: str, rows: list[tuple]) -> None:
        with raw.cursor() as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)


USER_FIELDS = (
    "id", "last_login", "password", "is_superuser", "first_name", "last_name", "email",
    "is_staff", "is_active", "date_joined", "preferred_language", "organisation_id",
    "role_category", "manages_nationally", "digest_opt_out", "digest_sent_for", "learner_id",
    "reminders_opt_out", "verified_at",
)  # fmt: skip
ENROLMENT_FIELDS = (
    "id", "user_id", "course_key", "course_id", "registration", "organisation_id",
    "role_category", "enrolled_at", "left_at", "completed_at", "completion_rule",
    "last_lesson_key", "last_activity_at", "reminder_sent_at",
)  # fmt: skip
LESSON_FIELDS = (
    "enrolment_id", "lesson_key", "lesson_id", "first_viewed_at", "last_seen_at",
    "time_spent_seconds", "completed_at",
)  # fmt: skip
MODULE_FIELDS = ("enrolment_id", "module_key", "module_id", "completed_at")
ATTEMPT_FIELDS = (
    "enrolment_id", "placement_key", "placement_id", "quiz_id", "number", "started_at",
    "deadline", "submitted_at", "questions", "pass_mark", "review_policy", "answers", "score",
    "max_score", "percent", "passed",
)  # fmt: skip
EVENT_FIELDS = (
    "kind", "enrolment_id", "occurred_at", "object_key", "object_page_id", "language", "details",
)  # fmt: skip


def reference_checks_skip() -> bool:
    """On PostgreSQL as a superuser, skip the foreign-key triggers for this transaction: at
    100,000 learners the deferred checks of millions of rows take as long as writing them,
    and every reference written here is to a row just written or read, every row deleted
    has its dependents deleted first. False when not allowed (then the checks run)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True
