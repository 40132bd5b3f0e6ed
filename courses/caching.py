"""Versions for cached fragments of a course: bumped whenever a page in the course is
published, unpublished, moved or deleted, so a cached outline never outlives a change."""

import time

from django.core.cache import cache


def _key(course_id: int) -> str:
    return f"courses:outline-version:{course_id}"


def outline_version(course_id: int) -> int:
    return cache.get_or_set(_key(course_id), time.time_ns, timeout=None)


def outline_version_bump(course_id: int) -> None:
    cache.set(_key(course_id), time.time_ns(), timeout=None)
