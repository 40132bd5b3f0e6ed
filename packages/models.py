"""Content packages and the lessons that play them.

A package lesson *is* a lesson (a subclass of ``courses.LessonPage``): the course outline,
progress, time on the lesson, module and course completion, reports and certificates treat
it like any other. What differs is how it is completed: by the package's own status, never by
the learner's "done" button (``completed_by_learner = False``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel

from courses.models import LessonPage

from .forms import PackageLessonForm


class Package(models.Model):
    """An uploaded package, unpacked under MEDIA_ROOT in a folder named by the SHA-256 of the
    file (the same file uploaded twice is stored once)."""

    class Kind(models.TextChoices):
        SCORM12 = "scorm12", "SCORM 1.2"
        SCORM2004 = "scorm2004", "SCORM 2004"
        H5P = "h5p", "H5P"

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    sha256 = models.CharField(max_length=64, db_index=True)
    # Relative to MEDIA_ROOT, e.g. packages/<sha256>
    folder = models.CharField(max_length=100)
    # What the player needs from the manifest: for SCORM the SCOs in manifest order
    # ({"identifier", "title", "href", "depth"}) and group headings; for H5P the main library.
    manifest = models.JSONField(default=dict)
    file_count = models.PositiveIntegerField(default=0)
    size_bytes = models.PositiveBigIntegerField(default=0)
    original_name = models.CharField(max_length=255, blank=True)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("content package")
        verbose_name_plural = _("content packages")

    def __str__(self) -> str:
        return f"{self.title} ({self.get_kind_display()})"

    @property
    def scos(self) -> list[dict]:
        """The launchable parts, in manifest order (one for H5P)."""
        return list(self.manifest.get("scos", []))


class CompletionBy(models.TextChoices):
    COMPLETED = "completed", _("The package reports it completed")
    PASSED = "passed", _("The package reports it passed")
    EITHER = "either", _("Completed or passed, whichever comes first")


PACKAGE_HELP = _(
    "The package's own accessibility is its producer's responsibility, not the platform's: "
    "before publishing, check that it can be used with the keyboard alone, that focus is "
    "visible, that images have text alternatives, that videos have captions, that it reflows "
    "at 320 px and that its language is set. Ask the producer for its accessibility report."
)


class PackageLessonMixin(models.Model):
    """What package lessons share (fields, panels, the form); not a page type of its own."""

    completed_by_learner = False  # only the package's status completes the lesson

    package = models.ForeignKey(
        Package,
        verbose_name=_("package"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        help_text=PACKAGE_HELP,
    )
    completion_by = models.CharField(
        _("the lesson is completed when"),
        max_length=10,
        choices=CompletionBy.choices,
        default=CompletionBy.EITHER,
        help_text=_("With several parts (SCOs), every part must be so."),
    )

    content_language = models.CharField(
        _("the package's language"),
        max_length=10,
        blank=True,
        choices=[("", _("The lesson's language")), ("sv", _("Swedish")), ("en", _("English"))],
        help_text=_(
            "When the package's own text is in another language than the lesson, its parts' "
            "titles on the lesson page are marked with that language for screen readers."
        ),
    )

    content_panels = LessonPage.content_panels[:1] + [
        FieldPanel("summary"),
        FieldPanel("estimated_minutes"),
        MultiFieldPanel(
            [
                FieldPanel("package_upload"),
                FieldPanel("completion_by"),
                FieldPanel("content_language"),
            ],
            heading=_("Package"),
            help_text=PACKAGE_HELP,
        ),
    ]
    parent_page_types = ["courses.ModulePage"]
    subpage_types = []
    template = "packages/package_lesson_page.html"

    class Meta:
        abstract = True

    def get_context(self, request, *args, **kwargs):
        from .player import player_context

        context = super().get_context(request, *args, **kwargs)
        context["player"] = player_context(self, request)
        language = self.content_language
        context["package_language"] = (
            language if language and language != self.locale.language_code else ""
        )
        return context

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        # The site runs no script; this page runs its wrapper and frames the package host.
        response._csp_replace = {
            "script-src": ["'self'"],
            "frame-src": [settings.PACKAGES_ORIGIN],
        }
        return response


class PackageLessonPage(PackageLessonMixin, LessonPage):
    """A SCORM 1.2 or SCORM 2004 (3rd/4th edition) package; several SCOs are played in
    manifest order with their own table of contents."""

    accepted_kinds = (Package.Kind.SCORM12, Package.Kind.SCORM2004)
    base_form_class = PackageLessonForm
    template = "packages/package_lesson_page.html"

    class Meta:
        verbose_name = _("SCORM lesson")
        verbose_name_plural = _("SCORM lessons")

    def __str__(self) -> str:
        return self.title


class H5PLessonPage(PackageLessonMixin, LessonPage):
    """An H5P content file (.h5p) with its libraries."""

    accepted_kinds = (Package.Kind.H5P,)
    base_form_class = PackageLessonForm
    template = "packages/package_lesson_page.html"

    class Meta:
        verbose_name = _("H5P lesson")
        verbose_name_plural = _("H5P lessons")

    def __str__(self) -> str:
        return self.title


class PackageRecord(models.Model):
    """One learner's run-time data of one package lesson (in any language): per part (SCO)
    the CMI elements the package set, and the lesson's overall status, score and time."""

    enrolment = models.ForeignKey(
        "progress.Enrolment", on_delete=models.CASCADE, related_name="package_records"
    )
    lesson_key = models.UUIDField()
    lesson = models.ForeignKey(LessonPage, on_delete=models.SET_NULL, null=True, related_name="+")
    # {sco identifier: {cmi element: value}}: what resumes the package where it was left.
    cmi = models.JSONField(default=dict)
    sessions = models.PositiveIntegerField(default=0)
    completed = models.BooleanField(default=False)
    # True passed, False failed, None not known (yet).
    success = models.BooleanField(null=True)
    score_scaled = models.FloatField(null=True)  # -1..1, the mean of the parts' scores
    session_seconds = models.PositiveIntegerField(default=0)  # as the package reported it
    # Interaction ids already turned into learning events (each answered once per value).
    answered = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson_key"], name="package_record_once")
        ]

    def __str__(self) -> str:
        return f"package lesson {self.lesson_key} of {self.enrolment_id}"


def interaction_key(lesson_key, sco: str, interaction_id: str) -> uuid.UUID:
    """A stable id for one interaction of a package (the object of its xAPI statement)."""
    return uuid.uuid5(uuid.UUID(str(lesson_key)), f"{sco}\x00{interaction_id}")
