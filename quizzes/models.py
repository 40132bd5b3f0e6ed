"""Quizzes (authored in the Wagtail admin as snippets) and learners' attempts.

An attempt stores the questions exactly as served (text, options, order, which are correct,
points), so editing a quiz later never changes a past result; that snapshot never leaves the
server before the attempt is submitted.
"""

from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.blocks import StreamValue
from wagtail.fields import RichTextField, StreamField
from wagtail.models import RevisionMixin, TranslatableMixin
from wagtail.search import index

from .blocks import FeedbackBandBlock, QuestionStreamBlock


class Quiz(TranslatableMixin, RevisionMixin, index.Indexed, models.Model):
    """A quiz: settings and a pool of questions; placed in a course by a quiz page."""

    class Review(models.TextChoices):
        AFTER_EACH = "after_each", _("Show correct answers after each attempt")
        AFTER_PASS = "after_pass", _("Show correct answers only after passing")
        NEVER = "never", _("Never show correct answers (only the score)")

    title = models.CharField(_("title"), max_length=200)
    instructions = RichTextField(
        _("instructions"),
        blank=True,
        features=["bold", "italic", "ul", "ol", "link", "lang-sv", "lang-en"],
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"), default=70, validators=[MaxValueValidator(100)]
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: unlimited."),
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit (minutes)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: no time limit."),
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_options = models.BooleanField(_("shuffle options"), default=True)
    draw_count = models.PositiveSmallIntegerField(
        _("questions drawn per attempt"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Draw this many questions at random from the pool; empty: all."),
    )
    review_policy = models.CharField(
        _("review"), max_length=20, choices=Review.choices, default=Review.AFTER_EACH
    )
    questions = StreamField(QuestionStreamBlock(), verbose_name=_("questions"))
    feedback_bands = StreamField(
        [("band", FeedbackBandBlock())],
        verbose_name=_("feedback by score"),
        blank=True,
        help_text=_("The learner sees the text of the highest band their score reaches."),
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("instructions"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("pass_mark"), FieldPanel("attempts_allowed")]),
                FieldRowPanel([FieldPanel("time_limit_minutes"), FieldPanel("draw_count")]),
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_options")]),
                FieldPanel("review_policy"),
            ],
            heading=_("Settings"),
        ),
        FieldPanel("questions"),
        FieldPanel("feedback_bands"),
    ]
    search_fields = [index.SearchField("title"), index.AutocompleteField("title")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        # Questions written as raw JSON (the demo, imports) may have option lists without ids,
        # which would get new ids at every load. Building every block once gives each option
        # an id that is then stored, so attempts and statistics can refer to it.
        self.questions = StreamValue(
            self.questions.stream_block,
            [(child.block_type, child.value, child.id) for child in self.questions],
        )
        super().save(*args, **kwargs)

    def feedback_for(self, percent: float) -> str:
        bands = sorted(
            (band.value for band in self.feedback_bands), key=lambda v: v["minimum_percent"]
        )
        text = ""
        for band in bands:
            if percent >= band["minimum_percent"]:
                text = band["text"]
        return text


class Attempt(models.Model):
    """One learner's attempt at a quiz, from start to graded result."""

    enrolment = models.ForeignKey(
        "progress.Enrolment", on_delete=models.PROTECT, related_name="attempts"
    )
    # The quiz page's translation_key: the same quiz placement in every language.
    placement_key = models.UUIDField(db_index=True)
    placement = models.ForeignKey(
        "courses.QuizPage", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    quiz = models.ForeignKey(Quiz, on_delete=models.SET_NULL, null=True, related_name="attempts")
    number = models.PositiveSmallIntegerField()  # 1 for the first attempt, and so on
    started_at = models.DateTimeField()
    # The quiz's time limit at start (the rule judged by); None: untimed, or started before
    # this field (then the deadline alone tells).
    time_limit_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    # The learner's time accommodation applied to the deadline, if any (issue 14).
    accommodation = models.ForeignKey(
        "quizzes.TimeAccommodation",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set from the time limit (and accommodation) at start; the server grades what was saved
    # by then when the time has run out.
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The questions exactly as served, correct answers included: never sent to the browser
    # before the attempt is submitted.
    questions = models.JSONField()
    # The rules judged by, copied from the quiz at start.
    pass_mark = models.PositiveSmallIntegerField()
    review_policy = models.CharField(max_length=20)
    answers = models.JSONField(default=dict, blank=True)  # saved answers, by question id
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)
    percent = models.FloatField(null=True, blank=True)
    passed = models.BooleanField(null=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "placement_key"],
                condition=Q(submitted_at__isnull=True),
                name="attempt_one_open_per_learner_and_quiz",
            ),
            models.UniqueConstraint(
                fields=["enrolment", "placement_key", "number"], name="attempt_number_once"
            ),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} at {self.placement_key}"

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None


