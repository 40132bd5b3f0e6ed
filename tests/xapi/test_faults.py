"""Faults between the platform and a real Ralph LRS, with real Celery workers: Ralph down,
a worker killed in the middle of a POST, Redis down while learners act. Each ends with every
statement in Ralph exactly once and none failed."""

import logging
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from django.test import Client
from django.utils import timezone, translation

from tests.xapi.conftest import (
    assert_exactly_once,
    journey,
    kill,
    pending_count,
    wait_for_delivery,
    wait_until,
)
from xapi.models import LearningRecordStore, OutboxStatement
from xapi.tasks import statements_sweep

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


def retries_due(store) -> None:
    """As if the backoff had passed (it is 15–30 s after a first failure)."""
    store.outbox.filter(status="pending").update(next_attempt_at=timezone.now())


def test_ralph_down_for_a_while(celery_worker, ralph, ralph_store, course_with_quiz, make_user):
    course, lessons, quiz_page = course_with_quiz
    ralph.stop()
    for n in range(2):
        journey(make_user(email=f"down-{n}@example.org"), course, lessons, quiz_page)
    total = ralph_store.outbox.count()
    # The worker tried (on commit) and failed: everything waits, nothing is given up.
    assert wait_until(lambda: not ralph_store.outbox.filter(attempts=0).exists(), timeout=30)
    assert pending_count(ralph_store) == total
    errors = set(ralph_store.outbox.values_list("last_error", flat=True))
    assert errors and all(error.startswith("ConnectError") for error in errors), errors
    for created, retry in ralph_store.outbox.values_list("created_at", "next_attempt_at"):
        assert retry - created >= timedelta(seconds=15)  # backed off

    ralph.start()  # same port, same store
    retries_due(ralph_store)
    statements_sweep.delay()
    wait_for_delivery(ralph_store)
    assert_exactly_once(ralph_store, ralph)


class SlowProxy:
    """An LRS stand-in in front of Ralph: it passes every request on, but holds Ralph's
    answer to a POST (after Ralph has stored the statements) while ``hold`` is set, so that
    the worker is in the middle of a delivery."""

    def __init__(self, upstream: str):
        self.hold = threading.Event()
        self.holding = threading.Event()  # a POST is stored in Ralph and held here
        self.release = threading.Event()
        self.held_ids: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _pass_on(self, method):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                headers = {
                    key: value
                    for key, value in self.headers.items()
                    if key.lower() in {"authorization", "content-type", "x-experience-api-version"}
                }
                answer = httpx.request(
                    method, upstream + self.path, content=body, headers=headers, timeout=30
                )
                if method == "POST" and proxy.hold.is_set() and answer.status_code == 200:
                    proxy.held_ids = answer.json()
                    proxy.holding.set()
                    proxy.release.wait(30)
                try:
                    self.send_response(answer.status_code)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(answer.content)))
                    self.end_headers()
                    self.wfile.write(answer.content)
                except OSError:
                    pass  # the worker is gone

            def do_GET(self):  # noqa: N802
                self._pass_on("GET")

            def do_POST(self):  # noqa: N802
                self._pass_on("POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/xAPI/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def slow_proxy(ralph):
    proxy = SlowProxy(ralph.base)
    yield proxy
    proxy.close()


def test_a_worker_killed_in_the_middle_of_a_delivery(
    private_broker, ralph, slow_proxy, course_with_quiz, make_user
):
    store = LearningRecordStore.objects.create(
        name="ralph", endpoint=slow_proxy.url, username=ralph.username, password=ralph.password
    )
    first = private_broker.worker_start("first")
    slow_proxy.hold.set()
    course, lessons, quiz_page = course_with_quiz
    for n in range(2):
        journey(make_user(email=f"killed-{n}@example.org"), course, lessons, quiz_page)
    assert slow_proxy.holding.wait(30), "the worker never posted"

    kill(first)  # while Ralph's answer is on its way
    held = set(slow_proxy.held_ids)
    assert held and held <= set(ralph.counts())  # Ralph has them…
    rows = store.outbox.filter(statement_id__in=held)
    assert wait_until(lambda: rows.filter(status="pending").count() == len(held), timeout=10)
    # …and the outbox does not know: its transaction died with the worker.

    slow_proxy.hold.clear()
    slow_proxy.release.set()
    private_broker.worker_start("second")
    statements_sweep.delay()
    wait_for_delivery(store)
    assert_exactly_once(store, ralph)


def lesson_done_url(lesson) -> str:
    from django.urls import reverse

    with translation.override("sv"):
        return reverse("progress:lesson_done", args=[lesson.pk])


def enrol_url(course) -> str:
    from django.urls import reverse

    with translation.override("sv"):
        return reverse("progress:enrol", args=[course.pk])


def test_redis_down_while_learners_act(
    private_broker, ralph, ralph_store, course_with_quiz, make_user, caplog
):
    course, lessons, quiz_page = course_with_quiz
    private_broker.worker_start("before")
    journey(make_user(email="before@example.org"), course, lessons, quiz_page)
    wait_for_delivery(ralph_store)  # on commit, as usual
    # The journey queued a delivery task per commit; one still queued when Redis stops would
    # run later and rightly deliver what the learners below do. Stop when the worker is idle.
    assert wait_until(private_broker.idle, timeout=60)
    delivered = ralph_store.outbox.count()

    private_broker.redis_stop()
    caplog.set_level(logging.WARNING, logger="xapi.outbox")
    for n in range(2):  # through the web, as learners do: every request succeeds
        client = Client()
        client.force_login(make_user(email=f"during-{n}@example.org"))
        assert client.post(enrol_url(course)).status_code == 302
        for lesson in lessons:
            assert client.get(lesson.url).status_code == 200
            assert client.post(lesson_done_url(lesson)).status_code == 302
    assert "Broker unavailable" in caplog.text
    waiting = ralph_store.outbox.filter(status="pending")
    assert waiting.count() == ralph_store.outbox.count() - delivered > 0
    assert not waiting.exclude(attempts=0).exists()  # never handed to a worker
    time.sleep(1)
    assert waiting.count() == ralph_store.outbox.count() - delivered  # and nobody delivers

    private_broker.redis_start()  # empty: what was never published is not there either
    private_broker.worker_start("after")
    statements_sweep.delay()  # as beat does every minute
    wait_for_delivery(ralph_store)
    assert_exactly_once(ralph_store, ralph)
    assert OutboxStatement.objects.filter(status="failed").count() == 0
