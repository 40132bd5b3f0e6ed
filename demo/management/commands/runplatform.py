"""`make run`: prepare the database, then run web server, Celery worker and beat together."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo.services import DEMO_PASSWORD, demo_load
from elearning.core.services import site_setup


class Command(BaseCommand):
    help = (
        "Migrate, set up the site (and the demo when DEBUG is on), then run the web server, a "
        "Celery worker and Celery beat until interrupted."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))

    def handle(self, *args, host, port, **options):
        with socket.socket() as probe:
            if probe.connect_ex((host, port)) == 0:
                raise CommandError(
                    f"Port {port} on {host} is already in use: stop what runs there, "
                    f"or choose another port with PORT=8001 make run."
                )
        call_command("migrate", interactive=False, verbosity=1)
        accounts = demo_load() if settings.DEBUG else (site_setup() or [])

        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        celery = [sys.executable, "-m", "celery", "-A", "elearning"]
        commands = {
            "web": manage + ["runserver", f"{host}:{port}"],
            "worker": celery + ["worker", "--loglevel=INFO", "--concurrency=2"],
            "beat": celery
            + ["beat", "--loglevel=INFO", "--schedule", settings.CELERY_BEAT_SCHEDULE_FILENAME],
        }
        os.makedirs(os.path.dirname(settings.CELERY_BEAT_SCHEDULE_FILENAME), exist_ok=True)
        # Each child gets its own process group, so stopping one stops what it spawned too.
        children = {
            name: subprocess.Popen(command, start_new_session=True, cwd=settings.BASE_DIR)
            for name, command in commands.items()
        }
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt))
        try:
            address = f"http://{host}:{port}"
            self._wait_for_health(address, children)
            self._print_banner(address, accounts)
            while all(child.poll() is None for child in children.values()):
                time.sleep(0.5)
            stopped = [name for name, child in children.items() if child.poll() is not None]
            raise CommandError(f"{', '.join(stopped)} stopped; stopping the rest.")
        except KeyboardInterrupt:
            self.stdout.write("\nStopping web server, worker and beat…")
        finally:
            self._stop(children)

    def _wait_for_health(self, address, children, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(child.poll() is not None for child in children.values()):
                return
            try:
                with urllib.request.urlopen(f"{address}/health/", timeout=2):
                    return
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        raise CommandError(f"The web server did not answer at {address}/health/ in {timeout} s.")

    def _print_banner(self, address, accounts):
        lines = [
            "",
            "=" * 72,
            f"The platform is running at {address}/",
            f"  Svenska: {address}/sv/    English: {address}/en/",
            f"  Authoring (Wagtail admin): {address}/admin/    Health: {address}/health/",
        ]
        if accounts:
            lines.append(f"Demo logins (password for all: {DEMO_PASSWORD}):")
            lines += [f"  {account.description:<14} {account.email}" for account in accounts]
        lines += ["Stop with Ctrl-C.", "=" * 72, ""]
        self.stdout.write(self.style.SUCCESS("\n".join(lines)))

    def _stop(self, children):
        for child in children.values():
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(child.pid, signal.SIGKILL)
