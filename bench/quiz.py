"""Benchmark: quiz start and submit against a bare one-insert view, and the webinar load.

    python -m bench.quiz        (make bench-quiz)

Sets up a throw-away PostgreSQL database (BENCH_DATABASE, default bench_quiz, on the server
BENCH_POSTGRES; copied from a template that holds the migrated schema and the demo course and
is made again when the migrations, the installed packages or the demo change), or SQLite in a
temporary folder with BENCH_SQLITE=1. DATABASE_URL is ignored: the database is dropped.
Learners are made in bulk in this process (user, enrolment in the Swedish demo course and a
database session each; their enrolment event is left out, it is not what is measured).

1. Bursts (gunicorn, BENCH_THREADS as before: 2 sync workers by default). A round is a burst:
   BENCH_LEARNERS client threads, each with its own connection and a learner's cookies, wait
   on a barrier and post at the same moment: to the bare insert view (/bench/insert/ in
   bench/urls.py: the same middleware and CSRF check, the session and the user loaded as the
   quiz views load them, one INSERT in a transaction), to the start of the final test (a new
   attempt; the redirect to it is the answer, not followed), or a perfect submit of an open
   attempt at the first module quiz (the redirect to the result). Every learner opened the
   quiz page or their attempt page once before, as a browser would, for the CSRF cookie and
   token. The three kinds alternate in each round, after a warm-up burst of each; fresh
   learners for every start and submit burst. The median of BENCH_ROUNDS rounds is reported.

2. Webinar (Locust, bench/quiz_webinar.py, headless, one process, against gunicorn with
   BENCH_WEBINAR_WORKERS sync workers): a ramp of levels, from BENCH_TAKERS (350) takers,
   doubling while a level is held and halving while not (then bisecting), at most
   BENCH_LEVELS (4) levels. A level's fresh learners are spawned within BENCH_SPAWN_SECONDS
   (9) and each takes the final test once: quiz page, start, BENCH_SAVES (3) autosaves,
   submit, 30–90 s of thinking before each save and the submit, scaled by BENCH_THINK_SCALE
   (0.1: 3–9 s, so a level takes about 45 s; the concurrency is kept, every taker is in an
   open attempt at once, and the request rate is ten times Moodle's, which makes the test
   harder, not easier). A level is held when every taker submitted, no request failed and
   the p95 of all requests is under 500 ms. The database is checked afterwards: one attempt
   per taker, each submitted, and all open at the same moment.

3. Webinar reference: the same ramp on a server started and warmed alike, each request of the
   same pattern
   answered by a bare view of bench/urls.py (quiz_webinar.BareTaker): what the machine holds
   for takers whose every request costs what a bare one does.

The last line gives the start and submit throughput ratios to the insert view, the most
takers held by the quiz and by the reference, and their ratio. BENCH_WEBINAR=0 skips both
webinars. The client's CPU is printed for every burst (this process's threads, from the
release to the last response) and every level (the Locust process's user + system time over
the level's wall time).
"""

import hashlib
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import httpx

from bench.databases import (
    POSTGRES,
    database_copy,
    database_drop,
    migrations_fingerprint,
    template_ensure,
)
from bench.lessons import (
    HOST,
    POLICY_SLUG,
    REPO_DIR,
    SETTINGS,
    BenchError,
    Round,
    bench_main,
    free_port,
    gunicorn_stop,
    manage,
    summarise,
    wait_until_up,
)

