"""Locust users for ``make bench-quiz``'s webinar scenario (run by bench/quiz.py, not alone).

Each Locust user is one learner (a session made by the benchmark, read from the JSON file in
BENCH_WEBINAR_FILE, one learner per user) who takes the final test once, as Moodle's load
tests model it: open the quiz's page, start (the redirect to the attempt page is followed),
then for each of BENCH_SAVES pages think and save the answers so far (the autosave POST of
static/js/quiz-timer.js), think, submit (the redirect to the result is followed). Thinking is
30–90 s scaled by BENCH_THINK_SCALE. Anything but the expected response is a failure; a user
that fails stops. When every learner has submitted, the run ends.

``BareTaker`` is the reference: the same learners, requests and thinking, each request
answered by a bare view of bench/urls.py through the same middleware and session (the pages
by the signed-in view that hands out a CSRF token, the start and the submit by the insert
view answering with a redirect to it, the autosaves by the insert view). What it holds is what
the machine holds for a taker whose every request costs what a bare one does.
"""

import itertools
import json
import os
import random
import re
from http.cookiejar import Cookie
from urllib.parse import urlencode, urlsplit

import gevent
from locust import FastHttpUser, events, task
from locust.exception import StopUser

FILE = os.environ["BENCH_WEBINAR_FILE"]
THINK_SCALE = float(os.environ.get("BENCH_THINK_SCALE", "0.1"))
SAVES = int(os.environ.get("BENCH_SAVES", "3"))
THINK = (30.0, 90.0)  # seconds per page before scaling (Moodle's pattern)

with open(FILE) as handle:
    SETUP = json.load(handle)
_numbers = itertools.count()
_done = {"submitted": 0, "failed": 0}

TOKEN_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_RE = re.compile(r'<form method="post" class="quiz-form".*?</form>', re.S)
CHOICE_RE = re.compile(r'<input type="(radio|checkbox)" name="([^"]+)"[^>]*value="([^"]+)"')
SELECT_RE = re.compile(r'<select name="([^"]+)"[^>]*>(.*?)</select>', re.S)
OPTION_RE = re.compile(r'<option value="([^"]+)"')
TEXT_RE = re.compile(r'<textarea name="([^"]+)"')
QUESTION_KEY = len("q-") + 36  # a field's name starts with q- and its question's UUID


def answers_from(page: str) -> list[tuple[str, str]]:
    """A valid answer to every question of the attempt form (the first choice; in a group of
    menus, the i-th menu takes the i-th option, so ordering positions differ)."""
    form = FORM_RE.search(page)
    html = form.group(0) if form else page
    fields: list[tuple[str, str]] = []
    seen: set[str] = set()
    for _kind, name, value in CHOICE_RE.findall(html):
        if name not in seen:
            seen.add(name)
            fields.append((name, value))
    menus: dict[str, int] = {}
    for name, body in SELECT_RE.findall(html):
        group = name.rsplit("-", 1)[0]
        index = menus.get(group, 0)
        menus[group] = index + 1
        options = OPTION_RE.findall(body)
        if options:
            fields.append((name, options[index % len(options)]))
    for name in TEXT_RE.findall(html):
        fields.append((name, "Samverkan mellan kommun och region gör arbetet mer jämlikt."))
    return fields


def finished(environment, failed: bool) -> None:
    _done["failed" if failed else "submitted"] += 1
    if _done["submitted"] + _done["failed"] >= len(SETUP["learners"]):
        gevent.spawn_later(2, environment.runner.quit)


@events.quitting.add_listener
def report(environment, **_kwargs):
    print(f"webinar-users: submitted {_done['submitted']} failed {_done['failed']}", flush=True)


