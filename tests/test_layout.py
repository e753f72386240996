"""The layout's import rules (docs/architecture.md): what gunicorn runs imports no development
tooling, and tests share code through plain modules, never by importing a test file."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOT_FOR_THE_RUNTIME = ("support_dev", "bench", "tests")


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
    "path", python_files("support_api"), ids=lambda path: str(path.relative_to(ROOT))
)
def test_the_runtime_package_imports_no_development_tooling(path):
    assert {
        module
        for module in imported_modules(path)
        if module.split(".")[0] in NOT_FOR_THE_RUNTIME
    } == set()


def test_no_test_file_imports_another():
    importing = {
        str(path.relative_to(ROOT)): sorted(
            module for module in imported_modules(path) if module.split(".")[-1].startswith("test_")
        )
        for path in python_files("tests")
    }
    assert {path: modules for path, modules in importing.items() if modules} == {}
