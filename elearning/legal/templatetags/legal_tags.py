"""The footer's links to the accessibility statement and the privacy notice."""

from django import template
from django.conf import settings
from wagtail.models import Page

from elearning.core.pagecache import cached

register = template.Library()


@register.simple_tag(takes_context=True)
def legal_links(context) -> dict:
    """Addresses of the statement and the privacy notice in the current language (missing
    before set-up): one query until a page changes (cached, elearning.core.pagecache)."""
    request = context.get("request")
    if request is None:
        return {}
    if not hasattr(request, "_legal_links"):
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
        request._legal_links = cached(
            f"legal:links:{language}:{request.get_host()}", lambda: _links(request, language)
        )
    return request._legal_links


def _links(request, language: str) -> dict:
    from ..models import AccessibilityStatementPage, PrivacyPage

    pages = (
        Page.objects.live()
        .type(AccessibilityStatementPage, PrivacyPage)
        .filter(locale__language_code=language)
        .select_related("content_type")
    )
    links = {}
    for page in pages:
        key = "statement" if page.content_type.model == "accessibilitystatementpage" else "privacy"
        links.setdefault(key, page.get_url(request))
    return links
