"""Single sign-out (issue 16): when someone who signed in through an identity provider signs
out here, the provider's session ends too.

Django sends ``user_logged_out`` before the session is emptied, whichever view signs out
(allauth's or any other), so the handler can still read how the person signed in and works out
the provider's sign-out address; ``middleware.FederationCSPMiddleware`` then sends the browser
there instead of the page the sign-out view chose (the provider sends it back to the site).
"""

import logging

logger = logging.getLogger(__name__)


def single_sign_out_prepare(sender, request, user, **kwargs):
    from .services import single_sign_out_url

    if request is None or not hasattr(request, "session"):
        return
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name == "saml_sls":
        # The identity provider asked for this sign-out (IdP-initiated single sign-out): the
        # answer to it is allauth's LogoutResponse, not a new LogoutRequest of our own.
        return
    try:
        url = single_sign_out_url(request)
    except Exception:  # noqa: BLE001 - an unreachable provider must not stop a local sign-out
        logger.warning("single sign-out: no address from the identity provider", exc_info=True)
        return
    if url:
        request.federation_sign_out_url = url
