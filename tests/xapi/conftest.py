"""A real Ralph LRS for the xAPI integration and fault tests, a private Redis with its own
Celery workers for the fault tests, and the helpers they share.

Ralph runs from its own virtualenv (`.venv-ralph`, made by `make .venv-ralph/.installed`:
Ralph's pins and the platform's cannot share one) through docker/ralph/launch.py, the
launcher the Docker image uses: the fs backend in append mode, the platform's user written
into the auth file from LRS_USERNAME/LRS_PASSWORD. One Ralph serves the whole session; its
store (one JSON-lines file) is emptied before each test, so a test sees only its own
statements and Ralph, which reads the whole file on every request, stays fast.
"""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urljoin

import httpx
import pytest

from tests.conftest import ROOT, celery_worker_command, database_url, service_missing

RALPH_PYTHON = ROOT / ".venv-ralph" / "bin" / "python"
RALPH_LAUNCHER = ROOT / "docker" / "ralph" / "launch.py"
RALPH_STORE_FILE = "fs_lrs.jsonl"  # Ralph's FSLRSBackendSettings.DEFAULT_LRS_FILE
HEADERS = {"X-Experience-API-Version": "1.0.3"}


def restartable_port() -> int:
    """A free port below the kernel's ephemeral range (32768-60999 here), for a server the
    tests stop and start again on the same port (Ralph, the test's redis-server): a port from
    that range can be taken meanwhile by any outgoing connection's local end, and the restart
    then fails with "address already in use" (seen once in .ci/run)."""
    import random

    for _ in range(200):
        port = random.randint(20000, 32000)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


def wait_until(predicate, timeout: float = 60, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return bool(predicate())


def stop_process(process: subprocess.Popen | None, timeout: float = 20) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


class RalphServer:
    """Ralph's LRS (`ralph.api:app` under uvicorn) on 127.0.0.1, started by its launcher.

    ``start()``/``stop()`` may be repeated: the port and the data folder are kept, so a
    restarted Ralph still has what it stored. ``clear()`` empties the store."""

    def __init__(self, data_dir: Path, *, username="lms", password="a-test-lrs-password"):
        self.data_dir = Path(data_dir)
        self.username, self.password = username, password
        self.port = restartable_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.base}/xAPI/"  # the xAPI base, as an LRS row's endpoint
        self.statements_dir = self.data_dir / "statements"
        self.log_path = self.data_dir / "ralph.log"
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def auth(self) -> tuple[str, str]:
        return (self.username, self.password)

    def environment(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.data_dir),
            "PYTHONUNBUFFERED": "1",
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_RUNSERVER_HOST": "127.0.0.1",
            "RALPH_RUNSERVER_PORT": str(self.port),
            "RALPH_APP_DIR": str(self.data_dir),
            "RALPH_AUTH_FILE": str(self.data_dir / "auth.json"),
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(self.statements_dir),
            "RALPH_BACKENDS__DATA__FS__DEFAULT_DIRECTORY_PATH": str(self.statements_dir),
            "LRS_USERNAME": self.username,
            "LRS_PASSWORD": self.password,
        }

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def start(self, timeout: float = 60) -> None:
        if self.running():
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [str(RALPH_PYTHON), str(RALPH_LAUNCHER)],
            cwd=self.data_dir,
            env=self.environment(),
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Ralph exited ({self.process.returncode}):\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base}/__heartbeat__", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(
            f"Ralph did not answer /__heartbeat__ in {timeout} s:\n{self.log_tail()}"
        )

    def stop(self) -> None:
        stop_process(self.process)
        self.process = None
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def clear(self) -> None:
        """Empty the store: Ralph reads its file on every request and appends to it."""
        (self.statements_dir / RALPH_STORE_FILE).unlink(missing_ok=True)

    def statements(self) -> list[dict]:
        """Every stored statement, through GET /statements and its `more` links."""
        found = []
        with httpx.Client(auth=self.auth, headers=HEADERS, timeout=30) as client:
            url = self.url + "statements?limit=100"
            while url:
                response = client.get(url)
                response.raise_for_status()
                page = response.json()
                found += page["statements"]
                url = urljoin(self.base, page["more"]) if page.get("more") else None
        return found

    def counts(self) -> Counter:
        """How often each statement id is stored."""
        return Counter(statement["id"] for statement in self.statements())


