"""Benchmark: a lesson page against a bare Django view, both served by gunicorn.

    python -m bench.lessons        (make bench-lessons)

Sets up a throw-away database (SQLite in a temporary folder unless DATABASE_URL is set) with
the demo course, starts gunicorn on 127.0.0.1 with two sync workers, and puts the same load on
a Swedish lesson page and on a view that only returns "ok" through the same middleware. The
two are measured in alternating rounds so that drift on a shared machine affects both; the
last line gives the lesson's throughput and p95 latency as ratios to the bare view's.

Lessons are only served to signed-in learners enrolled in the course, so the demo learner
(deltagare@example.org) is enrolled in the Swedish demo course and signed in through a session
created in this process (stored in the database, so gunicorn sees it); every client, for both
URLs, sends that session cookie. Each lesson GET therefore also records the visit (writes).

Environment overrides: BENCH_REQUESTS (per round, default 1500), BENCH_CONCURRENCY (client
threads, default 8), BENCH_ROUNDS (per URL, default 2), BENCH_ROUND_SECONDS (time cap per
round, default 60).
"""

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_DIR = Path(__file__).resolve().parent.parent
SETTINGS = "bench.settings"
BARE_PATH = "/bench/bare/"
HOST = "127.0.0.1"
LEARNER_EMAIL = "deltagare@example.org"  # the demo learner

REQUESTS = int(os.environ.get("BENCH_REQUESTS", "1500"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "8"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "2"))
ROUND_SECONDS = float(os.environ.get("BENCH_ROUND_SECONDS", "60"))
WARMUP_REQUESTS = 50
WORKERS = 2
STARTUP_SECONDS = 60


class BenchError(Exception):
    pass


@dataclass
class Round:
    requests: int
    seconds: float
    latencies: list[float]  # seconds, one per request

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
        return ordered[index]


@dataclass
class Summary:
    throughput: float
    p50_ms: float
    p95_ms: float
    requests: int


def summarise(rounds: list[Round]) -> Summary:
    """The median over the rounds of each figure."""
    return Summary(
        throughput=statistics.median(r.throughput for r in rounds),
        p50_ms=statistics.median(r.percentile(0.50) for r in rounds) * 1000,
        p95_ms=statistics.median(r.percentile(0.95) for r in rounds) * 1000,
        requests=sum(r.requests for r in rounds),
    )


def manage(*args: str, env: dict[str, str]) -> None:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    print(f"  manage.py {' '.join(args)}: {time.perf_counter() - started:.1f} s", flush=True)


@dataclass
class LessonSetup:
    url: str
    title: str
    cookies: dict[str, str]  # the enrolled learner's session
    queries_first: int
    queries_warm: int


def check_lesson_response(url: str, status: int, location: str | None) -> None:
    """A redirect means the learner is not signed in or not enrolled; anything else but 200
    is a failure too."""
    if status in (301, 302, 303, 307, 308):
        raise BenchError(
            f"GET {url}: HTTP {status} redirect to {location!r}: the learner "
            f"{LEARNER_EMAIL} is not signed in or not enrolled in the course"
        )
    if status != 200:
        raise BenchError(f"GET {url}: HTTP {status}")


def lesson_in_process() -> LessonSetup:
    """Enrols the demo learner in the Swedish demo course and signs them in; returns a Swedish
    lesson's URL and title, the session cookie, and the SQL queries of a first and a warm
    request by the learner.

    Runs in this process with the benchmark's settings (the environment is already set).
    """
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from courses.models import CoursePage, LessonPage
    from elearning.accounts.models import User
    from progress.services import enrolment_create

    learner = User.objects.filter(email=LEARNER_EMAIL).first()
    if learner is None:
        raise BenchError(f"load_demo created no learner {LEARNER_EMAIL}")
    try:
        course = CoursePage.objects.live().get(locale__language_code="sv")
    except (CoursePage.DoesNotExist, CoursePage.MultipleObjectsReturned) as error:
        raise BenchError(f"no single live Swedish demo course: {error}") from error
    enrolment_create(user=learner, course=course)
    lesson = LessonPage.objects.live().descendant_of(course).first()
    if lesson is None:
        raise BenchError("load_demo created no Swedish lesson")
    url = lesson.url

    client = Client(headers={"host": HOST})
    client.force_login(learner)  # a database session, which gunicorn also sees
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        check_lesson_response(url, response.status_code, response.get("Location"))
        counts.append(len(queries))
    connections.close_all()
    return LessonSetup(url, lesson.title, cookies, counts[0], counts[1])


