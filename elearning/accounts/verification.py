"""``User.verified_at`` and allauth's ``EmailAddress.verified`` tell the same story.

allauth decides who may sign in from its EmailAddress rows; reports and certificates filter on
``User.verified_at`` (one column, no join). A confirmed address sets ``verified_at``; an account
made verified by code (the demo, an identity provider's provisioning, tests) gets its address
marked verified; an address changed without proof clears ``verified_at`` (``User.save``)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone

# Apps above accounts that act when an account becomes verified (certificates: issue what
# was held back), registered in their AppConfig.ready().
_on_verified: dict[str, Callable] = {}


def verified_subscribe(handler: Callable, *, uid: str) -> None:
    """Call ``handler(user)`` in the transaction that marks an account verified."""
    _on_verified[uid] = handler


def user_verified(*, user, when=None) -> None:
    """Mark the account proven (its address confirmed, or the organisation's identity provider
    vouched for it: call this after provisioning). Idempotent."""
    from .models import User

    newly = user.verified_at is None
    if newly:
        user.verified_at = when or timezone.now()
        User.objects.filter(pk=user.pk).update(verified_at=user.verified_at)
        user._stored = (user.email, user.verified_at)
    _email_address_sync(user)
    if newly:
        for handler in list(_on_verified.values()):
            handler(user)


def _email_address_sync(user) -> None:
    from allauth.account.models import EmailAddress

    addresses = list(EmailAddress.objects.filter(user=user))
    own = next((a for a in addresses if a.email.lower() == user.email.lower()), None)
    if own is None:
        own = EmailAddress.objects.create(
            user=user, email=user.email, primary=False, verified=user.verified_at is not None
        )
        addresses.append(own)
    elif user.verified_at is not None and not own.verified:
        own.verified = True
        own.save(update_fields=["verified"])
    if not own.primary:
        EmailAddress.objects.filter(user=user, primary=True).exclude(pk=own.pk).update(
            primary=False
        )
        EmailAddress.objects.filter(pk=own.pk).update(primary=True)
    if own.verified and user.verified_at is None:
        # Proven through allauth before it became the account's address.
        user_verified(user=user)


def user_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    """post_save of User: keep the address row when the address or the proof changed."""
    if kwargs.get("raw"):
        return
    if created and instance.verified_at is None:
        return  # allauth's sign-up makes the address row itself (and insists on being first)
    if (
        not created
        and update_fields is not None
        and not {"email", "verified_at"} & set(update_fields)
    ):
        return  # e.g. last_login on every sign-in
    _email_address_sync(instance)


def email_confirmed(sender, request, email_address, **kwargs) -> None:
    """allauth's ``email_confirmed``: the link in the mail was followed."""
    user = email_address.user
    if email_address.email.lower() == user.email.lower():
        user_verified(user=user)


def connect() -> None:
    from allauth.account.signals import email_confirmed as confirmed
    from django.db.models.signals import post_save

    from .models import User

    post_save.connect(user_saved, sender=User, dispatch_uid="accounts.user_saved")
    confirmed.connect(email_confirmed, dispatch_uid="accounts.email_confirmed")
