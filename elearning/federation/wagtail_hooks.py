"""Admin wiring of federation: the identity providers' configuration."""

from wagtail import hooks


@hooks.register("register_admin_viewset")
def register_identity_provider_viewset():
    from .viewsets import IdentityProviderViewSet

    return IdentityProviderViewSet("identity_providers")
