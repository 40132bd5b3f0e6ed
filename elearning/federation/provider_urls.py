"""The protocol endpoints, outside the language prefix: the addresses registered at the
identity providers must not change with the learner's language (issue 16).

/federation/saml/<slug>/{login,acs,acs/finish,sls,metadata}/ (allauth's SAML views) and
/federation/oidc/<slug>/login/[callback/] (oidc.py: allauth's, hardened).
"""

from allauth.socialaccount.providers.saml import urls as saml_urls

from . import oidc

urlpatterns = [*oidc.urlpatterns, *saml_urls.urlpatterns]
