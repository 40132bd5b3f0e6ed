"""Path converters shared by every URL configuration of the platform."""

from __future__ import annotations

# The largest value a PostgreSQL bigint (and SQLite integer) column holds. An id beyond it can
# name no row; passed on, it would reach the database as a value the column cannot compare.
ID_MAX = 2**63 - 1


class IdConverter:
    """A row id in a path: 1 to 19 decimal digits and at most ``ID_MAX``.

    Used instead of Django's ``int`` converter everywhere, so that an id that is too long or
    out of range matches no URL (a plain 404) instead of reaching a query."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > ID_MAX:
            raise ValueError("id out of range")  # Django answers 404 for a ValueError here
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def converters_register() -> None:
    """Register the converters under their names (``<id:page_id>``), once, before any URL
    configuration is imported (called from the core app's ``ready``)."""
    from django.urls import register_converter
    from django.urls.converters import get_converters

    if "id" not in get_converters():
        register_converter(IdConverter, "id")
