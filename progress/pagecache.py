"""The learner's pages, rendered once per learner and state (issue 17).

A signed-in learner's lesson, module, course and catalogue pages and "My courses" are
rendered once and then served from the shared cache until something they show changes. The
cached page is keyed by:

- the person (their id) and their **learner version**, which every change of what the pages
  show of them replaces: a learning event (enrolled, left, lesson started or completed, quiz
  passed or failed, module or course completed, certificate issued), a saved or deleted
  enrolment, lesson progress or module completion, a moved resume point, a saved or deleted
  account (the name in the header), and a certificate saved or deleted (the certificates app
  connects ``row_changed``: being prepared, ready, revoked). Quiz attempts show on none of
  these pages; their results reach them as learning events;
- the page tree's version (``elearning.core.pagecache``): a publication, unpublication, move or
  deletion of any page, or a change of a view restriction or a site, renders every page again;
  a draft or a preview changes no live page, and previews are never served from here;
- the permissions version (the menu's links, ``elearning.accounts.menu``), the language, the
  host and path, and a digest of the browser's CSRF secret, so the page's forms carry a token
  that browser's cookie accepts (two browsers of one person have two entries).

Each version is bumped at the change and again once its transaction commits, so a page
rendered from the old state is never kept under the new version. An entry also expires after
``TIMEOUT``, a bound on any staleness a missed bump could cause.

Only a plain GET is served from the cache: no query string, no message waiting to be shown,
a page of one of ``CACHED_TYPES`` (exactly: a package lesson has its own launcher) without
view restrictions (the cached route tells, before the cache is asked at all), and, for a
lesson, only when the enrolled learner's visit was recorded (an author reading a lesson
without enrolling is rendered every time). A cached lesson still
records the visit: ``lesson_view`` runs whenever the learner's last recorded sighting of the
lesson (kept beside, ``_seen_key``) is VIEW_STEP old or another lesson was seen since, so time
spent and the resume point are counted exactly as without the cache, and can no more be
inflated: the database's conditional UPDATE decides.
"""

from __future__ import annotations

import functools
import hashlib
import zlib
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone, translation
from wagtail.views import serve as wagtail_serve

from courses.models import CourseCataloguePage, CoursePage, LessonPage, ModulePage
from courses.routing import route_cached
from courses.routing import serve as routing_serve
from courses.selectors import course_of_page
from elearning.accounts.menu import PERMISSIONS_VERSION_KEY
from elearning.core.pagecache import PAGES_VERSION_KEY, version_bump, versions_read

from . import services

SCHEMA = 2  # 2: bodies kept compressed
TIMEOUT = 10 * 60  # seconds: the bound on staleness, should a bump ever be missed
CACHED_TYPES = (LessonPage, ModulePage, CoursePage, CourseCataloguePage)


def _learner_key(user_id: int) -> str:
    return f"progress:learner-version:{user_id}"


def learner_changed(user_id: int | None) -> None:
    """Something the learner's pages show of ``user_id`` changed: render them again (now, and
    again once the transaction commits)."""
    if user_id is not None:
        version_bump(_learner_key(user_id))


@dataclass(frozen=True)
class Entry:
    body: bytes  # zlib, level 1: a 14 KB lesson page keeps 4 KB in Redis, 0.02 ms to unpack
    content_type: str
    lesson_id: int | None = None  # a lesson: its visit is recorded on every view
    lesson_key: str = ""


@dataclass(frozen=True)
class Seen:
    """The learner's last recorded lesson sighting, as the database holds it."""

    lesson_key: str
    last_seen_at: datetime
    last_activity_at: datetime


def _seen_key(user_id: int) -> str:
    return f"progress:seen:{user_id}"


def seen_record(request, progress) -> None:
    """Remember what ``lesson_view`` left in the database, so that views within VIEW_STEP,
    which would write nothing, do not ask it."""
    enrolment = progress.enrolment
    if not settings.LEARNER_PAGE_CACHE or enrolment.last_activity_at is None:
        return
    if enrolment.reminder_sent_at is not None:
        return
    seen = Seen(str(progress.lesson_key), progress.last_seen_at, enrolment.last_activity_at)
    if seen != getattr(request, "_learner_seen", None):  # read with the page, if it was asked
        cache.set(_seen_key(request.user.pk), seen, timeout=int(services.VIEW_STEP.total_seconds()))


def _needs_recording(seen: Seen | None, lesson_key: str) -> bool:
    """Whether ``lesson_view`` would write (or must check): the same decisions it makes, on
    the values it left."""
    if seen is None or seen.lesson_key != lesson_key:
        return True
    now = timezone.now()
    return (
        now - seen.last_seen_at >= services.VIEW_STEP
        or now - seen.last_activity_at >= services.VIEW_STEP
    )


def _cacheable_request(request) -> bool:
    return (
        settings.LEARNER_PAGE_CACHE
        and request.method == "GET"
        and not request.GET
        and request.user.is_authenticated
        and not len(get_messages(request))
    )


def _versions(request) -> tuple[int, int, int]:
    """The versions a page of the learner's depends on: read before it is rendered."""
    return tuple(
        versions_read([_learner_key(request.user.pk), PAGES_VERSION_KEY, PERMISSIONS_VERSION_KEY])
    )


