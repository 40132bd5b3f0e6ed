"""Template helpers of the account pages."""

import re

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def inline_svg(svg: str, label: str = ""):
    """The QR code SVG that allauth draws, placed in the page itself (the site's
    Content-Security-Policy loads no data: images): without its XML declaration, as an image
    named for screen readers."""
    svg = re.sub(r"^\s*<\?xml[^>]*\?>\s*", "", svg or "")
    svg = svg.replace("<svg ", '<svg role="img" aria-labelledby="totp-qr-title" ', 1)
    svg = re.sub(
        r"(<svg[^>]*>)", r'\1<title id="totp-qr-title">' + _escape(label) + "</title>", svg, count=1
    )
    return mark_safe(svg)  # noqa: S308 - drawn by allauth's adapter from our own otpauth URL


def _escape(text) -> str:
    from django.utils.html import escape

    return escape(str(text))


@register.simple_tag(takes_context=True)
def site_menu(context) -> dict:
    """Which of the menu's links (reports, authoring) the signed-in person sees; cached per
    person (``elearning.accounts.menu``)."""
    from ..menu import menu_for

    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return menu_for(user) if user is not None else {}
