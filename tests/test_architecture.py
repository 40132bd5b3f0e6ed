"""The shape of the code: the import-linter contracts hold, a new back-edge breaks them, no
app reaches for another app's private names, and events flow out of progress one way."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

APP_PACKAGES = (
    "elearning", "courses", "quizzes", "progress", "certificates", "xapi", "reports", "packages",
)  # fmt: skip
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
# Django's documented model API starts with an underscore; it is public all the same.
DJANGO_PUBLIC = {"_meta", "_default_manager", "_base_manager", "_state"}


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_the_import_contracts_are_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("progress/backedge_probe.py", "from certificates.services import certificate_issue"),
        ("courses/backedge_probe.py", "from quizzes.views import quiz_page"),
        ("xapi/backedge_probe.py", "from reports.selectors import learners"),
        ("elearning/accounts/backedge_probe.py", "from progress.selectors import dashboard"),
    ],
)
def test_a_new_back_edge_breaks_the_build(tmp_path, importer, imported):
    """The contracts are not vacuous: the same tree plus one upward import fails them."""
    for package in (*APP_PACKAGES, "demo"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    (tmp_path / importer).write_text(f"{imported}  # noqa\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


def _app_of(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "elearning" and len(parts) > 1 else parts[0]


def _modules():
    for package in (*APP_PACKAGES, "demo"):
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            yield module.removesuffix(".__init__"), path


def test_no_app_imports_another_apps_private_names():
    """``from other_app.x import _name`` and ``other_app.x._name`` across apps are refused:
    what an app offers others is what it does not mark private."""
    offences = []
    for module, path in _modules():
        own = _app_of(module)
        tree = ast.parse(path.read_text(), filename=str(path))
        aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if _app_of(node.module) == own or node.module.split(".")[0] not in (
                    *APP_PACKAGES,
                    "demo",
                ):
                    continue
                for name in node.names:
                    if name.name.startswith("_") and not name.name.startswith("__"):
                        offences.append(f"{module}: from {node.module} import {name.name}")
                    aliases[name.asname or name.name] = f"{node.module}.{name.name}"
            elif isinstance(node, ast.Import):
                for name in node.names:
                    if name.name.split(".")[0] in (*APP_PACKAGES, "demo"):
                        aliases[name.asname or name.name.split(".")[0]] = name.name
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and node.attr not in DJANGO_PUBLIC
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and _app_of(aliases[node.value.id]) != own
            ):
                offences.append(f"{module}: {node.value.id}.{node.attr}")
    assert offences == []


def test_progress_and_the_layers_below_import_no_app_above_them():
    """Events flow one way: progress and the layers below it never name the apps that
    consume learning events, not even inside a function."""
    consumers = ("certificates", "xapi", "reports", "quizzes", "demo")
    offences = []
    for module, path in _modules():
        if _app_of(module) not in (
            "progress",
            "courses",
            "elearning.core",
            "elearning.accounts",
            "elearning.organisations",
        ):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            offences += [f"{module} imports {n}" for n in names if n.split(".")[0] in consumers]
    assert offences == []
