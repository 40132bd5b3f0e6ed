"""Benchmark: certificates issued per second by one Celery worker, and where the time goes.

    python -m bench.certificates        (make bench-certificates)

Sets up its own PostgreSQL database (``bench_certificates`` on 127.0.0.1:5432, user postgres,
dropped and created at the start, dropped at the end), a temporary VAR_DIR (media files, the
signing key), a redis-server of its own on a free port as the broker, and a local SMTP sink in
this process that keeps what it receives. The database is copied from a migrated template,
``bench_certificates_template``, kept between runs and migrated again whenever the project's
migration files or the installed packages change (a fresh migrate takes about a minute; drop
the template to force one). The site skeleton and a course of one module of two lessons are
made as the tests make them.

1. Learners: BENCH_CERTIFICATES (100) learners enrol and complete both lessons through the
   platform's services; the completion issues the certificate (claim built and signed in the
   completion's transaction) and, on commit, asks Celery to deliver it. No worker runs yet, so
   the certificates wait in the database and their messages in the broker.
2. One worker (``celery worker --pool=solo``, as in the tests) is started and drains them: it
   renders each PDF, stores it, and e-mails it to the sink with the PDF attached. The rate is
   taken from the worker's own timestamps, (N - 1) / (last emailed_at - first emailed_at), so
   that neither its start-up nor its first (cold) certificate counts; the wall-clock time from
   starting the worker to the last e-mail is printed beside it. Every certificate must then be
   rendered and e-mailed exactly once, with no error, and the sink must hold one e-mail per
   learner with a PDF attached.
3. Shares, in this process, with the worker stopped: BENCH_SAMPLE (20) more learners complete
   the course with the delivery requests switched off; for each of their certificates the
   claim is built again (claims.claim_build, checked equal to the stored one) and signed
   (timed apart), then the worker's own steps run: ``certificate_render`` (its PDF rendering,
   ``render.certificate_pdf``, is timed apart; the rest is storing: row lock, file save, UPDATE,
   commit) and ``certificate_send`` (mail: row lock, message with the PDF read back, SMTP to
   the sink, UPDATE, commit). Each phase is printed as a share of their sum.
4. Reference, in this process, right before the worker starts and right after it stops: a
   bare WeasyPrint render of a one-paragraph A4 page (renders/s, the mean of the two), and an
   Ed25519 signature of a certificate's canonical claim (signs/s). The last line gives the
   worker's certificates/s, the shares, the bare renders/s and the ratio of the two rates.

Environment overrides: BENCH_CERTIFICATES (learners drained by the worker, default 100),
BENCH_SAMPLE (certificates timed phase by phase, default 20; the first is a warm-up),
BENCH_POSTGRES (the server, default postgres://postgres@127.0.0.1:5432), BENCH_KEEP_DATABASE
(set: keep ``bench_certificates`` after the run, to look at it).
"""

import email
import email.policy
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench import databases
from bench.databases import POSTGRES, database_copy, migrations_fingerprint, template_ensure
from bench.lessons import (
    REPO_DIR,
    SETTINGS,
    BenchError,
    bench_learners,
    bench_main,
    free_port,
)
from bench.xapi import redis_start
from tests.conftest import celery_worker_command
from tests.xapi.conftest import stop_process

LEARNERS = int(os.environ.get("BENCH_CERTIFICATES", "100"))
SAMPLE = int(os.environ.get("BENCH_SAMPLE", "20"))
DATABASE = "bench_certificates"
TEMPLATE = f"{DATABASE}_template"
DRAIN_TIMEOUT = 420  # seconds for the worker to deliver every certificate
REFERENCE_SECONDS = 3.0  # at least this long, and at least REFERENCE_RENDERS renders
REFERENCE_RENDERS = 20
SIGNS = 2000
BARE_PAGE = (
    '<!DOCTYPE html><html lang="sv"><head><meta charset="utf-8"><title>Sida</title>'
    "<style>@page { size: A4; margin: 20mm; } body { font-family: 'DejaVu Sans', sans-serif; }"
    "</style></head><body><p>Ett stycke text på en A4-sida, inget mer.</p></body></html>"
)


class MailSink:
    """An SMTP server on 127.0.0.1 that only keeps the raw messages (parsed afterwards, so
    that receiving costs the sender as little as a quick relay would)."""

    def __init__(self):
        from aiosmtpd.controller import Controller

        self.messages: list[tuple[list[str], bytes]] = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def received(self) -> list[tuple[list[str], bytes]]:
        with self.lock:
            return list(self.messages)


