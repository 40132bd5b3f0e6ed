"""Versions for cached fragments of a course: bumped whenever a page in the course is
published, unpublished, moved or deleted, so a cached outline never outlives a change."""

from elearning.core.pagecache import version_bump, version_read


def _key(course_id: int) -> str:
    return f"courses:outline-version:{course_id}"


def outline_version(course_id: int) -> int:
    return version_read(_key(course_id))


def outline_version_bump(course_id: int) -> None:
    version_bump(_key(course_id))
