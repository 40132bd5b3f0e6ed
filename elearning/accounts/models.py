"""Accounts: one user model for learners, authors, managers and administrators."""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from .names import name_clean


class UserManager(BaseUserManager):
    use_in_migrations = True

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

    def save(self, *args, **kwargs):
        # Names set by code or by forms we do not own (Wagtail's account settings) get the
        # same cleaning as our forms give them (see names.py).
        self.first_name = name_clean(self.first_name or "")
        self.last_name = name_clean(self.last_name or "")
        super().save(*args, **kwargs)
