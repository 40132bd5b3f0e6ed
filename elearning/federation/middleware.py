"""Lets the site's forms lead to the identity providers (issue 16).

The site's policy says ``form-action 'self'``, and browsers apply it to the redirects after a
form is sent. The forms that start a federated sign-in (discovery, allauth's confirmation) and
the sign-out button of someone signed in through a provider (single sign-out) end at the
provider, so those responses name its origins in form-action; every other page keeps 'self'.
"""

from django.utils.http import url_has_allowed_host_and_scheme

from .services import SSO_SESSION_KEY, provider_origins


class FederationCSPMiddleware:
    """Widens form-action for the identity providers' origins, and sends a signed-out browser
    on to its provider's single sign-out."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        sign_out_url = getattr(request, "federation_sign_out_url", None)
        if sign_out_url and response.status_code in (301, 302, 303):
            # Signed out here: on to the provider's single sign-out (signal_handlers.py).
            response["Location"] = sign_out_url
            return response
        match = getattr(request, "resolver_match", None)
        relay_state = request.GET.get("RelayState", "")
        if (
            match is not None
            and match.url_name == "saml_sls"
            and response.status_code == 302
            and relay_state
            and url_has_allowed_host_and_scheme(relay_state, allowed_hosts={request.get_host()})
        ):
            # Back from the IdP's single sign-out: to the home page in the language the person
            # signed out in (the RelayState we sent), not one guessed at a neutral address.
            response["Location"] = relay_state
        origins = set(getattr(request, "federation_form_origins", ()))
        if match is not None and match.url_name in ("saml_login", "openid_connect_login"):
            # allauth's "continue to the provider" page (a GET), whose form ends there.
            from .models import IdentityProvider

            slug = match.kwargs.get("organization_slug") or match.kwargs.get("provider_id")
            row = IdentityProvider.objects.filter(slug=slug, enabled=True).first()
            if row is not None:
                origins |= provider_origins(row)
        session = getattr(request, "session", None)
        note = session.get(SSO_SESSION_KEY) if session is not None else None
        if note and getattr(request, "user", None) and request.user.is_authenticated:
            from .models import IdentityProvider

            row = IdentityProvider.objects.filter(pk=note.get("provider")).first()
            if row is not None:
                origins |= provider_origins(row)
        if origins:
            update = getattr(response, "_csp_update", None) or {}
            update["form-action"] = sorted(origins)
            response._csp_update = update
        return response