@pytest.fixture(scope="session")
def ralph_server():
    if not RALPH_PYTHON.exists():
        service_missing(
            f"Ralph's virtualenv is missing ({RALPH_PYTHON}): run `make .venv-ralph/.installed`"
        )
    data_dir = Path(tempfile.mkdtemp(prefix="test-ralph-"))
    server = RalphServer(data_dir)
    try:
        server.start()
    except RuntimeError as error:
        shutil.rmtree(data_dir, ignore_errors=True)
        pytest.fail(str(error), pytrace=False)
    yield server
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def ralph(ralph_server):
    """The session's Ralph, running and with an empty store."""
    ralph_server.start()  # a test that stopped it and failed leaves it stopped
    ralph_server.clear()
    return ralph_server


# --- What the tests do and check ------------------------------------------------------------


@pytest.fixture
def ralph_store(ralph, site):
    """A LearningRecordStore row for Ralph, with the platform's credentials."""
    from xapi.models import LearningRecordStore

    return LearningRecordStore.objects.create(
        name="ralph", endpoint=ralph.url, username=ralph.username, password=ralph.password
    )


@pytest.fixture
def course_with_quiz(site):
    """A course of two modules of two lessons, the first module with a one-question quiz."""
    from courses.models import ModulePage
    from tests.factories import course_tree, every_question, quiz_in

    course, lessons = course_tree(modules=2, lessons_per_module=2)
    module = ModulePage.objects.child_of(course).order_by("path").first()
    _quiz, quiz_page = quiz_in(module, questions=every_question()[2:3])  # true/false: true
    return course, lessons, quiz_page


def quiz_take(user, quiz_page, answer: str):
    from django.http import QueryDict

    from quizzes.services import attempt_start, attempt_submit
    from tests.quizzes.conftest import choice

    attempt = attempt_start(user=user, placement=quiz_page)
    data = QueryDict(mutable=True)
    data[f"q-{attempt.questions[0]['id']}"] = choice(attempt.questions[0], answer)
    return attempt_submit(user=user, attempt_id=attempt.pk, data=data)


def journey(user, course, lessons, quiz_page, *, leave_and_return=False):
    """A learner's way through the course: enrol, every lesson seen and completed, the quiz
    failed and then passed (which completes the module and the course); optionally leaving
    the course and coming back."""
    from progress.services import enrolment_create, enrolment_leave, lesson_complete, lesson_view

    enrolment_create(user=user, course=course)
    for lesson in lessons[:2]:
        lesson_view(user=user, lesson=lesson)
        lesson_complete(user=user, lesson=lesson)
    quiz_take(user, quiz_page, "false")
    quiz_take(user, quiz_page, "true")
    if leave_and_return:
        enrolment_leave(user=user, course=course)
        enrolment_create(user=user, course=course)
    for lesson in lessons[2:]:
        lesson_view(user=user, lesson=lesson)
        lesson_complete(user=user, lesson=lesson)


def pending_count(store) -> int:
    return store.outbox.filter(status="pending").count()


def wait_for_delivery(store, timeout: float = 60) -> None:
    """Until no statement for ``store`` is pending (the worker delivers them)."""
    if not wait_until(lambda: pending_count(store) == 0, timeout=timeout):
        rows = store.outbox.filter(status="pending")
        errors = sorted(set(rows.values_list("last_error", flat=True)))
        raise AssertionError(f"{rows.count()} statements still pending after {timeout} s: {errors}")


def assert_exactly_once(store, ralph) -> Counter:
    """Every statement of ``store`` is sent and in Ralph once; Ralph holds nothing else."""
    statuses = Counter(store.outbox.values_list("status", flat=True))
    assert statuses == {"sent": store.outbox.count()}, statuses
    ours = Counter(str(i) for i in store.outbox.values_list("statement_id", flat=True))
    assert max(ours.values()) == 1
    stored = ralph.counts()
    twice = {statement_id: n for statement_id, n in stored.items() if n > 1}
    assert not twice, f"stored more than once in Ralph: {twice}"
    assert set(stored) == set(ours), (
        f"missing in Ralph: {sorted(set(ours) - set(stored))}; "
        f"not ours: {sorted(set(stored) - set(ours))}"
    )
    return stored


# --- A private Redis and Celery workers on it (fault tests) --------------------------------


