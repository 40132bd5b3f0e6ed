"""Shared fixtures: the site skeleton, real services (PostgreSQL, Redis, a Celery worker, an
SMTP sink, Chromium) and the rule that under CI=true a missing service fails the run."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be
# usable from it (pytest-django's live_server with Playwright needs this).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def service_missing(reason: str):
    """Skip locally, fail under CI: a test that needs a service never passes silently."""
    if CI:
        pytest.fail(f"CI=true and a required service is missing: {reason}", pytrace=False)
    pytest.skip(reason)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def pytest_report_header(config):
    db = settings.DATABASES["default"]
    return [
        f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('HOST') or ''} {db['NAME']}",
        f"celery broker (tests): {settings.CELERY_BROKER_URL}",
        f"CI: {CI}",
    ]


@pytest.fixture(scope="session", autouse=True)
def _postgres_under_ci():
    if CI and settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.fail("CI=true: the tests must run against PostgreSQL", pytrace=False)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database with the site skeleton built once and committed, so that tests in a
    transaction (the ``db`` fixture) share it and roll back only their own changes.

    pytest-django runs transactional tests after the others; each of them empties every table
    when it ends, and ``site`` builds the skeleton again for the next one."""
    from elearning.core.services import site_setup

    with django_db_blocker.unblock():
        site_setup()


@pytest.fixture
def site(db):
    """The skeleton every installation has: organisations, home and catalogue pages in
    Swedish and English, role groups. Returns the Swedish home page."""
    from courses.models import HomePage
    from elearning.core.services import site_setup

    home = HomePage.objects.filter(locale__language_code="sv").first()
    if home is None:
        site_setup()
        home = HomePage.objects.get(locale__language_code="sv")
    return home


@pytest.fixture
def make_user(site):
    from elearning.accounts.models import User
    from elearning.organisations.models import Organisation

    def make(email="learner@example.org", password="a-long-test-password", **extra):
        from django.utils import timezone

        # Verified, as an account that may sign in is (issue 16); verified_at=None for one
        # whose address was never confirmed.
        extra.setdefault("verified_at", timezone.now())
        extra.setdefault("first_name", "Test")
        extra.setdefault("last_name", "Person")
        extra.setdefault("organisation", Organisation.objects.get(kind="municipality", code="0180"))
        return User.objects.create_user(email, password, **extra)

    return make


