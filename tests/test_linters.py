"""The linters that guard the migrations: squawk on their text, `supabase db lint` on the
functions they create (plpgsql_check). Splinter, Supabase's advisor, is run apart from the suite
(docs/architecture.md says how)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from support_dev.stack.paths import PROJECT_ROOT, Binaries
from support_dev.stack.supabase_cli import run_supabase

SQUAWK = Path(sys.executable).with_name("squawk")
SQUAWK_CONFIG = PROJECT_ROOT / ".squawk.toml"
MIGRATIONS = sorted((PROJECT_ROOT / "supabase" / "migrations").glob("*.sql"))
LINTED_SCHEMAS = "public,private"


def squawk(*args: str, sql: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SQUAWK), "--config", str(SQUAWK_CONFIG), "--reporter", "gcc", *args],
        input=sql, capture_output=True, text=True, timeout=120, cwd=PROJECT_ROOT,
    )


def db_lint(db_url: str, schemas: str) -> subprocess.CompletedProcess[str]:
    return run_supabase(Binaries.locate().supabase, "db", "lint", "--level", "warning",
                        "--fail-on", "warning", "--schema", schemas, db_url=db_url, timeout=120)


def test_squawk_finds_nothing_in_the_migrations():
    result = squawk(*map(str, MIGRATIONS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""  # the gcc reporter prints one line per finding


def test_squawk_as_configured_catches_a_migration_that_blocks_writes_to_a_big_table():
    # The configuration leaves out the rules that cannot apply inside a transaction, not the
    # ones that catch a long lock on a table that already holds rows.
    result = squawk("--stdin-filepath", "new_migration.sql", sql=(
        "create index support_tickets_subject_idx on public.support_tickets (subject);\n"
        "alter table public.support_tickets alter column subject type varchar(200);\n"
    ))
    assert result.returncode == 1
    found = {line.split(": ")[2].split()[0] for line in result.stdout.splitlines()
             if ": warning: " in line}
    assert found == {"require-concurrent-index-creation", "changing-column-type",
                     "prefer-text-field"}


@pytest.fixture(scope="module")
def plpgsql_check_available(db) -> None:
    # Debian's postgresql-15-plpgsql-check; the PostgreSQL 17 from npm has no build of it.
    if db.execute("select current_setting('server_version_num')::int >= 160000").fetchone()[0]:
        pytest.skip("plpgsql_check, which `supabase db lint` needs, is packaged for the "
                    "PostgreSQL 15 runs only (scripts/install-deps.sh); db lint runs there")


def test_supabase_db_lint_finds_nothing_in_public_and_private(stack, plpgsql_check_available):
    result = db_lint(stack.db_url, LINTED_SCHEMAS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == ""
    assert "No schema errors found" in result.stderr


def test_supabase_db_lint_reports_a_function_that_can_end_without_return(
    stack, db, plpgsql_check_available
):
    db.execute("create schema lint_probe")
    try:
        db.execute(
            "create function lint_probe.maybe(flag boolean) returns integer language plpgsql "
            "set search_path = '' as $$ begin if flag then return 1; end if; end $$"
        )
        result = db_lint(stack.db_url, "lint_probe")
    finally:
        db.execute("drop schema lint_probe cascade")
    assert result.returncode != 0
    [finding] = json.loads(result.stdout)
    assert finding["function"] == "lint_probe.maybe"
    assert [issue["message"] for issue in finding["issues"]] == [
        "control reached end of function without RETURN"
    ]
