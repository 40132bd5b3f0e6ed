"""Benchmark: the manager report pages and their CSV/XLSX exports against the one aggregate SQL
query that computes the same figures, at two sizes of generated learners (see Sizes).

    python -m bench.reports        (make bench-reports)

Data: two PostgreSQL databases on 127.0.0.1:5432 (user postgres), ``bench_reports_10k`` and
``bench_reports_100k`` by default, each made by ``manage.py reports_generate --learners N --seed
1`` in a copy of a migrated, set-up template (``bench_reports_template``: migrate +
setup_site), then VACUUM ANALYZE. Generating 100,000 learners takes minutes, so both databases
are kept between runs: each carries (as its COMMENT) a fingerprint of the migrations, the
installed packages, demo/generate/, the learner count and the seed, and is
generated again only when that changes (drop it to force a new one). The first lines say
whether each was reused.

Pages, in this process with the Django test client (bench.settings: DEBUG off, so no query
log), signed in (force_login) as the generated national manager, the biggest scope: for each
report (overview, organisations, roles, months, modules, learners) the HTML page, the CSV
export (the whole streamed body read) and the XLSX export, each checked for HTTP 200 and a
non-empty body of the right kind. Each request is timed on both data sets in interleaved
rounds (small, large, small, large…; the connection and the cache's key prefix switched
between them, outside the timing), so that a change in the shared machine's load meets both
sizes alike: one warm-up request each (its SQL queries counted), then the median of
BENCH_RUNS (5) timed requests each; BENCH_MIN_RUNS (2) for a request that took over
BENCH_SLOW_SECONDS (2 s) in its warm-up, and none for one that took over BENCH_SINGLE_SECONDS
(10 s): its one run is the measurement (the full learner exports at the big size; this keeps
the whole run within 10 minutes). For an export, the time from the request to the first
chunk of its streamed body is kept too (median over the timed runs). The overview is also
timed for the Skåne county manager at the big size.

Page overhead: a login-required bare view (``/bench/reports-bare/``, bench.urls) requested by
the same client, through the same middleware, with the same session, timed the same way; the
last line gives each page as a multiple of it.

Reference: for each report one hand-written SQL query (raw SQL over progress_enrolment,
progress_lessonprogress, progress_modulecompletion, quizzes_attempt, the organisation and
page tables) that computes that page's figures for the whole country in one statement, all
rows fetched, timed the same way. The page's ratio is page time / reference time; all three
formats of a report share the reference (for the learner list: the page against the query of
its first 50 rows, the exports against the query of every row). Before timing, the overview's
CSV export and the roles' CSV export are parsed and compared figure by figure with their
reference query ("figures match"), as are the module page's reached/completed counts.

Growth: each time at the big size divided by the same time at the small size (×N.N), for the
pages and for the reference queries; the last line names the largest growth of any page or
export (at most ×10, linear, from 10,000 to 100,000 learners).

Sizes: 10,000 and 100,000 learners, as the issue asks. A first run here, generating both
databases (each ends with the reports' rollup rebuilt), took 9 min 44 s with the machine
shared (load average 8; generation 5 min 52 s); a run that reuses them about 4 minutes.

Environment overrides: BENCH_LEARNERS_SMALL (10000), BENCH_LEARNERS_LARGE (100000),
BENCH_RUNS (5), BENCH_MIN_RUNS (2), BENCH_SLOW_SECONDS (2), BENCH_SINGLE_SECONDS (10),
BENCH_POSTGRES, BENCH_DATABASE (bench_reports: the prefix of the databases' names).
"""

import csv
import hashlib
import io
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.databases import (
    POSTGRES,
    comment,
    comment_set,
    migrations_fingerprint,
    postgres_admin,
    template_ensure,
)
from bench.lessons import HOST, REPO_DIR, SETTINGS, BenchError, bench_main