@pytest.fixture(autouse=True)
def _rate_limits_forgotten():
    """Rate-limit counters (allauth, django-ratelimit) live in the cache, which is one
    process-wide LocMemCache in tests: each test starts with none (issue 16)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _versions_forgotten():
    """The versions a request read and the values cached under them (elearning.core.pagecache)
    start anew with each test, as its database does: an unclosed streaming response of an
    earlier test left its request's versions on this thread, and a later test's outbox took
    an LRS that no longer existed from them (a foreign-key error at commit)."""
    from elearning.core.pagecache import local_forget

    local_forget()


@pytest.fixture
def mail_in_process(monkeypatch):
    """E-mail that the site hands to Celery (``email_send.delay`` on commit) is sent by the
    same task in this process instead, to Django's test outbox (``mail.outbox``); wrap the
    request in ``django_capture_on_commit_callbacks(execute=True)``. The real worker path is
    covered by the tests that use ``celery_worker``."""
    from django.core import mail

    from elearning.core.tasks import email_send

    monkeypatch.setattr(email_send, "delay", lambda **kwargs: email_send.apply(kwargs=kwargs))
    return mail.outbox


def at_once(work, times: int = 4, expected: tuple[type[Exception], ...] = ()) -> list:
    """Run ``work`` in ``times`` threads released together by a barrier, each on its own
    database connection (closed afterwards), as parallel requests would. Returns what each
    returned, or raised if the exception is one of ``expected``, in the order they finished;
    any other exception fails the test."""
    import threading

    from django.db import connection

    barrier = threading.Barrier(times)
    outcomes, unexpected = [], []

    def run():
        barrier.wait()
        try:
            outcomes.append(work())
        except expected as error:
            outcomes.append(error)
        except Exception as error:  # noqa: BLE001 - re-raised in the test's thread below
            unexpected.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if unexpected:
        raise unexpected[0]
    return outcomes


# --- Redis and a real Celery worker ----------------------------------------------------------


@pytest.fixture(scope="session")
def redis_broker():
    from urllib.parse import urlsplit

    url = urlsplit(settings.CELERY_BROKER_URL)
    if not port_open(url.hostname or "127.0.0.1", url.port or 6379):
        service_missing(f"Redis is not answering at {settings.CELERY_BROKER_URL}")
    return settings.CELERY_BROKER_URL


class SmtpSink:
    """A local SMTP server that keeps what it receives (stands in for the outside mail relay)."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages = []
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        import email
        import email.policy

        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"

    def wait_for(self, predicate, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if predicate(message):
                    return message
            time.sleep(0.2)
        raise AssertionError(f"no matching e-mail within {timeout} s; got {len(self.messages)}")


@pytest.fixture(scope="session")
def smtp_sink():
    sink = SmtpSink()
    sink.controller.start()
    yield sink
    sink.controller.stop()


def celery_worker_command(*extra: str, loglevel: str = "INFO") -> list[str]:
    """`celery worker` as tests and benchmarks run it: one process, no gossip or mingle."""
    return [
        sys.executable, "-m", "celery", "-A", "elearning", "worker", "--pool=solo",
        f"--loglevel={loglevel}", "--without-gossip", "--without-mingle", *extra,
    ]  # fmt: skip


def database_url(db: dict) -> str:
    """The address a worker subprocess uses to reach the same PostgreSQL test database."""
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.fixture(scope="session")
def celery_worker(django_db_setup, django_db_blocker, redis_broker, smtp_sink):
    """A real `celery worker` process on the Redis broker, using the test database and
    sending mail to the SMTP sink. Tasks reach it only from committed transactions, so tests
    that use it need ``transactional_db``."""
    from django.db import connection

    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        service_missing("the Celery worker shares the test database, which needs PostgreSQL")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "elearning.settings.test",
        "DATABASE_URL": database_url(db),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_sink.port),
    }
    (ROOT / "var").mkdir(exist_ok=True)
    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "main")
    log = open(ROOT / "var" / f"test-celery-worker-{worker_id}.log", "w")  # noqa: SIM115 - closed below
    worker = subprocess.Popen(
        celery_worker_command("-Q", settings.CELERY_TASK_DEFAULT_QUEUE),
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    from elearning.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            pytest.fail(f"the Celery worker exited: see {log.name}", pytrace=False)
        if app.control.ping(timeout=1.0):
            break
    else:
        worker.kill()
        pytest.fail("the Celery worker did not answer a ping within 60 s", pytrace=False)
    yield worker
    worker.terminate()
    worker.wait(timeout=20)
    log.close()


def celery_worker_idle(timeout: float = 30) -> None:
    """Wait until the test worker has nothing queued, reserved or running: a task still running
    when a test's database is flushed holds table locks the flush's TRUNCATE waits for, and
    PostgreSQL ends one of the two as a deadlock (seen once in .ci/run, after the learner
    journey, whose certificate and xAPI tasks outlive its last assertion)."""
    import redis

    from elearning.celery import app

    queue = settings.CELERY_TASK_DEFAULT_QUEUE
    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            inspect = app.control.inspect(timeout=0.5)
            busy = [*((inspect.active() or {}).values()), *((inspect.reserved() or {}).values())]
            if not any(busy) and not broker.llen(queue):
                return
            time.sleep(0.2)
    finally:
        broker.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Before a test that used the real worker is torn down (its database flushed), the
    worker's tasks have finished."""
    if "celery_worker" in getattr(item, "fixturenames", ()):
        celery_worker_idle()
    yield


# --- Chromium through Playwright ------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        service_missing(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def enrolled(client, make_user):
    """Signs the test client in as a learner; ``enrolled(course)`` enrols them in a course."""
    from progress.services import enrolment_create

    user = make_user(email="reader@example.org")
    client.force_login(user)

    def enrol(course):
        enrolment_create(user=user, course=course)
        return user

    enrol.user = user
    return enrol
