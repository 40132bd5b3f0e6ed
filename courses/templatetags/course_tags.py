"""Template tags about the course tree, used on every page (the navigation)."""

from django import template
from django.conf import settings

from courses.models import CourseCataloguePage
from elearning.core.pagecache import cached

register = template.Library()


@register.simple_tag(takes_context=True)
def catalogue_url(context):
    """Address of the course catalogue in the current language (None before set-up)."""
    request = context["request"]
    if not hasattr(request, "_catalogue_url"):
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)

        # Cached until any page changes (elearning.core.pagecache); the value is a string,
        # or "" for none, so that a missing catalogue is remembered too.
        def build():
            catalogue = (
                CourseCataloguePage.objects.live().filter(locale__language_code=language).first()
            )
            return (catalogue.get_url(request) if catalogue else None) or ""

        url = cached(f"courses:catalogue-url:{language}:{request.get_host()}", build)
        request._catalogue_url = url or None
    return request._catalogue_url


@register.filter
def with_heading_levels(body):
    """The lesson's blocks with the heading level a titled block (accordion, fact box,
    reflection) takes where it stands: one below the heading block before it, h2 before any
    (WCAG 1.3.1: their titles are headings, in the outline's order)."""
    level = 2
    for block in body:
        if block.block_type == "heading":
            level = 3 if block.value["level"] == "h2" else 4
        yield block, f"h{level}"