def _entry_key(request, versions: tuple[int, int, int]) -> str | None:
    """The page's key; None without a CSRF secret (a first visit: the page makes one)."""
    secret = request.META.get("CSRF_COOKIE")
    if not secret:
        return None
    place = hashlib.sha256(
        "\n".join(
            (request.get_host(), request.path, translation.get_language() or "", secret)
        ).encode("utf-8", "surrogatepass")
    ).hexdigest()
    learner, pages, permissions = versions
    return f"progress:page:{SCHEMA}:{request.user.pk}:{learner}:{pages}:{permissions}:{place}"


def _from_cache(request, key: str | None, page=None):
    """The cached page for ``key`` (``page``: the Wagtail page it shows), its lesson's visit
    recorded; None: render it."""
    if key is None:
        return None
    user = request.user
    found = cache.get_many([key, _seen_key(user.pk)])
    request._learner_seen = found.get(_seen_key(user.pk))
    entry = found.get(key)
    if entry is None:
        return None
    if entry.lesson_id is not None and _needs_recording(request._learner_seen, entry.lesson_key):
        course = course_of_page(page) if page is not None else None
        if page is None or page.pk != entry.lesson_id or course is None:
            return None
        try:
            progress = services.lesson_view(user=user, lesson=page, course=course)
        except services.ProgressError:
            return None  # rendered again: the lesson's hook says why
        seen_record(request, progress)
    return HttpResponse(zlib.decompress(entry.body), content_type=entry.content_type)


def _store_once_rendered(request, versions, response, entry_fields: dict) -> None:
    """Keep ``response`` once it is rendered, unless a message was added meanwhile (it
    belongs to the next page)."""

    def store(rendered):
        if _versions(request) != versions:
            return  # this request changed what the page shows (a lesson's first view)
        key = _entry_key(request, versions)  # the CSRF secret the page's forms were given
        if key is None or len(get_messages(request)):
            return
        body = zlib.compress(bytes(rendered.content), 1)
        entry = Entry(body, rendered["Content-Type"], **entry_fields)
        cache.set(key, entry, timeout=TIMEOUT)

    if hasattr(response, "add_post_render_callback"):
        response.add_post_render_callback(store)
    else:
        store(response)


def _page_entry_fields(request, page, response) -> dict | None:
    """What a served page's entry keeps beside the page; None: not to be cached."""
    if response.status_code != 200 or response.streaming:
        return None
    if type(page) is not LessonPage:
        return {}
    progress = getattr(request, "lesson_progress", None)
    if progress is None:
        return None  # not an enrolled learner's visit
    return {"lesson_id": page.pk, "lesson_key": str(progress.lesson_key)}


def serve(request, path):
    """Wagtail's page serving (``courses.routing.serve``), with the signed-in learner's pages
    from the cache. The route comes first (cached): any other page is served as before,
    without asking the cache."""
    if not _cacheable_request(request):
        return routing_serve(request, path)
    route = route_cached(request, path)
    page = route.page if route is not None else None
    if page is None or type(page) not in CACHED_TYPES or page.get_view_restrictions():
        return wagtail_serve(request, path)
    versions = _versions(request)
    cached = _from_cache(request, _entry_key(request, versions), page)
    if cached is not None:
        return cached
    response = wagtail_serve(request, path)
    fields = _page_entry_fields(request, page, response)
    if fields is not None:
        _store_once_rendered(request, versions, response, fields)
    return response


def cached_page(view):
    """The same cache for a view of the learner's own (``My courses``): ``view`` must render
    only what the learner version, the page tree and the permissions cover."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not _cacheable_request(request):
            return view(request, *args, **kwargs)
        versions = _versions(request)
        cached = _from_cache(request, _entry_key(request, versions))
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            _store_once_rendered(request, versions, response, {})
        return response

    return wrapper


# --- What replaces the learner version -------------------------------------------------------


def _user_of(instance) -> int | None:
    """The learner of a row with an enrolment, from the loaded enrolment (or one query)."""
    from .models import Enrolment

    cached = instance._state.fields_cache.get("enrolment")
    if cached is not None:
        return cached.user_id
    if instance.enrolment_id is None:
        return None
    return (
        Enrolment.objects.filter(pk=instance.enrolment_id).values_list("user_id", flat=True).first()
    )


def row_changed(sender, instance, **kwargs):
    """post_save / post_delete of a row that has an ``enrolment``."""
    learner_changed(_user_of(instance))


def _enrolment_changed(sender, instance, **kwargs):
    learner_changed(instance.user_id)


def _user_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a sign-in changes nothing the pages show
    learner_changed(instance.pk)


def _user_deleted(sender, instance, **kwargs):
    learner_changed(instance.pk)


def _events_recorded(events) -> None:
    for user_id in {_user_of(event) for event in events}:
        learner_changed(user_id)


def connect() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save

    from .events import subscribe
    from .models import Enrolment, LessonProgress, ModuleCompletion

    for signal in (post_save, post_delete):
        name = "save" if signal is post_save else "delete"
        signal.connect(_enrolment_changed, sender=Enrolment, dispatch_uid=f"pagecache_{name}_e")
        for model in (LessonProgress, ModuleCompletion):
            signal.connect(
                row_changed, sender=model, dispatch_uid=f"pagecache_{name}_{model.__name__}"
            )
    post_save.connect(_user_changed, sender=get_user_model(), dispatch_uid="pagecache_user")
    post_delete.connect(_user_deleted, sender=get_user_model(), dispatch_uid="pagecache_user_del")
    subscribe(_events_recorded, uid="progress.pagecache")
