"""Django's own checks, migrations in step with models, and a deployable production config."""

import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from certificates.signing import key_line_new
from tests.conftest import ROOT


def test_system_checks_pass():
    call_command("check", fail_level="WARNING")


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def production_env() -> dict[str, str]:
    """Every variable production requires, with throwaway values."""
    return {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "elearning.settings.production",
        "DJANGO_SECRET_KEY": "x" * 64 + "-a-long-random-production-key",
        "CERTIFICATE_SIGNING_KEY": key_line_new("test"),
        "DJANGO_ALLOWED_HOSTS": "folkhalsa.example.se",
        "SITE_URL": "https://folkhalsa.example.se",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/elearning",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }


def test_production_settings_pass_the_deploy_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def production_run(*command: str, **changes) -> subprocess.CompletedProcess:
    """``manage.py command`` under the production settings, with ``changes`` to the
    environment (None: unset)."""
    env = production_env()
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("value", [None, "", "elearning.example.se", "ftp://elearning.example.se"])
def test_production_refuses_to_start_without_a_site_url(value):
    result = production_run("check", SITE_URL=value)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SITE_URL" in result.stderr


def test_production_uses_the_site_url_it_is_given():
    show = (
        "from django.conf import settings; print(settings.SITE_URL, settings.WAGTAILADMIN_BASE_URL)"
    )
    result = production_run(
        "shell", "--verbosity=0", "-c", show, SITE_URL="https://kurser.example.se/"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["https://kurser.example.se", "https://kurser.example.se"]


def test_production_settings_refuse_to_start_without_secrets():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))}
    env["DJANGO_SETTINGS_MODULE"] = "elearning.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr


@pytest.mark.parametrize(
    "name", ["lessons", "databases", "quiz", "reports", "xapi", "certificates"]
)
def test_every_benchmark_module_imports(name):
    """The benchmarks are not run by the tests (bench/README.md), so an import they share
    that goes away (``free_port`` once, which broke bench-quiz) is caught here."""
    import importlib

    importlib.import_module(f"bench.{name}")
