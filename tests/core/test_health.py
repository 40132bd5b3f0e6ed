"""/health/: JSON status of the database, the broker and the LRS; 503 when one is down."""

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from tests.conftest import ROOT


@pytest.mark.django_db
def test_healthy_services_answer_200(client, redis_broker):
    response = client.get("/health/")
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["checks"]["database"]["ok"] is True
    assert data["checks"]["broker"]["ok"] is True
    assert data["checks"]["lrs"] == {"ok": True, "configured": False}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_broker_that_is_down_gives_503(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/health/")
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "error"
    assert data["checks"]["broker"]["ok"] is False
    assert data["checks"]["database"]["ok"] is True


class _LRS(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self):  # noqa: N802 - http.server's hook name
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"version": ["1.0.3"]}')

    def log_message(self, *args):
        pass


@pytest.fixture
def local_lrs():
    """A stand-in for a remote LRS; ``.status`` sets what /about answers."""
    handler = type("Handler", (_LRS,), {})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.handler = handler
    yield server
    server.shutdown()


@pytest.mark.django_db
def test_the_lrs_is_checked_once_configured(client, settings, local_lrs, redis_broker):
    settings.LRS_ENDPOINT = f"http://127.0.0.1:{local_lrs.server_port}/xAPI/"
    assert client.get("/health/").status_code == 200
    local_lrs.handler.status = 500
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"]["lrs"]["ok"] is False


def test_a_database_that_is_down_gives_503():
    """Run the check in a fresh process whose database address has nobody listening."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "elearning.settings.dev",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:1/elearning",
    }
    code = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/health/', HTTP_HOST='localhost');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 503
    assert outcome["body"]["checks"]["database"] == {"ok": False, "error": "OperationalError"}
