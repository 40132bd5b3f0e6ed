"""allauth's social-account adapter for the organisations' identity providers (issue 16).

- The SAML and OpenID Connect "apps" allauth signs in with are built on each request from the
  IdentityProvider rows the administrators keep in the Wagtail admin (``list_apps``), so no
  allauth SocialApp rows (and no second admin for them) exist.
- Just-in-time provisioning: a first sign-in creates the account, in the organisation the
  provider names (fixed, or from an attribute matched against the organisations it serves);
  the provider vouches for the address, so the account counts as verified (``verified_at``).
- Never linked by e-mail: a sign-in whose address belongs to an existing account is refused
  with the way to link (sign in to that account, whose address is proven, then link).
- A refused sign-in (tampered, expired or replayed answer, wrong audience or issuer, reused
  nonce) gets a page saying which (``errors.py``).
"""

import logging

import jwt
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base.constants import AuthProcess
from django.contrib.auth.models import Group
from django.utils import translation

from elearning.accounts.models import User
from elearning.accounts.roles import LEARNERS
from elearning.accounts.verification import user_verified

from . import selectors
from .errors import failure_response, sign_in_language
from .models import IdentityProvider
from .oidc import ID_TOKEN_ATTRIBUTE
from .saml import SSO_ATTRIBUTE
from .services import FederationError, organisation_for, sso_session_store

logger = logging.getLogger(__name__)

SAML = "saml"
OIDC = "openid_connect"


def app_from_provider(row: IdentityProvider) -> SocialApp:
    """allauth's (unsaved) app for one identity provider row."""
    from .settings import saml_advanced_settings, saml_idp_settings

    if row.kind == IdentityProvider.Kind.SAML:
        app = SocialApp(
            provider=SAML,
            provider_id=SAML,
            name=row.name,
            client_id=row.slug,
            settings={
                "federation_id": row.pk,
                "idp": saml_idp_settings(row),
                "attribute_mapping": {
                    "uid": ["urn:oasis:names:tc:SAML:attribute:subject-id"],
                    "email": [row.email_attribute],
                    "first_name": [row.given_name_attribute],
                    "last_name": [row.family_name_attribute],
                },
                "advanced": saml_advanced_settings(),
            },
        )
    else:
        app = SocialApp(
            provider=OIDC,
            provider_id=row.slug,
            name=row.name,
            client_id=row.oidc_client_id,
            secret=row.oidc_client_secret,
            settings={
                "federation_id": row.pk,
                "server_url": row.oidc_issuer,
                "oauth_pkce_enabled": True,
            },
        )
    return app


def provider_row(sociallogin_or_app) -> IdentityProvider | None:
    """Our row behind a sign-in (or an allauth app, or a provider); None for other apps."""
    app = sociallogin_or_app
    if hasattr(app, "account"):  # a SocialLogin
        app = getattr(app, "provider", None) or app.account.get_provider()
    app = getattr(app, "app", app)  # a provider
    federation_id = (getattr(app, "settings", None) or {}).get("federation_id")
    if federation_id is None:
        return None
    return IdentityProvider.objects.filter(pk=federation_id, enabled=True).first()


def _is_oidc(sociallogin) -> bool:
    # SocialAccount.provider is the app's provider id: "saml", or the OIDC provider's slug.
    return sociallogin.account.provider != SAML


