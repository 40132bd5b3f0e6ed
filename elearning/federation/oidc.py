"""allauth's OpenID Connect relying party, hardened (issue 16).

allauth skips the ID token's signature when the token came straight from the token endpoint
(OpenID Connect Core allows it under TLS) and sends no nonce. Here the signature is always
checked against the provider's JWKS (with issuer, audience and expiry, as allauth does), the
authorization request carries a nonce kept in the sign-in's state, and the ID token must
carry it back (checked in ``adapter.SocialAccountAdapter.pre_social_login``). These views take
the addresses of allauth's own OpenID Connect views (``elearning/urls.py`` puts them first).
"""

import secrets

from allauth.account.internal.decorators import login_not_required
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.views import OAuth2CallbackView, OAuth2LoginView
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from django.http import Http404
from django.urls import re_path

# Where a sign-in's raw ID token waits for the session (for RP-initiated logout's hint).
ID_TOKEN_ATTRIBUTE = "_federation_id_token"


class HardenedOIDCAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict:
        return jwtkit.verify_and_decode(
            credential=id_token,
            keys_url=self.openid_config["jwks_uri"],
            issuer=self.openid_config["issuer"],
            audience=app.client_id,
            lookup_kid=jwtkit.lookup_kid_jwk,
            verify_signature=True,
        )

    def complete_login(self, request, app, token, **kwargs):
        login = super().complete_login(request, app, token, **kwargs)
        setattr(login, ID_TOKEN_ATTRIBUTE, kwargs["response"].get("id_token", ""))
        return login


class FederatedOIDCProvider(OpenIDConnectProvider):
    """allauth's provider with a nonce in every authorization request (``provider_class``
    in SOCIALACCOUNT_PROVIDERS)."""

    oauth2_adapter_class = HardenedOIDCAdapter

    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = secrets.token_urlsafe(24)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        return super().redirect(
            request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs
        )


@login_not_required
def login(request, provider_id):
    try:
        return OAuth2LoginView.adapter_view(HardenedOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as e:
        raise Http404 from e


@login_not_required
def callback(request, provider_id):
    try:
        return OAuth2CallbackView.adapter_view(HardenedOIDCAdapter(request, provider_id))(request)
    except SocialApp.DoesNotExist as e:
        raise Http404 from e


# The same addresses and names as allauth's openid_connect/urls.py (prefix "oidc/").
urlpatterns = [
    re_path(r"^oidc/(?P<provider_id>[^/]+)/login/$", login, name="openid_connect_login"),
    re_path(
        r"^oidc/(?P<provider_id>[^/]+)/login/callback/$",
        callback,
        name="openid_connect_callback",
    ),
]
