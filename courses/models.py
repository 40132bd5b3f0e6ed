"""Wagtail page types: home → course catalogue → course → module → lesson.

Page models stay thin: fields, panels, the allowed tree, search fields and read-only display
helpers. The course outline is read by ``courses.selectors``; progress, quizzes and
certificates read the course's completion settings from here.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from elearning.accounts.models import RoleCategory

from .blocks import LessonStreamBlock
from .caching import outline_version


class HomePage(Page):
    """The site's start page, one per language (the English one is a translation)."""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("A short paragraph under the page title: who the platform is for."),
    )
    body = RichTextField(
        _("body"),
        blank=True,
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul", "lang-sv", "lang-en"],
        help_text=_("More about the platform and the national public-health policy."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["catalogue"] = CourseCataloguePage.objects.live().public().child_of(self).first()
        return context


class CourseCataloguePage(Page):
    """The list of courses, with filters (the authoring issue adds course pages below it)."""

    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("Shown above the list of courses."),
    )

    content_panels = Page.content_panels + [FieldPanel("intro")]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["courses.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from .selectors import catalogue_courses

        context = super().get_context(request, *args, **kwargs)
        audience = request.GET.get("audience", "")
        if audience not in RoleCategory.values:
            audience = ""
        context["audience"] = audience
        context["audience_choices"] = RoleCategory.choices
        context["courses"] = catalogue_courses(catalogue=self, audience=audience or None)
        return context


class CoursePageForm(WagtailAdminPageForm):
    # The audiences are stored as a JSON list of role codes; authors tick boxes.
    audiences = forms.MultipleChoiceField(
        label=_("Audiences"),
        choices=RoleCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("The roles the course is for; the catalogue filters on them."),
    )


class CoursePage(Page):
    """A course: what it teaches, for whom, how long it takes, and how it is completed."""

    base_form_class = CoursePageForm

    summary = models.TextField(
        _("summary"),
        help_text=_("One or two sentences shown in the catalogue and on the course page."),
    )
    learning_objectives = RichTextField(
        _("learning objectives"),
        features=["ul", "ol", "bold", "italic", "lang-sv", "lang-en"],
        help_text=_(
            "What the learner can do after the course; a list, each item starting with a verb."
        ),
    )
    intended_audience = models.CharField(
        _("intended audience"),
        max_length=250,
        help_text=_("Who the course is written for, in one sentence."),
    )
    audiences = models.JSONField(
        _("audiences"),
        default=list,
        blank=True,
        help_text=_("The roles the course is for; the catalogue filters on them."),
    )
    prerequisites = RichTextField(
        _("prerequisites"),
        blank=True,
        features=["bold", "italic", "link", "ul", "lang-sv", "lang-en"],
        help_text=_("What the learner should know first. Leave empty if nothing."),
    )
    estimated_minutes = models.PositiveIntegerField(
        _("estimated time (minutes)"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the sum of the lessons' estimates."),
    )
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cover_image_alt = models.CharField(
        _("cover image alternative text"),
        max_length=250,
        blank=True,
        help_text=_("Required with a cover image: what the image shows."),
    )
    # Completion and certificate settings, read by progress and certificates. The rule in
    # force when a learner completes is copied onto their completion.
    completion_minimum_score = models.PositiveSmallIntegerField(
        _("minimum score for completion (%)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Lowest score on the course's required quizzes; empty means passing them is enough."
        ),
    )
    issues_certificate = models.BooleanField(
        _("issues a certificate"),
        default=True,
        help_text=_("Learners who complete get a certificate."),
    )
    certificate_validity_months = models.PositiveSmallIntegerField(
        _("certificate valid for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Empty: the certificate does not expire."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("learning_objectives"),
        MultiFieldPanel(
            [
                FieldPanel("intended_audience"),
                FieldPanel("audiences"),
                FieldPanel("prerequisites"),
                FieldPanel("estimated_minutes"),
            ],
            heading=_("Audience and scope"),
        ),
        MultiFieldPanel(
            [FieldPanel("cover_image"), FieldPanel("cover_image_alt")], heading=_("Cover image")
        ),
        MultiFieldPanel(
            [
                FieldPanel("completion_minimum_score"),
                FieldRowPanel(
                    [FieldPanel("issues_certificate"), FieldPanel("certificate_validity_months")]
                ),
            ],
            heading=_("Completion and certificate"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("learning_objectives"),
        index.SearchField("intended_audience"),
    ]

    parent_page_types = ["courses.CourseCataloguePage"]
    # A quiz page directly in the course is its final test.
    subpage_types = ["courses.ModulePage", "courses.QuizPage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def clean(self):
        super().clean()
        if self.cover_image_id and not self.cover_image_alt.strip():
            raise ValidationError(
                {"cover_image_alt": _("Describe the cover image: alternative text is required.")}
            )
        unknown = set(self.audiences or []) - set(RoleCategory.values)
        if unknown:
            raise ValidationError(
                {"audiences": _("Unknown audience: %s") % ", ".join(sorted(unknown))}
            )

    def get_context(self, request, *args, **kwargs):
        from .selectors import course_outline

        context = super().get_context(request, *args, **kwargs)
        context["course"] = self
        context["outline"] = outline = course_outline(course=self, request=request)
        context["total_minutes"] = self.estimated_minutes or outline.minutes
        context["outline_version"] = outline_version(self.pk)
        return context


class ModulePage(Page):
    """A module of a course: a group of lessons (and, with the quiz issue, a module quiz)."""

    summary = models.TextField(_("summary"), blank=True, help_text=_("What the module covers."))
    required_for_completion = models.BooleanField(
        _("required for completion"),
        default=True,
        help_text=_("The course is completed only when this module is."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("required_for_completion"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary")]

    parent_page_types = ["courses.CoursePage"]
    # Package lessons (issue 18) are named, never imported: the packages app is above courses.
    subpage_types = [
        "courses.LessonPage",
        "packages.PackageLessonPage",
        "packages.H5PLessonPage",
        "courses.QuizPage",
    ]

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def get_context(self, request, *args, **kwargs):
        from .selectors import course_of_page, course_outline

        context = super().get_context(request, *args, **kwargs)
        course = course_of_page(self)
        context["course"] = course
        context["outline"] = course_outline(course=course, request=request)
        context["module_outline"] = context["outline"].module(self.pk)
        context["outline_version"] = outline_version(course.pk) if course else 0
        return context


class LessonPage(Page):
    """A lesson: a few minutes of reading, its sources listed at the end."""

    summary = models.TextField(
        _("summary"), blank=True, help_text=_("One sentence: what the lesson is about.")
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated time (minutes)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("How long reading the lesson takes, in minutes."),
    )
    body = StreamField(
        LessonStreamBlock(),
        verbose_name=_("content"),
        help_text=_("The lesson. Every lesson cites at least one source."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        FieldPanel("body"),
    ]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["courses.ModulePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    @property
    def sources(self):
        """The lesson's source blocks, in order, for the reference list at the end."""
        return [block.value for block in self.body if block.block_type == "source"]

    def get_context(self, request, *args, **kwargs):
        from .selectors import course_of_page, course_outline

        context = super().get_context(request, *args, **kwargs)
        course = getattr(request, "course_page", None) or course_of_page(self)
        outline = course_outline(course=course, request=request)
        context["course"] = course
        context["outline"] = outline
        context["previous_lesson"], context["next_lesson"] = outline.neighbours(self.pk)
        context["outline_version"] = outline_version(course.pk) if course else 0
        return context


class QuizPage(Page):
    """Places a quiz in a course: in a module (module quiz) or in the course (final test)."""

    quiz = models.ForeignKey(
        "quizzes.Quiz",
        verbose_name=_("quiz"),
        on_delete=models.PROTECT,
        related_name="placements",
        help_text=_("The quiz, in the same language as this page."),
    )
    required = models.BooleanField(
        _("required"),
        default=True,
        help_text=_("The module (or, for a final test, the course) needs this quiz passed."),
    )
    intro = models.TextField(
        _("introduction"),
        blank=True,
        help_text=_("A sentence before the quiz starts: what it checks and how long it takes."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("quiz"),
        FieldPanel("required"),
        FieldPanel("intro"),
    ]
    parent_page_types = ["courses.ModulePage", "courses.CoursePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("quiz page")
        verbose_name_plural = _("quiz pages")

    @property
    def is_final_test(self) -> bool:
        return CoursePage.objects.filter(pk=self.get_parent().pk).exists()

    # How a quiz page is served: set by the quiz app (``QuizzesConfig.ready``), so that
    # courses does not import the app that runs quizzes.
    _view = None

    @classmethod
    def serve_with(cls, view) -> None:
        """Serve quiz pages with ``view(request, page)``."""
        cls._view = staticmethod(view)

    def serve(self, request, *args, **kwargs):
        if QuizPage._view is None:
            raise Http404("No quiz app is installed.")
        return QuizPage._view(request, self)
