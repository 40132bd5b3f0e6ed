"""Benchmark: many learners submitting a quiz at once, against a bare one-insert view.

    python -m bench.quiz        (make bench-quiz)

Sets up a throw-away database (SQLite in a temporary folder unless DATABASE_URL is set) with
the demo course, creates learners in this process (each enrolled in the Swedish demo course,
with an open attempt at the first Swedish module quiz and a database session made with
``Client.force_login``), starts gunicorn on 127.0.0.1 and fetches each learner's attempt page
once to get the CSRF cookie and token, as a browser would.

A round is a burst: BENCH_LEARNERS client threads, each with its own connection and cookies,
wait on a barrier and post at the same moment. The quiz burst submits a perfect answer to each
learner's own attempt (a submit can be made once, so every round has fresh learners); the
reference burst posts, with the same learners' cookies, to a view that only does one INSERT in
a transaction through the same middleware and the same server. Throughput is the number of
requests over the time from the barrier's release to the last response. The two bursts
alternate, and the median of the rounds is reported; the last line gives the quiz's
throughput as a ratio to the reference's and the SQL queries of one submit.

Environment overrides: BENCH_LEARNERS (learners per burst, default 50), BENCH_ROUNDS (bursts
per URL, default 3), BENCH_THREADS (gunicorn threads per worker: 1, the default, runs sync
workers as bench-lessons does; more runs gthread workers).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.lessons import (
    HOST,
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
WARMUP_LEARNERS = 6  # a small burst of each kind before measuring, not counted
COUNT_LEARNERS = 2  # submit in-process: the first warms the caches, the second is counted
WORKERS = 2
TIMEOUT = 60  # seconds, per request
EMAIL = "bench-quiz-{:04d}@example.org"
TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Learner:
    email: str
    attempt_id: int
    url: str  # the attempt's page, which the submit is posted to
    cookies: dict[str, str]  # the session; csrf_fetch adds the CSRF cookie
    data: dict[str, str | list[str]] = field(default_factory=dict)  # the perfect answer


@dataclass
class QuizSetup:
    title: str
    kinds: list[str]  # the question types of the quiz
    learners: list[Learner]
    queries_first: int
    queries_warm: int
    queries_insert: int


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


def learners_in_process(count: int) -> QuizSetup:
    """Creates `count` learners (plus COUNT_LEARNERS), each enrolled in the Swedish demo course
    with an open attempt at its first module quiz and a session; submits the extra learners'
    perfect answers in-process to count the SQL queries of a submit (and of the reference).

    Runs in this process with the benchmark's settings (the environment is already set).
    """
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, connections
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import translation

    from courses.models import CoursePage, QuizPage
    from elearning.accounts.models import User
    from progress.services import enrolment_create
    from quizzes.services import attempt_start

    try:
        course = CoursePage.objects.live().get(locale__language_code="sv")
    except (CoursePage.DoesNotExist, CoursePage.MultipleObjectsReturned) as error:
        raise BenchError(f"no single live Swedish demo course: {error}") from error
    page = QuizPage.objects.live().filter(locale__language_code="sv").order_by("path").first()
    if page is None:
        raise BenchError("load_demo created no Swedish quiz page")

    learners, clients = [], []
    for number in range(1, count + COUNT_LEARNERS + 1):
        user = User.objects.create_user(
            EMAIL.format(number), None, first_name="Bench", last_name=f"Deltagare {number}"
        )  # no password: signed in through force_login only
        enrolment_create(user=user, course=course)
        attempt = attempt_start(user=user, placement=page)
        with translation.override("sv"):
            url = reverse("quizzes:attempt", kwargs={"attempt_id": attempt.pk})
        client = Client(headers={"host": HOST})
        client.force_login(user)  # a database session, which gunicorn also sees
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        learners.append(
            Learner(
                email=user.email,
                attempt_id=attempt.pk,
                url=url,
                cookies={settings.SESSION_COOKIE_NAME: cookie},
                data=perfect_answer(attempt.questions),
            )
        )
        clients.append(client)

    counts = []
    for learner, client in zip(learners[count:], clients[count:], strict=True):
        with CaptureQueriesContext(connection) as queries:
            response = client.post(learner.url, learner.data)  # the test client skips CSRF
        problem = check_submit(
            learner,
            response.status_code,
            response.get("Location"),
            response.content.decode(errors="replace"),
        )
        if problem:
            raise BenchError(f"in-process submit by {learner.email}: {problem}")
        counts.append(len(queries))
    with CaptureQueriesContext(connection) as queries:
        response = clients[0].post(INSERT_PATH)
    if response.status_code != 201:
        raise BenchError(f"in-process POST {INSERT_PATH}: HTTP {response.status_code}")
    queries_insert = len(queries)

    kinds = [block.block_type for block in page.quiz.questions]
    connections.close_all()
    return QuizSetup(
        title=page.title,
        kinds=kinds,
        learners=learners[:count],
        queries_first=counts[0],
        queries_warm=counts[-1],
        queries_insert=queries_insert,
    )


def graded_in_process(learners: list[Learner]) -> tuple[int, int]:
    """How many of the learners' attempts are submitted, and how many of those scored 100 %."""
    from django.db import connections

    from quizzes.models import Attempt

    attempts = Attempt.objects.filter(pk__in=[learner.attempt_id for learner in learners])
    submitted = attempts.filter(submitted_at__isnull=False)
    result = submitted.count(), submitted.filter(percent=100).count()
    connections.close_all()
    return result


