"""Quizzes (authored in the Wagtail admin as snippets) and learners' attempts.

An attempt stores the questions exactly as served (text, options, order, which are correct,
points), so editing a quiz later never changes a past result; that snapshot never leaves the
server before the attempt is submitted.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
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
        _("instructions"), blank=True, features=["bold", "italic", "ul", "ol", "link"]
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
    # Set from the quiz's time limit at start; answers after it are refused.
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
