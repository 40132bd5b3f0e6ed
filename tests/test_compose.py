"""docker-compose.yml, the Dockerfiles, .dockerignore and .env.example hang together.

No Docker engine is needed (none runs on the development machines or in CI): the files are
checked against the Compose specification and against each other, which catches the usual
breakages (a renamed service, an undeclared volume, a folder the image no longer copies, a
setting nobody documented) before anyone runs `docker compose up`.
"""

import ast
import fnmatch
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"
APP_DOCKERFILE = ROOT / "Dockerfile"

SERVICES = {"web", "worker", "beat", "postgres", "redis", "ralph"}
APP_SERVICES = ("web", "worker", "beat")
# Services whose data must outlive their container.
STATEFUL_SERVICES = ("postgres", "redis", "ralph")

# Every environment variable the settings read, apart from PORT (`make run` only).
DOCUMENTED_VARIABLES = [
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_SECRET_KEY",
    "DJANGO_DEBUG",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "DJANGO_SECURE_SSL_REDIRECT",
    "DJANGO_SECURE_HSTS_SECONDS",
    "SITE_URL",
    "CERTIFICATE_SIGNING_KEY",
    "CERTIFICATE_RETIRED_KEYS",
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_HOST_USER",
    "EMAIL_HOST_PASSWORD",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
    "LRS_ENDPOINT",
    "LRS_USERNAME",
    "LRS_PASSWORD",
    "VAR_DIR",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "LOG_LEVEL",
    "TRUSTED_PROXY_COUNT",
    "TRUSTED_PROXIES",
]


def _installed_packages() -> tuple[str, ...]:
    """The project's own top-level packages that the production settings install."""
    from elearning.settings import base

    tops = {app.split(".")[0] for app in base.INSTALLED_APPS}
    return tuple(sorted(top for top in tops if (ROOT / top / "__init__.py").exists()))


# What the app image must hold: every package production installs, manage.py, and the folders
# the settings find next to them (templates/ for TEMPLATES, static/ for STATICFILES_DIRS,
# locale/ for LOCALE_PATHS).
IMAGE_CONTENTS = (
    *("templates", "static", "locale"),
    *_installed_packages(),
    *("manage.py", "pyproject.toml"),
)
# Left empty in .env.example, so that no deployment runs on a published value.
SECRET_VARIABLES = [
    "DJANGO_SECRET_KEY",
    "CERTIFICATE_SIGNING_KEY",
    "EMAIL_HOST_PASSWORD",
    "LRS_PASSWORD",
    "POSTGRES_PASSWORD",
]
# Settings modules that deployments use (test.py reads CI-only variables).
DEPLOYED_SETTINGS = ["base.py", "dev.py", "production.py"]
ENV_READ = re.compile(
    r"""(?:os\.environ\.get\(|os\.environ\[|os\.getenv\(|\b(?:required|env_bool|env_list)\()"""
    r"""\s*["']([A-Z][A-Z0-9_]*)["']"""
)


@pytest.fixture(scope="module")
def compose() -> dict:
    return YAML(typ="safe").load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict:
    return compose.get("services") or {}


@pytest.fixture(scope="module")
def env_example() -> str:
    assert ENV_EXAMPLE.is_file(), ".env.example is missing (docker compose needs a .env from it)"
    return ENV_EXAMPLE.read_text(encoding="utf-8")


