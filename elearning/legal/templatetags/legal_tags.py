"""The footer's links to the accessibility statement and the privacy notice."""

from django import template
from django.conf import settings
from django.core.cache import cache
from wagtail.models import Page

from elearning.core.pagecache import pages_version

register = template.Library()


@register.simple_tag(takes_context=True)
def legal_links(context) -> dict:
    """Addresses of the statement and the privacy notice in the current language (missing
    before set-up): one query until a page changes (cached)."""
    from ..models import AccessibilityStatementPage, PrivacyPage

    request = context.get("request")
    if request is None:
        return {}
    if not hasattr(request, "_legal_links"):
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        # Cached until any page changes (elearning.core.pagecache).
        cache_key = f"legal:links:{language}:{request.get_host()}:{pages_version()}"
        cached = cache.get(cache_key)
        if cached is not None:
            request._legal_links = cached
            return cached
        pages = (
            Page.objects.live()
            .type(AccessibilityStatementPage, PrivacyPage)
            .filter(locale__language_code=language)
            .select_related("content_type")
        )
        links = {}
        for page in pages:
            key = (
                "statement"
                if page.content_type.model == "accessibilitystatementpage"
                else "privacy"
            )
            links.setdefault(key, page.get_url(request))
        cache.set(cache_key, links, timeout=24 * 60 * 60)
        request._legal_links = links
    return request._legal_links
