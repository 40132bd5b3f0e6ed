"""Development: `make run` on one machine. Debug on, a fixed non-secret key."""

import os

from .base import *  # noqa: F403

DEBUG = os.environ.get("DJANGO_DEBUG", "true").lower() in {"1", "true", "yes", "on"}
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "dev-only-insecure-key-never-used-in-production"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405

# The embedded default keeps its database, queue and uploads under var/.
for _folder in ("celery/queue", "celery/processed", "celery/control", "media"):
    (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)  # noqa: F405

# The demo (course, accounts, report data, `make run`'s launcher) is for development and
# demonstrations; production does not install it.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]  # noqa: F405
