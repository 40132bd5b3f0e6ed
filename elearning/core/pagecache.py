"""A version of the whole page tree, for values that any page change may alter (routes and
the live page rows, page addresses, the catalogue's and the legal pages' links, the language
switch's translations, view restrictions, sites): bumped when any page is published,
unpublished, moved or deleted, and when a view restriction or a site is saved or deleted, so
a value cached under the version never outlives a change. A draft or a preview bumps
nothing: it changes no live page row (drafts live in revisions). Readers read the version
before what they cache under it, and the bump happens again after the change commits, so a
value read before the commit is never stored under the new version. Connected in
CoreConfig.ready()."""

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete

_KEY = "core:pages-version"


def pages_version() -> int:
    """The current version (created on first use)."""
    return cache.get_or_set(_KEY, time.time_ns, timeout=None)


def pages_version_bump() -> None:
    """A new version now, and again once the change commits: a request that read the old
    tree inside the change's transaction cannot store it under the new version."""
    cache.set(_KEY, time.time_ns(), timeout=None)
    transaction.on_commit(lambda: cache.set(_KEY, time.time_ns(), timeout=None))


def _on_page_change(sender, **kwargs):
    pages_version_bump()


def _on_delete(sender, instance, **kwargs):
    from wagtail.models import Page, PageViewRestriction, Site

    if isinstance(instance, Page | PageViewRestriction | Site):
        pages_version_bump()


def cached(name: str, build, timeout: int = 24 * 60 * 60):
    """``build()``, cached under ``name`` and the current version."""
    key = f"core:pages:{pages_version()}:{name}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=timeout)
    return value


def connect() -> None:
    from django.db.models.signals import m2m_changed, post_save
    from wagtail.models import PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    m2m_changed.connect(
        _on_page_change,
        sender=PageViewRestriction.groups.through,
        dispatch_uid="core_pages_version_restriction_groups",
    )
    for model in (PageViewRestriction, Site):
        post_save.connect(
            _on_page_change, sender=model, dispatch_uid=f"core_pages_version_{model.__name__}"
        )

    page_published.connect(_on_page_change, dispatch_uid="core_pages_version_published")
    page_unpublished.connect(_on_page_change, dispatch_uid="core_pages_version_unpublished")
    post_page_move.connect(_on_page_change, dispatch_uid="core_pages_version_moved")
    post_delete.connect(_on_delete, dispatch_uid="core_pages_version_deleted")