class _Learner(FastHttpUser):
    """Locust's FastHttpUser (geventhttpclient): its client spends a fraction of the CPU per
    request that the requests-based HttpUser does, on the cores the server shares. A redirect
    is followed within the request (one sample, timed whole), and the response's ``url`` is
    the address it ended at."""

    abstract = True

    def wait_time(self):
        return 0

    def on_start(self):
        number = next(_numbers)
        if number >= len(SETUP["learners"]):
            raise StopUser()
        host = urlsplit(self.host).hostname
        self.client.cookiejar.set_cookie(
            Cookie(
                0, SETUP["cookie_name"], SETUP["learners"][number], None, False, host, False,
                False, "/", True, False, None, True, None, None, {},
            )
        )  # fmt: skip

    def think(self):
        gevent.sleep(random.uniform(*THINK) * THINK_SCALE)

    def expect(self, method, path, *, name, ok, data=None):
        kwargs = {}
        if data is not None:  # a form, fields repeated as a browser sends them
            kwargs["data"] = urlencode(data, doseq=True)
            kwargs["headers"] = {"Content-Type": "application/x-www-form-urlencoded"}
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as r:
            problem = ok(r)
            if problem:
                r.failure(problem)
            else:
                r.success()
        if problem:
            finished(self.environment, failed=True)
            raise StopUser()
        return r


class Taker(_Learner):
    """One learner taking the final test once."""

    @task
    def take(self):
        page = self.expect(
            "GET",
            SETUP["quiz_url"],
            name="quiz page",
            ok=lambda r: None if r.status_code == 200 and TOKEN_RE.search(r.text) else "no form",
        )
        token = TOKEN_RE.search(page.text).group(1)
        attempt = self.expect(
            "POST",
            SETUP["start_url"],
            name="start (+ attempt page)",
            data={"csrfmiddlewaretoken": token},
            ok=lambda r: (
                None
                if r.status_code == 200 and "quiz-form" in r.text
                else f"HTTP {r.status_code} at {r.url}"
            ),
        )
        url = attempt.url
        token = TOKEN_RE.search(attempt.text).group(1)
        answers = answers_from(attempt.text)
        # The questions in the order the page shows them; a page's save holds the answers
        # to the questions of the pages before (a question's fields go together: an ordering
        # question is answered whole or not at all).
        questions = list(dict.fromkeys(name[:QUESTION_KEY] for name, _value in answers))
        for page_number in range(1, SAVES + 1):
            self.think()
            done = set(questions[: len(questions) * page_number // (SAVES + 1)])
            part = [(name, value) for name, value in answers if name[:QUESTION_KEY] in done]
            self.expect(
                "POST",
                url,
                name="autosave",
                data=[("csrfmiddlewaretoken", token), ("action", "autosave"), *part],
                ok=lambda r: None if r.status_code == 200 else f"HTTP {r.status_code}",
            )
        self.think()
        self.expect(
            "POST",
            url,
            name="submit (+ result page)",
            data=[("csrfmiddlewaretoken", token), ("action", "submit"), *answers],
            ok=lambda r: (
                None
                if r.status_code == 200 and r.url.rstrip("/").endswith("resultat")
                else f"HTTP {r.status_code} at {r.url}"
            ),
        )
        finished(self.environment, failed=False)
        raise StopUser()


BARE_RE = re.compile(r"^ok \d+ (\S+)$")


class BareTaker(_Learner):
    """The reference: the taker's requests, each answered by a bare view."""

    @task
    def take(self):
        def page_ok(r):
            return None if r.status_code == 200 and BARE_RE.match(r.text) else f"{r.status_code}"

        def redirected(name):  # the start or the submit, with the page it leads to
            self.expect(
                "POST",
                "/bench/insert-redirect/",
                name=name,
                data={"csrfmiddlewaretoken": token},
                ok=page_ok,
            )

        page = self.expect("GET", "/bench/signed-in-form/", name="quiz page", ok=page_ok)
        token = BARE_RE.match(page.text).group(1)
        redirected("start (+ attempt page)")
        for _page in range(SAVES):
            self.think()
            self.expect(
                "POST",
                "/bench/insert/",
                name="autosave",
                data={"csrfmiddlewaretoken": token},
                ok=lambda r: None if r.status_code == 201 else f"HTTP {r.status_code}",
            )
        self.think()
        redirected("submit (+ result page)")
        finished(self.environment, failed=False)
        raise StopUser()