def environment_of(service: dict) -> dict:
    """A service's `environment:` as a dict, whichever of the two Compose forms it uses."""
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        return dict(item.split("=", 1) if "=" in item else (item, None) for item in environment)
    return dict(environment)


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with continuation lines joined and comments dropped."""
    instructions, pending = [], ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def copies(path: Path) -> list[tuple[list[str], str]]:
    """The (sources, destination) of each COPY in a Dockerfile (shell form)."""
    result = []
    for keyword, arguments in dockerfile_instructions(path):
        if keyword == "COPY":
            words = [word for word in shlex.split(arguments) if not word.startswith("--")]
            result.append((words[:-1], words[-1]))
    return result


def test_compose_file_follows_the_compose_specification():
    checker = Path(sys.executable).parent / "check-jsonschema"
    assert checker.exists(), f"{checker} is missing: pip install -e '.[test]'"
    result = subprocess.run(
        [str(checker), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, (
        f"docker-compose.yml does not follow the Compose specification:\n"
        f"{result.stdout}\n{result.stderr}"
    )


def test_compose_file_has_a_project_name_and_no_version(compose):
    assert compose.get("name"), "set the top-level `name:` (the project name)"
    assert "version" not in compose, "`version:` is obsolete in the Compose specification"


def test_every_service_is_defined(services):
    missing = SERVICES - set(services)
    assert not missing, f"services missing from docker-compose.yml: {sorted(missing)}"


def test_depends_on_names_defined_services(services):
    for name, service in services.items():
        targets = service.get("depends_on") or []
        for target in targets:  # a list of names or a mapping of name -> condition
            assert target in services, f"{name} depends on {target!r}, which is not a service"


def test_named_volumes_are_declared(compose, services):
    declared = set(compose.get("volumes") or {})
    used = set()
    for name, service in services.items():
        for volume in service.get("volumes") or []:
            if isinstance(volume, dict):
                source = volume.get("source") if volume.get("type", "volume") == "volume" else None
            else:
                source = volume.split(":", 1)[0] if ":" in volume else None
            if not source or source.startswith(("/", ".", "~", "$")):
                continue  # a bind mount or an anonymous volume
            used.add(source)
            assert source in declared, (
                f"{name} mounts the named volume {source!r}, which the top-level `volumes:` "
                f"does not declare (declared: {sorted(declared)})"
            )
    assert declared <= used, f"declared volumes no service mounts: {sorted(declared - used)}"


def test_stateful_services_keep_their_data_on_named_volumes(services):
    for name in STATEFUL_SERVICES:
        mounts = [
            volume
            for volume in services.get(name, {}).get("volumes") or []
            if isinstance(volume, dict) or not volume.startswith(("/", ".", "~"))
        ]
        assert mounts, f"{name} has no named volume: its data would go with the container"


def test_env_files_exist(services):
    for name, service in services.items():
        env_files = service.get("env_file") or []
        if isinstance(env_files, str):
            env_files = [env_files]
        for entry in env_files:
            path = entry["path"] if isinstance(entry, dict) else entry
            # .env is made from .env.example (cp .env.example .env) and never committed.
            checked = ".env.example" if Path(path).name == ".env" else path
            assert (ROOT / Path(path).parent / checked).is_file(), (
                f"{name} reads env_file {path!r}, but {checked} is not in the repository"
            )


def test_build_contexts_and_dockerfiles_exist(services):
    built = 0
    for name, service in services.items():
        build = service.get("build")
        if build is None:
            continue
        built += 1
        context, dockerfile = (
            (build, "Dockerfile")
            if isinstance(build, str)
            else (build.get("context", "."), build.get("dockerfile", "Dockerfile"))
        )
        assert (ROOT / context).is_dir(), f"{name}: build context {context!r} does not exist"
        assert (ROOT / context / dockerfile).is_file(), (
            f"{name}: {dockerfile!r} does not exist in the build context {context!r}"
        )
    assert built, "no service builds an image"


def test_every_service_has_a_healthcheck(services):
    for name, service in services.items():
        healthcheck = service.get("healthcheck") or {}
        test = healthcheck.get("test")
        assert test and not healthcheck.get("disable"), f"{name} has no healthcheck"
        assert test not in (["NONE"], "NONE"), f"{name} disables its healthcheck"


def test_depends_on_waits_for_healthy_backing_services(services):
    for name in APP_SERVICES:
        depends_on = services[name].get("depends_on") or {}
        assert isinstance(depends_on, dict), f"{name}: give depends_on conditions"
        for backing in ("postgres", "redis"):
            condition = (depends_on.get(backing) or {}).get("condition")
            assert condition == "service_healthy", (
                f"{name} must wait for {backing} to be healthy (condition: {condition})"
            )
    ralph = (services["web"].get("depends_on") or {}).get("ralph") or {}
    assert ralph.get("condition") == "service_healthy", (
        "web's /health/ checks the LRS: web must wait for ralph to be healthy"
    )


def test_app_services_use_production_settings_and_in_network_addresses(services):
    for name in APP_SERVICES:
        service = services[name]
        assert service.get("env_file"), f"{name} does not read .env"
        environment = environment_of(service)
        # manage.py and elearning/celery.py default to the dev settings.
        assert environment.get("DJANGO_SETTINGS_MODULE") == "elearning.settings.production", name
        assert "@postgres:5432/" in (environment.get("DATABASE_URL") or ""), (
            f"{name}: DATABASE_URL must point at the postgres service"
        )
        assert (environment.get("REDIS_URL") or "").startswith("redis://redis:6379/"), (
            f"{name}: REDIS_URL must point at the redis service"
        )
        assert (environment.get("LRS_ENDPOINT") or "").startswith("http://ralph:8100/xAPI"), (
            f"{name}: LRS_ENDPOINT must point at the ralph service"
        )


def test_beat_keeps_its_schedule_on_a_volume(services):
    beat = services["beat"]
    command = beat.get("command")
    words = shlex.split(command) if isinstance(command, str) else list(command)
    assert "--schedule" in words, "beat needs --schedule on a volume (it writes the file)"
    schedule = words[words.index("--schedule") + 1]
    targets = [volume.split(":")[1] for volume in beat.get("volumes") or []]
    assert any(schedule.startswith(target.rstrip("/") + "/") for target in targets), (
        f"beat's schedule {schedule} is not under one of its volumes {targets}"
    )


def test_env_example_documents_every_variable(env_example):
    lines = env_example.splitlines()
    for name in DOCUMENTED_VARIABLES:
        pattern = re.compile(rf"^#?\s*{name}=")
        found = [index for index, line in enumerate(lines) if pattern.match(line)]
        assert found, f".env.example does not document {name}"
        previous = lines[found[0] - 1] if found[0] else ""
        assert previous.startswith("#") and not re.match(r"^#\s*[A-Z][A-Z0-9_]*=", previous), (
            f".env.example: {name} needs an explaining comment on the line above it"
        )


def test_env_example_documents_what_the_settings_read(env_example):
    settings_dir = ROOT / "elearning" / "settings"
    read = {
        name
        for module in DEPLOYED_SETTINGS
        for name in ENV_READ.findall((settings_dir / module).read_text(encoding="utf-8"))
    }
    undocumented = sorted(
        name for name in read if not re.search(rf"^#?\s*{name}=", env_example, re.MULTILINE)
    )
    assert not undocumented, f"settings read these, but .env.example omits them: {undocumented}"


def test_env_example_leaves_the_secrets_empty(env_example):
    for name in SECRET_VARIABLES:
        match = re.search(rf"^{name}=(.*)$", env_example, re.MULTILINE)
        assert match, f".env.example does not list {name}"
        assert not match.group(1).strip(), f".env.example must not carry a value for {name}"


def test_app_image_layout():
    instructions = dockerfile_instructions(APP_DOCKERFILE)
    assert ("WORKDIR", "/app") in instructions, "the app lives in /app (BASE_DIR)"
    copied = {
        Path(source).as_posix().rstrip("/")
        for sources, _ in copies(APP_DOCKERFILE)
        for source in sources
    }
    for path in IMAGE_CONTENTS:
        assert path in copied, f"the app Dockerfile does not COPY {path}"
    for sources, _ in copies(APP_DOCKERFILE):
        for source in sources:
            assert any(ROOT.glob(source)) or "*" in source, f"COPY source {source} is missing"
    runs = [arguments for keyword, arguments in instructions if keyword == "RUN"]
    assert any(re.search(r"pip install\b.*\s\.(\s|$)", run) for run in runs), (
        "the image must `pip install .` the project from pyproject.toml"
    )
    collect = [run for run in runs if "collectstatic" in run]
    assert collect, "the image must run collectstatic (WhiteNoise serves the manifest files)"
    assert "--noinput" in collect[0]
    environment = " ".join(arguments for keyword, arguments in instructions if keyword == "ENV")
    assert "elearning.settings.production" in environment + collect[0], (
        "collectstatic must run under the production settings (manifest storage)"
    )
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users and users[-1] not in ("root", "0"), "the app image must not run as root"


def test_the_image_build_satisfies_the_production_settings(tmp_path):
    """The build's collectstatic runs under the production settings, which refuse to load
    without their required variables: it must set every one (throwaway values)."""
    (run,) = [
        arguments
        for keyword, arguments in dockerfile_instructions(APP_DOCKERFILE)
        if keyword == "RUN" and "collectstatic" in arguments
    ]
    words = shlex.split(run.split("&&")[0])
    assignments = dict(word.split("=", 1) for word in words if re.match(r"^[A-Z_]+=", word))
    command = [word for word in words if not re.match(r"^[A-Z_]+=", word)]
    assert command[:3] == ["python", "manage.py", "collectstatic"], command
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "SITE_URL", "CERTIF"))
    }
    environment.update(assignments)
    environment.update(
        DJANGO_SETTINGS_MODULE="elearning.settings.production",
        DATABASE_URL=f"sqlite:///{tmp_path / 'build.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
    )
    result = subprocess.run(
        [sys.executable, *command[1:], "--dry-run"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]


def test_dockerignore_keeps_the_image_lean_and_complete():
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        return any(fnmatch.fnmatch(path, pattern.rstrip("/")) for pattern in patterns)

    for path in (".venv", "var", ".git", "tests", ".env", "bench", "elearning/__pycache__"):
        assert ignored(path), f".dockerignore must exclude {path}"
    for path in IMAGE_CONTENTS:
        assert not ignored(path), f".dockerignore excludes {path}, which the image needs"


def test_healthcheck_scripts_are_copied_into_the_image(services):
    for name, service in services.items():
        build = service.get("build")
        if not isinstance(build, dict):
            continue
        dockerfile = ROOT / build.get("context", ".") / build.get("dockerfile", "Dockerfile")
        test = (service.get("healthcheck") or {}).get("test") or []
        words = shlex.split(test) if isinstance(test, str) else test[1:]
        for script in (word for word in words if word.startswith("/") and word.endswith(".py")):
            sources = [
                sources for sources, destination in copies(dockerfile) if destination == script
            ]
            assert sources, f"{name}'s healthcheck runs {script}, which its image does not COPY"


def test_web_healthcheck_asks_health_endpoint():
    script = (ROOT / "docker" / "healthcheck.py").read_text(encoding="utf-8")
    ast.parse(script)
    assert "/health/" in script


def test_ralph_image_is_configured_as_verified():
    dockerfile = (ROOT / "docker" / "ralph" / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"ralph-malph\[[^\]]*\blrs\b[^\]]*\]==5\.1\.\*", dockerfile), dockerfile
    assert "requests" in dockerfile, "ralph.api imports requests (its OIDC module)"
    launcher = (ROOT / "docker" / "ralph" / "launch.py").read_text(encoding="utf-8")
    ast.parse(launcher)
    # Without append mode Ralph's fs backend fails every write after the first.
    assert "FSDataBackend.default_operation_type = BaseOperationType.APPEND" in launcher
    compose_text = COMPOSE_FILE.read_text(encoding="utf-8")
    # The LRS server's fs backend reads RALPH_BACKENDS__LRS__FS__*, not ...__DATA__FS__*.
    assert "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH" in compose_text + dockerfile
    assert "/__heartbeat__" in compose_text
