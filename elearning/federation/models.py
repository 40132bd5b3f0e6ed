"""Identity providers that organisations sign their staff in with (SAML 2.0, OpenID Connect)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .secrets import secret_decrypt, secret_encrypt


class IdentityProvider(models.Model):
    """One SAML identity provider or OpenID Connect provider, configured by an administrator.

    The sign-in itself runs through django-allauth's SAML and OpenID Connect providers: the
    social-account adapter (``adapter.py``) builds allauth's app from this row on each request.
    """

    class Kind(models.TextChoices):
        SAML = "saml", _("SAML 2.0")
        OIDC = "oidc", _("OpenID Connect")

    class OrganisationFrom(models.TextChoices):
        FIXED = "fixed", _("Always the organisation chosen here")
        CLAIM = "claim", _("From an attribute or claim (organisation code)")
        NONE = "none", _("Not from the provider (the learner chooses it)")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(
        _("name"), max_length=150, help_text=_("Shown on the sign-in button, e.g. 'Malmö stad'.")
    )
    # The provider's part of our addresses (…/saml/<slug>/acs/, …/oidc/<slug>/login/callback/);
    # changing it changes the addresses registered at the provider.
    slug = models.SlugField(
        _("short name"),
        max_length=60,
        unique=True,
        help_text=_("Part of the addresses registered at the provider; do not change it later."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    # Discovery: a learner who finds one of these organisations is offered this provider.
    organisations = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("organisations served"),
        blank=True,
        related_name="identity_providers",
    )
    organisation_from = models.CharField(
        _("learner's organisation"),
        max_length=10,
        choices=OrganisationFrom.choices,
        default=OrganisationFrom.FIXED,
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("fixed organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # Its value is matched against the codes of the organisations served (kommunkod, länskod).
    organisation_attribute = models.CharField(
        _("organisation attribute or claim"),
        max_length=200,
        blank=True,
        help_text=_(
            "E.g. 'municipalityCode'; its value must be the code of an organisation served."
        ),
    )

    # SAML: the identity provider's metadata, fetched from an address or pasted.
    saml_metadata_url = models.URLField(_("metadata address (SAML)"), blank=True)
    saml_metadata_xml = models.TextField(_("metadata XML (SAML)"), blank=True)

    # OpenID Connect: the issuer (its /.well-known/openid-configuration is read) and our client.
    oidc_issuer = models.URLField(_("issuer (OpenID Connect)"), blank=True)
    oidc_client_id = models.CharField(_("client id (OpenID Connect)"), max_length=255, blank=True)
    # Encrypted (secrets.py); written through the admin form, never rendered back.
    oidc_client_secret_encrypted = models.TextField(blank=True, editable=False)

    # Attribute mapping: which attribute or claim holds what.
    email_attribute = models.CharField(_("e-mail attribute"), max_length=200, default="email")
    given_name_attribute = models.CharField(
        _("given name attribute"), max_length=200, default="given_name"
    )
    family_name_attribute = models.CharField(
        _("surname attribute"), max_length=200, default="family_name"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("identity provider")
        verbose_name_plural = _("identity providers")

    def __str__(self) -> str:
        return self.name

    @property
    def oidc_client_secret(self) -> str:
        return secret_decrypt(self.oidc_client_secret_encrypted)

    @oidc_client_secret.setter
    def oidc_client_secret(self, value: str) -> None:
        self.oidc_client_secret_encrypted = secret_encrypt(value)

    @property
    def has_client_secret(self) -> bool:
        return bool(self.oidc_client_secret_encrypted)

    def clean(self):
        errors = {}
        if self.kind == self.Kind.SAML and not (self.saml_metadata_url or self.saml_metadata_xml):
            errors["saml_metadata_url"] = _("A SAML provider needs its metadata address or XML.")
        if self.kind == self.Kind.SAML and self.saml_metadata_xml and not self.saml_metadata_url:
            from .settings import saml_idp_settings

            try:
                idp = saml_idp_settings(self)
            except Exception:  # noqa: BLE001 - any parse failure is the same mistake to the admin
                idp = {}
            if not (idp.get("entity_id") and idp.get("sso_url") and idp.get("x509cert")):
                errors["saml_metadata_xml"] = _(
                    "This is not an identity provider's SAML metadata: it needs an entity id, a "
                    "single sign-on address and a signing certificate."
                )
        if self.kind == self.Kind.OIDC:
            if not self.oidc_issuer:
                errors["oidc_issuer"] = _("An OpenID Connect provider needs its issuer.")
            if not self.oidc_client_id:
                errors["oidc_client_id"] = _("An OpenID Connect provider needs a client id.")
        if self.organisation_from == self.OrganisationFrom.FIXED and not self.organisation_id:
            errors["organisation"] = _("Choose the organisation its learners belong to.")
        if (
            self.organisation_from == self.OrganisationFrom.CLAIM
            and not self.organisation_attribute
        ):
            errors["organisation_attribute"] = _("Name the attribute that holds the organisation.")
        if errors:
            raise ValidationError(errors)

    def login_url(self) -> str:
        """Where sign-in with this provider starts (allauth's view; POST with CSRF)."""
        from django.urls import reverse

        if self.kind == self.Kind.SAML:
            return reverse("saml_login", kwargs={"organization_slug": self.slug})
        return reverse("openid_connect_login", kwargs={"provider_id": self.slug})
