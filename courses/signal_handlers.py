"""Keep cached course fragments honest: any change to a page in a course bumps the course's
outline version (see caching.py). Connected in CoursesConfig.ready()."""

from django.db.models.signals import post_delete
from wagtail.signals import page_published, page_unpublished, post_page_move

from .caching import outline_version_bump


def _bump_for(page) -> None:
    from .models import CoursePage

    course_ids = CoursePage.objects.ancestor_of(page, inclusive=True).values_list("id", flat=True)
    for course_id in course_ids:
        outline_version_bump(course_id)


def _on_change(sender, instance, **kwargs):
    _bump_for(instance)


def _on_move(sender, instance, parent_page_before, parent_page_after, **kwargs):
    for parent in (parent_page_before, parent_page_after):
        _bump_for(parent)
    _bump_for(instance)


def connect():
    page_published.connect(_on_change, dispatch_uid="courses_outline_published")
    page_unpublished.connect(_on_change, dispatch_uid="courses_outline_unpublished")
    post_page_move.connect(_on_move, dispatch_uid="courses_outline_moved")
    post_delete.connect(_on_change_if_page, dispatch_uid="courses_outline_deleted")


def _on_change_if_page(sender, instance, **kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        _bump_for(instance)
