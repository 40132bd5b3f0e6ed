"""The service provider's side of SAML, from Django settings (set from the environment in
``elearning/settings/base.py``; no key or certificate in code)."""

from django.conf import settings
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from .models import IdentityProvider


def _pem_body(pem: str) -> str:
    """python3-saml wants the base64 of a certificate or key, without the PEM armour."""
    return "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))


def saml_advanced_settings() -> dict:
    certificate = getattr(settings, "FEDERATION_SAML_SP_CERTIFICATE", "")
    private_key = getattr(settings, "FEDERATION_SAML_SP_PRIVATE_KEY", "")
    signing = bool(certificate and private_key)
    advanced = {
        "strict": True,
        # Assertions must be signed by the IdP (Sweden Connect, Sambi, Entra ID and AD FS do).
        "want_assertion_signed": True,
        "want_message_signed": False,
        # Only sign-ins this site started: an unsolicited response could be replayed.
        "reject_idp_initiated_sso": True,
        "reject_deprecated_algorithm": True,
        "authn_request_signed": signing,
        "logout_request_signed": signing,
        "logout_response_signed": signing,
        # Sweden Connect's technical framework wants assertions encrypted to the SP's key.
        "want_assertion_encrypted": signing
        and getattr(settings, "FEDERATION_SAML_WANT_ASSERTIONS_ENCRYPTED", False),
        "allow_single_label_domains": getattr(
            settings, "FEDERATION_SAML_ALLOW_SINGLE_LABEL_DOMAINS", False
        ),
    }
    if signing:
        advanced["x509cert"] = _pem_body(certificate)
        advanced["private_key"] = _pem_body(private_key)
    return advanced


def saml_idp_settings(row: IdentityProvider) -> dict:
    """allauth's ``idp`` settings: the metadata address, or what the pasted metadata says."""
    if row.saml_metadata_url:
        return {"entity_id": None, "metadata_url": row.saml_metadata_url}
    if not row.saml_metadata_xml:
        return {}
    idp = OneLogin_Saml2_IdPMetadataParser.parse(row.saml_metadata_xml).get("idp", {})
    certificate = idp.get("x509cert") or (idp.get("x509certMulti", {}).get("signing") or [""])[0]
    config = {
        "entity_id": idp.get("entityId", ""),
        "x509cert": certificate,
        "sso_url": idp.get("singleSignOnService", {}).get("url", ""),
    }
    if slo := idp.get("singleLogoutService", {}).get("url"):
        config["slo_url"] = slo
    return config
