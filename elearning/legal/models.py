"""The accessibility statement and the privacy notice (Wagtail pages, one per language, made
and prefilled by ``setup_site``), and the messages of the accessibility feedback form."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from .blocks import ShortcomingBlock

RICH = ["h3", "bold", "italic", "link", "ol", "ul"]


class ComplianceStatus(models.TextChoices):
    # Digg's three set phrases (lag 2018:1937, MDFFS 2019:2).
    FULL = "full", _("fully compliant")
    PARTIAL = "partial", _("partially compliant")
    NONE = "none", _("not compliant")


class AccessibilityStatementPage(Page):
    """The accessibility statement (tillgänglighetsredogörelse) that lag (2018:1937) asks for,
    in the order of Digg's model; linked from every page's footer, with the feedback form."""

    # Its text links out (Digg, contacts), not to our pages, images or documents: nothing for
    # the reference index to track, and setup_site (run for every transactional test) is
    # about a third quicker without it.
    wagtail_reference_index_ignore = True

    organisation = models.CharField(
        _("public body"),
        max_length=200,
        help_text=_("The organisation responsible for this installation of the platform."),
    )
    service_name = models.CharField(
        _("name of the service"), max_length=200, help_text=_("The website's name.")
    )
    compliance = models.CharField(
        _("compliance with the law"),
        max_length=10,
        choices=ComplianceStatus.choices,
        default=ComplianceStatus.PARTIAL,
        help_text=_("With WCAG 2.1 level AA (EN 301 549), as the law requires."),
    )
    intro = RichTextField(_("introduction"), features=RICH, blank=True)
    contact = RichTextField(
        _("how to reach us"),
        features=RICH,
        help_text=_(
            "How to ask for content in an accessible form or report a problem other than the "
            "form below: e-mail address, phone."
        ),
    )
    response_days = models.PositiveSmallIntegerField(
        _("we answer within (working days)"), default=5
    )
    shortcomings = StreamField(
        [("shortcoming", ShortcomingBlock())],
        verbose_name=_("known shortcomings"),
        blank=True,
        help_text=_("Content that does not meet the requirements, the criteria and the plans."),
    )
    disproportionate_burden = RichTextField(
        _("disproportionate burden (12 §)"),
        features=RICH,
        blank=True,
        help_text=_("Content exempted because adapting it would be unreasonable, and why."),
    )
    out_of_scope = RichTextField(
        _("content outside the law (9 §)"),
        features=RICH,
        blank=True,
        help_text=_("E.g. third-party content we neither fund nor control."),
    )
    method = RichTextField(
        _("how the statement was made"),
        features=RICH,
        help_text=_("Self-assessment or an external audit, with which tools and checks."),
    )
    assessed_on = models.DateField(_("compliance last assessed on"), default=timezone.localdate)
    reviewed_on = models.DateField(_("statement last reviewed on"), default=timezone.localdate)

    content_panels = Page.content_panels + [
        FieldRowPanel([FieldPanel("organisation"), FieldPanel("service_name")]),
        FieldPanel("intro"),
        FieldPanel("compliance"),
        FieldPanel("shortcomings"),
        FieldPanel("disproportionate_burden"),
        FieldPanel("out_of_scope"),
        MultiFieldPanel([FieldPanel("contact"), FieldPanel("response_days")], heading=_("Contact")),
        MultiFieldPanel(
            [FieldPanel("method"), FieldPanel("assessed_on"), FieldPanel("reviewed_on")],
            heading=_("Assessment"),
        ),
    ]

    parent_page_types = ["courses.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("accessibility statement")

    def get_context(self, request, *args, **kwargs):
        from .forms import FeedbackForm, referrer_page

        context = super().get_context(request, *args, **kwargs)
        context["form"] = FeedbackForm(initial={"page_url": referrer_page(request)})
        return context


class PrivacyPage(Page):
    """What the platform does with personal data (GDPR art. 13); the retention periods and
    the links to download or delete one's data come from the code and settings."""

    wagtail_reference_index_ignore = True  # as the statement: it links to no page or file

    controller = models.CharField(
        _("controller"),
        max_length=200,
        help_text=_("The organisation responsible for the personal data (personuppgiftsansvarig)."),
    )
    controller_contact = RichTextField(_("how to reach the controller"), features=RICH)
    dpo_contact = RichTextField(_("data protection officer"), features=RICH)
    intro = RichTextField(_("introduction"), features=RICH, blank=True)
    data_stored = RichTextField(_("what we store"), features=RICH)
    purposes = RichTextField(_("why, and on what legal basis"), features=RICH)
    recipients = RichTextField(_("who sees it"), features=RICH)
    transfers = RichTextField(_("transfers outside the EU/EEA"), features=RICH)
    reviewed_on = models.DateField(_("last reviewed on"), default=timezone.localdate)

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        MultiFieldPanel(
            [FieldPanel("controller"), FieldPanel("controller_contact"), FieldPanel("dpo_contact")],
            heading=_("Controller"),
        ),
        FieldPanel("data_stored"),
        FieldPanel("purposes"),
        FieldPanel("recipients"),
        FieldPanel("transfers"),
        FieldPanel("reviewed_on"),
    ]

    parent_page_types = ["courses.HomePage"]
    subpage_types = []
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("privacy notice")

    def get_context(self, request, *args, **kwargs):
        from elearning.core.retention import retention_rules

        from .recipients import recipients_now

        context = super().get_context(request, *args, **kwargs)
        context["retention"] = [
            {"text": rule.describe(rule.days), "days": rule.days}
            for rule in retention_rules()
            if rule.days > 0
        ]
        context["session_days"] = settings.SESSION_COOKIE_AGE // 86400
        context["recipients_now"] = recipients_now()
        return context


class FeedbackMessage(models.Model):
    """A message sent with the accessibility feedback form: stored, e-mailed to the
    administrators and acknowledged to the sender by ``legal.tasks.feedback_notify``."""

    class Kind(models.TextChoices):
        SHORTCOMING = "shortcoming", _("A problem with accessibility")
        ALTERNATIVE = "alternative", _("I need content in an accessible form")
        OTHER = "other", _("Something else")

    created_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    message = models.TextField(_("message"))
    page_url = models.CharField(_("page it is about"), max_length=500, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    # The sender, when signed in: their download shows the message, deletion removes it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set once each e-mail has gone, so a re-delivered task sends nothing twice.
    admins_notified_at = models.DateTimeField(_("administrators told"), null=True, blank=True)
    receipt_sent_at = models.DateTimeField(_("receipt sent"), null=True, blank=True)
    handled = models.BooleanField(_("handled"), default=False)

    class Meta:
        verbose_name = _("accessibility feedback")
        verbose_name_plural = _("accessibility feedback")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({timezone.localtime(self.created_at):%Y-%m-%d %H:%M})"
