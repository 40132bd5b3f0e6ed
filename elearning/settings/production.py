"""Production: every secret comes from the environment, and there is no default for any."""

import os
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def required(name: str) -> str:
    value = os.environ.get(name, "")
    if not value:
        raise ImproperlyConfigured(f"The environment variable {name} must be set in production.")
    return value


def site_url() -> str:
    # Every xAPI activity id, e-mail link and certificate address is built on it: a default
    # (127.0.0.1) would go into LRSs and certificates that outlive any later fix.
    value = required("SITE_URL").rstrip("/")
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ImproperlyConfigured(
            f"SITE_URL must be the site's public address, e.g. https://elearning.example.se, "
            f"not {value!r}."
        )
    return value


DEBUG = False
SECRET_KEY = required("DJANGO_SECRET_KEY")
CERTIFICATE_SIGNING_KEY = required("CERTIFICATE_SIGNING_KEY")
ALLOWED_HOSTS = required("DJANGO_ALLOWED_HOSTS").split(",")
SITE_URL = site_url()
WAGTAILADMIN_BASE_URL = SITE_URL
DATABASES = {"default": dj_database_url.parse(required("DATABASE_URL"), conn_max_age=60)}  # noqa: F405
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL") or required("REDIS_URL")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}

# HTTPS only, behind a proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = os.environ.get("DJANGO_SECURE_SSL_REDIRECT", "true").lower() == "true"
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Links in allauth's e-mails (confirmation, reset) use https (issue 16).
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
