"""Writes of the legal app: the two pages made at set-up, feedback stored and forgotten."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.translation import ngettext
from wagtail.models import Locale, Page, Site

from .models import AccessibilityStatementPage, FeedbackMessage, PrivacyPage
from .prefill import PREFILL


def _ensure(model: type[Page], key: str, home: Page) -> None:
    """The page under the Swedish home page and its translations under the other home pages,
    each prefilled in its language when it is made; an existing page is never touched, so the
    administrators' edits stay. Added live without a first revision: the editor's first save
    makes one, and ``setup_site`` (run for every transactional test) stays quick."""
    default = home.locale
    page = model.objects.child_of(home).first()
    if page is None:
        page = model(locale=default, live=True, **PREFILL[default.language_code][key]())
        home.add_child(instance=page)
    for code, _name in settings.LANGUAGES:
        locale = Locale.objects.filter(language_code=code).first()
        if locale is None or locale == default or page.get_translation_or_none(locale):
            continue
        parent = home.get_translation_or_none(locale)
        if parent is None:
            continue
        translation = model(
            locale=locale, translation_key=page.translation_key, live=True, **PREFILL[code][key]()
        )
        parent.add_child(instance=translation)


@transaction.atomic
def legal_pages_ensure() -> None:
    """The accessibility statement and the privacy notice in every language, under the home
    pages of the default site; idempotent (a ``setup_site`` step)."""
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        return
    home = site.root_page.specific
    _ensure(AccessibilityStatementPage, "statement", home)
    _ensure(PrivacyPage, "privacy", home)


@transaction.atomic
def feedback_create(*, cleaned: dict, language: str, user=None) -> FeedbackMessage:
    """Store a message of the feedback form and have it e-mailed once the row is committed."""
    from .tasks import feedback_notify

    feedback = FeedbackMessage.objects.create(
        kind=cleaned["kind"],
        message=cleaned["message"],
        page_url=cleaned.get("page_url", ""),
        name=cleaned.get("name", ""),
        email=cleaned.get("email", ""),
        language=language,
        user=user if user is not None and user.is_authenticated else None,
    )
    transaction.on_commit(lambda: feedback_notify.delay(feedback.pk))
    return feedback


def feedback_data(user) -> list[dict]:
    """The messages a signed-in person sent, for their download."""
    return [
        {
            "received": message.created_at.isoformat(),
            "kind": message.kind,
            "page": message.page_url,
            "message": message.message,
        }
        for message in FeedbackMessage.objects.filter(user=user).order_by("created_at")
    ]


def feedback_forget(user) -> None:
    """When the account is deleted, so are the messages sent from it."""
    FeedbackMessage.objects.filter(user=user).delete()


def feedback_old_delete(cutoff: datetime) -> int:
    """Delete the messages received before ``cutoff`` (retention); returns how many."""
    deleted, _by_model = FeedbackMessage.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def feedback_retention_describe(days: int) -> str:
    return ngettext(
        "Messages sent with the accessibility feedback form: deleted %(days)d day after they came.",
        "Messages sent with the accessibility feedback form: deleted %(days)d days after they "
        "came.",
        days,
    ) % {"days": days}


def recipients() -> list[str]:
    """Who gets the feedback: ACCESSIBILITY_FEEDBACK_RECIPIENTS, or every active superuser."""
    from django.contrib.auth import get_user_model

    if settings.ACCESSIBILITY_FEEDBACK_RECIPIENTS:
        return list(settings.ACCESSIBILITY_FEEDBACK_RECIPIENTS)
    return list(
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
    )