INSERT_PATH = "/bench/insert/"
LEARNERS = int(os.environ.get("BENCH_LEARNERS", "50"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
THREADS = int(os.environ.get("BENCH_THREADS", "1"))
SQLITE = os.environ.get("BENCH_SQLITE", "") not in ("", "0")
DATABASE = os.environ.get("BENCH_DATABASE", "bench_quiz")
TEMPLATE = f"{DATABASE}_template"
WEBINAR = os.environ.get("BENCH_WEBINAR", "1") not in ("", "0")
TAKERS = int(os.environ.get("BENCH_TAKERS", "350"))  # the first level of the ramp
LEVELS = int(os.environ.get("BENCH_LEVELS", "4"))  # at most this many levels
MAX_TAKERS = int(os.environ.get("BENCH_MAX_TAKERS", "1400"))
WEBINAR_WORKERS = int(os.environ.get("BENCH_WEBINAR_WORKERS", "4"))
SPAWN_SECONDS = float(os.environ.get("BENCH_SPAWN_SECONDS", "9"))
THINK_SCALE = float(os.environ.get("BENCH_THINK_SCALE", "0.1"))
SAVES = int(os.environ.get("BENCH_SAVES", "3"))
P95_LIMIT_MS = 500
WARMUP_LEARNERS = 6  # a small burst of each kind before measuring, not counted
WARMUP_TAKERS = 16  # a webinar's warm-up level, at once and without thinking, not counted
WORKERS = 2
TIMEOUT = 60  # seconds, per request
STARTUP_SECONDS = 60
EMAIL = "bench-{}-{:05d}@example.org"
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
USERS_RE = re.compile(r"webinar-users: submitted (\d+) failed (\d+)")


@dataclass
class Learner:
    email: str
    cookies: dict[str, str]  # the session; csrf_fetch adds the CSRF cookie
    url: str = ""  # the attempt's page (a submit learner) or the quiz page (a start learner)
    attempt_id: int | None = None
    data: dict[str, str | list[str]] = field(default_factory=dict)  # what the learner posts


@dataclass
class Quizzes:
    module_quiz_id: int  # the first Swedish module quiz's page: submitted in the bursts
    final_id: int  # the Swedish final test's page: started in the bursts and the webinar
    final_url: str
    start_url: str
    final_kinds: str
    course_id: int
    queries: dict[str, int]  # SQL queries of one request, counted in-process


def _token(entry: dict, key: str = "token") -> str:
    """The entry's token in this attempt (quizzes/tokens.py); the stable id in an old one."""
    return entry.get(key) or entry["id"]


def perfect_answer(questions: list[dict]) -> dict[str, str | list[str]]:
    """The form a learner who knows every answer would post (see quizzes.services)."""
    data: dict[str, str | list[str]] = {"action": "submit"}
    for question in questions:
        key = f"q-{question['id']}"
        kind = question["type"]
        if kind in ("single", "true_false"):
            correct = [_token(option) for option in question["options"] if option["correct"]]
            if not correct:
                raise BenchError(f"question {question['id']} has no correct option")
            data[key] = correct[0]
        elif kind == "multiple":
            data[key] = [_token(option) for option in question["options"] if option["correct"]]
        elif kind == "ordering":
            for position, item in enumerate(question["items"], start=1):
                data[f"{key}-{_token(item)}"] = str(position)
        elif kind == "matching":
            for pair in question["pairs"]:
                data[f"{key}-{_token(pair, 'prompt_token')}"] = _token(pair, "match_token")
        elif kind == "reflection":
            data[key] = "Samverkan mellan kommun och region gör arbetet mer jämlikt."
        else:
            raise BenchError(f"question {question['id']}: unknown type {kind!r}")
    return data


def check_submit(learner: Learner, status: int, location: str | None, body: str) -> str | None:
    """None for a successful submit (a redirect to the attempt's result), else the problem."""
    if status == 302 and (location or "").endswith(learner.url + "resultat/"):
        return None
    if status in (301, 302, 303, 307, 308):
        return (
            f"HTTP {status} redirect to {location!r}: {learner.email} is not signed in or "
            "the attempt is not theirs"
        )
    message = re.search(r'class="[^"]*(?:error|alert)[^"]*"[^>]*>([^<]+)', body)
    detail = f": {message.group(1).strip()!r}" if message else ""
    return f"HTTP {status}{detail} (a successful submit redirects to its result)"


def check_start(status: int, location: str | None) -> str | None:
    """None for a start that opened an attempt (a redirect to the attempt's page)."""
    if status == 302 and re.search(r"/quiz/forsok/\d+/$", location or ""):
        return None
    return f"HTTP {status} to {location!r} (a start redirects to the new attempt)"


# --- Database ---------------------------------------------------------------------------------


def template_fingerprint() -> str:
    """What the template holds: the migrated schema (bench.certificates' fingerprint of the
    migrations and the installed packages) and the demo course's code and data."""
    digest = hashlib.sha256(migrations_fingerprint().encode())
    for path in sorted((REPO_DIR / "demo").rglob("*")):
        if path.is_file() and path.suffix in (".py", ".json", ".yaml", ".yml", ".md"):
            digest.update(str(path.relative_to(REPO_DIR)).encode() + b"\0" + path.read_bytes())
    return "bench-quiz " + digest.hexdigest()


def database_create(env: dict[str, str]) -> None:
    """A new DATABASE copied from TEMPLATE, which is made again (migrate, load_demo) when
    its fingerprint changed."""
    template_ensure(
        TEMPLATE,
        template_fingerprint(),
        env,
        [("migrate", "--no-input"), ("load_demo", "--allow-production")],
    )
    database_copy(DATABASE, TEMPLATE)


# --- Learners, made in this process ----------------------------------------------------------


def learners_make(prefix: str, count: int, course_id: int) -> list[Learner]:
    """``count`` learners in bulk: users (no password), active enrolments in the course and
    signed-in database sessions, as ``Client.force_login`` would store them."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from courses.models import CoursePage
    from elearning.accounts.models import User
    from progress.models import Enrolment

    course = CoursePage.objects.get(pk=course_id)
    now = timezone.now()
    users = []
    for number in range(count):
        user = User(email=EMAIL.format(prefix, number), first_name="Bench", last_name=prefix)
        user.set_unusable_password()
        users.append(user)
    users = User.objects.bulk_create(users, batch_size=500)
    if users[0].pk is None:  # SQLite before 3.35 returns no ids
        users = list(User.objects.filter(email__in=[u.email for u in users]).order_by("pk"))
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                user=user,
                course_key=course.translation_key,
                course=course,
                enrolled_at=now,
                last_activity_at=now,
            )
            for user in users
        ],
        batch_size=500,
    )
    backend = settings.AUTHENTICATION_BACKENDS[0]
    store = SessionStore()
    sessions, learners = [], []
    for user in users:
        key = store._get_new_session_key()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(
                session_key=key,
                session_data=store.encode(data),
                expire_date=now + timedelta(seconds=settings.SESSION_COOKIE_AGE),
            )
        )
        learners.append(Learner(email=user.email, cookies={settings.SESSION_COOKIE_NAME: key}))
    Session.objects.bulk_create(sessions, batch_size=500)
    return learners


def quizzes_in_process() -> Quizzes:
    """The quizzes measured, and the SQL queries of one start, autosave, submit and insert,
    counted in-process through the test client (a first request warms the caches)."""
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import translation

    from courses.models import CoursePage, QuizPage
    from elearning.accounts.models import User

    try:
        # The policy course (the demo also has a package course, issue 18).
        course = CoursePage.objects.live().get(locale__language_code="sv", slug=POLICY_SLUG)
    except CoursePage.DoesNotExist as error:
        raise BenchError(f"no live Swedish demo course '{POLICY_SLUG}': {error}") from error
    module_quiz = (
        QuizPage.objects.live().filter(locale__language_code="sv").order_by("path").first()
    )
    final = QuizPage.objects.live().child_of(course).first()
    if module_quiz is None or final is None or module_quiz.pk == final.pk:
        raise BenchError("load_demo made no Swedish module quiz and final test")
    with translation.override("sv"):
        start_url = reverse("quizzes:start", kwargs={"page_id": final.pk})
    from quizzes.models import Attempt

    queries: dict[str, list[int]] = {"start": [], "autosave": [], "submit": [], "insert": []}
    for learner in learners_make("count", 2, course.pk):
        client = Client(headers={"host": HOST})
        client.force_login(User.objects.get(email=learner.email))

        def counted(name, path, data=None, expect=302, client=client):
            with CaptureQueriesContext(connection) as captured:
                response = client.post(path, data or {})
            if response.status_code != expect:
                raise BenchError(f"in-process {name}: HTTP {response.status_code}")
            queries[name].append(len(captured))
            return response

        url = counted("start", start_url)["Location"]
        attempt = Attempt.objects.filter(enrolment__user__email=learner.email).get()
        data = perfect_answer(attempt.questions)
        counted("autosave", url, {**data, "action": "autosave"}, expect=200)
        counted("submit", url, data)
        counted("insert", INSERT_PATH, expect=201)
    with translation.override("sv"):
        final_url = final.get_url()
    kinds = ", ".join(block.block_type for block in final.quiz.questions)
    return Quizzes(
        module_quiz_id=module_quiz.pk,
        final_id=final.pk,
        final_url=final_url,
        start_url=start_url,
        final_kinds=f"{final.quiz.draw_count or len(final.quiz.questions)} drawn of {kinds}",
        course_id=course.pk,
        queries={name: counts[-1] for name, counts in queries.items()},
    )


def attempts_open(learners: list[Learner], placement_id: int) -> None:
    """An open attempt at the placement for each learner (in-process), with the perfect
    answer they will post."""
    from django.urls import reverse
    from django.utils import translation

    from courses.models import QuizPage
    from elearning.accounts.models import User
    from quizzes.services import attempt_start

    page = QuizPage.objects.get(pk=placement_id)
    users = {u.email: u for u in User.objects.filter(email__in=[x.email for x in learners])}
    for learner in learners:
        attempt = attempt_start(user=users[learner.email], placement=page)
        with translation.override("sv"):
            learner.url = reverse("quizzes:attempt", kwargs={"attempt_id": attempt.pk})
        learner.attempt_id = attempt.pk
        learner.data = perfect_answer(attempt.questions)


def attempts_check(emails: list[str], placement_id: int) -> dict[str, int | bool]:
    """What the database holds of the learners' attempts at the placement."""
    from django.db.models import Count, Max, Min

    from quizzes.models import Attempt

    attempts = Attempt.objects.filter(enrolment__user__email__in=emails, placement_id=placement_id)
    per_learner = attempts.values("enrolment").annotate(n=Count("pk"))
    figures = attempts.aggregate(
        last_start=Max("started_at"), first_submit=Min("submitted_at"), n=Count("pk")
    )
    return {
        "attempts": figures["n"],
        "learners": per_learner.count(),
        "most_per_learner": max((row["n"] for row in per_learner), default=0),
        "submitted": attempts.filter(submitted_at__isnull=False).count(),
        "all_open_at_once": bool(
            figures["last_start"]
            and figures["first_submit"]
            and figures["last_start"] < figures["first_submit"]
        ),
    }


# --- Server ------------------------------------------------------------------------------------


def server_label(workers: int, threads: int) -> str:
    if threads == 1:
        return f"{workers} sync workers"
    return f"{workers} gthread workers x {threads} threads"


def gunicorn_start(port: int, env: dict[str, str], log, workers: int, threads: int):
    if threads == 1:
        worker_class = ["--worker-class", "sync"]
    else:
        worker_class = ["--worker-class", "gthread", "--threads", str(threads)]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "elearning.wsgi:application",
        "--env",
        f"DJANGO_SETTINGS_MODULE={SETTINGS}",
        "--workers",
        str(workers),
        *worker_class,
        "--backlog",
        "4096",  # the webinar's spawn opens many connections at once
        "--bind",
        f"{HOST}:{port}",
        "--timeout",
        str(TIMEOUT),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=REPO_DIR, env=env, stdout=log, stderr=log)


class Server:
    def __init__(self, env: dict[str, str], temp_dir: Path, workers: int, threads: int):
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.log_path = temp_dir / f"gunicorn-{self.port}.log"
        self.label = server_label(workers, threads)
        self.log = open(self.log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.process = gunicorn_start(self.port, env, self.log, workers, threads)
        wait_until_up(self.process, self.base_url, self.log_path)

    def check(self) -> None:
        if self.process.poll() is not None:
            raise BenchError(f"gunicorn died during the run:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        gunicorn_stop(self.process)
        self.log.close()


# --- Bursts ------------------------------------------------------------------------------------


def csrf_fetch(base_url: str, learners: list[Learner], cookie_name: str) -> None:
    """Each learner opens their attempt page (or the quiz page) once, as a browser would
    before posting: the response carries the CSRF cookie and the form's token."""

    def fetch(learner: Learner) -> None:
        with httpx.Client(base_url=base_url, timeout=TIMEOUT, cookies=learner.cookies) as client:
            response = client.get(learner.url)
            if response.status_code != 200:
                where = response.headers.get("location")
                raise BenchError(
                    f"GET {learner.url} as {learner.email}: HTTP {response.status_code}"
                    + (f" redirect to {where!r}" if where else "")
                )
            token = TOKEN_RE.search(response.text)
            csrf_cookie = client.cookies.get(cookie_name)
            if token is None or csrf_cookie is None:
                raise BenchError(f"GET {learner.url}: no CSRF token or cookie in the response")
        learner.cookies[cookie_name] = csrf_cookie
        learner.data["csrfmiddlewaretoken"] = token.group(1)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(fetch, learners))


@dataclass
class Post:
    path: str
    cookies: dict[str, str]
    data: dict[str, str | list[str]]
    check: Callable[[httpx.Response], str | None]  # None when the response is as expected


def submit_post(learner: Learner) -> Post:
    def check(response: httpx.Response) -> str | None:
        return check_submit(
            learner, response.status_code, response.headers.get("location"), response.text
        )

    return Post(learner.url, learner.cookies, learner.data, check)


def start_post(start_url: str) -> Callable[[Learner], Post]:
    def make(learner: Learner) -> Post:
        def check(response: httpx.Response) -> str | None:
            return check_start(response.status_code, response.headers.get("location"))

        token = {"csrfmiddlewaretoken": learner.data["csrfmiddlewaretoken"]}
        return Post(start_url, learner.cookies, token, check)

    return make


def insert_post(learner: Learner) -> Post:
    def check(response: httpx.Response) -> str | None:
        return None if response.status_code == 201 else f"HTTP {response.status_code}"

    token = {"csrfmiddlewaretoken": learner.data["csrfmiddlewaretoken"], "action": "insert"}
    return Post(INSERT_PATH, learner.cookies, token, check)


def burst(base_url: str, posts: list[Post]) -> Round:
    """One POST per thread, all released at once by a barrier; each thread has its own client
    (connection and cookies). The round's time runs from the release to the last response."""
    released = 0.0
    cpu_released = 0.0
    timings: list[tuple[float, float] | None] = [None] * len(posts)
    cpu_ends: list[float] = []  # this process's CPU time as each response arrived
    errors: list[str] = []

    def release() -> None:
        nonlocal released, cpu_released
        released = time.perf_counter()
        cpu_released = time.process_time()

    barrier = threading.Barrier(len(posts), action=release, timeout=TIMEOUT)

    def worker(index: int, post: Post) -> None:
        with httpx.Client(base_url=base_url, timeout=TIMEOUT, cookies=post.cookies) as client:
            try:
                barrier.wait()
            except threading.BrokenBarrierError:
                errors.append(f"POST {post.path}: the start barrier broke")
                return
            began = time.perf_counter()
            try:
                response = client.post(post.path, data=post.data)
            except httpx.HTTPError as error:
                errors.append(f"POST {post.path}: {error!r}")
                return
            ended = time.perf_counter()
            cpu_ends.append(time.process_time())
            problem = post.check(response)
            if problem:
                errors.append(f"POST {post.path}: {problem}")
            timings[index] = (began, ended)

    threads = [
        threading.Thread(target=worker, args=(index, post), daemon=True)
        for index, post in enumerate(posts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(2 * TIMEOUT)
    if any(thread.is_alive() for thread in threads):
        raise BenchError(f"a client thread still runs after {2 * TIMEOUT} s")
    if errors:
        raise BenchError(f"{len(errors)} of {len(posts)} requests failed, first: {errors[0]}")
    done = [timing for timing in timings if timing is not None]
    last = max(ended for _, ended in done)
    return Round(
        requests=len(done),
        seconds=last - released,
        latencies=[ended - began for began, ended in done],
        client_cpu=(max(cpu_ends) - cpu_released) / (last - released),
    )


def bursts(server: Server, quizzes: Quizzes, cookie_name: str) -> dict[str, list[Round]]:
    from django.db import connections

    needed = WARMUP_LEARNERS + ROUNDS * LEARNERS
    started = time.perf_counter()
    submitters = learners_make("submit", needed, quizzes.course_id)
    attempts_open(submitters, quizzes.module_quiz_id)
    starters = learners_make("start", needed, quizzes.course_id)
    for learner in starters:
        learner.url = quizzes.final_url
    connections.close_all()
    print(
        f"  {2 * needed} learners for the bursts (half with an open attempt at the module "
        f"quiz): {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    started = time.perf_counter()
    csrf_fetch(server.base_url, submitters + starters, cookie_name)
    print(
        f"  each opened their attempt page or the final test's page once (CSRF cookie and "
        f"token): {time.perf_counter() - started:.1f} s",
        flush=True,
    )
    kinds = {
        "insert": (submitters, insert_post),
        "start": (starters, start_post(quizzes.start_url)),
        "submit": (submitters, submit_post),
    }
    for _name, (group, make) in kinds.items():
        burst(server.base_url, [make(learner) for learner in group[:WARMUP_LEARNERS]])
    print(
        f"Bursts: {ROUNDS} round(s), insert, start and submit alternating (the order "
        f"turning each round); each burst "
        f"{LEARNERS} client threads post at once (barrier), one request each, fresh learners "
        f"for every start and submit burst; gunicorn {server.label}",
        flush=True,
    )
    rounds: dict[str, list[Round]] = {name: [] for name in kinds}
    for number in range(ROUNDS):
        part = slice(WARMUP_LEARNERS + number * LEARNERS, WARMUP_LEARNERS + (number + 1) * LEARNERS)
        # The order turns each round, so that no kind always follows the heaviest burst.
        names = list(kinds)
        for name in names[number % len(names) :] + names[: number % len(names)]:
            group, make = kinds[name]
            time.sleep(0.5)  # let the previous burst's connections close
            result = burst(server.base_url, [make(learner) for learner in group[part]])
            rounds[name].append(result)
            print(
                f"  round {number + 1} {name:<6} {result.requests:>4} req in "
                f"{result.seconds:6.2f} s: {result.throughput:7.1f} req/s, "
                f"p50 {result.percentile(0.5) * 1000:7.1f} ms, "
                f"p95 {result.percentile(0.95) * 1000:7.1f} ms; client CPU "
                f"{result.client_cpu * 100:3.0f} % of a core",
                flush=True,
            )
    server.check()
    submitted = attempts_check([x.email for x in submitters], quizzes.module_quiz_id)
    if submitted["submitted"] != needed or submitted["attempts"] != needed:
        raise BenchError(f"submit bursts: {submitted}; every attempt should be submitted once")
    from quizzes.models import Attempt

    perfect = Attempt.objects.filter(pk__in=[x.attempt_id for x in submitters], percent=100)
    if perfect.count() != needed:
        raise BenchError("a perfect submit was not graded 100 %")
    opened = attempts_check([x.email for x in starters], quizzes.final_id)
    if opened["attempts"] != needed or opened["most_per_learner"] != 1:
        raise BenchError(f"start bursts: {opened}; every learner should have one attempt")
    connections.close_all()
    return rounds


# --- Webinar (Locust) --------------------------------------------------------------------------


@dataclass
class Level:
    takers: int
    requests: int
    failures: int
    p95_ms: float
    p50_ms: float
    rps: float
    seconds: float
    client_cpu: float  # the Locust process's CPU seconds over the wall seconds (1.0: a core)
    submitted: int
    one_each: bool
    all_open_at_once: bool
    first_failure: str
    by_name: dict[str, str]  # p95 by request name

    @property
    def held(self) -> bool:
        return (
            self.failures == 0
            and self.submitted == self.takers
            and self.one_each
            and self.p95_ms < P95_LIMIT_MS
        )


def _stats(csv_path: Path) -> dict[str, dict[str, str]]:
    """Locust's statistics by request name ("Aggregated": all requests)."""
    import csv

    with open(csv_path, newline="") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    if "Aggregated" not in rows:
        raise BenchError(f"no aggregated row in {csv_path}")
    return rows


def webinar_level(
    takers: int,
    server: Server,
    quizzes: Quizzes,
    env: dict[str, str],
    temp_dir: Path,
    reference: bool = False,
    think_scale: float = THINK_SCALE,
) -> Level:
    """One level of ``takers``: the final test (``Taker``), or with ``reference`` the same
    requests answered by the bare views (``BareTaker``)."""
    from django.conf import settings
    from django.db import connections

    prefix = f"webinar{'-bare' if reference else ''}{takers}"
    learners = learners_make(prefix, takers, quizzes.course_id)
    connections.close_all()
    setup_file = temp_dir / f"{prefix}.json"
    setup_file.write_text(
        json.dumps(
            {
                "cookie_name": settings.SESSION_COOKIE_NAME,
                "learners": [x.cookies[settings.SESSION_COOKIE_NAME] for x in learners],
                "quiz_url": quizzes.final_url,
                "start_url": quizzes.start_url,
            }
        )
    )
    longest = 10 + SPAWN_SECONDS + (SAVES + 1) * 90 * think_scale + 30
    csv_prefix = temp_dir / prefix
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(REPO_DIR / "bench" / "quiz_webinar.py"),
        "BareTaker" if reference else "Taker",
        "--headless",
        "--host",
        server.base_url,
        "--users",
        str(takers),
        "--spawn-rate",
        f"{takers / SPAWN_SECONDS if think_scale else takers:.2f}",
        "--run-time",
        f"{int(longest)}s",
        "--stop-timeout",
        "30",
        "--csv",
        str(csv_prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    locust_env = {
        **env,
        "BENCH_WEBINAR_FILE": str(setup_file),
        "BENCH_THINK_SCALE": str(think_scale),
        "BENCH_SAVES": str(SAVES),
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        command,
        cwd=REPO_DIR,
        env=locust_env,
        capture_output=True,
        text=True,
        timeout=longest + 120,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stats_path = Path(f"{csv_prefix}_stats.csv")
    if not stats_path.exists():
        raise BenchError(f"locust wrote no statistics:\n{result.stdout}\n{result.stderr}")
    stats = _stats(stats_path)
    row = stats["Aggregated"]
    failures_path = Path(f"{csv_prefix}_failures.csv")
    first_failure = ""
    if failures_path.exists():
        lines = failures_path.read_text().splitlines()[1:]
        first_failure = lines[0][:300] if lines else ""
    server.check()
    if reference:
        users = USERS_RE.search(result.stdout + result.stderr)
        if users is None:
            raise BenchError(f"locust told no outcome:\n{result.stdout}\n{result.stderr}")
        check = {"submitted": int(users.group(1)), "most_per_learner": 1, "learners": 0}
        check.update(attempts=0, all_open_at_once=True)
    else:
        check = attempts_check([x.email for x in learners], quizzes.final_id)
    connections.close_all()
    return Level(
        takers=takers,
        requests=int(row["Request Count"]),
        failures=int(row["Failure Count"]),
        p95_ms=float(row["95%"]),
        p50_ms=float(row["50%"]),
        rps=float(row["Requests/s"]),
        seconds=seconds,
        client_cpu=cpu / seconds,
        submitted=int(check["submitted"]),
        one_each=check["most_per_learner"] <= 1 and check["learners"] == check["attempts"],
        all_open_at_once=bool(check["all_open_at_once"]),
        first_failure=first_failure,
        by_name={
            name: f"{stat['Request Count']} x p95 {stat['95%']} ms"
            for name, stat in stats.items()
            if name != "Aggregated"
        },
    )


def webinar(
    quizzes: Quizzes, env: dict[str, str], temp_dir: Path, reference: bool = False
) -> list[Level]:
    """The ramp of levels, of the final test or (``reference``) of the bare views."""
    server = Server(env, temp_dir, WEBINAR_WORKERS, 1)
    what = (
        "the reference: the same takers, requests and thinking, each request answered by a "
        "bare view (the pages by the signed-in view with a CSRF token, the start and the "
        "submit by the insert view redirecting to it, the autosaves by the insert view)"
        if reference
        else f"quiz page, start, {SAVES} autosaves, submit"
    )
    print(
        f"Webinar{' reference' if reference else ''}: a ramp from {TAKERS} takers (doubling "
        f"while held, halving while not, at most {LEVELS} levels), each level's takers spawned "
        f"within {SPAWN_SECONDS:.0f} s; {what}; thinking 30-90 s x {THINK_SCALE} per page; "
        f"Locust (one process) against gunicorn {server.label}",
        flush=True,
    )
    levels: list[Level] = []
    try:
        # Every worker warm before the first level, as a server is when a webinar starts: a
        # worker's first requests load the URLs, templates and caches (about half a second
        # each). WARMUP_TAKERS take the test at once without thinking; not counted.
        warm = webinar_level(WARMUP_TAKERS, server, quizzes, env, temp_dir, reference, 0.0)
        if warm.failures or warm.submitted != warm.takers:
            raise BenchError(f"the warm-up failed: {warm.first_failure or warm}")
        takers = TAKERS
        while len(levels) < LEVELS and 1 <= takers <= MAX_TAKERS:
            time.sleep(2)
            level = webinar_level(takers, server, quizzes, env, temp_dir, reference)
            levels.append(level)
            checked = (
                ""
                if reference
                else f", one attempt each: {level.one_each}, all open at once: "
                f"{level.all_open_at_once}"
            )
            print(
                f"  {level.takers:>5} takers: {'held' if level.held else 'NOT held'}; "
                f"{level.requests} requests ({level.rps:.0f}/s over the run), "
                f"{level.failures} failed, p50 {level.p50_ms:.0f} ms, p95 {level.p95_ms:.0f} ms; "
                f"{level.submitted} submitted{checked}; {level.seconds:.0f} s; client CPU "
                f"{level.client_cpu * 100:.0f} % of one core",
                flush=True,
            )
            print("    " + "; ".join(f"{k}: {v}" for k, v in level.by_name.items()), flush=True)
            if level.first_failure:
                print(f"    first failure: {level.first_failure}", flush=True)
            held = [x.takers for x in levels if x.held]
            failed = [x.takers for x in levels if not x.held]
            if level.held:
                if failed:  # between a held and a failed level: the step is fine enough
                    if min(failed) - takers <= max(takers // 4, 1):
                        break
                    takers = (takers + min(failed)) // 2
                else:
                    takers *= 2
            else:
                if held:
                    if takers - max(held) <= max(max(held) // 4, 1):
                        break
                    takers = (takers + max(held)) // 2
                else:
                    takers //= 2
    finally:
        server.stop()
    return levels


# --- Run ---------------------------------------------------------------------------------------


def run() -> str:
    temp_dir = Path(tempfile.mkdtemp(prefix="bench-quiz-"))
    server = None
    database_made = False
    with open("/proc/loadavg") as handle:
        print(f"bench-quiz: load average at the start {handle.read().strip()}", flush=True)
    try:
        env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        env.update(
            VAR_DIR=str(temp_dir / "var"),
            DJANGO_SETTINGS_MODULE=SETTINGS,
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
        )
        # WhiteNoise warns on every start when STATIC_ROOT is missing (no collectstatic here).
        (temp_dir / "var" / "static").mkdir(parents=True)
        print("Setting up:", flush=True)
        if SQLITE:
            database = f"SQLite in {env['VAR_DIR']}"
            manage("migrate", "--no-input", env=env)
            manage("load_demo", "--allow-production", env=env)
        else:
            database = f"PostgreSQL {DATABASE}"
            database_create(env)
            database_made = True
            env["DATABASE_URL"] = f"{POSTGRES}/{DATABASE}"
        os.environ.clear()
        os.environ.update(env)  # the in-process set-up uses the same settings
        print(f"  database: {database}", flush=True)
        quizzes = quizzes_in_process()
        print(f"  final test: {quizzes.final_kinds}", flush=True)
        from django.conf import settings

        server = Server(env, temp_dir, WORKERS, THREADS)
        rounds = bursts(server, quizzes, settings.CSRF_COOKIE_NAME)
        server.stop()
        server = None
        levels = webinar(quizzes, env, temp_dir) if WEBINAR else []
        references = webinar(quizzes, env, temp_dir, reference=True) if WEBINAR else []
    finally:
        if server is not None:
            server.stop()
        from django.db import connections

        connections.close_all()
        if database_made and not os.environ.get("BENCH_KEEP_DATABASE"):
            database_drop(DATABASE)
        shutil.rmtree(temp_dir, ignore_errors=True)

    summary = {name: summarise(kind) for name, kind in rounds.items()}
    print("Bursts, median of rounds:")
    print(f"  {'':<8}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'queries':>9}")
    for name, figures in summary.items():
        print(
            f"  {name:<8}{figures.requests:>10}{figures.throughput:>10.1f}"
            f"{figures.p50_ms:>10.1f}{figures.p95_ms:>10.1f}{quizzes.queries[name]:>9}"
        )
    print(
        f"  SQL queries per request counted in-process (the session and user included, BEGIN "
        f"and COMMIT where sent); autosave: {quizzes.queries['autosave']}"
    )
    burst_cpu = max(r.client_cpu for kind in rounds.values() for r in kind)
    print(
        f"  the bursts' client (this process's threads): at most {burst_cpu * 100:.0f} % of a "
        f"core while a burst ran"
    )
    insert = summary["insert"].throughput
    start_ratio = summary["start"].throughput / insert
    submit_ratio = summary["submit"].throughput / insert
    held = max((level.takers for level in levels if level.held), default=0)
    with open("/proc/loadavg") as handle:
        print(f"  load average at the end {handle.read().strip()}")
    if levels:
        cpu = max(level.client_cpu for level in [*levels, *references])
        bare = max((level.takers for level in references if level.held), default=0)
        webinar_part = (
            f"webinar: {held} takers held (p95 < {P95_LIMIT_MS} ms, no errors; ramp "
            f"{'/'.join(str(level.takers) for level in levels)}) vs {bare} with bare views "
            f"(ramp {'/'.join(str(level.takers) for level in references)}): "
            f"{held / bare if bare else 0:.2f}x; client CPU <= {cpu * 100:.0f} % of a core"
        )
    else:
        webinar_part = "webinar: not run (BENCH_WEBINAR=0)"
    return (
        f"bench-quiz: start ratio {start_ratio:.2f}, submit ratio {submit_ratio:.2f} "
        f"({summary['start'].throughput:.0f} and {summary['submit'].throughput:.0f} vs insert "
        f"{insert:.0f} req/s, {LEARNERS} at once, gunicorn {server_label(WORKERS, THREADS)}) | "
        f"{webinar_part} | {'SQLite' if SQLITE else 'PostgreSQL'}"
    )


def main() -> int:
    return bench_main("bench-quiz", run)


if __name__ == "__main__":
    sys.exit(main())
