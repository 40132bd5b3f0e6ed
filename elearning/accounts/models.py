"""Accounts: one user model for learners, authors, managers and administrators."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .names import name_clean


class UserManager(BaseUserManager):
    use_in_migrations = True

    def verified(self):
        """Accounts that count in reports and may receive certificates (see ``verified_at``)."""
        return self.filter(verified_at__isnull=False)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class RoleCategory(models.TextChoices):
    """What a learner does in their organisation; reports break completion down by it."""

    ELECTED = "elected", _("Elected official")
    OFFICIAL = "official", _("Official or strategist")
    MANAGER = "manager", _("Manager")
    OTHER = "other", _("Other")


class User(AbstractUser):
    """A person who signs in with their e-mail address.

    The name is kept as first and last name because Wagtail's admin (user forms, account
    settings, sidebar) is built on those two fields; ``get_full_name()`` joins them.
    """

    username = None
    email = models.EmailField(_("e-mail address"), unique=True)
    # Interface and e-mail language; the site switches to it after sign-in.
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
    )
    # The learner profile: where they work and in what role, for managers' reports.
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )
    role_category = models.CharField(
        _("role"), max_length=20, choices=RoleCategory.choices, default=RoleCategory.OTHER
    )
    # A manager sees the learners of these organisations (and only these).
    managed_organisations = models.ManyToManyField(
        "organisations.Organisation",
        verbose_name=_("managed organisations"),
        blank=True,
        related_name="managers",
    )

    # ...or every organisation in these counties (a region's or county board's coordinator)...
    managed_counties = models.ManyToManyField(
        "organisations.County",
        verbose_name=_("managed counties"),
        blank=True,
        related_name="managers",
    )
    # ...or every organisation in the country (a national programme).
    manages_nationally = models.BooleanField(_("manages all organisations"), default=False)
    # The monthly report digest: opted out, and the last month sent (e.g. "2026-10"), so a
    # month's digest goes out once whatever happens twice.
    digest_opt_out = models.BooleanField(_("no monthly report digest"), default=False)
    digest_sent_for = models.CharField(max_length=7, blank=True, editable=False)
    # The learner's identity towards Learning Record Stores: random, never the e-mail address.
    learner_id = models.UUIDField(_("learner id"), default=uuid.uuid4, unique=True, editable=False)
    # The learner asked not to get reminders about unfinished courses.
    reminders_opt_out = models.BooleanField(_("no reminder e-mails"), default=False)
    # Issue 14: when the account was last warned that it will be deleted for inactivity
    # (RETENTION_INACTIVE_ACCOUNT_DAYS); a sign-in after it cancels the warning.
    inactivity_warned_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When the account was proven: its e-mail address confirmed (allauth's link), or vouched
    # for by the organisation's identity provider. Reports and certificates count only
    # accounts with it set (``User.objects.verified()``); an address changed by other means
    # than a confirmation clears it.
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]
        permissions = [("view_reports", _("Can view completion reports of managed organisations"))]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @classmethod
    def from_db(cls, db, field_names, values):
        user = super().from_db(db, field_names, values)
        # What was stored, so that save() can tell a changed address from a proven one.
        user._stored = (user.__dict__.get("email"), user.__dict__.get("verified_at"))
        return user

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    def save(self, *args, **kwargs):
        stored_email, stored_verified_at = getattr(self, "_stored", (None, None))
        if (
            stored_email is not None
            and self.email.lower() != stored_email.lower()
            and self.verified_at == stored_verified_at
        ):
            # A new address set without proof (the user admin, code): not verified any more.
            self.verified_at = None
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "verified_at"}
        # Names set by code or by forms we do not own (Wagtail's account settings) get the
        # same cleaning as our forms give them (see names.py).
        self.first_name = name_clean(self.first_name or "")
        self.last_name = name_clean(self.last_name or "")
        super().save(*args, **kwargs)
        self._stored = (self.email, self.verified_at)


class SignInEvent(models.Model):
    """One attempt to sign in, successful or not, for administrators to read (Wagtail admin,
    "Sign-in log"); kept ``SIGN_IN_LOG_RETENTION_DAYS`` days (``accounts.tasks``)."""

    class Outcome(models.TextChoices):
        SUCCEEDED = "succeeded", _("Signed in")
        FAILED = "failed", _("Refused: wrong address, password or code")
        THROTTLED = "throttled", _("Refused: too many attempts")

    at = models.DateTimeField(_("time"), db_index=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    # The account, when the typed address belongs to one; its log goes when it is deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sign_in_events",
    )
    # What was typed in the address field (attempts on unknown addresses have no account).
    typed_address = models.CharField(_("typed address"), max_length=254, blank=True)
    client_address = models.CharField(_("client address"), max_length=64, blank=True)
    # "password", "mfa", or the identity provider's name ("saml:…", "oidc:…").
    method = models.CharField(_("method"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-in log")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.typed_address or self.user_id} {self.outcome}"