def server_label() -> str:
    if THREADS == 1:
        return f"{WORKERS} sync workers"
    return f"{WORKERS} gthread workers x {THREADS} threads"


def gunicorn_start(port: int, env: dict[str, str], log) -> subprocess.Popen:
    if THREADS == 1:
        worker_class = ["--worker-class", "sync"]
    else:
        worker_class = ["--worker-class", "gthread", "--threads", str(THREADS)]
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "elearning.wsgi:application",
        "--env",
        f"DJANGO_SETTINGS_MODULE={SETTINGS}",
        "--workers",
        str(WORKERS),
        *worker_class,
        "--bind",
        f"{HOST}:{port}",
        "--timeout",
        str(TIMEOUT),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=REPO_DIR, env=env, stdout=log, stderr=log)


def csrf_fetch(base_url: str, learners: list[Learner], cookie_name: str) -> None:
    """Each learner opens their attempt page once, as a browser would before submitting: the
    response carries the CSRF cookie and the form's token."""

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


def insert_post(learner: Learner) -> Post:
    def check(response: httpx.Response) -> str | None:
        return None if response.status_code == 201 else f"HTTP {response.status_code}"

    return Post(INSERT_PATH, learner.cookies, {"action": "insert"}, check)


def burst(base_url: str, posts: list[Post]) -> Round:
    """One POST per thread, all released at once by a barrier; each thread has its own client
    (connection and cookies). The round's time runs from the release to the last response."""
    released = 0.0
    timings: list[tuple[float, float] | None] = [None] * len(posts)
    errors: list[str] = []

    def release() -> None:
        nonlocal released
        released = time.perf_counter()

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
    )


