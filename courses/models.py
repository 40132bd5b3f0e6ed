"""Wagtail page types for the public site: home page and course catalogue.

The course, module and lesson pages arrive with the authoring issue; the catalogue lists
whatever course pages are published beneath it.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index


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
        features=["h2", "h3", "bold", "italic", "link", "ol", "ul"],
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
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = self.get_children().live().public().specific()
        return context
