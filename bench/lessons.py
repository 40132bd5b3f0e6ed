"""Benchmark: the learner's pages against a signed-in bare view, served by gunicorn, loaded
by wrk.

    python -m bench.lessons        (make bench-lessons)

Database: PostgreSQL by default, a fresh ``bench_lessons`` (or BENCH_DATABASE_NAME) on
BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432), dropped afterwards;
DATABASE_URL (an existing database: migrated and given the demo, kept) or
BENCH_DATABASE=sqlite (a temporary SQLite file) instead.
Cache: Redis when REDIS_URL is set (as in production), else one local-memory cache per
gunicorn worker. The learner's page cache (progress/pagecache.py) is on, as in production:
wrk's repeated views of a page are served from it, and each page's queries are given both
ways (from the cache, and rendered after a change of the learner's state).
LEARNER_PAGE_CACHE=0 measures every page rendered.

Set-up: migrate, the demo (``load_demo``), and the demo learner (deltagare@example.org)
enrolled in the Swedish demo course with its first lesson done, signed in through a database
session made in this process (``Client.force_login``). gunicorn serves 2 sync workers on
127.0.0.1. The pages, as that learner: a lesson, its module, the course, the catalogue and
"Mina kurser" (the dashboard); the reference is ``/bench/signed-in/`` (bench/urls.py): a
``login_required`` view that reads ``request.user``, so it loads the same session and user
through the same middleware, and renders nothing.

Load: wrk (Debian package ``wrk``: ``apt-get install -y wrk``), 2 threads and
BENCH_CONNECTIONS (16) connections, every request with the learner's session and CSRF
cookies, as their browser sends them (set by the Lua script, ``bench/lessons.lua``, which also
counts every answer that is not a 200 with the page's heading: a redirect to sign-in fails
the run). Each round measures, for every page in turn, the reference and then the page,
BENCH_SECONDS (6) each; BENCH_ROUNDS (3) rounds after a warm-up of each. A page's ratios are
the median over the rounds of the page's figure to the reference's measured just before it
(the machine is shared: pairs seconds apart see the same load); the table also gives the
medians of the raw figures. wrk's own CPU time (from the kernel's accounting of the finished
child) is printed as a share of the machine's cores and of the server's CPU, to show the
client is not the bottleneck. The SQL queries of each page are counted in-process as the
same learner (a warm request).

The last line: for each page its throughput and p95 as ratios to the reference's, and its
queries.
"""

