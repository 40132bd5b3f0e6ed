"""How allauth fits the platform: the client address seen through our proxies, e-mail in the
person's language sent by Celery, the learner profile saved at sign-up, landing pages in the
preferred language, and every sign-in attempt written to the sign-in log."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django import forms
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from elearning.core.client import client_address
from elearning.core.tasks import email_send

from .roles import LEARNERS
from .signins import sign_in_record


def context_request():
    """The request allauth is serving (its adapter methods run inside one)."""
    return allauth_context.request


def _in_language(user):
    """The account's preferred language (the page's when there is no account)."""
    return translation.override(
        getattr(user, "preferred_language", None) or translation.get_language()
    )


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": _(
            "The e-mail address or the password is wrong. Check them and try again."
        ),
        "too_many_login_attempts": _(
            "Too many failed attempts to sign in to this account. Wait five minutes and try "
            "again, or reset your password."
        ),
    }

    def get_client_ip(self, request) -> str:
        # The address behind our trusted proxies (elearning/core/client.py); allauth's own
        # reading trusts only a proxy count. An unknown address is counted as one client.
        return client_address(request) or "unknown"

    def get_login_redirect_url(self, request) -> str:
        return f"/{request.user.preferred_language}/"

    def get_signup_redirect_url(self, request) -> str:
        if request.user.is_authenticated:
            return self.get_login_redirect_url(request)
        return f"/{translation.get_language()}/"

    def get_logout_redirect_url(self, request) -> str:
        return f"/{translation.get_language()}/"

    def save_user(self, request, user, form, commit=True):
        """The new learner with the profile from the sign-up form, in the learners' group.
        After an organisation's sign-in (the form asking for an address), allauth saves the
        account itself (``SocialLogin.save``, which must make the address row first) and the
        federation adapter adds the group: nothing is saved here."""
        if hasattr(form, "sociallogin"):
            commit = False
        user = super().save_user(request, user, form, commit=False)
        data = form.cleaned_data
        # (The sign-up form after an organisation's sign-in has no organisation field: the
        # federation adapter set it from the provider.)
        user.organisation = data.get("organisation") or user.organisation
        user.role_category = data.get("role_category") or user.role_category
        user.preferred_language = data.get("preferred_language") or user.preferred_language
        if commit:
            user.save()
            user.groups.add(*user.groups.model.objects.filter(name=LEARNERS))
        return user

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render now (in the active language: see ``_in_language``) and hand the message to
        Celery once the transaction commits: the page never waits for SMTP, and answers as
        fast for an unknown address as for a known one."""
        message = self.render_mail(
            template_prefix, email, {"email": email, "request": context_request(), **context}
        )
        html = next(
            (body for body, kind in getattr(message, "alternatives", []) if kind == "text/html"),
            None,
        )
        subject, body, to = message.subject, message.body, list(message.to)
        transaction.on_commit(
            lambda: email_send.delay(subject=subject, body=body, to=to, html_body=html)
        )

    # Mail to an account is written in the account's language, links included.
    def send_confirmation_mail(self, request, emailconfirmation, signup) -> None:
        with _in_language(emailconfirmation.email_address.user):
            super().send_confirmation_mail(request, emailconfirmation, signup)

    def send_account_already_exists_mail(self, email: str) -> None:
        from .models import User

        with _in_language(User.objects.filter(email__iexact=email).first()):
            super().send_account_already_exists_mail(email)

    def send_password_reset_mail(self, user, email, context) -> None:
        from allauth.account.utils import user_pk_to_url_str

        with _in_language(user):
            key = f"{user_pk_to_url_str(user)}-{context['key']}"
            context = {**context, "password_reset_url": self.get_reset_password_from_key_url(key)}
            super().send_password_reset_mail(user, email, context)

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except forms.ValidationError:
            sign_in_record(
                request, outcome="throttled", typed=credentials.get("email", ""), method="password"
            )
            raise

    def authentication_failed(self, request, **credentials) -> None:
        sign_in_record(
            request, outcome="failed", typed=credentials.get("email", ""), method="password"
        )
