"""`make run` on the embedded defaults: SQLite, the file-system broker, a real worker and beat.

Runs the same command `make run` ends in, twice on the same data folder, as a person would.
"""

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from urllib.parse import unquote

import httpx
import pytest

from demo.services import DEMO_ACCOUNTS, DEMO_REPORT_LEARNERS
from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Platform:
    def __init__(self, var_dir, port):
        self.url = f"http://127.0.0.1:{port}"
        self.log_path = var_dir / f"run-{time.monotonic_ns()}.log"
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
        }
        env.update({"VAR_DIR": str(var_dir), "PORT": str(port), "PYTHONUNBUFFERED": "1"})
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "runplatform"],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log_path.read_text()

    def wait_for(self, text, timeout=240):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.output():
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        raise AssertionError(f"{text!r} did not appear; output:\n{self.output()[-4000:]}")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
        self.log.close()


def sign_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    form = client.get("/sv/konto/logga-in/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return client.post(
        "/sv/konto/logga-in/",
        data={"csrfmiddlewaretoken": token, "login": email, "password": password},
    )


@pytest.mark.timeout(400)
def test_make_run_serves_swedish_home_with_demo_logins_and_a_working_worker(tmp_path):
    port = free_port()
    platform = Platform(tmp_path, port)
    try:
        platform.wait_for("Stop with Ctrl-C.")
        banner = platform.output()
        assert f"The platform is running at http://127.0.0.1:{port}/" in banner
        for email in (
            "granskare@example.org",
            "deltagare@example.org",
            "forfattare@example.org",
            "samordnare@example.org",
            "admin@example.org",
        ):
            assert email in banner
        assert "folkhalsa-demo" in banner

        with httpx.Client(base_url=platform.url, follow_redirects=True, timeout=30) as client:
            home = client.get("/")
            assert str(home.url).endswith("/sv/")
            assert '<html lang="sv">' in home.text and "Folkhälsoakademin" in home.text
            english = client.get("/en/")
            assert '<html lang="en">' in english.text and "Public Health Academy" in english.text
            signed_in = sign_in(client, "deltagare@example.org", "folkhalsa-demo")
            assert "Lina Lärande" in signed_in.text
            admin = httpx.Client(base_url=platform.url, follow_redirects=True, timeout=30)
            assert sign_in(admin, "forfattare@example.org", "folkhalsa-demo").status_code == 200
            # Staff set up a second factor before the admin (issue 16): the demo author is
            # sent (through allauth's password confirmation) to the TOTP set-up, with the
            # admin as where to go next.
            to_admin = admin.get("/admin/")
            assert to_admin.status_code == 200
            went_to = unquote(unquote(str(to_admin.url)))
            assert "/sv/konto/tvastegsverifiering/app/pa/?next=/admin/" in went_to
            admin.close()

            # A password reset goes through the file-system broker to the worker, which prints
            # the e-mail on the console (the embedded e-mail backend).
            form = client.get("/sv/konto/losenord/aterstall/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
            client.post(
                "/sv/konto/losenord/aterstall/",
                data={"csrfmiddlewaretoken": token, "email": "deltagare@example.org"},
            )
            platform.wait_for("To: deltagare@example.org", timeout=60)
            assert f"http://127.0.0.1:{port}/sv/konto/losenord/aterstall/" in platform.output()
            assert client.get("/health/").json()["status"] == "ok"
    finally:
        platform.stop()
    assert "celery beat" in platform.output()

    # A second run on the same data works and duplicates nothing.
    again = Platform(tmp_path, port)
    try:
        again.wait_for("Stop with Ctrl-C.")
        assert httpx.get(f"{again.url}/sv/", timeout=30).status_code == 200
    finally:
        again.stop()
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        users = len(DEMO_ACCOUNTS) + len(DEMO_REPORT_LEARNERS)
        assert db.execute("SELECT count(*) FROM accounts_user").fetchone() == (users,)
        assert db.execute("SELECT count(*) FROM courses_homepage").fetchone() == (2,)
        # The policy course and the package course (issue 18), each in Swedish and English.
        assert db.execute("SELECT count(*) FROM courses_coursepage").fetchone() == (4,)
