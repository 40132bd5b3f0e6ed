"""Staff set up a second factor before they reach the Wagtail admin or the reports."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .roles import has_staff_role


@lru_cache(maxsize=1)
def _protected_prefixes() -> tuple[str, ...]:
    """The address prefixes of STAFF_MFA_REQUIRED_URLS (URL names) in every language."""
    prefixes = set()
    for name in settings.STAFF_MFA_REQUIRED_URLS:
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                prefixes.add(reverse(name))
    return tuple(sorted(prefixes))


def has_second_factor(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


class StaffMFARequiredMiddleware:
    """An author, reviewer, manager or administrator without TOTP or a security key who asks
    for a protected page is sent to set one up first (and comes back afterwards). Once set
    up, allauth asks for the code or the key at every sign-in. ``STAFF_MFA_REQUIRED`` turns
    this off (test settings only: other features' tests sign staff in with ``force_login``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            getattr(settings, "STAFF_MFA_REQUIRED", True)
            and request.path.startswith(_protected_prefixes())
            and has_staff_role(request.user)
            and not has_second_factor(request.user)
        ):
            messages.warning(
                request,
                _(
                    "Your role lets you see other people's data, so your account needs a "
                    "second factor: set up an authenticator app first."
                ),
            )
            language = getattr(request.user, "preferred_language", None) or settings.LANGUAGE_CODE
            with translation.override(language):
                url = reverse("mfa_activate_totp")
            return redirect(f"{url}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
