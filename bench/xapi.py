"""Benchmark: xAPI delivery through the outbox, a Celery worker and Ralph, against a plain loop
of POSTs of the same statements to Ralph.

    python -m bench.xapi        (make bench-xapi)

Sets up a throw-away database (SQLite in a temporary folder unless DATABASE_URL is set) with
a course of two modules of five lessons, and generates the statements in this process through
the platform's own services: each learner enrols, views and completes every lesson (which
completes both modules and the course) and leaves, 25 statements a learner. While they are
generated the outbox rows are written as usual but the on-commit delivery requests are
switched off, so that nothing is sent before the clock starts.

Broker: a redis-server of the benchmark's own on a free port when `redis-server` is installed
(BENCH_BROKER=redis, the default then), otherwise kombu's file-system transport in the
temporary folder (BENCH_BROKER=filesystem; its worker polls once a second, which adds up to a
second to every delivery measured). One worker, `celery worker --pool=solo`, as in the tests.

Ralph (from .venv-ralph, started by docker/ralph/launch.py as in docker compose) gets a new,
empty data folder for every measurement, because its fs backend reads the whole store on every
POST and so slows down as the store grows: both ways meet the same growth. A round measures:

1. outbox + Celery + Ralph: from `delivery_request()` (what a commit calls) until no statement
   is pending in the database; the worker POSTs batches of 100 (xapi.delivery);
2. the reference: the same payloads POSTed in batches of 100, in the same order, from one
   httpx client in this process.

Afterwards each Ralph store is read back: every statement must be there exactly once, and no
outbox row may have failed. A warm-up round (not counted) comes first, so that neither way
pays for first imports and connections; then the rounds, each measuring both ways; the median
of the rounds is reported, and the last line gives statements/s for both and the ratio.

Environment overrides: BENCH_STATEMENTS (default 2000), BENCH_ROUNDS (default 3),
BENCH_BROKER (redis or filesystem).
"""

import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.lessons import (
    REPO_DIR,
    SETTINGS,
    BenchError,
    bench_learners,
    bench_main,
    free_port,
    manage,
)
from tests.conftest import celery_worker_command
from tests.xapi.conftest import RALPH_PYTHON, RalphServer, stop_process, wait_until