# The sizes; a first run (generating both) takes about 10 minutes here under load.
SMALL = int(os.environ.get("BENCH_LEARNERS_SMALL", "10000"))
LARGE = int(os.environ.get("BENCH_LEARNERS_LARGE", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "5"))
MIN_RUNS = int(os.environ.get("BENCH_MIN_RUNS", "2"))
SLOW_SECONDS = float(os.environ.get("BENCH_SLOW_SECONDS", "2"))
SINGLE_SECONDS = float(os.environ.get("BENCH_SINGLE_SECONDS", "10"))
SEED = 1
# BENCH_DATABASE: the prefix of the databases' names (several checkouts on one server).
PREFIX = os.environ.get("BENCH_DATABASE", "bench_reports")
TEMPLATE = f"{PREFIX}_template"
GENERATE_TIMEOUT = 540  # seconds for one reports_generate
NATIONAL = "manager-nationell@generated.example"
COUNTY = "manager-skane@generated.example"
REPORTS = ("overview", "organisations", "roles", "months", "modules", "learners")
FORMATS = ("html", "csv", "xlsx")
PAGE_SIZE = 50  # rows on a page of the learner list (reports.views.PAGE_SIZE)


def database_name(learners: int) -> str:
    return f"{PREFIX}_{learners // 1000}k" if learners % 1000 == 0 else f"{PREFIX}_{learners}"


# --- Databases, kept between runs -----------------------------------------------------------


def data_fingerprint(schema: str, learners: int) -> str:
    """What decides a generated database: the schema (migrations and packages), the
    generator's code, the number of learners and the seed."""
    digest = hashlib.sha256(schema.encode())
    for module in sorted((REPO_DIR / "demo" / "generate").glob("*.py")):
        digest.update(module.read_bytes())
    digest.update(f"\0learners={learners}\0seed={SEED}".encode())
    return digest.hexdigest()


def generate(args: list[str], env: dict[str, str]) -> None:
    """manage.py reports_generate with a longer time limit than ``manage``'s."""
    import subprocess

    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "reports_generate", *args],
        cwd=REPO_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=GENERATE_TIMEOUT,
    )
    if result.returncode != 0:
        raise BenchError(
            f"reports_generate {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    print(
        f"  manage.py reports_generate {' '.join(args)}: {time.perf_counter() - started:.1f} s",
        flush=True,
    )


