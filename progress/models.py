"""Progress records: enrolments, lesson progress, module completions and learning events.

Keyed on Wagtail's ``translation_key`` (the Swedish and English lesson are one lesson) and
never on page rows alone: page links are SET_NULL, so deleting a page keeps the history.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Enrolment(models.Model):
    """A learner's place in a course, from enrolling to completion (or leaving)."""

    # Null once the learner deleted their account: the anonymous record stays for statistics.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("learner"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="enrolments",
    )
    # The course's translation_key: one enrolment whatever language the learner reads in.
    course_key = models.UUIDField(_("course key"), db_index=True)
    # The course page enrolled from, for display; kept null-able so deleting it keeps history.
    course = models.ForeignKey(
        "courses.CoursePage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # xAPI registration id: random, never derived from the learner.
    registration = models.UUIDField(_("registration"), default=uuid.uuid4, unique=True)
    # Copied from the profile at enrolment so reports stay right after a move or a deletion.
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    role_category = models.CharField(_("role"), max_length=20, blank=True)
    enrolled_at = models.DateTimeField(_("enrolled"))
    # Who enrolled the learner when it was not themselves (bulk enrolment by an administrator).
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    left_at = models.DateTimeField(_("left"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # The completion rule the course had when the learner completed it (never rewritten).
    completion_rule = models.JSONField(_("completion rule"), null=True, blank=True)
    # Resume point: the lesson last opened (translation_key).
    last_lesson_key = models.UUIDField(null=True, blank=True)
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    # Set when the inactivity reminder was sent; cleared by new activity (one per absence).
    reminder_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "course_key"],
                condition=Q(user__isnull=False),
                name="enrolment_one_per_learner_and_course",
            )
        ]
        indexes = [models.Index(fields=["last_activity_at"])]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.course_key}"

    @property
    def is_active(self) -> bool:
        return self.left_at is None


class LessonProgress(models.Model):
    """One learner's progress through one lesson (in any language)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="lessons")
    lesson_key = models.UUIDField()
    lesson = models.ForeignKey(
        "courses.LessonPage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    first_viewed_at = models.DateTimeField()
    # The last time the server saw the learner on this lesson; time is measured between these.
    last_seen_at = models.DateTimeField()
    # Seconds between consecutive server-side sightings, each gap capped (see services), so a
    # client can neither invent time nor count a lunch break.
    time_spent_seconds = models.PositiveIntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson_key"], name="lesson_progress_once")
        ]

    def __str__(self) -> str:
        return f"lesson {self.lesson_key} ({'done' if self.completed_at else 'started'})"


class ModuleCompletion(models.Model):
    """A module completed by a learner; written once."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="modules")
    module_key = models.UUIDField()
    module = models.ForeignKey(
        "courses.ModulePage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    completed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "module_key"], name="module_completion_once"
            )
        ]

    def __str__(self) -> str:
        return f"module {self.module_key} completed {self.completed_at:%Y-%m-%d}"


class LearningEvent(models.Model):
    """Something that changed a learner's progress, written in the same transaction as the
    change; the xAPI statements and reports are derived from these rows."""

    class Kind(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        LEFT = "left", _("Left the course")
        LESSON_STARTED = "lesson_started", _("Lesson started")
        LESSON_COMPLETED = "lesson_completed", _("Lesson completed")
        MODULE_COMPLETED = "module_completed", _("Module completed")
        QUESTION_ANSWERED = "question_answered", _("Question answered")
        QUIZ_PASSED = "quiz_passed", _("Quiz passed")
        QUIZ_FAILED = "quiz_failed", _("Quiz failed")
        # Issue 18: a package lesson's own success status (SCORM, H5P), with its score.
        LESSON_PASSED = "lesson_passed", _("Lesson passed")
        LESSON_FAILED = "lesson_failed", _("Lesson failed")
        COURSE_COMPLETED = "course_completed", _("Course completed")
        CERTIFICATE_ISSUED = "certificate_issued", _("Certificate issued")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.PROTECT, related_name="events")
    occurred_at = models.DateTimeField(db_index=True)
    # The translation_key of the lesson, module, quiz or course the event is about.
    object_key = models.UUIDField()
    object_page = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # The language the learner used (sv or en): the page's locale.
    language = models.CharField(max_length=8)
    # Kind-specific facts: duration, score, the completion rule, who enrolled the learner.
    details = models.JSONField(default=dict, blank=True)
    # The xAPI statement id, random and kept: unique across installations, reset databases and
    # restored backups (a key-derived id would repeat there), yet the same for every re-send.
    # Empty only for events written before it existed or by the bulk generator; those keep
    # the id they were first sent with (see xapi.statements.statement_id).
    statement_id = models.UUIDField(null=True, unique=True, default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["enrolment", "kind"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_key} at {self.occurred_at:%Y-%m-%d %H:%M}"
