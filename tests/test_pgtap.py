"""The pgTAP suites of supabase/tests/, run with pg_prove as `supabase test db` runs them."""

import os
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest

PGTAP_DIR = Path(__file__).resolve().parents[1] / "supabase" / "tests"
SUITES = sorted(PGTAP_DIR.glob("*.sql"))
# Files named 000-* install the test helpers; every other suite relies on them.
SETUP_SUITES = [suite for suite in SUITES if suite.name.startswith("000")]


def pg_prove(db_url: str, *suites: Path) -> subprocess.CompletedProcess[str]:
    url = urlsplit(db_url)
    return subprocess.run(
        ["pg_prove", "--verbose", "--failures", "-h", url.hostname, "-p", str(url.port),
         "-U", url.username, "-d", url.path.lstrip("/"), *map(str, suites)],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PGPASSWORD": url.password or ""},
    )


@pytest.fixture(scope="session")
def pgtap_ready(stack, db) -> str:
    db.execute("create extension if not exists pgtap with schema extensions")
    if SETUP_SUITES:
        result = pg_prove(stack.db_url, *SETUP_SUITES)
        assert result.returncode == 0, result.stdout + result.stderr
    return stack.db_url


@pytest.mark.parametrize("suite", SUITES, ids=[suite.name for suite in SUITES])
def test_pgtap_suite_passes(pgtap_ready, suite):
    result = pg_prove(pgtap_ready, suite)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All tests successful." in result.stdout
