"""The two origins: the site, and the package host that serves package files."""

from urllib.parse import urlsplit

from django.conf import settings

PREFIX = "/packages/"


def package_host() -> str:
    return urlsplit(settings.PACKAGES_ORIGIN).netloc.lower()


def on_package_host(request) -> bool:
    return bool(settings.PACKAGES_ORIGIN) and request.get_host().lower() == package_host()


def site_origin(request) -> str:
    return f"{request.scheme}://{request.get_host()}"