def dataset_ensure(learners: int, schema: str, env: dict[str, str]) -> bool:
    """The generated database of ``learners``; returns True when it was reused."""
    name = database_name(learners)
    fingerprint = data_fingerprint(schema, learners)
    with postgres_admin() as connection:
        if comment(connection, name) == fingerprint:
            print(f"  {name}: reused ({learners:,} learners, same migrations and generator)")
            return True
    print(f"  {name}: generating {learners:,} learners", flush=True)
    template_ensure(TEMPLATE, schema, env, [("migrate", "--no-input"), ("setup_site",)])
    with postgres_admin() as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        connection.execute(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
    generate(
        ["--learners", str(learners), "--seed", str(SEED)],
        {**env, "DATABASE_URL": f"{POSTGRES}/{name}"},
    )
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(f"{POSTGRES}/{name}", autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    print(f"  VACUUM ANALYZE {name}: {time.perf_counter() - started:.1f} s", flush=True)
    with postgres_admin() as connection:
        comment_set(connection, name, fingerprint)  # last: an interrupted run leaves none
    return False


# --- The reference queries ------------------------------------------------------------------

# Translation keys of the final tests: quiz pages whose parent is a course page.
FINAL_KEYS = """
final_keys AS (
    SELECT q.translation_key
    FROM wagtailcore_page q
    JOIN courses_quizpage qp ON qp.page_ptr_id = q.id
    JOIN wagtailcore_page c ON c.path = substr(q.path, 1, length(q.path) - 4)
    JOIN courses_coursepage cp ON cp.page_ptr_id = c.id
),
best AS (
    SELECT a.enrolment_id, max(a.percent) AS best, bool_or(a.passed) AS passed
    FROM quizzes_attempt a
    WHERE a.submitted_at IS NOT NULL
      AND a.placement_key IN (SELECT translation_key FROM final_keys)
    GROUP BY a.enrolment_id
)"""

# The figures of a group of enrolments e (left-joined to best b), as the pages show them:
# enrolled, started, completed, tested, passed, mean best score, median days to complete.
FIGURES = """
    count(*) AS enrolled,
    count(*) FILTER (
        WHERE e.completed_at IS NOT NULL
           OR EXISTS (SELECT 1 FROM progress_lessonprogress lp WHERE lp.enrolment_id = e.id)
    ) AS started,
    count(*) FILTER (WHERE e.completed_at IS NOT NULL) AS completed,
    count(b.enrolment_id) AS tested,
    count(*) FILTER (WHERE b.passed) AS passed,
    avg(b.best) AS mean_score,
    percentile_cont(0.5) WITHIN GROUP (
        ORDER BY extract(epoch FROM e.completed_at - e.enrolled_at)
    ) / 86400 AS median_days"""

COURSE_TITLE = """(
    SELECT p.title FROM wagtailcore_page p JOIN wagtailcore_locale l ON l.id = p.locale_id
    JOIN courses_coursepage cp ON cp.page_ptr_id = p.id
    WHERE p.translation_key = {key} ORDER BY l.language_code <> 'sv', p.id LIMIT 1
)"""

REFERENCE_SQL = {
    # Per course and all courses together (the page's two aggregate queries in one).
    "overview": f"""
WITH {FINAL_KEYS}
SELECT {COURSE_TITLE.format(key="e.course_key")} AS title, {FIGURES}
FROM progress_enrolment e LEFT JOIN best b ON b.enrolment_id = e.id
GROUP BY GROUPING SETS ((e.course_key), ())
""",
    # Per organisation with its county, per county, and the whole country.
    "organisations": f"""
WITH {FINAL_KEYS}
SELECT o.id, o.name, c.name AS county, GROUPING(o.id, c.name) AS level, {FIGURES}
FROM progress_enrolment e
LEFT JOIN best b ON b.enrolment_id = e.id
LEFT JOIN organisations_organisation o ON o.id = e.organisation_id
LEFT JOIN organisations_county c ON c.id = o.county_id
GROUP BY GROUPING SETS ((o.id, o.name, c.name), (c.name), ())
ORDER BY c.name NULLS LAST, GROUPING(o.id, c.name) DESC, o.name
""",
    "roles": f"""
WITH {FINAL_KEYS}
SELECT e.role_category, {FIGURES}
FROM progress_enrolment e LEFT JOIN best b ON b.enrolment_id = e.id
GROUP BY e.role_category ORDER BY e.role_category
""",
    # Enrolments by the month enrolled and completions by the month completed, local time.
    "months": """
SELECT month, sum(enrolled) AS enrolled, sum(completed) AS completed
FROM (
    SELECT date_trunc('month', enrolled_at AT TIME ZONE %(tz)s) AS month, 1 AS enrolled,
           0 AS completed
    FROM progress_enrolment
    UNION ALL
    SELECT date_trunc('month', completed_at AT TIME ZONE %(tz)s), 0, 1
    FROM progress_enrolment WHERE completed_at IS NOT NULL
) AS events
GROUP BY month ORDER BY month
""",
    # For one course: per live module (in order) the enrolments that opened one of its
    # lessons and those that completed it, and the course's enrolments.
    "modules": """
WITH course AS (
    SELECT p.path, p.depth FROM wagtailcore_page p
    JOIN courses_coursepage cp ON cp.page_ptr_id = p.id
    JOIN wagtailcore_locale l ON l.id = p.locale_id
    WHERE p.translation_key = %(course)s ORDER BY l.language_code <> 'sv', p.id LIMIT 1
),
modules AS (
    SELECT m.translation_key AS module_key, m.title, m.path
    FROM wagtailcore_page m JOIN courses_modulepage mp ON mp.page_ptr_id = m.id, course c
    WHERE m.path LIKE c.path || '%%' AND m.depth = c.depth + 1 AND m.live
),
lessons AS (
    SELECT l.translation_key AS lesson_key, mo.module_key
    FROM wagtailcore_page l JOIN courses_lessonpage lp ON lp.page_ptr_id = l.id
    JOIN modules mo ON l.path LIKE mo.path || '%%'
    WHERE l.live
),
enrolled AS (SELECT id FROM progress_enrolment WHERE course_key = %(course)s),
reached AS (
    SELECT ls.module_key, count(DISTINCT lp.enrolment_id) AS n
    FROM progress_lessonprogress lp JOIN lessons ls ON ls.lesson_key = lp.lesson_key
    WHERE lp.enrolment_id IN (SELECT id FROM enrolled)
    GROUP BY ls.module_key
),
done AS (
    SELECT mc.module_key, count(DISTINCT mc.enrolment_id) AS n
    FROM progress_modulecompletion mc
    WHERE mc.enrolment_id IN (SELECT id FROM enrolled)
    GROUP BY mc.module_key
)
SELECT mo.title, coalesce(r.n, 0), coalesce(d.n, 0), (SELECT count(*) FROM enrolled)
FROM modules mo
LEFT JOIN reached r ON r.module_key = mo.module_key
LEFT JOIN done d ON d.module_key = mo.module_key
ORDER BY mo.path
""",
}

# The learner list ordered by name: name, organisation, role, course, status, lessons done
# of the course's live lessons, last activity, best final score, current certificate; and
# the number of rows. {limit} is the first page's or nothing (every row, for the exports).
LEARNERS_SQL = """
WITH {final_keys},
lesson_totals AS (
    SELECT c.translation_key AS course_key, count(DISTINCT l.translation_key) AS n
    FROM wagtailcore_page c JOIN courses_coursepage cp ON cp.page_ptr_id = c.id
    JOIN wagtailcore_page l ON l.path LIKE c.path || '%%' AND l.live
    JOIN courses_lessonpage lp ON lp.page_ptr_id = l.id
    GROUP BY c.translation_key
),
rows AS (
    SELECT e.*, u.first_name, u.last_name, u.email, count(*) OVER () AS total
    FROM progress_enrolment e LEFT JOIN accounts_user u ON u.id = e.user_id
    ORDER BY u.last_name NULLS FIRST, u.first_name NULLS FIRST, e.id
    {limit}
)
SELECT
    coalesce(nullif(trim(r.first_name || ' ' || r.last_name), ''), r.email) AS name,
    o.name AS organisation,
    r.role_category,
    {title} AS course,
    CASE WHEN r.left_at IS NOT NULL THEN 3 WHEN r.completed_at IS NOT NULL THEN 2
         WHEN EXISTS (SELECT 1 FROM progress_lessonprogress lp WHERE lp.enrolment_id = r.id)
         THEN 1 ELSE 0 END AS status,
    100.0 * least(
        (SELECT count(DISTINCT lp.lesson_key) FROM progress_lessonprogress lp
         WHERE lp.enrolment_id = r.id AND lp.completed_at IS NOT NULL), t.n
    ) / nullif(t.n, 0) AS progress,
    r.last_activity_at,
    b.best AS score,
    (SELECT ce.issued_at FROM certificates_certificate ce WHERE ce.enrolment_id = r.id
       AND ce.superseded_by_id IS NULL AND ce.revoked_at IS NULL LIMIT 1) AS certificate,
    r.total
FROM rows r
LEFT JOIN organisations_organisation o ON o.id = r.organisation_id
LEFT JOIN lesson_totals t ON t.course_key = r.course_key
LEFT JOIN best b ON b.enrolment_id = r.id
ORDER BY r.last_name NULLS FIRST, r.first_name NULLS FIRST, r.id
"""
REFERENCE_SQL["learners"] = LEARNERS_SQL.format(
    final_keys=FINAL_KEYS.strip(),
    title=COURSE_TITLE.format(key="r.course_key"),
    limit=f"LIMIT {PAGE_SIZE}",
)
REFERENCE_SQL["learners-all"] = LEARNERS_SQL.format(
    final_keys=FINAL_KEYS.strip(), title=COURSE_TITLE.format(key="r.course_key"), limit=""
)


def reference_run(name: str, params: dict) -> list[tuple]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(REFERENCE_SQL[name], params)
        return cursor.fetchall()


# --- Timing ---------------------------------------------------------------------------------


@dataclass
class Timing:
    median: float  # seconds
    runs: int
    queries: int = 0
    size: int = 0  # bytes of the response body or rows of a query
    first: float = 0.0  # seconds to the first chunk of a streamed body (median)


# Seconds from the request to the first chunk of the last streamed body fetched (or None).
_first_chunk: list[float | None] = [None]


def body_of(response, began: float | None = None) -> bytes:
    """The whole body; for a streamed one, the time from ``began`` to its first chunk is
    kept in ``_first_chunk``."""
    if response.streaming:
        chunks = []
        try:
            for chunk in response.streaming_content:
                if not chunks and began is not None:
                    _first_chunk[0] = time.perf_counter() - began
                chunks.append(chunk)
            return b"".join(chunks)
        finally:
            response.close()
    return response.content


SIGNATURES = {"html": b"<html", "csv": "\ufeff".encode(), "xlsx": b"PK\x03\x04"}


def fetch(client, url: str, fmt: str) -> bytes:
    began = time.perf_counter()
    response = client.get(url, {"format": fmt} if fmt != "html" else {})
    body = body_of(response, began)
    if response.status_code != 200:
        raise BenchError(f"GET {url} format={fmt}: HTTP {response.status_code}: {body[:300]!r}")
    signature = SIGNATURES[fmt]
    if not body or signature not in body[:200]:
        raise BenchError(f"GET {url} format={fmt}: empty or not {fmt}: {body[:100]!r}")
    return body


@dataclass
class SizeResult:
    learners: int
    enrolments: int = 0
    pages: dict[tuple[str, str], Timing] = field(default_factory=dict)
    references: dict[str, Timing] = field(default_factory=dict)
    bare: Timing | None = None  # the login-required bare view (bench.urls), same session
    county_overview: Timing | None = None
    checks: list[str] = field(default_factory=list)


def csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def _number(text: str) -> float | None:
    return float(text) if text not in ("", None) else None


def _close(a: float | None, b: float | None, tolerance: float = 0.051) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tolerance


def figures_compare(what: str, exported: list[str], reference: tuple) -> None:
    """``exported``: enrolled, started, completed, completion %, pass %, mean score, median
    days as in the CSV; ``reference``: enrolled, started, completed, tested, passed, mean
    score, median days from the reference query."""
    enrolled, started, completed, tested, passed, mean, median = reference
    expected = [
        enrolled,
        started,
        completed,
        100 * completed / enrolled if enrolled else None,
        100 * passed / tested if tested else None,
        mean,
        median,
    ]
    got = [_number(value) for value in exported]
    for index, (a, b) in enumerate(zip(got, expected, strict=True)):
        exact = index < 3
        if (a != b) if exact else not _close(a, b):
            raise BenchError(
                f"figures differ for {what}: page CSV {exported} vs SQL "
                f"{[round(x, 2) if isinstance(x, float) else x for x in expected]}"
            )


def figures_check(client, urls: dict[str, str], course_key: str) -> list[str]:
    """The page's CSV against the reference query, figure by figure."""
    checks = []
    # Overview: one row per course (by title) and the total row last.
    rows = csv_rows(fetch(client, urls["overview"], "csv"))[1:]
    reference = reference_run("overview", {})
    by_title = {row[0]: row[1:] for row in reference if row[0] is not None}
    total = next(row[1:] for row in reference if row[0] is None)
    if len(rows) != len(by_title) + 1:
        raise BenchError(f"overview CSV has {len(rows)} rows, the SQL {len(by_title)} courses + 1")
    for row in rows[:-1]:
        if row[0] not in by_title:
            raise BenchError(f"overview CSV course {row[0]!r} not in the SQL's {list(by_title)}")
        figures_compare(f"overview {row[0]!r}", row[1:], by_title[row[0]])
    figures_compare("overview total", rows[-1][1:], total)
    checks.append(f"overview {len(rows) - 1} courses + total")
    # Roles: one row per role, in the same number.
    rows = csv_rows(fetch(client, urls["roles"], "csv"))[1:]
    reference = reference_run("roles", {})
    if len(rows) != len(reference):
        raise BenchError(f"roles CSV has {len(rows)} rows, the SQL {len(reference)}")
    exported = sorted(rows, key=lambda row: int(row[1]))
    for row, ref in zip(exported, sorted(reference, key=lambda r: r[1]), strict=True):
        figures_compare(f"role {row[0]!r}", row[1:], ref[1:])
    checks.append(f"roles {len(rows)}")
    # Modules: reached and completed per module of the first course.
    rows = csv_rows(fetch(client, urls["modules"], "csv"))[1:]
    reference = reference_run("modules", {"course": course_key})
    got = [(int(row[1]), int(row[3])) for row in rows]
    expected = [(reached, done) for _title, reached, done, _enrolled in reference]
    if got != expected:
        raise BenchError(f"modules: page CSV reached/completed {got} vs SQL {expected}")
    checks.append(f"modules {len(rows)}")
    return checks


@dataclass
class Sized:
    """One data set's database, signed-in clients, addresses and query parameters."""

    learners: int
    result: SizeResult
    clients: dict
    urls: dict[str, str]
    params: dict[str, dict]


_current: list[int | None] = [None]


def use(learners: int) -> None:
    """Point the connection (and the cache's key prefix: the outline and site caches belong
    to one database) at the data set of ``learners``, connected, outside any timing."""
    from django.core.cache import cache
    from django.db import connection, connections

    if _current[0] != learners:
        connections.close_all()
        connection.settings_dict["NAME"] = database_name(learners)
        cache.key_prefix = database_name(learners)
        _current[0] = learners
    connection.ensure_connection()


def prepare(learners: int) -> Sized:
    """The data set's managers signed in, its addresses, and its figures checked against the
    reference queries."""
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    from elearning.accounts.models import User
    from progress.models import Enrolment
    from reports.selectors import course_choices

    use(learners)
    result = SizeResult(learners, enrolments=Enrolment.objects.count())
    print(
        f"{database_name(learners)}: {learners:,} learners, {result.enrolments:,} enrolments",
        flush=True,
    )
    with translation.override(settings.LANGUAGE_CODE):
        urls = {name: reverse(f"reports:{name}") for name in REPORTS}
        urls["bare"] = reverse("bench-reports-bare")
        course_key = str(course_choices(settings.LANGUAGE_CODE)[0][0])  # the module page's
    params = {
        "overview": {},
        "organisations": {},
        "roles": {},
        "months": {"tz": settings.TIME_ZONE},
        "modules": {"course": course_key},
        "learners": {},
        "learners-all": {},
    }
    clients = {}
    for email in (NATIONAL, COUNTY):
        manager = User.objects.filter(email=email).first()
        if manager is None:
            raise BenchError(f"no generated manager {email} in {database_name(learners)}")
        clients[email] = Client(headers={"host": HOST})
        clients[email].force_login(manager)
    result.checks = figures_check(clients[NATIONAL], urls, course_key)
    print(f"  figures match ({', '.join(result.checks)})", flush=True)
    return Sized(learners, result, clients, urls, params)


def timed_interleaved(calls: dict[int, object], count_queries: bool = False) -> dict[int, Timing]:
    """``timed`` for the same request on each data set, the runs interleaved (small, large,
    small, large…) so that a change of the machine's load meets both alike: one warm-up each
    (its SQL queries counted if asked), then RUNS runs each; MIN_RUNS when a warm-up took
    over SLOW_SECONDS, none (the warm-up is the measurement) over SINGLE_SECONDS."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    warm, sizes, counts, firsts = {}, {}, {}, {}
    for learners, call in calls.items():
        use(learners)
        with CaptureQueriesContext(connection) as queries:
            _first_chunk[0] = None
            began = time.perf_counter()
            sizes[learners] = call()
            warm[learners] = time.perf_counter() - began
        counts[learners] = len(queries) if count_queries else 0
        firsts[learners] = [_first_chunk[0]] if _first_chunk[0] is not None else []
    slowest = max(warm.values())
    if slowest >= SINGLE_SECONDS:
        runs = 0
    else:
        runs = RUNS if slowest < SLOW_SECONDS else max(1, min(RUNS, MIN_RUNS))
    times: dict[int, list[float]] = {learners: [] for learners in calls}
    if runs:
        firsts = {learners: [] for learners in calls}
    for _ in range(runs):
        for learners, call in calls.items():
            use(learners)
            _first_chunk[0] = None
            began = time.perf_counter()
            call()
            times[learners].append(time.perf_counter() - began)
            if _first_chunk[0] is not None:
                firsts[learners].append(_first_chunk[0])
    return {
        learners: Timing(
            statistics.median(times[learners]) if runs else warm[learners],
            runs or 1,
            counts[learners],
            sizes[learners],
            statistics.median(firsts[learners]) if firsts[learners] else 0.0,
        )
        for learners in calls
    }


def _line(label: str, timings: dict[int, Timing], unit: str = "bytes") -> None:
    parts = []
    for learners, timing in timings.items():
        first = f", first chunk {timing.first * 1000:.1f} ms" if timing.first else ""
        parts.append(
            f"{learners // 1000 if learners % 1000 == 0 else learners}"
            f"{'k' if learners % 1000 == 0 else ''} {timing.median * 1000:8.1f} ms "
            f"({timing.size:,} {unit}, {timing.queries} q, {timing.runs} runs{first})"
        )
        # (the query count is 0 for reference queries: not counted)
    print(f"  {label:<19} " + " | ".join(parts), flush=True)


def measure() -> tuple[SizeResult, SizeResult]:
    """Every page, export and reference query on both data sets, interleaved."""
    from django.db import connections

    sized = {learners: prepare(learners) for learners in (SMALL, LARGE)}
    print("Measuring (interleaved rounds, small and large):", flush=True)
    for name in sized[SMALL].params:
        timings = timed_interleaved(
            {
                n: (lambda s=s, name=name: len(reference_run(name, s.params[name])))
                for n, s in sized.items()
            }
        )
        for n, timing in timings.items():
            sized[n].result.references[name] = timing
        _line(f"SQL {name}", timings, "rows")

    def bare(s: Sized) -> int:
        response = s.clients[NATIONAL].get(s.urls["bare"])
        if response.status_code != 200:
            raise BenchError(f"GET {s.urls['bare']}: HTTP {response.status_code}")
        return len(response.content)

    timings = timed_interleaved({n: (lambda s=s: bare(s)) for n, s in sized.items()}, True)
    for n, timing in timings.items():
        sized[n].result.bare = timing
    _line("bare view", timings)
    for name in REPORTS:
        for fmt in FORMATS:
            timings = timed_interleaved(
                {
                    n: (
                        lambda s=s, name=name, fmt=fmt: len(
                            fetch(s.clients[NATIONAL], s.urls[name], fmt)
                        )
                    )
                    for n, s in sized.items()
                },
                True,
            )
            for n, timing in timings.items():
                sized[n].result.pages[name, fmt] = timing
            _line(f"{name}.{fmt}", timings)
    large = sized[LARGE]
    timings = timed_interleaved(
        {LARGE: lambda: len(fetch(large.clients[COUNTY], large.urls["overview"], "html"))}, True
    )
    large.result.county_overview = timings[LARGE]
    _line("overview.html, Skåne county manager", timings)
    connections.close_all()
    return sized[SMALL].result, sized[LARGE].result


# --- Report ---------------------------------------------------------------------------------


def reference_of(name: str, fmt: str) -> str:
    return "learners-all" if name == "learners" and fmt != "html" else name


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}" if seconds >= 0.1 else f"{seconds * 1000:.1f}"


def duration(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def table(small: SizeResult, large: SizeResult) -> None:
    print(
        f"Median times (ms); growth = {large.learners:,} / {small.learners:,} learners "
        f"({large.enrolments:,} / {small.enrolments:,} enrolments); ratio = page / its SQL:"
    )
    header = (
        f"  {'page':<20}{'queries':>8}{'small ms':>10}{'large ms':>10}{'growth':>8}"
        f"{'SQL large':>11}{'SQL growth':>11}{'ratio':>8}{'1st chunk':>11}"
    )
    print(header)
    for name in REPORTS:
        for fmt in FORMATS:
            a, b = small.pages[name, fmt], large.pages[name, fmt]
            ref_small = small.references[reference_of(name, fmt)]
            ref_large = large.references[reference_of(name, fmt)]
            print(
                f"  {name + '.' + fmt:<20}{b.queries:>8}{ms(a.median):>10}{ms(b.median):>10}"
                f"{'×' + format(b.median / a.median, '.1f'):>8}{ms(ref_large.median):>11}"
                f"{'×' + format(ref_large.median / ref_small.median, '.1f'):>11}"
                f"{b.median / ref_large.median:>7.1f}×"
                + (f"{ms(b.first):>11}" if fmt != "html" else "")
            )
    print("  reference SQL queries:")
    for name in small.references:
        a, b = small.references[name], large.references[name]
        print(
            f"  {'SQL ' + name:<20}{'1':>8}{ms(a.median):>10}{ms(b.median):>10}"
            f"{'×' + format(b.median / a.median, '.1f'):>8}   ({b.size:,} rows at the large size)"
        )
    if small.bare is not None and large.bare is not None:
        print(
            f"  bare view (login required, same session): {ms(small.bare.median)} ms small, "
            f"{ms(large.bare.median)} ms large ({large.bare.queries} queries)"
        )
    if large.county_overview is not None:
        national = large.pages["overview", "html"].median
        print(
            f"  overview.html, Skåne county manager, large: {ms(large.county_overview.median)} "
            f"ms ({large.county_overview.queries} queries; national {ms(national)} ms)"
        )


def headline(small: SizeResult, large: SizeResult) -> str:
    """Each page's time at the large size with its growth from the small size and its ratio
    to its SQL and to the bare view; the worst page and the worst growth; the exports' worst
    time to the first chunk and the slowest export against its SQL."""
    parts = [f"bench-reports: {large.learners} learners"]
    bare = large.bare.median if large.bare is not None else None
    for name in REPORTS:
        page = large.pages[name, "html"]
        growth = page.median / small.pages[name, "html"].median
        ratio = page.median / large.references[name].median
        over_bare = f", {page.median / bare:.0f}× bare" if bare else ""
        parts.append(
            f"{name} {ms(page.median)} ms (×{growth:.1f} from {small.learners // 1000}k, "
            f"{ratio:.1f}× its SQL{over_bare})"
        )
    worst_name, worst = max(
        ((name, large.pages[name, "html"]) for name in REPORTS), key=lambda item: item[1].median
    )
    growths = {key: large.pages[key].median / small.pages[key].median for key in large.pages}
    (growth_name, growth_fmt), growth = max(growths.items(), key=lambda item: item[1])
    parts.append(f"worst page {worst_name} {ms(worst.median)} ms")
    parts.append(
        f"worst growth ×{growth:.1f} ({growth_name}.{growth_fmt}; "
        f"{large.learners // small.learners}× the learners)"
    )
    exports = [(key, t) for key, t in large.pages.items() if key[1] != "html"]
    (first_name, first_fmt), first = max(exports, key=lambda item: item[1].first)
    parts.append(f"exports' first chunk ≤ {ms(first.first)} ms ({first_name}.{first_fmt})")
    (name, fmt), slowest = max(exports, key=lambda item: item[1].median)
    ratio = slowest.median / large.references[reference_of(name, fmt)].median
    parts.append(f"slowest export {name}.{fmt} {duration(slowest.median)} ({ratio:.1f}× its SQL)")
    parts.append("figures match")
    return " | ".join(parts)


def run() -> str:
    if SMALL < 1 or LARGE <= SMALL:
        raise BenchError("BENCH_LEARNERS_LARGE must be larger than BENCH_LEARNERS_SMALL (≥ 1)")
    temp_dir = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    django_ready = False
    try:
        env = dict(os.environ)
        env.update(
            VAR_DIR=str(temp_dir / "var"),
            DATABASE_URL=f"{POSTGRES}/{database_name(LARGE)}",
            DJANGO_SETTINGS_MODULE=SETTINGS,
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
            XAPI_SENDING="false",
        )
        for name in ("REDIS_URL", "LRS_ENDPOINT"):
            env.pop(name, None)
            os.environ.pop(name, None)
        os.environ.update(env)
        (temp_dir / "var" / "static").mkdir(parents=True)
        print(f"bench-reports: PostgreSQL {POSTGRES}, {SMALL:,} and {LARGE:,} learners", flush=True)

        print("Setting up:", flush=True)
        began = time.perf_counter()
        schema = migrations_fingerprint()
        reused = [dataset_ensure(n, schema, env) for n in (SMALL, LARGE)]
        setup_seconds = time.perf_counter() - began
        print(
            f"  data: {'reused' if all(reused) else 'generated'} ({setup_seconds:.0f} s)",
            flush=True,
        )
        import django

        django.setup()
        django_ready = True
        small, large = measure()
    finally:
        if django_ready:
            from django.db import connections

            connections.close_all()
        shutil.rmtree(temp_dir, ignore_errors=True)
    table(small, large)
    return headline(small, large)


def main() -> int:
    return bench_main("bench-reports", run)


if __name__ == "__main__":
    sys.exit(main())
