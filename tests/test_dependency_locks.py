"""The locked Python dependencies (requirements/, made by scripts/lock-deps.sh): each lock
satisfies what pyproject.toml asks of its group, pins every package with hashes, and the
process locks hold the versions the tests run (dev.txt); each process gets only its own heavy
dependencies. A change to pyproject.toml without a new lock fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
GROUPS = ("api", "worker", "triage", "dev")
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)")


def locked(group: str) -> dict[str, str]:
    """{package: version} of requirements/<group>.txt, checking each pin has a hash."""
    text = (ROOT / "requirements" / f"{group}.txt").read_text()
    pins: dict[str, str] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = PIN.match(block)
        if match:
            assert "--hash=sha256:" in block, f"{match[1]} is pinned without a hash"
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def asked(group: str) -> list[Requirement]:
    """What pyproject.toml asks for a group: the base dependencies, the group's, and those of
    the groups it names (support-api[api,...])."""
    requirements = [Requirement(line) for line in PROJECT["dependencies"]]
    for line in PROJECT["optional-dependencies"][group]:
        requirement = Requirement(line)
        if canonicalize_name(requirement.name) == canonicalize_name(PROJECT["name"]):
            for extra in sorted(requirement.extras):
                requirements += asked(extra)
        else:
            requirements.append(requirement)
    return requirements


@pytest.mark.parametrize("group", GROUPS)
def test_each_lock_satisfies_its_group_in_pyproject(group):
    pins = locked(group)
    unmet = [
        str(requirement)
        for requirement in asked(group)
        if not requirement.specifier.contains(
            pins.get(canonicalize_name(requirement.name), "0.0.0.dev0"), prereleases=True
        )
    ]
    assert unmet == [], "run `bash scripts/lock-deps.sh`"


@pytest.mark.parametrize("group", ["api", "worker", "triage"])
def test_a_process_lock_holds_the_versions_the_tests_run(group):
    dev = locked("dev")
    assert {name: version for name, version in locked(group).items()
            if dev.get(name) != version} == {}


def test_each_process_installs_only_its_own_heavy_dependencies():
    heavy = {"flask", "gunicorn", "scikit-learn", "scipy", "numpy", "psycopg", "pgmq", "torch"}
    assert {group: sorted(heavy & set(locked(group))) for group in GROUPS} == {
        "api": ["flask", "gunicorn"],
        "worker": ["psycopg"],
        "triage": ["numpy", "psycopg", "scikit-learn", "scipy"],
        "dev": ["flask", "gunicorn", "numpy", "pgmq", "psycopg", "scikit-learn", "scipy"],
    }
