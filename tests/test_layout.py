"""The layout's import rules (docs/architecture.md): what gunicorn runs imports no development
tooling; the workers import neither the API nor development tooling; the runtime kit imports
none of the processes; and tests share code through plain modules, never by importing a test
file."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_FOR_THE_RUNTIME = ("support_dev", "bench", "tests")
# What each package of a deployment may not import: a worker installed without the API's group
# (or a checkout's tooling) must still start, and the kit sits under all three processes.
FORBIDDEN = {
    "support_api": NOT_FOR_THE_RUNTIME,
    "support_worker": ("support_api", "support_triage", *NOT_FOR_THE_RUNTIME),
    "support_triage": ("support_api", "support_worker", *NOT_FOR_THE_RUNTIME),
    "support_runtime": ("support_api", "support_worker", "support_triage", *NOT_FOR_THE_RUNTIME),
}


def imported_modules(path: Path) -> set[str]:
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def python_files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize(
    "path",
    [path for package in FORBIDDEN for path in python_files(package)],
    ids=lambda path: str(path.relative_to(ROOT)),
)
def test_each_runtime_package_imports_only_what_it_may(path):
    forbidden = FORBIDDEN[path.relative_to(ROOT).parts[0]]
    assert {
        module for module in imported_modules(path) if module.split(".")[0] in forbidden
    } == set()


def test_the_worker_and_triage_start_without_flask_or_the_api():
    # Importing is what a missing group breaks: run each entry point's import in a fresh
    # interpreter and see which of the API's modules it loaded.
    loaded = subprocess.run(
        [sys.executable, "-c",
         "import sys, support_worker.cli, support_triage.cli; "
         "print(sorted({m.split('.')[0] for m in sys.modules} & {'flask', 'support_api', "
         "'support_dev', 'gunicorn', 'werkzeug'}))"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout.strip()
    assert loaded == "[]"


def test_no_test_file_imports_another():
    importing = {
        str(path.relative_to(ROOT)): sorted(
            module for module in imported_modules(path) if module.split(".")[-1].startswith("test_")
        )
        for path in python_files("tests")
    }
    assert {path: modules for path, modules in importing.items() if modules} == {}