def pdf_attachments(raw: bytes) -> list[bytes]:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    return [
        part.get_content()
        for part in message.iter_attachments()
        if part.get_content_type() == "application/pdf"
    ]


def database_create(env: dict[str, str]) -> None:
    """A new DATABASE, copied from a migrated template that is kept between runs and made
    again (migrate) whenever the migrations or the installed packages change."""
    template_ensure(TEMPLATE, migrations_fingerprint(), env, [("migrate", "--no-input")])
    database_copy(DATABASE, TEMPLATE)


def database_drop() -> None:
    databases.database_drop(DATABASE)


def learners_complete(course, lessons, prefix: str, count: int, deliver: bool) -> list[int]:
    """``count`` learners enrol and complete the course; returns their certificates' ids.
    Without ``deliver`` the on-commit delivery requests are switched off."""
    from certificates import services
    from certificates.models import Certificate
    from progress.services import enrolment_create, lesson_complete

    asked = services.delivery_request
    if not deliver:
        services.delivery_request = lambda certificate_ids: None
    try:
        emails = []
        for user in bench_learners(prefix, count):
            enrolment_create(user=user, course=course)
            for lesson in lessons:
                lesson_complete(user=user, lesson=lesson)
            emails.append(user.email)
    finally:
        services.delivery_request = asked
    ids = list(
        Certificate.objects.filter(enrolment__user__email__in=emails)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if len(ids) != count:
        raise BenchError(f"{count} learners completed the course but {len(ids)} certificates")
    return ids


def drain(ids: list[int], env: dict[str, str], log_path: Path):
    """Starts one worker, waits until every certificate is e-mailed, stops the worker.
    Returns (certificates/s from the worker's timestamps, wall seconds, start-up seconds)."""
    from django.db.models import Max, Min

    from certificates.models import Certificate

    rows = Certificate.objects.filter(pk__in=ids)
    log = open(log_path, "ab")  # noqa: SIM115 - closed here once the worker has its copy
    began = time.perf_counter()
    worker = subprocess.Popen(
        celery_worker_command("--without-heartbeat", loglevel="WARNING"),
        cwd=REPO_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    log.close()
    first = None
    try:
        while True:
            done = rows.filter(rendered_at__isnull=False, emailed_at__isnull=False).count()
            now = time.perf_counter()
            if done and first is None:
                first = now - began
            if done == len(ids):
                break
            if worker.poll() is not None:
                raise BenchError(f"the Celery worker exited:\n{log_path.read_text()[-3000:]}")
            if now - began > DRAIN_TIMEOUT:
                failed = rows.exclude(last_error="").values_list("last_error", flat=True)[:3]
                raise BenchError(
                    f"{len(ids) - done} of {len(ids)} certificates undelivered after "
                    f"{DRAIN_TIMEOUT} s; errors: {list(failed)}\n{log_path.read_text()[-3000:]}"
                )
            time.sleep(0.1)
        wall = time.perf_counter() - began
    finally:
        stop_process(worker)
    span = rows.aggregate(first=Min("emailed_at"), last=Max("emailed_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    if len(ids) < 2 or seconds <= 0:
        raise BenchError("need at least two certificates delivered at different times")
    return (len(ids) - 1) / seconds, wall, first


def delivered_check(ids: list[int], sink: MailSink, emails: set[str]) -> None:
    """Each certificate rendered and e-mailed once with no error; one e-mail with a PDF per
    learner in the sink."""
    from certificates.models import Certificate

    rows = Certificate.objects.filter(pk__in=ids)
    wrong = rows.exclude(render_attempts=1, email_attempts=1, last_error="")
    if wrong.exists():
        raise BenchError(f"{wrong.count()} certificates rendered or sent more than once or failed")
    missing = [row.pk for row in rows if not row.pdf or not row.pdf.storage.exists(row.pdf.name)]
    if missing:
        raise BenchError(f"{len(missing)} certificates have no stored PDF")
    received = [(to, raw) for to, raw in sink.received() if set(to) <= emails]
    recipients = [address for to, _raw in received for address in to]
    if sorted(recipients) != sorted(emails):
        raise BenchError(
            f"{len(emails)} learners, {len(received)} e-mails to {len(set(recipients))} of them"
        )
    without = [
        to for to, raw in received if not any(p[:5] == b"%PDF-" for p in pdf_attachments(raw))
    ]
    if without:
        raise BenchError(f"{len(without)} e-mails without a PDF attached")


def bare_renders_per_second() -> float:
    from weasyprint import HTML

    for _ in range(2):  # warm: fonts, first layout
        HTML(string=BARE_PAGE).write_pdf()
    renders = 0
    began = time.perf_counter()
    while renders < REFERENCE_RENDERS or time.perf_counter() - began < REFERENCE_SECONDS:
        pdf = HTML(string=BARE_PAGE).write_pdf()
        renders += 1
    if pdf[:5] != b"%PDF-":
        raise BenchError("the bare WeasyPrint render made no PDF")
    return renders / (time.perf_counter() - began)


def signs_per_second(claim: dict) -> float:
    from certificates import signing

    key = signing.current_key()
    for _ in range(20):
        key.sign(claim)
    began = time.perf_counter()
    for _ in range(SIGNS):
        key.sign(claim)
    return SIGNS / (time.perf_counter() - began)


PHASES = ("claim", "sign", "render", "store", "mail")


def phases_measure(ids: list[int]) -> dict[str, list[float]]:
    """Seconds per phase for each certificate (see the module's docstring, step 3)."""
    from certificates import signing, tasks
    from certificates.claims import claim_build
    from certificates.models import Certificate, CertificateBranding

    key = signing.current_key()
    rendering = []
    real_pdf = tasks.certificate_pdf

    def timed_pdf(*args, **kwargs):
        began = time.perf_counter()
        try:
            return real_pdf(*args, **kwargs)
        finally:
            rendering.append(time.perf_counter() - began)

    times: dict[str, list[float]] = {phase: [] for phase in PHASES}
    tasks.certificate_pdf = timed_pdf
    try:
        for number, certificate_id in enumerate(ids):
            certificate = Certificate.objects.select_related("enrolment__user").get(
                pk=certificate_id
            )
            enrolment = certificate.enrolment
            t0 = time.perf_counter()
            branding = CertificateBranding.load()
            claim = claim_build(
                enrolment=enrolment,
                course=enrolment.course.specific,
                code=certificate.code,
                issued_at=certificate.issued_at,
                issuer=branding.issuer_name,
            )
            t1 = time.perf_counter()
            signature = key.sign(claim)
            t2 = time.perf_counter()
            if claim != certificate.claim or signature != certificate.signature:
                raise BenchError(f"certificate {certificate_id}: the claim built again differs")
            rendering.clear()
            if not tasks.certificate_render(certificate_id) or len(rendering) != 1:
                raise BenchError(f"certificate {certificate_id} was not rendered")
            t3 = time.perf_counter()
            if not tasks.certificate_send(certificate_id):
                raise BenchError(f"certificate {certificate_id} was not sent")
            t4 = time.perf_counter()
            if number == 0:
                continue  # warm-up: first template, fonts, SMTP connection code
            times["claim"].append(t1 - t0)
            times["sign"].append(t2 - t1)
            times["render"].append(rendering[0])
            times["store"].append(t3 - t2 - rendering[0])
            times["mail"].append(t4 - t3)
    finally:
        tasks.certificate_pdf = real_pdf
    return times


def share(value: float) -> str:
    return f"{value:.0f} %" if value >= 10 else f"{value:.1g} %" if value < 1 else f"{value:.1f} %"


def run() -> str:
    if LEARNERS < 2 or SAMPLE < 2:
        raise BenchError("BENCH_CERTIFICATES and BENCH_SAMPLE must be at least 2")
    if not shutil.which("redis-server"):
        raise BenchError("redis-server is not installed (the broker of the worker)")
    temp_dir = Path(tempfile.mkdtemp(prefix="bench-certificates-"))
    redis = None
    sink = MailSink()
    sink_started = database_made = django_ready = False
    try:
        sink.controller.start()
        sink_started = True
        env = {k: v for k, v in os.environ.items() if k not in {"LRS_ENDPOINT", "REDIS_URL"}}
        env.update(
            VAR_DIR=str(temp_dir / "var"),
            DATABASE_URL=f"{POSTGRES}/{DATABASE}",
            DJANGO_SETTINGS_MODULE=SETTINGS,
            LOG_LEVEL="WARNING",
            PYTHONUNBUFFERED="1",
            XAPI_SENDING="false",  # no LRS here: nothing but certificates goes to the broker
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(sink.port),
        )
        for name in ("LRS_ENDPOINT", "REDIS_URL", "MEDIA_ROOT", "CERTIFICATE_SIGNING_KEY"):
            os.environ.pop(name, None)
            env.pop(name, None)
        redis, env["CELERY_BROKER_URL"] = redis_start(temp_dir)
        os.environ.update(env)  # this process uses the same settings as the worker
        (temp_dir / "var" / "static").mkdir(parents=True)
        print(
            f"bench-certificates: PostgreSQL {DATABASE}, broker {env['CELERY_BROKER_URL']}, "
            f"SMTP sink 127.0.0.1:{sink.port}, media in {temp_dir / 'var' / 'media'}",
            flush=True,
        )

        print("Setting up:", flush=True)
        database_made = True
        database_create(env)
        import django

        django.setup()
        django_ready = True
        from elearning.core.services import site_setup
        from tests.factories import course_tree

        site_setup()
        course, lessons = course_tree(modules=1, lessons_per_module=2, slug="intyg")
        began = time.perf_counter()
        sample_ids = learners_complete(course, lessons, "bench-sample", SAMPLE, deliver=False)
        ids = learners_complete(course, lessons, "bench-cert", LEARNERS, deliver=True)
        emails = {f"bench-cert-{n:05d}@example.org" for n in range(LEARNERS)}
        print(
            f"  {LEARNERS} learners completed the course, {LEARNERS} certificates waiting; "
            f"{SAMPLE} more for the shares, not asked to be delivered "
            f"({time.perf_counter() - began:.1f} s)",
            flush=True,
        )

        print("Measuring:", flush=True)
        bare = [bare_renders_per_second()]
        print(f"  bare WeasyPrint A4 page: {bare[0]:.1f} renders/s", flush=True)
        rate, wall, first = drain(ids, env, temp_dir / "worker.log")
        delivered_check(ids, sink, emails)
        print(
            f"  one worker (solo pool): {LEARNERS} certificates rendered, stored and e-mailed "
            f"(each once, PDF attached) in {wall:.1f} s from its start, the first after "
            f"{first:.1f} s; from the first e-mail to the last {rate:.2f} certificates/s",
            flush=True,
        )

        bare.append(bare_renders_per_second())
        print(f"  bare WeasyPrint A4 page again: {bare[1]:.1f} renders/s", flush=True)

        from certificates.models import Certificate

        times = phases_measure(sample_ids)
        signs = signs_per_second(Certificate.objects.get(pk=sample_ids[0]).claim)
        print(
            f"  {SAMPLE} certificates timed phase by phase; "
            f"Ed25519 sign of a canonical claim alone: {signs:.0f}/s",
            flush=True,
        )
    finally:
        if django_ready:
            from django.db import connections

            connections.close_all()
        if sink_started:
            sink.controller.stop()
        stop_process(redis)
        if database_made and not os.environ.get("BENCH_KEEP_DATABASE"):
            database_drop()
        shutil.rmtree(temp_dir, ignore_errors=True)

    means = {phase: statistics.mean(values) for phase, values in times.items()}
    total = sum(means.values())
    shares = {phase: 100 * means[phase] / total for phase in PHASES}
    bare_rate = statistics.mean(bare)
    print(f"Phases in this process, mean of {SAMPLE - 1} certificates (after one warm-up):")
    for phase in PHASES:
        print(
            f"  {phase:<7}{means[phase] * 1000:8.2f} ms  {share(shares[phase]):>7}"
            f"  (median {statistics.median(times[phase]) * 1000:.2f} ms)"
        )
    print(
        f"  total  {total * 1000:8.2f} ms = {1 / total:.2f} certificates/s in-process "
        f"(render+store+mail alone {1 / (total - means['claim'] - means['sign']):.2f}/s)"
    )
    print("  claim/sign run at issue, in the completion's transaction; the worker does the rest")
    return (
        f"bench-certificates: {LEARNERS} certificates | one worker {rate:.2f}/s "
        f"(render+store+mail) | shares: render {share(shares['render'])} "
        f"sign {share(shares['sign'])} claim {share(shares['claim'])} "
        f"store {share(shares['store'])} mail {share(shares['mail'])} | "
        f"bare WeasyPrint page {bare_rate:.1f}/s | ratio {rate / bare_rate:.2f}"
    )


def main() -> int:
    return bench_main("bench-certificates", run)


if __name__ == "__main__":
    sys.exit(main())
