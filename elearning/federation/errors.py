"""The page a refused federated sign-in gets: what went wrong, in the learner's language."""

from django.conf import settings
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext_lazy as _

# The language the person started signing in with (the answers arrive at neutral addresses).
LANGUAGE_SESSION_KEY = "federation_language"

# Why a sign-in was refused -> what the person reads.
REASONS = {
    "signature": _(
        "The answer from the identity provider had been altered: its signature does not match. "
        "Nothing was signed in. Try again; if it happens again, contact your IT department."
    ),
    "expired": _(
        "The answer from the identity provider had expired. Nothing was signed in. "
        "Check that your computer's clock is right and try again."
    ),
    "replayed": _(
        "This sign-in answer had already been used, or did not belong to a sign-in started "
        "in this browser. Nothing was signed in. Start again from the sign-in page."
    ),
    "audience": _(
        "The identity provider's answer was meant for another service or came from another "
        "issuer than the one configured. Nothing was signed in."
    ),
    "no_email": _(
        "The identity provider did not send your e-mail address, which the platform needs. "
        "Ask your IT department to release it to this service."
    ),
    "organisation": _(
        "Your organisation, as the identity provider gave it, is not one this provider may "
        "sign people in for. Nothing was signed in. Contact your IT department."
    ),
    "unverified": _(
        "Confirm your account's e-mail address before you link it to your organisation's account."
    ),
    "other": _(
        "Signing in through your organisation did not succeed. Nothing was signed in. "
        "Try again, or sign in with your e-mail address and password."
    ),
}


def sign_in_language(request) -> str:
    language = request.session.get(LANGUAGE_SESSION_KEY) if hasattr(request, "session") else None
    if language in dict(settings.LANGUAGES):
        return language
    return translation.get_language()


def failure_response(request, provider, reason: str, *, status: int = 400):
    """The refusal page; the refusal also goes into the sign-in log, with the provider and the
    reason as its method (e.g. "socialaccount:saml refused:signature")."""
    from elearning.accounts.signins import sign_in_record

    provider_id = getattr(provider, "id", "") or "unknown"
    sign_in_record(
        request, outcome="failed", method=f"socialaccount:{provider_id} refused:{reason}"
    )
    with translation.override(sign_in_language(request)):
        return render(
            request,
            "federation/sign_in_failed.html",
            {
                "provider_name": getattr(provider, "name", ""),
                "reason": reason,
                "message": REASONS.get(reason, REASONS["other"]),
            },
            status=status,
        )