class PrivateBroker:
    """A redis-server of the test's own on a free port (so the machine's Redis is never
    stopped), this process's Celery app publishing to it, and workers consuming from it."""

    def __init__(self, work_dir: Path, database: dict):
        self.work_dir = work_dir
        self.database = database
        self.port = restartable_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.redis: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []
        self._logs = []

    def _log(self, name: str):
        log = open(self.work_dir / name, "ab")  # noqa: SIM115 - closed in close()
        self._logs.append(log)
        return log

    def redis_start(self) -> None:
        self.redis = subprocess.Popen(
            [
                "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],  # fmt: skip
            cwd=self.work_dir,
            stdout=self._log("redis.log"),
            stderr=subprocess.STDOUT,
        )
        if not wait_until(lambda: _port_open(self.port), timeout=20, interval=0.05):
            raise RuntimeError(f"redis-server did not start on port {self.port}")
        celery_pools_reset()  # no connection to a Redis that was stopped is reused

    def redis_stop(self) -> None:
        stop_process(self.redis)
        self.redis = None
        assert wait_until(lambda: not _port_open(self.port), timeout=10, interval=0.05)

    def worker_start(self, name: str) -> subprocess.Popen:
        """A `celery worker` (solo pool) on this Redis and the test database; returns once
        it answers a ping."""
        from django.conf import settings

        from elearning.celery import app

        db = self.database
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "elearning.settings.test",
            "DATABASE_URL": database_url(db),
            "TEST_REDIS_URL": self.url,  # elearning/settings/test.py: the broker
            "TEST_CELERY_QUEUE": settings.CELERY_TASK_DEFAULT_QUEUE,
        }
        worker = subprocess.Popen(
            celery_worker_command(
                "--hostname", f"{name}@%h", "-Q", settings.CELERY_TASK_DEFAULT_QUEUE
            ),
            cwd=ROOT,
            env=env,
            stdout=self._log(f"{name}.log"),
            stderr=subprocess.STDOUT,
        )
        self.workers.append(worker)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                raise RuntimeError(f"worker {name} exited: see {self.work_dir / name}.log")
            replies = app.control.ping(timeout=1.0)
            if any(name in key for reply in replies for key in reply):
                return worker
        raise RuntimeError(f"worker {name} did not answer a ping in 60 s")

    def idle(self) -> bool:
        """Nothing waits in the queue and no live worker holds a task, running or prefetched
        (a solo worker answers only between tasks)."""
        import redis
        from django.conf import settings

        from elearning.celery import app

        if redis.Redis.from_url(self.url).llen(settings.CELERY_TASK_DEFAULT_QUEUE):
            return False
        live = sum(worker.poll() is None for worker in self.workers)
        inspect = app.control.inspect(timeout=1.0, limit=live)
        reserved = inspect.reserved() or {}
        active = inspect.active() or {}
        return len(reserved) == len(active) == live and not any(
            [*reserved.values(), *active.values()]
        )

    def close(self) -> None:
        for worker in self.workers:
            stop_process(worker)
        stop_process(self.redis)
        for log in self._logs:
            log.close()


def _port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def celery_pools_reset() -> None:
    """Drop this process's broker connections (what Celery does after a fork): they are made
    again, to the configured broker, on next use."""
    from kombu import pools

    from elearning.celery import app

    pools.reset()  # closes kombu's shared pools and forgets them
    app._pool = None
    app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_publishing_to(url: str):
    """Make this process's Celery app publish to ``url`` (on-commit delivery requests, the
    sweeper), then go back to the session's broker."""
    from elearning.celery import app

    previous = app.conf.broker_url
    app.conf.broker_url = url
    celery_pools_reset()
    try:
        yield app
    finally:
        app.conf.broker_url = previous
        celery_pools_reset()


@pytest.fixture
def private_broker(transactional_db, tmp_path):
    """A private Redis (started) with this process publishing to it; start workers with
    ``private_broker.worker_start(name)``. Workers and Redis are stopped afterwards."""
    from django.db import connection

    if shutil.which("redis-server") is None:
        service_missing("redis-server is not installed (apt-get install redis-server)")
    if connection.vendor != "postgresql":
        service_missing("the Celery worker shares the test database, which needs PostgreSQL")
    broker = PrivateBroker(tmp_path, connection.settings_dict)
    try:
        broker.redis_start()
        with celery_publishing_to(broker.url):
            yield broker
    finally:
        broker.close()


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: no warm shutdown, no acknowledgement, no clean-up."""
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
