"""The reports' rollup: per enrolment, what the figures need from its lesson progress and
final-test attempts, kept in the transaction of each learning event that changes it (see
``rollups``)."""

from django.db import models


class EnrolmentFacts(models.Model):
    """One enrolment's lesson progress and final-test result, summed up. A report reads this
    row instead of aggregating the enrolment's lesson-progress rows and attempts; an
    enrolment without a row (written outside the progress services) is read live."""

    enrolment = models.OneToOneField(
        "progress.Enrolment",
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="report_facts",
    )
    # At least one lesson opened (a lesson-progress row).
    started = models.BooleanField(default=False)
    # Distinct lessons completed.
    lessons_done = models.PositiveIntegerField(default=0)
    # A submitted attempt at a final test / a passed one; the best percentage among them.
    tested = models.BooleanField(default=False)
    passed = models.BooleanField(default=False)
    best = models.FloatField(null=True)
    # The lessons opened and the modules completed, one bit each, numbered as in
    # ``FactsState.layout`` (for the module report: one row per enrolment, not per lesson).
    opened = models.BigIntegerField(default=0)
    modules_done = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"facts of enrolment {self.enrolment_id}"


class FactsState(models.Model):
    """A single row: the final tests (their translation keys, sorted) the rollup's ``tested``,
    ``passed`` and ``best`` were computed for, the lesson and module keys of each course
    whose positions number the bits of ``opened`` and ``modules_done``, and when it was last
    rebuilt whole."""

    final_keys = models.JSONField(default=list)
    # {course key: {"lessons": [lesson keys, sorted], "modules": [module keys, sorted]}}
    layout = models.JSONField(default=dict)
    rebuilt_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"report facts for {len(self.final_keys)} final tests"
