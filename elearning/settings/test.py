"""Tests: the real services of this machine.

PostgreSQL and Redis are used when they answer (and must, when CI=true: see tests/conftest.py).
Without DATABASE_URL the tests use the local PostgreSQL at 127.0.0.1:5432 if it answers,
otherwise SQLite, and say so in the pytest header.
"""

import os
import socket

from .base import *  # noqa: F403

CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


if not os.environ.get("DATABASE_URL") and (CI or _port_open("127.0.0.1", 5432)):
    DATABASES = {  # noqa: F811
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": "elearning",
            "USER": "postgres",
            "HOST": "127.0.0.1",
            "PORT": 5432,
        }
    }

# Tests get their own Redis database so they never see the development queue.
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
CELERY_BROKER_URL = TEST_REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
# One queue per test run, so two runs (or a stale message) never meet. The pytest process sets
# it; the worker it starts inherits it through the environment.
# Under pytest-xdist each worker process has its own queue (and its own test database); the
# Celery worker a test process starts inherits the variable, so both name the same queue.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
CELERY_TASK_DEFAULT_QUEUE = os.environ.setdefault(
    f"TEST_CELERY_QUEUE{_XDIST_WORKER}", f"tests-{os.getpid()}{_XDIST_WORKER}"
)
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

SECRET_KEY = "test-only-insecure-key"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405 - WhiteNoise warns when it is missing

# Tests load the demo and the report data generator (see dev.py).
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405

# Issue 16: other features' tests sign staff in with force_login, without a second factor;
# tests/accounts/test_mfa.py turns the requirement on and checks it for every staff role.
STAFF_MFA_REQUIRED = False