class AttemptAnswer(models.Model):
    """One graded answer of a submitted attempt; item statistics aggregate these in SQL."""

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="graded")
    quiz = models.ForeignKey(Quiz, on_delete=models.SET_NULL, null=True, related_name="+")
    question_id = models.CharField(max_length=64, db_index=True)
    chosen = models.JSONField(default=list, blank=True)  # option ids chosen (choice types)
    answered = models.BooleanField()
    correct = models.BooleanField()
    points = models.FloatField()
    max_points = models.FloatField()

    def __str__(self) -> str:
        return f"{self.question_id}: {self.points}/{self.max_points}"


class TimeAccommodation(models.Model):
    """Extra time, or no time limit, on timed quizzes for one learner (WCAG 2.2.1, issue 14):
    granted by an administrator or a manager of the learner's organisation, recorded (who,
    when, why), applied by the server to every timed quiz the learner starts and to their
    open attempts. Per learner, for all quizzes: the need is the person's, not the quiz's."""

    class Kind(models.TextChoices):
        MULTIPLIER = "multiplier", _("More time: the limit multiplied")
        MINUTES = "minutes", _("More time: minutes added")
        NO_LIMIT = "no_limit", _("No time limit")

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="time_accommodations"
    )
    kind = models.CharField(_("accommodation"), max_length=20, choices=Kind.choices)
    multiplier = models.DecimalField(
        _("multiply the time limit by"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("1.1")), MaxValueValidator(Decimal("5.0"))],
    )
    extra_minutes = models.PositiveSmallIntegerField(
        _("minutes added"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
    )
    # Why it was granted: the decision it rests on, never a diagnosis (see docs/quizzes.md).
    reason = models.CharField(_("reason"), max_length=500)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField()
    # Withdrawn (or replaced by a newer one): kept, so the record says what applied when.
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("time accommodation")
        verbose_name_plural = _("time accommodations")
        constraints = [
            models.UniqueConstraint(
                fields=["learner"],
                condition=Q(ended_at__isnull=True),
                name="time_accommodation_one_in_force_per_learner",
            ),
            models.CheckConstraint(
                condition=(
                    Q(kind="multiplier", multiplier__isnull=False, extra_minutes__isnull=True)
                    | Q(kind="minutes", multiplier__isnull=True, extra_minutes__isnull=False)
                    | Q(kind="no_limit", multiplier__isnull=True, extra_minutes__isnull=True)
                ),
                name="time_accommodation_amount_fits_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.learner_id}: {self.describe()}"

    def minutes_for(self, limit: int) -> int | None:
        """The learner's time for a quiz with ``limit`` minutes; None: no limit."""
        if self.kind == self.Kind.NO_LIMIT:
            return None
        if self.kind == self.Kind.MULTIPLIER:
            return int((Decimal(limit) * self.multiplier).to_integral_value(rounding=ROUND_CEILING))
        return limit + self.extra_minutes

    def describe(self) -> str:
        if self.kind == self.Kind.NO_LIMIT:
            return str(_("no time limit"))
        if self.kind == self.Kind.MULTIPLIER:
            return str(_("the time limit × %(factor)s")) % {"factor": _decimal(self.multiplier)}
        return str(_("%(minutes)d extra minutes")) % {"minutes": self.extra_minutes}


def _decimal(value: Decimal) -> str:
    return formats.number_format(value, decimal_pos=1 if value % 1 else 0)
