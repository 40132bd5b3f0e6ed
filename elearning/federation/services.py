"""Provisioning and single sign-out for federated sign-ins (issue 16)."""

from django.utils.http import urlencode

from elearning.organisations.models import Organisation

from .models import IdentityProvider

# The session's note of how the person signed in, for single sign-out.
SSO_SESSION_KEY = "federation_sso"


class FederationError(Exception):
    """A federated sign-in refused; ``reason`` is a key of errors.REASONS."""

    def __init__(self, reason: str, message: str = ""):
        super().__init__(message or reason)
        self.reason = reason


def organisation_for(*, provider: IdentityProvider, claims: dict) -> Organisation | None:
    """The learner's organisation by the provider's rule: its fixed organisation, or the one
    among those it serves whose code the attribute carries; None when the provider does not
    say. Raises FederationError when the attribute names no organisation the provider serves
    (an identity provider may only place people in its own organisations)."""
    if provider.organisation_from == IdentityProvider.OrganisationFrom.FIXED:
        return provider.organisation
    if provider.organisation_from == IdentityProvider.OrganisationFrom.NONE:
        return None
    value = str(claims.get(provider.organisation_attribute) or "").strip()
    organisation = (
        provider.organisations.filter(code=value, is_active=True).first() if value else None
    )
    if organisation is None:
        raise FederationError("organisation", f"no served organisation has code {value!r}")
    return organisation


def sso_session_store(request, *, provider: IdentityProvider, saml=None, id_token=None) -> None:
    """Keep in the session what single sign-out will need (survives the sign-in's new key)."""
    note = {"provider": provider.pk, "kind": provider.kind}
    if saml:
        note["saml"] = saml
    if id_token:
        note["id_token"] = id_token
    request.session[SSO_SESSION_KEY] = note


def single_sign_out_url(request) -> str | None:
    """Where to send the browser to end the identity provider's session as well, when the
    person signed in through one that offers single sign-out (SAML SLO, OpenID Connect
    RP-initiated logout); None otherwise. Called before the local session ends."""
    from allauth.socialaccount.adapter import get_adapter

    note = request.session.get(SSO_SESSION_KEY)
    if not note:
        return None
    row = IdentityProvider.objects.filter(pk=note.get("provider"), enabled=True).first()
    if row is None:
        return None
    home = request.build_absolute_uri(f"/{getattr(request, 'LANGUAGE_CODE', 'sv')}/")
    if row.kind == IdentityProvider.Kind.SAML:
        from allauth.socialaccount.providers.saml.utils import build_auth

        saml = note.get("saml") or {}
        app = get_adapter().get_app(request, provider="saml", client_id=row.slug)
        auth = build_auth(request, app.get_provider(request))
        if not auth.get_settings().get_idp_slo_url():
            return None
        return auth.logout(
            return_to=home,
            name_id=saml.get("name_id"),
            session_index=saml.get("session_index"),
            nq=saml.get("nq"),
            name_id_format=saml.get("name_id_format"),
            spnq=saml.get("spnq"),
        )
    from .oidc import HardenedOIDCAdapter

    adapter = HardenedOIDCAdapter(request, row.slug)
    end_session = adapter.openid_config.get("end_session_endpoint")
    if not end_session:
        return None
    params = {"client_id": row.oidc_client_id, "post_logout_redirect_uri": home}
    if note.get("id_token"):
        params["id_token_hint"] = note["id_token"]
    return f"{end_session}?{urlencode(params)}"


def _origin(url: str) -> str | None:
    from urllib.parse import urlsplit

    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def provider_origins(row: IdentityProvider) -> set[str]:
    """The origins a browser is sent to when signing in or out with ``row``: the site's
    Content-Security-Policy (``form-action 'self'``) must allow them on pages whose forms
    start those journeys, because browsers apply form-action to the redirects that follow."""
    if row.kind == IdentityProvider.Kind.OIDC:
        # The authorization and end-session endpoints live at the issuer (Entra ID, AD FS,
        # Keycloak, Google...); nothing is fetched to render a page.
        return {o for o in [_origin(row.oidc_issuer)] if o}
    from .settings import saml_idp_settings

    urls = [row.saml_metadata_url]
    try:
        idp = saml_idp_settings(row)
        if idp.get("metadata_url"):
            from allauth.socialaccount.providers.saml.utils import fetch_metadata_url_config

            config = fetch_metadata_url_config(idp)["idp"]  # cached by allauth (4 hours)
            urls += [
                config.get("singleSignOnService", {}).get("url"),
                config.get("singleLogoutService", {}).get("url"),
            ]
        else:
            urls += [idp.get("sso_url"), idp.get("slo_url")]
    except Exception:  # noqa: BLE001 - an unreachable or broken IdP must not break the page
        pass
    return {o for o in map(_origin, urls) if o}
