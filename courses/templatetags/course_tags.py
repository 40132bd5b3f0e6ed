"""Template tags about the course tree, used on every page (the navigation)."""

from django import template
from django.conf import settings

from courses.models import CourseCataloguePage

register = template.Library()


@register.simple_tag(takes_context=True)
def catalogue_url(context):
    """Address of the course catalogue in the current language (None before set-up)."""
    request = context["request"]
    if not hasattr(request, "_catalogue_url"):
        catalogue = (
            CourseCataloguePage.objects.live()
            .filter(locale__language_code=getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE))
            .first()
        )
        request._catalogue_url = catalogue.get_url(request) if catalogue else None
    return request._catalogue_url
