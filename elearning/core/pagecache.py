"""A version of the whole page tree, for values that any page change may alter (routes and
the live page rows, page addresses, the catalogue's and the legal pages' links, the language
switch's translations, view restrictions, sites): bumped when any page is published,
unpublished, moved or deleted, and when a view restriction or a site is saved or deleted, so
a value cached under the version never outlives a change. A draft or a preview bumps
nothing: it changes no live page row (drafts live in revisions). Readers read the version
before what they cache under it, and the bump happens again after the change commits, so a
value read before the commit is never stored under the new version. Connected in
CoreConfig.ready().

Two helpers serve every such version (this one, the course outlines', the menu's): a
version is read from the shared cache once per request (``version_read``; outside requests,
in Celery tasks and commands, at every call), and a value cached under a version, which never
changes, is also kept by each process (``versioned_get``/``versioned_set``), so a page asks the
shared cache (Redis) for little more than the versions themselves.
"""

import threading
import time

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import transaction
from django.db.models.signals import post_delete

PAGES_VERSION_KEY = "core:pages-version"
_TIMEOUT = 24 * 60 * 60

# This process's copies of values cached under a version (pickled, like any local cache, so
# no two requests share an object).
_local = LocMemCache("core-versioned", {"TIMEOUT": 3600, "OPTIONS": {"MAX_ENTRIES": 5000}})
_request = threading.local()


def _request_started(**kwargs):
    _request.versions = {}


def _request_finished(**kwargs):
    _request.versions = None


def local_forget() -> None:
    """Forget this thread's versions read in its request and this process's copies of values
    cached under a version. For tests, whose database and shared cache start anew: a test
    client's response left unclosed never sends ``request_finished``, and the versions it
    read would outlive the test."""
    _request.versions = None
    _local.clear()


def version_read(key: str) -> int:
    """The version stored under ``key`` (created on first use), read once per request."""
    versions = getattr(_request, "versions", None)
    if versions is not None and key in versions:
        return versions[key]
    value = cache.get_or_set(key, time.time_ns, timeout=None)
    if versions is not None:
        versions[key] = value
    return value


def versions_read(keys: list[str]) -> list[int]:
    """The versions stored under ``keys`` (each created on first use), read once per request,
    the ones not yet read in one round trip to the shared cache."""
    versions = getattr(_request, "versions", None)
    known = versions if versions is not None else {}
    wanted = [key for key in keys if key not in known]
    if wanted:
        found = cache.get_many(wanted)
        for key in wanted:
            value = found.get(key)
            if value is None:  # first use (or evicted): as get_or_set does
                value = cache.get_or_set(key, time.time_ns, timeout=None)
            known[key] = value
    return [known[key] for key in keys]


def version_bump(key: str) -> None:
    """A new version under ``key`` now, and again once the change commits: a request that
    read the old state inside the change's transaction cannot store it under the new one."""

    def bump():
        cache.set(key, time.time_ns(), timeout=None)
        versions = getattr(_request, "versions", None)
        if versions is not None:
            versions.pop(key, None)

    bump()
    # One bump after the commit is enough for many changes in one transaction (a lesson
    # completion changes four rows of the learner's).
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        getattr(callback, "version_key", None) == key for _, callback, _ in connection.run_on_commit
    ):
        return
    bump.version_key = key
    transaction.on_commit(bump)


def versioned_get(key: str):
    """A value cached under a version (its key names the version): this process's copy, else
    the shared cache's (then kept here too). None when neither has it."""
    value = _local.get(key)
    if value is None:
        value = cache.get(key)
        if value is not None:
            _local.set(key, value)
    return value


def versioned_set(key: str, value, timeout: int = _TIMEOUT) -> None:
    cache.set(key, value, timeout=timeout)
    _local.set(key, value)


def pages_version() -> int:
    """The page tree's current version."""
    return version_read(PAGES_VERSION_KEY)


def pages_version_bump() -> None:
    version_bump(PAGES_VERSION_KEY)


def cached(name: str, build, timeout: int = _TIMEOUT):
    """``build()``, cached under ``name`` and the page tree's current version (``build`` must
    not return None)."""
    key = f"core:pages:{pages_version()}:{name}"
    value = versioned_get(key)
    if value is None:
        value = build()
        versioned_set(key, value, timeout)
    return value


def _on_page_change(sender, **kwargs):
    pages_version_bump()


def _on_delete(sender, instance, **kwargs):
    from wagtail.models import Page, PageViewRestriction, Site

    if isinstance(instance, Page | PageViewRestriction | Site):
        pages_version_bump()


def connect() -> None:
    from django.core.signals import request_finished, request_started
    from django.db.models.signals import m2m_changed, post_save
    from wagtail.models import PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    request_started.connect(_request_started, dispatch_uid="core_versions_request_started")
    request_finished.connect(_request_finished, dispatch_uid="core_versions_request_finished")
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
