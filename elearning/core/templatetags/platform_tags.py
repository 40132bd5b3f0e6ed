from django import template
from django.conf import settings
from django.urls import translate_url
from wagtail.models import Page, Site

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
    pages = _page_translations(page, request) if isinstance(page, Page) else None
    links = []
    for code, name in settings.LANGUAGES:
        if pages is not None:
            target = pages.get(code)
            url = target.get_url(request) if target is not None else f"/{code}/"
        else:
            url = translate_url(request.get_full_path(), code)
        links.append({"code": code, "name": name, "url": url, "current": code == current})
    return {"links": links}


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