STATEMENTS = int(os.environ.get("BENCH_STATEMENTS", "2000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
BROKER = os.environ.get("BENCH_BROKER") or (
    "redis" if shutil.which("redis-server") else "filesystem"
)
BATCH = 100  # as xapi.delivery.BATCH_SIZE
MODULES, LESSONS_PER_MODULE = 2, 5
PER_LEARNER = 1 + 2 * MODULES * LESSONS_PER_MODULE + MODULES + 1 + 1  # 25
DELIVERY_TIMEOUT = 300  # seconds
HEADERS = {"X-Experience-API-Version": "1.0.3", "Content-Type": "application/json"}


def redis_start(work_dir: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "no",
        ],
        cwd=work_dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"

    def answers() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    if not wait_until(answers, timeout=20, interval=0.05):
        stop_process(process)
        raise BenchError(f"redis-server did not start on port {port}")
    return process, url


def worker_start(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """One Celery worker on the benchmark's broker and database; returns once it answers."""
    from elearning.celery import app

    log = open(log_path, "ab")  # noqa: SIM115 - closed here once the worker has its copy
    worker = subprocess.Popen(
        celery_worker_command("--without-heartbeat", loglevel="WARNING"),
        cwd=REPO_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise BenchError(f"the Celery worker exited:\n{log_path.read_text()[-3000:]}")
        if app.control.ping(timeout=1.0):
            return worker
    stop_process(worker)
    raise BenchError(f"the Celery worker did not answer in 60 s:\n{log_path.read_text()[-3000:]}")


def generate(learners: int):
    """Learners' statements in the outbox of an LRS row, with no delivery asked for."""
    from elearning.core.services import site_setup
    from progress.services import enrolment_create, enrolment_leave, lesson_complete, lesson_view
    from tests.factories import course_tree
    from xapi import outbox
    from xapi.models import LearningRecordStore

    site_setup()
    course, lessons = course_tree(modules=MODULES, lessons_per_module=LESSONS_PER_MODULE)
    store = LearningRecordStore.objects.create(
        name="bench-ralph", endpoint="http://127.0.0.1:9/xAPI/", username="", password=""
    )
    asked = outbox.delivery_request
    outbox.delivery_request = lambda store_ids: None  # the clock has not started
    try:
        for user in bench_learners("bench-xapi", learners):
            enrolment_create(user=user, course=course)
            for lesson in lessons:
                lesson_view(user=user, lesson=lesson)
                lesson_complete(user=user, lesson=lesson)
            enrolment_leave(user=user, course=course)
    finally:
        outbox.delivery_request = asked
    return store


def ralph_fresh(temp_dir: Path, name: str) -> RalphServer:
    ralph = RalphServer(temp_dir / name, username="bench", password="bench-lrs-password")
    try:
        ralph.start()
    except RuntimeError as error:
        raise BenchError(str(error)) from error
    httpx.get(ralph.url + "statements", auth=ralph.auth, headers=HEADERS, timeout=30)  # warm
    return ralph


def check_once(ralph: RalphServer, ids: set[str], what: str) -> None:
    counts = ralph.counts()
    twice = [statement_id for statement_id, n in counts.items() if n > 1]
    if twice or set(counts) != ids:
        raise BenchError(
            f"{what}: {len(twice)} statements stored more than once, "
            f"{len(ids - set(counts))} missing, {len(set(counts) - ids)} unknown"
        )


def measure_outbox(store, ralph: RalphServer, ids: set[str]) -> float:
    """Seconds from the delivery request until nothing is pending."""
    from django.utils import timezone

    from xapi.models import OutboxStatement
    from xapi.outbox import delivery_request

    rows = OutboxStatement.objects.filter(lrs=store)
    rows.update(
        status="pending", sent_at=None, attempts=0, last_error="", next_attempt_at=timezone.now()
    )
    type(store).objects.filter(pk=store.pk).update(
        endpoint=ralph.url, username=ralph.username, password=ralph.password, paused_reason=""
    )
    pending = rows.filter(status="pending")
    began = time.perf_counter()
    delivery_request([store.pk])
    while pending.exists():
        if time.perf_counter() - began > DELIVERY_TIMEOUT:
            raise BenchError(
                f"{pending.count()} statements still pending after {DELIVERY_TIMEOUT} s"
            )
        time.sleep(0.01)
    seconds = time.perf_counter() - began
    statuses = set(rows.values_list("status", flat=True))
    if statuses != {"sent"}:
        errors = set(rows.exclude(status="sent").values_list("last_error", flat=True))
        raise BenchError(f"outbox rows not sent: {statuses}, errors {errors}")
    check_once(ralph, ids, "outbox+celery+ralph")
    return seconds


def measure_plain(payloads: list[dict], ralph: RalphServer, ids: set[str]) -> float:
    """Seconds for a loop of POSTs of 100 statements each."""
    with httpx.Client(auth=ralph.auth, headers=HEADERS, timeout=60) as client:
        began = time.perf_counter()
        for start in range(0, len(payloads), BATCH):
            response = client.post(ralph.url + "statements", json=payloads[start : start + BATCH])
            if response.status_code != 200:
                raise BenchError(f"plain POST: HTTP {response.status_code}: {response.text[:300]}")
        seconds = time.perf_counter() - began
    check_once(ralph, ids, "plain POST loop")
    return seconds


def run() -> str:
    if not RALPH_PYTHON.exists():
        raise BenchError(f"{RALPH_PYTHON} is missing: run `make .venv-ralph/.installed`")
    temp_dir = Path(tempfile.mkdtemp(prefix="bench-xapi-"))
    redis = worker = None
    try:
        env = {k: v for k, v in os.environ.items() if k not in {"LRS_ENDPOINT", "REDIS_URL"}}
        env.update(
            VAR_DIR=str(temp_dir / "var"),
            DJANGO_SETTINGS_MODULE=SETTINGS,
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
            XAPI_SENDING="true",
        )
        if BROKER == "redis":
            redis, env["CELERY_BROKER_URL"] = redis_start(temp_dir)
        elif BROKER == "filesystem":
            env["CELERY_BROKER_URL"] = "filesystem://"
        else:
            raise BenchError(f"BENCH_BROKER must be redis or filesystem, not {BROKER!r}")
        for name in ("LRS_ENDPOINT", "REDIS_URL"):  # no "default" LRS, no Redis cache
            os.environ.pop(name, None)
        os.environ.update(env)  # this process uses the same settings as the worker
        (temp_dir / "var" / "static").mkdir(parents=True)
        database = "DATABASE_URL" if env.get("DATABASE_URL") else f"SQLite in {env['VAR_DIR']}"
        print(f"bench-xapi: database {database}, broker {BROKER} ({env['CELERY_BROKER_URL']})")

        print("Setting up:", flush=True)
        manage("migrate", "--no-input", env=env)
        import django

        django.setup()
        learners = math.ceil(STATEMENTS / PER_LEARNER)
        began = time.perf_counter()
        store = generate(learners)
        from xapi.models import OutboxStatement

        payloads = list(
            OutboxStatement.objects.filter(lrs=store)
            .order_by("id")
            .values_list("payload", flat=True)
        )
        ids = {payload["id"] for payload in payloads}
        if len(ids) != len(payloads):
            raise BenchError("statement ids are not unique")
        print(
            f"  {len(payloads)} statements of {learners} learners in the outbox "
            f"({time.perf_counter() - began:.1f} s, delivery requests off)",
            flush=True,
        )
        worker = worker_start(env, temp_dir / "worker.log")
        print("  Celery worker (solo pool) answers", flush=True)

        print(
            f"Measuring: a warm-up and {ROUNDS} rounds, a fresh Ralph store for each "
            f"measurement, batches of {BATCH}",
            flush=True,
        )
        rates: dict[str, list[float]] = {"outbox": [], "plain": []}
        for number in range(ROUNDS + 1):  # round 0 warms up the worker, Ralph and httpx
            for name in ("outbox", "plain"):
                ralph = ralph_fresh(temp_dir, f"ralph-{number}-{name}")
                try:
                    if name == "outbox":
                        seconds = measure_outbox(store, ralph, ids)
                    else:
                        seconds = measure_plain(payloads, ralph, ids)
                finally:
                    ralph.stop()
                rate = len(payloads) / seconds
                label = "outbox+celery+ralph" if name == "outbox" else "plain POST loop"
                if number:
                    rates[name].append(rate)
                print(
                    f"  {f'round {number}' if number else 'warm-up'} {label:<20} "
                    f"{len(payloads)} statements in {seconds:6.2f} s: {rate:7.0f}/s "
                    "(each stored once)",
                    flush=True,
                )
        if worker.poll() is not None:
            raise BenchError("the Celery worker died during the run")
    finally:
        stop_process(worker)
        stop_process(redis)
        shutil.rmtree(temp_dir, ignore_errors=True)

    outbox_rate = statistics.median(rates["outbox"])
    plain_rate = statistics.median(rates["plain"])
    print(f"Median of the {ROUNDS} rounds on the last line.")
    return (
        f"bench-xapi: {len(payloads)} statements | outbox+celery+ralph {outbox_rate:.0f}/s | "
        f"plain POST loop {plain_rate:.0f}/s | ratio {outbox_rate / plain_rate:.2f}"
    )


def main() -> int:
    return bench_main("bench-xapi", run)


if __name__ == "__main__":
    sys.exit(main())