def bench_learners(prefix: str, count: int):
    """``count`` new learners working in Stockholm (``{prefix}-NNNNN@example.org``, no
    password), created one at a time as they are used."""
    from elearning.accounts.models import User
    from elearning.organisations.models import Organisation

    organisation = Organisation.objects.get(kind="municipality", code="0180")
    for n in range(count):
        yield User.objects.create_user(
            f"{prefix}-{n:05d}@example.org",
            None,
            first_name="Bench",
            last_name=f"Learner {n}",
            organisation=organisation,
        )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def gunicorn_start(port: int, env: dict[str, str], log) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "elearning.wsgi:application",
        "--env",
        f"DJANGO_SETTINGS_MODULE={SETTINGS}",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--bind",
        f"{HOST}:{port}",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=REPO_DIR, env=env, stdout=log, stderr=log)


def gunicorn_stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def wait_until_up(process: subprocess.Popen, base_url: str, log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited ({process.returncode}):\n{log_path.read_text()}")
        try:
            if httpx.get(base_url + BARE_PATH, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer in {STARTUP_SECONDS} s:\n{log_path.read_text()}")


def load(
    base_url: str,
    path: str,
    requests: int,
    seconds: float,
    expect: bytes,
    cookies: dict[str, str],
) -> Round:
    """`requests` GETs of `path` from CONCURRENCY threads (stopping early after `seconds`),
    each client sending `cookies` (the learner's session)."""
    lock = threading.Lock()
    issued = 0
    latencies: list[float] = []
    errors: list[str] = []
    start = threading.Barrier(CONCURRENCY + 1)
    deadline = 0.0

    def take() -> bool:
        nonlocal issued
        with lock:
            if issued >= requests or errors or time.perf_counter() > deadline:
                return False
            issued += 1
            return True

    def worker() -> None:
        mine = []
        with httpx.Client(base_url=base_url, timeout=30, cookies=cookies) as client:
            start.wait()
            while take():
                began = time.perf_counter()
                try:
                    response = client.get(path)
                    body = response.content
                except httpx.HTTPError as error:
                    errors.append(f"{path}: {error!r}")
                    break
                mine.append(time.perf_counter() - began)
                if response.is_redirect:
                    errors.append(
                        f"{path}: HTTP {response.status_code} redirect to "
                        f"{response.headers.get('location')!r}: the learner {LEARNER_EMAIL} "
                        "is not signed in or not enrolled in the course"
                    )
                elif response.status_code != 200:
                    errors.append(f"{path}: HTTP {response.status_code}")
                elif expect not in body:
                    errors.append(f"{path}: {expect!r} not in the response")
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(CONCURRENCY)]
    for thread in threads:
        thread.start()
    deadline = time.perf_counter() + seconds
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join(seconds + 60)
    elapsed = time.perf_counter() - began
    if errors:
        raise BenchError(f"{len(errors)} failed request(s), first: {errors[0]}")
    if not latencies:
        raise BenchError(f"{path}: no request completed")
    return Round(requests=len(latencies), seconds=elapsed, latencies=latencies)


def run() -> str:
    temp_dir = Path(tempfile.mkdtemp(prefix="bench-lessons-"))
    process = None
    log = None
    try:
        env = dict(os.environ)
        env.update(
            VAR_DIR=str(temp_dir / "var"),
            DJANGO_SETTINGS_MODULE=SETTINGS,
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        os.environ.update(env)  # the in-process query count uses the same settings
        # WhiteNoise warns on every start when STATIC_ROOT is missing (no collectstatic here).
        (temp_dir / "var" / "static").mkdir(parents=True)
        database = "DATABASE_URL" if env.get("DATABASE_URL") else f"SQLite in {env['VAR_DIR']}"
        print(f"bench-lessons: database {database}", flush=True)

        print("Setting up:", flush=True)
        manage("migrate", "--no-input", env=env)
        manage("load_demo", "--allow-production", env=env)
        setup = lesson_in_process()
        from django.utils.html import escape

        expect_h1 = f"<h1>{escape(setup.title)}</h1>".encode()
        print(f"  lesson: {setup.url}", flush=True)
        print(f"  signed in as {LEARNER_EMAIL}, enrolled in the Swedish demo course", flush=True)

        port = free_port()
        base_url = f"http://{HOST}:{port}"
        log_path = temp_dir / "gunicorn.log"
        log = open(log_path, "wb")  # closed in the finally block
        process = gunicorn_start(port, env, log)
        wait_until_up(process, base_url, log_path)
        print(f"  gunicorn: {WORKERS} sync workers on {base_url}", flush=True)

        targets = {"bare": (BARE_PATH, b"ok"), "lesson": (setup.url, expect_h1)}
        for path, expect in targets.values():
            load(base_url, path, WARMUP_REQUESTS, ROUND_SECONDS, expect, setup.cookies)

        print(
            f"Measuring: {ROUNDS} rounds per URL, alternating, each {REQUESTS} requests "
            f"(at most {ROUND_SECONDS:.0f} s) from {CONCURRENCY} client threads, "
            f"all signed in as the enrolled learner (each lesson GET records the visit)",
            flush=True,
        )
        rounds: dict[str, list[Round]] = {name: [] for name in targets}
        for number in range(1, ROUNDS + 1):
            for name, (path, expect) in targets.items():
                result = load(base_url, path, REQUESTS, ROUND_SECONDS, expect, setup.cookies)
                rounds[name].append(result)
                print(
                    f"  round {number} {name:<6} {result.requests:>5} req in "
                    f"{result.seconds:5.1f} s: {result.throughput:7.1f} req/s, "
                    f"p50 {result.percentile(0.5) * 1000:6.1f} ms, "
                    f"p95 {result.percentile(0.95) * 1000:6.1f} ms",
                    flush=True,
                )
        if process.poll() is not None:
            raise BenchError(f"gunicorn died during the run:\n{log_path.read_text()}")
    finally:
        if process is not None:
            gunicorn_stop(process)
        if log is not None:
            log.close()
        shutil.rmtree(temp_dir, ignore_errors=True)

    bare, lesson = summarise(rounds["bare"]), summarise(rounds["lesson"])
    throughput_ratio = lesson.throughput / bare.throughput
    p95_ratio = lesson.p95_ms / bare.p95_ms
    print("Median of rounds:")
    print(f"  {'':<8}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for name, summary in (("bare", bare), ("lesson", lesson)):
        print(
            f"  {name:<8}{summary.requests:>10}{summary.throughput:>10.1f}"
            f"{summary.p50_ms:>10.1f}{summary.p95_ms:>10.1f}"
        )
    print(
        f"  lesson SQL queries (enrolled learner): {setup.queries_first} first request, "
        f"{setup.queries_warm} warm request"
    )
    return (
        f"bench-lessons: lesson {lesson.throughput:.0f} req/s p95 {lesson.p95_ms:.1f} ms | "
        f"bare {bare.throughput:.0f} req/s p95 {bare.p95_ms:.1f} ms | "
        f"throughput ratio {throughput_ratio:.2f}, p95 ratio {p95_ratio:.2f} | "
        f"lesson queries {setup.queries_warm}"
    )


def bench_main(name: str, run_bench) -> int:
    """Run a benchmark; its headline (or FAILED) is the last line printed, as the issues ask."""
    started = time.perf_counter()
    try:
        headline = run_bench()
    except BenchError as error:
        print(f"{name}: FAILED: {error}", file=sys.stderr)
        print(f"{name}: FAILED")
        return 1
    print(f"  total time {time.perf_counter() - started:.0f} s")
    print(headline)
    return 0


def main() -> int:
    return bench_main("bench-lessons", run)


if __name__ == "__main__":
    sys.exit(main())
