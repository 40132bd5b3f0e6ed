"""allauth's SAML 2.0 service provider, with a clear answer to a replayed response and the
session details single sign-out needs (issue 16).

allauth's ACS accepts a response only if its ``InResponseTo`` names a sign-in this browser
started and has not finished (the state is used up on first use), so a replayed response --
the same one posted again, or one captured elsewhere -- finds no state; allauth then raises
PermissionDenied (a bare 403). Here it gets the sign-in-failed page saying why.
"""

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.providers.saml.provider import SAMLProvider
from django.core.exceptions import PermissionDenied

# Where a sign-in's NameID and session index wait for the session (single sign-out).
SSO_ATTRIBUTE = "_federation_saml_session"


class FederatedSAMLProvider(SAMLProvider):
    def unstash_redirect_state(self, request, state_id):
        try:
            return super().unstash_redirect_state(request, state_id)
        except PermissionDenied as e:
            from .errors import failure_response

            raise ImmediateHttpResponse(failure_response(request, self, "replayed")) from e

    def sociallogin_from_response(self, request, response):
        login = super().sociallogin_from_response(request, response)
        setattr(
            login,
            SSO_ATTRIBUTE,
            {
                "name_id": response.get_nameid(),
                "name_id_format": response.get_nameid_format(),
                "nq": response.get_nameid_nq(),
                "spnq": response.get_nameid_spnq(),
                "session_index": response.get_session_index(),
            },
        )
        return login
