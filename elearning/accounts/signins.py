"""The sign-in log: every attempt to sign in, successful or not, with the typed address, the
client address (through the trusted proxies) and the method; administrators read it in the
Wagtail admin (``viewsets.SignInEventViewSet``)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from elearning.core.client import client_address


def _method(request, user) -> str:
    """How the person proved who they are in this session: allauth's records, e.g.
    "password", "password+mfa", "socialaccount:…" (the provider)."""
    from allauth.account.authentication import get_authentication_records

    names = []
    for record in get_authentication_records(request, user) if user is not None else []:
        name = record.get("method", "")
        if name == "socialaccount" and record.get("provider"):
            name = f"socialaccount:{record['provider']}"
        if name and name not in names:
            names.append(name)
    return "+".join(names)


def sign_in_record(request, *, outcome: str, typed: str = "", method: str = "", user=None):
    """Write one row of the log (the account is looked up from the typed address)."""
    from .models import SignInEvent, User

    typed = (typed or "")[:254]
    if user is None and typed:
        user = User.objects.filter(email__iexact=typed).first()
    return SignInEvent.objects.create(
        at=timezone.now(),
        outcome=outcome,
        user=user,
        typed_address=typed or getattr(user, "email", ""),
        client_address=client_address(request)[:64] if request is not None else "",
        method=(method or (_method(request, user) if request is not None else ""))[:64],
    )


def signed_in(sender, request, user, **kwargs) -> None:
    """allauth's ``user_logged_in``: every completed sign-in (password, MFA, provider)."""
    sign_in_record(request, outcome="succeeded", user=user, method=_method(request, user))


def mfa_failed(sender, request, user, **kwargs) -> None:
    """allauth.mfa's ``authentication_failed``: a wrong second-factor code."""
    sign_in_record(request, outcome="failed", user=user, method="mfa")


def sign_in_log_prune(*, now=None) -> int:
    """Delete the log older than ``SIGN_IN_LOG_RETENTION_DAYS``; returns how many rows went."""
    from .models import SignInEvent

    cutoff = (now or timezone.now()) - timedelta(days=settings.SIGN_IN_LOG_RETENTION_DAYS)
    deleted, _ = SignInEvent.objects.filter(at__lt=cutoff).delete()
    return deleted


def connect() -> None:
    from allauth.account.signals import user_logged_in
    from allauth.mfa.signals import authentication_failed

    user_logged_in.connect(signed_in, dispatch_uid="accounts.signed_in")
    authentication_failed.connect(mfa_failed, dispatch_uid="accounts.mfa_failed")