import os
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO_DIR = Path(__file__).resolve().parent.parent
SETTINGS = "bench.settings"
BARE_PATH = "/bench/bare/"
SIGNED_IN_PATH = "/bench/signed-in/"
HOST = "127.0.0.1"
LEARNER_EMAIL = "deltagare@example.org"  # the demo learner
POLICY_SLUG = "folkhalsopolitik"  # the demo's policy course (demo/data/folkhalsopolitik.json)
LUA_SCRIPT = Path(__file__).resolve().parent / "lessons.lua"
POSTGRES = os.environ.get("BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = os.environ.get("BENCH_DATABASE_NAME", "bench_lessons")

SECONDS = float(os.environ.get("BENCH_SECONDS", "6"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "16"))
WRK_THREADS = 2
WARMUP_SECONDS = 2.0
WORKERS = 2
STARTUP_SECONDS = 60


class BenchError(Exception):
    pass


@dataclass
class Round:
    requests: int
    seconds: float
    latencies: list[float]  # seconds, one per request
    client_cpu: float = 0.0  # the client's CPU seconds over the round's seconds (1.0: a core)

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


def bench_learners(prefix: str, count: int):
    """``count`` new learners working in Stockholm (``{prefix}-NNNNN@example.org``, no
    password, their address confirmed: an unconfirmed account's certificate is held back,
    issue 16), created one at a time as they are used."""
    from django.utils import timezone

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
            verified_at=timezone.now(),
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


@dataclass
class Target:
    name: str
    path: str
    expect: str  # must be in every answer's body
    queries: int = 0  # SQL queries of a warm request, counted in-process
    # With the learner's page cache on (progress/pagecache.py): the queries of the page
    # rendered (the learner's state changed since the last view), ``queries`` those of the
    # page from the cache, which is what wrk's repeated views measure.
    rendered_queries: int | None = None

    @property
    def query_label(self) -> str:
        if self.rendered_queries is None:
            return f"{self.queries}q"
        return f"{self.queries}q (rendered {self.rendered_queries}q)"


@dataclass
class WrkResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    client_cpu: float  # seconds of CPU wrk used
    server_cpu: float  # seconds of CPU the gunicorn workers used meanwhile

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds


def pages_in_process() -> tuple[list[Target], dict[str, str]]:
    """Enrols the demo learner in the Swedish demo course (first lesson done), signs them in;
    returns the reference and the pages (with their warm query counts) and the cookies.

    Runs in this process with the benchmark's settings (the environment is already set).
    """
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils.html import escape

    from courses.models import CourseCataloguePage, CoursePage, LessonPage
    from elearning.accounts.models import User
    from progress.services import enrolment_create, lesson_complete

    learner = User.objects.filter(email=LEARNER_EMAIL).first()
    if learner is None:
        raise BenchError(f"load_demo created no learner {LEARNER_EMAIL}")
    try:
        # The policy course (the demo also has a package course, issue 18).
        course = CoursePage.objects.live().get(locale__language_code="sv", slug=POLICY_SLUG)
    except CoursePage.DoesNotExist as error:
        raise BenchError(f"no live Swedish demo course '{POLICY_SLUG}': {error}") from error
    enrolment_create(user=learner, course=course)
    lessons = list(LessonPage.objects.live().descendant_of(course).order_by("path")[:2])
    if len(lessons) < 2:
        raise BenchError("load_demo created fewer than two Swedish lessons")
    lesson_complete(user=learner, lesson=lessons[0])  # some progress to show
    lesson = lessons[1]
    module = lesson.get_parent()
    catalogue = CourseCataloguePage.objects.live().get(locale__language_code="sv")

    def heading(title):
        return f"<h1>{escape(title)}</h1>"

    targets = [
        Target("signed-in", SIGNED_IN_PATH, f"ok {learner.pk}"),
        Target("lesson", lesson.url, heading(lesson.title)),
        Target("module", module.url, heading(module.title)),
        Target("course", course.url, heading(course.title)),
        Target("catalogue", catalogue.url, heading(catalogue.title)),
        Target("dashboard", "/sv/mina-kurser/", heading("Mina kurser")),
    ]
    client = Client(headers={"host": HOST})
    client.force_login(learner)  # a database session, which gunicorn also sees
    from progress.pagecache import learner_changed

    def counted(target) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(target.path)
        check_response(target, response.status_code, response.get("Location"))
        if target.expect not in response.content.decode():
            raise BenchError(f"GET {target.path}: {target.expect!r} not in the page")
        return len(queries)

    for target in targets:
        counted(target)  # warms the shared caches (and starts the lesson)
        if settings.LEARNER_PAGE_CACHE and target is not targets[0]:
            learner_changed(learner.pk)  # as after an action of the learner's: rendered
            target.rendered_queries = counted(target)
        target.queries = counted(target)
    # The cookies the learner's browser sends: the session, and the CSRF cookie the first page
    # with a form set (the page cache keeps a page per browser's CSRF secret).
    cookies = {
        name: client.cookies[name].value
        for name in (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
    }
    connections.close_all()
    return targets, cookies


def check_response(target: Target, status: int, location: str | None) -> None:
    """A redirect means the learner is not signed in or not enrolled; anything else but 200
    is a failure too."""
    if status in (301, 302, 303, 307, 308):
        raise BenchError(
            f"GET {target.path}: HTTP {status} redirect to {location!r}: the learner "
            f"{LEARNER_EMAIL} is not signed in or not enrolled in the course"
        )
    if status != 200:
        raise BenchError(f"GET {target.path}: HTTP {status}")


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise BenchError("wrk is not installed: apt-get install -y wrk (Debian package)")
    return found


def process_cpu(pids: list[int]) -> float:
    """CPU seconds (user + system) the processes used so far, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def worker_pids(master: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    return [int(pid) for pid in children.read_text().split()] + [master.pid]


def wrk_run(base_url: str, target: Target, seconds: float, cookies: dict, server) -> WrkResult:
    """wrk on ``target`` for ``seconds``; fails on any answer that is not a 200 with the
    expected text. Its CPU time comes from the kernel's accounting of finished children."""
    env = dict(
        os.environ,
        BENCH_COOKIE="; ".join(f"{name}={value}" for name, value in cookies.items()),
        BENCH_EXPECT=target.expect,
    )
    command = [
        wrk_binary(),
        f"--threads={WRK_THREADS}",
        f"--connections={CONNECTIONS}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        f"--script={LUA_SCRIPT}",
        base_url + target.path,
    ]
    pids = worker_pids(server)
    server_before = process_cpu(pids)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=seconds + 60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = process_cpu(pids) - server_before
    client_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    line = next((x for x in result.stdout.splitlines() if x.startswith("BENCH ")), None)
    if result.returncode != 0 or line is None:
        raise BenchError(f"wrk failed on {target.path}:\n{result.stdout}\n{result.stderr}")
    _, requests, micros, p50, p95, bad, errors = line.split()
    if int(bad) or int(errors):
        raise BenchError(
            f"{target.path}: {bad} answer(s) not a 200 with {target.expect!r}, {errors} "
            "socket error(s) (a redirect: the learner is not signed in or not enrolled)"
        )
    return WrkResult(
        requests=int(requests),
        seconds=int(micros) / 1e6,
        p50_ms=float(p50) / 1000,
        p95_ms=float(p95) / 1000,
        client_cpu=client_cpu,
        server_cpu=server_cpu,
    )


def database_fresh() -> str:
    """A new, empty ``bench_lessons`` database on BENCH_POSTGRES; returns its URL."""
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {DATABASE}")
    return f"{POSTGRES}/{DATABASE}"


def database_drop() -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def run() -> str:
    temp_dir = Path(tempfile.mkdtemp(prefix="bench-lessons-"))
    process = None
    log = None
    own_database = False
    wrk_binary()  # fail before the set-up when wrk is missing
    try:
        env = dict(os.environ)
        env.update(
            VAR_DIR=str(temp_dir / "var"),
            DJANGO_SETTINGS_MODULE=SETTINGS,
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        if env.get("BENCH_DATABASE", "postgres") == "sqlite":
            env.pop("DATABASE_URL", None)
            database = f"SQLite in {env['VAR_DIR']}"
        elif env.get("DATABASE_URL"):
            database = "PostgreSQL (DATABASE_URL)"
        else:
            env["DATABASE_URL"] = database_fresh()
            own_database = True
            database = f"PostgreSQL, fresh database {DATABASE}"
        if env.get("REDIS_URL"):
            env["BENCH_CACHE_REDIS_URL"] = env["REDIS_URL"]
        cache = "Redis (REDIS_URL)" if env.get("REDIS_URL") else "local memory per worker"
        os.environ.update(env)  # the in-process set-up uses the same settings
        if "DATABASE_URL" not in env:
            os.environ.pop("DATABASE_URL", None)
        # WhiteNoise warns on every start when STATIC_ROOT is missing (no collectstatic here).
        (temp_dir / "var" / "static").mkdir(parents=True)
        print(f"bench-lessons: database {database}, cache {cache}", flush=True)
        print(f"  load average at start: {Path('/proc/loadavg').read_text().strip()}", flush=True)

        print("Setting up:", flush=True)
        manage("migrate", "--no-input", env=env)
        manage("load_demo", "--allow-production", env=env)
        targets, cookies = pages_in_process()
        for target in targets:
            print(f"  {target.name:<10} {target.path}", flush=True)
        print(f"  signed in as {LEARNER_EMAIL}, enrolled in the Swedish demo course", flush=True)

        port = free_port()
        base_url = f"http://{HOST}:{port}"
        log_path = temp_dir / "gunicorn.log"
        log = open(log_path, "wb")  # closed in the finally block
        process = gunicorn_start(port, env, log)
        wait_until_up(process, base_url, log_path)
        time.sleep(1)  # the workers are up
        print(f"  gunicorn: {WORKERS} sync workers on {base_url}", flush=True)

        for target in targets:
            wrk_run(base_url, target, WARMUP_SECONDS, cookies, process)
        cores = os.cpu_count() or 1
        print(
            f"Measuring: {ROUNDS} rounds, each the reference and every page in turn for "
            f"{SECONDS:.0f} s, wrk {WRK_THREADS} threads {CONNECTIONS} connections, all "
            f"signed in as the enrolled learner ({cores} cores)",
            flush=True,
        )
        rounds: dict[str, list[WrkResult]] = {target.name: [] for target in targets}
        pairs: dict[str, list[tuple[WrkResult, WrkResult]]] = {t.name: [] for t in targets[1:]}
        for number in range(1, ROUNDS + 1):
            for target in targets[1:]:
                # The reference right before each page: the ratio compares two measurements
                # seconds apart, whatever else the machine does meanwhile.
                for measured in (targets[0], target):
                    result = wrk_run(base_url, measured, SECONDS, cookies, process)
                    rounds[measured.name].append(result)
                    print(
                        f"  round {number} {measured.name:<10} {result.requests:>6} req "
                        f"{result.throughput:7.1f} req/s, p50 {result.p50_ms:6.1f} ms, "
                        f"p95 {result.p95_ms:6.1f} ms, client CPU "
                        f"{100 * result.client_cpu / (result.seconds * cores):4.1f} % of the "
                        f"machine ({100 * result.client_cpu / max(result.server_cpu, 1e-9):4.1f}"
                        " % of the server's)",
                        flush=True,
                    )
                reference_result = rounds[targets[0].name][-1]
                pairs[target.name].append((reference_result, rounds[target.name][-1]))
        if process.poll() is not None:
            raise BenchError(f"gunicorn died during the run:\n{log_path.read_text()}")
    finally:
        if process is not None:
            gunicorn_stop(process)
        if log is not None:
            log.close()
        shutil.rmtree(temp_dir, ignore_errors=True)
        if own_database and not os.environ.get("BENCH_KEEP_DATABASE"):
            from django.db import connections

            connections.close_all()
            database_drop()

    def median(name, attribute):
        return statistics.median(getattr(r, attribute) for r in rounds[name])

    reference = targets[0]
    ref_rps, ref_p95 = median(reference.name, "throughput"), median(reference.name, "p95_ms")
    all_results = [r for results in rounds.values() for r in results]
    client_share = max(100 * r.client_cpu / (r.seconds * cores) for r in all_results)
    client_of_server = max(100 * r.client_cpu / max(r.server_cpu, 1e-9) for r in all_results)
    print("Median of rounds (ratios: median over the rounds of page / the reference just before):")
    header = ("req/s", "p50 ms", "p95 ms", "queries", "× req/s")
    print(f"  {'':<11}" + "".join(f"{h:>9}" for h in header) + f"{'× p95':>8}")
    parts = []
    for target in targets:
        rps, p95 = median(target.name, "throughput"), median(target.name, "p95_ms")
        if target is reference:
            rps_ratio = p95_ratio = 1.0
        else:
            rps_ratio = statistics.median(
                page.throughput / ref.throughput for ref, page in pairs[target.name]
            )
            p95_ratio = statistics.median(
                page.p95_ms / ref.p95_ms for ref, page in pairs[target.name]
            )
            parts.append(
                f"{target.name} {rps_ratio:.2f}× p95 {p95_ratio:.2f}× {target.query_label}"
            )
        print(
            f"  {target.name:<11}{rps:>9.1f}{median(target.name, 'p50_ms'):>9.1f}{p95:>9.1f}"
            f"{target.queries:>9}{rps_ratio:>9.2f}{p95_ratio:>8.2f}"
        )
    print(
        f"  client (wrk) CPU at most {client_share:.1f} % of the machine's {cores} cores, "
        f"{client_of_server:.1f} % of the server's CPU"
    )
    from django.conf import settings

    cache_state = "on" if settings.LEARNER_PAGE_CACHE else "off (LEARNER_PAGE_CACHE=0)"
    return (
        f"bench-lessons (learner page cache {cache_state}): vs signed-in bare view "
        f"({ref_rps:.0f} req/s, p95 {ref_p95:.1f} ms, "
        f"{reference.queries}q): " + " | ".join(parts) + f" | wrk CPU ≤{client_share:.0f} %"
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
