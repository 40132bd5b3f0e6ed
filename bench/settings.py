"""Settings for the benchmarks (``make bench-…``): the development settings with DEBUG off.

The runner creates a temporary VAR_DIR and points DJANGO_SETTINGS_MODULE here; the database is
SQLite in that folder unless DATABASE_URL is set. DEBUG is off so that Django neither keeps
every query in memory nor renders debug pages, as in production.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from elearning.settings.dev import *  # noqa: F403

if not os.environ.get("VAR_DIR") and not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured(
        "bench.settings needs VAR_DIR (a throw-away folder) or DATABASE_URL, "
        "so that a benchmark never writes into the development database."
    )

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"

# Plain static storage: no collectstatic, no manifest.
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# One local-memory cache per process, whatever REDIS_URL says: the benchmark measures Django,
# not a cache server. BENCH_CACHE_REDIS_URL (bench-lessons sets it from REDIS_URL) puts the
# cache in Redis, as in production.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("BENCH_CACHE_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "elearning.core.cache.SharedClientRedisCache",
            "LOCATION": os.environ["BENCH_CACHE_REDIS_URL"],
        }
    }
CACHES["template_fragments"] = TEMPLATE_FRAGMENTS_CACHE  # noqa: F405 - as in production

# Quiet: a log line per request would be part of what is timed.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The benchmarks sign staff in with force_login, without a second factor (issue 16): the check
# that sends staff without one to set it up is left out of what is timed.
STAFF_MFA_REQUIRED = False
