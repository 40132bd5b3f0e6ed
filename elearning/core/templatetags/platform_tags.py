from django import template
from django.conf import settings
from django.urls import NoReverseMatch, reverse, translate_url
from django.utils import translation
from django.utils.encoding import iri_to_uri
from wagtail.models import Page, Site

from elearning.core.pagecache import cached, pages_version

register = template.Library()


def _page_translations(page: Page, request) -> dict[str, Page]:
    """Live translations of ``page`` by language code; where a language has none, the site's
    home page in that language, so the switch never leads to a 404."""
    found = {
        p.locale.language_code: p
        for p in page.get_translations(inclusive=True).live().select_related("locale")
    }
    if len(found) < len(settings.LANGUAGES):
        site = Site.find_for_request(request)
        if site is not None:
            for home in (
                site.root_page.get_translations(inclusive=True).live().select_related("locale")
            ):
                found.setdefault(home.locale.language_code, home)
    return found


@register.inclusion_tag("includes/language_switch.html", takes_context=True)
def language_switch(context):
    """Links to the current page in every language: the page's own translation for Wagtail
    pages, the translated address for other views."""
    request = context["request"]
    current = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    page = context.get("page")
    urls = _translation_urls(page, request) if isinstance(page, Page) else None
    links = []
    for code, name in settings.LANGUAGES:
        if urls is not None:
            url = urls.get(code) or f"/{code}/"
        else:
            url = _view_url(request, code)
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return {"links": links}


def _view_url(request, code: str) -> str:
    """The address of the current view in language ``code``: Django's ``translate_url``
    without its ``resolve``, from the match the request was routed by (the attempt page and
    the result page of every taker of a webinar, issue 17)."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return translate_url(request.get_full_path(), code)
    try:
        with translation.override(code):
            url = reverse(match.view_name, args=match.args, kwargs=match.kwargs)
    except NoReverseMatch:
        return request.get_full_path()
    query = iri_to_uri(request.META.get("QUERY_STRING", ""))
    return f"{url}?{query}" if query else url


def _translation_urls(page: Page, request) -> dict[str, str]:
    """Language code -> address of the page's translation (or home page), cached until any
    page changes (elearning.core.pagecache): the same for every learner."""
    return cached(
        f"core:translation-urls:{page.pk}:{request.get_host()}",
        lambda: {
            code: target.get_url(request)
            for code, target in _page_translations(page, request).items()
        },
    )


@register.simple_tag
def described_widget(bound_field):
    """The field's widget, pointing (aria-describedby) at its help text and its errors."""
    ids = []
    if bound_field.help_text:
        ids.append(f"{bound_field.auto_id}_helptext")
    if bound_field.errors:
        ids.append(f"{bound_field.auto_id}_errors")
    attrs = {"aria-describedby": " ".join(ids)} if ids else {}
    return bound_field.as_widget(attrs=attrs)


@register.simple_tag(name="pages_version")
def pages_version_tag():
    """The page tree's version (elearning.core.pagecache), for fragment cache keys whose
    content links to other pages (rich text): any page change renders them anew."""
    return pages_version()