def claims_of(sociallogin) -> dict:
    """The attributes (SAML) or claims (ID token, then userinfo) of a sign-in, first values."""
    data = sociallogin.account.extra_data or {}
    if not _is_oidc(sociallogin):
        merged = data
    else:
        merged = {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}
    return {k: (v[0] if isinstance(v, list) and v else v) for k, v in merged.items()}


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        for row in selectors.providers_enabled():
            try:
                app = app_from_provider(row)
            except Exception:  # noqa: BLE001 - one broken row must not break every sign-in
                logger.exception("identity provider %s: configuration unusable", row.slug)
                continue
            if provider and provider not in (app.provider, app.provider_id):
                continue
            if client_id and client_id != app.client_id:
                continue
            apps.append(app)
        return apps

    def is_email_verified(self, provider, email):
        # The organisation's identity provider vouches for the addresses it releases.
        return provider_row(
            getattr(provider, "app", None)
        ) is not None or super().is_email_verified(provider, email)

    def pre_social_login(self, request, sociallogin):
        row = provider_row(sociallogin)
        if row is None:
            return super().pre_social_login(request, sociallogin)
        provider = sociallogin.account.get_provider()
        claims = claims_of(sociallogin)
        # The answer arrives at a neutral address: what follows (the account's language, the
        # address form of a provider without e-mail) is in the language the sign-in began in.
        language = sign_in_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        if _is_oidc(sociallogin):
            # The nonce of this sign-in's own request: an ID token from an earlier one is a
            # replay. (allauth sends and checks none; oidc.py adds it.)
            expected = (sociallogin.state or {}).get("nonce")
            got = (sociallogin.account.extra_data.get("id_token") or {}).get("nonce")
            if not expected or got != expected:
                raise ImmediateHttpResponse(failure_response(request, provider, "replayed"))
        email = (claims.get(row.email_attribute) or "").strip().lower()
        try:
            organisation = organisation_for(provider=row, claims=claims)
        except FederationError as e:
            raise ImmediateHttpResponse(failure_response(request, provider, e.reason)) from e
        process = (sociallogin.state or {}).get("process")
        if process == AuthProcess.CONNECT:
            user = request.user
            if not user.is_authenticated or not _address_proven(user):
                raise ImmediateHttpResponse(failure_response(request, provider, "unverified"))
        elif sociallogin.is_existing:
            user = sociallogin.user
            if organisation is not None and user.organisation_id != organisation.pk:
                user.organisation = organisation
                user.save(update_fields=["organisation"])
        elif email:
            existing = User.objects.filter(email__iexact=email).first()
            if existing is not None:
                # Never linked on the strength of an address: the person proves the existing
                # account (its password, and so its confirmed address) and links it there.
                raise ImmediateHttpResponse(
                    _link_required_response(request, provider, email=email, row=row)
                )
            sociallogin.user.email = email
        # else: a provider that releases no address (e-ID through Sweden Connect): allauth
        # cannot sign up automatically and shows its sign-up form (templates/socialaccount/
        # signup.html), which asks for an address; the account is usable once its owner
        # confirms it (SOCIALACCOUNT_EMAIL_VERIFICATION = "mandatory").
        sso_session_store(
            request,
            provider=row,
            saml=getattr(sociallogin, SSO_ATTRIBUTE, None),
            id_token=getattr(sociallogin, ID_TOKEN_ATTRIBUTE, None),
        )

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        row = provider_row(sociallogin)
        if row is not None:
            claims = claims_of(sociallogin)
            user.email = (claims.get(row.email_attribute) or user.email or "").strip().lower()
            user.first_name = claims.get(row.given_name_attribute) or user.first_name or ""
            user.last_name = claims.get(row.family_name_attribute) or user.last_name or ""
            user.preferred_language = getattr(request, "LANGUAGE_CODE", user.preferred_language)
        return user

    def save_user(self, request, sociallogin, form=None):
        row = provider_row(sociallogin)
        if row is not None:
            sociallogin.user.organisation = organisation_for(
                provider=row, claims=claims_of(sociallogin)
            )
            # The language the sign-in began in (populate_user ran at the neutral address).
            sociallogin.user.preferred_language = sign_in_language(request)
        user = super().save_user(request, sociallogin, form=form)
        user.groups.add(*Group.objects.filter(name=LEARNERS))
        if row is not None and (claims_of(sociallogin).get(row.email_attribute) or "").strip():
            # The organisation's provider vouched for the address: the account counts as
            # verified (reports, certificates), its address row too (accounts.verification).
            # An address the person typed (no address from the provider) is confirmed by mail.
            user_verified(user=user)
        return user

    def get_connect_redirect_url(self, request, socialaccount):
        # Linked: back home in the person's language (allauth's list of connections is not
        # one of the site's pages), with allauth's "connected" message.
        return f"/{request.user.preferred_language}/"

    def on_authentication_error(
        self, request, provider, error=None, exception=None, extra_context=None
    ):
        super().on_authentication_error(
            request, provider, error=error, exception=exception, extra_context=extra_context
        )
        if provider_row(getattr(provider, "app", None)) is None:
            return
        raise ImmediateHttpResponse(
            failure_response(request, provider, _reason(exception, extra_context or {}))
        )


def _address_proven(user) -> bool:
    if user.is_verified:
        return True
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()


def _reason(exception, extra_context: dict) -> str:
    """Which of errors.REASONS a failed sign-in was."""
    saml_reason = (extra_context.get("saml_last_error_reason") or "").lower()
    if saml_reason:
        if "signature" in saml_reason or "reference validation" in saml_reason:
            return "signature"
        if "expired" in saml_reason or "notonorafter" in saml_reason:
            return "expired"
        if "inresponseto" in saml_reason:
            return "replayed"
        return "other"
    cause = getattr(exception, "__cause__", None)
    if isinstance(cause, jwt.InvalidSignatureError):
        return "signature"
    if isinstance(cause, jwt.ExpiredSignatureError):
        return "expired"
    if isinstance(cause, jwt.InvalidAudienceError | jwt.InvalidIssuerError):
        return "audience"
    if exception is not None and "already used" in str(exception):
        return "replayed"
    if exception is None and "state_id" in extra_context:
        # No sign-in of this browser waits for that state: used already, or never started.
        return "replayed"
    return "other"


def _link_required_response(request, provider, *, email: str, row: IdentityProvider):
    from django.shortcuts import render

    with translation.override(sign_in_language(request)):
        return render(
            request,
            "federation/link_required.html",
            {"provider_name": row.name, "email": email, "provider": row},
            status=409,
        )