def run() -> str:
    temp_dir = Path(tempfile.mkdtemp(prefix="bench-quiz-"))
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
        os.environ.update(env)  # the in-process set-up uses the same settings
        # WhiteNoise warns on every start when STATIC_ROOT is missing (no collectstatic here).
        (temp_dir / "var" / "static").mkdir(parents=True)
        postgres = bool(env.get("DATABASE_URL"))
        database = "DATABASE_URL" if postgres else f"SQLite in {env['VAR_DIR']}"
        print(f"bench-quiz: database {database}", flush=True)

        print("Setting up:", flush=True)
        manage("migrate", "--no-input", env=env)
        manage("load_demo", "--allow-production", env=env)
        started = time.perf_counter()
        needed = WARMUP_LEARNERS + ROUNDS * LEARNERS
        setup = learners_in_process(needed)
        print(
            f"  {needed + COUNT_LEARNERS} learners enrolled in the Swedish demo course, each "
            f"with an open attempt and a session: {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        print(f"  quiz: {setup.title!r}, questions {', '.join(setup.kinds)}", flush=True)
        from django.conf import settings

        port = free_port()
        base_url = f"http://{HOST}:{port}"
        log_path = temp_dir / "gunicorn.log"
        log = open(log_path, "wb")  # closed in the finally block
        process = gunicorn_start(port, env, log)
        wait_until_up(process, base_url, log_path)
        print(f"  gunicorn: {server_label()} on {base_url}", flush=True)
        started = time.perf_counter()
        csrf_fetch(base_url, setup.learners, settings.CSRF_COOKIE_NAME)
        print(
            f"  each learner opened their attempt page once (CSRF cookie and token): "
            f"{time.perf_counter() - started:.1f} s",
            flush=True,
        )

        warmup, rest = setup.learners[:WARMUP_LEARNERS], setup.learners[WARMUP_LEARNERS:]
        burst(base_url, [insert_post(learner) for learner in warmup])
        burst(base_url, [submit_post(learner) for learner in warmup])

        print(
            f"Measuring: {ROUNDS} round(s) per URL, alternating; each round {LEARNERS} client "
            f"threads post at once (barrier), one request each, fresh learners for each quiz "
            f"round",
            flush=True,
        )
        rounds: dict[str, list[Round]] = {"insert": [], "quiz": []}
        for number in range(ROUNDS):
            group = rest[number * LEARNERS : (number + 1) * LEARNERS]
            for name, make in (("insert", insert_post), ("quiz", submit_post)):
                time.sleep(0.5)  # let the previous burst's connections close
                result = burst(base_url, [make(learner) for learner in group])
                rounds[name].append(result)
                print(
                    f"  round {number + 1} {name:<6} {result.requests:>4} req in "
                    f"{result.seconds:6.2f} s: {result.throughput:7.1f} req/s, "
                    f"p50 {result.percentile(0.5) * 1000:7.1f} ms, "
                    f"p95 {result.percentile(0.95) * 1000:7.1f} ms",
                    flush=True,
                )
        if process.poll() is not None:
            raise BenchError(f"gunicorn died during the run:\n{log_path.read_text()}")
        submitted, perfect = graded_in_process(setup.learners)
        if submitted != len(setup.learners) or perfect != submitted:
            raise BenchError(
                f"of {len(setup.learners)} attempts {submitted} are submitted and {perfect} "
                "scored 100 %; every submit should be graded once, with full marks"
            )
    finally:
        if process is not None:
            gunicorn_stop(process)
        if log is not None:
            log.close()
        shutil.rmtree(temp_dir, ignore_errors=True)

    insert, quiz = summarise(rounds["insert"]), summarise(rounds["quiz"])
    throughput_ratio = quiz.throughput / insert.throughput
    print("Median of rounds:")
    print(f"  {'':<8}{'requests':>10}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for name, summary in (("insert", insert), ("quiz", quiz)):
        print(
            f"  {name:<8}{summary.requests:>10}{summary.throughput:>10.1f}"
            f"{summary.p50_ms:>10.1f}{summary.p95_ms:>10.1f}"
        )
    print(f"  all {submitted} attempts graded once, each with 100 %")
    print(
        f"  SQL queries per submit (in-process, 302 to the result): {setup.queries_first} first, "
        f"{setup.queries_warm} warm; per reference insert: {setup.queries_insert} (counted "
        "alike, with the transaction's BEGIN and COMMIT where the driver sends them)"
    )
    return (
        f"bench-quiz: {LEARNERS} learners submit at once | "
        f"quiz submit {quiz.throughput:.0f} req/s p95 {quiz.p95_ms:.0f} ms | "
        f"bare insert {insert.throughput:.0f} req/s p95 {insert.p95_ms:.0f} ms | "
        f"throughput ratio {throughput_ratio:.2f} | queries per submit {setup.queries_warm} | "
        f"gunicorn {server_label()}, {'PostgreSQL' if postgres else 'SQLite'}"
    )


def main() -> int:
    return bench_main("bench-quiz", run)


if __name__ == "__main__":
    sys.exit(main())
