"""A clone in a folder only its owner may enter (`mktemp -d`; root's home, 0700 on Debian): run
as root, PostgreSQL and the gateway's workers are other users, who cannot enter it."""

import os
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from support_dev.stack.config import free_port
from support_dev.stack.launch import make_state_dir, start_stack, stop_stack
from support_dev.stack.paths import PROJECT_ROOT

pytestmark = [
    pytest.mark.local_stack,
    pytest.mark.skipif(os.geteuid() != 0, reason="only root's stack runs parts as other users"),
]


@pytest.fixture
def private_clone():
    """The project's files (as they are in the working tree) in a fresh 0700 folder, with
    node_modules linked, as `git clone` into `mktemp -d` leaves them."""
    folder = Path(tempfile.mkdtemp(prefix="sfa-private-"))
    assert folder.stat().st_mode & 0o777 == 0o700
    clone = folder / "clone"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT_ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = PROJECT_ROOT / name
        if name == "node_modules" or not source.is_file():
            continue
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, clone / name)
    (clone / "node_modules").symlink_to((PROJECT_ROOT / "node_modules").resolve())
    yield clone
    shutil.rmtree(folder, ignore_errors=True)


def _get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_the_dashboard_is_served_from_a_clone_in_a_private_folder(private_clone):
    state_dir = make_state_dir("sfa-private-state-") / "stack"
    stack = start_stack(state_dir, project_root=private_clone,
                        extra_args=("--workers", "0", "--no-triage"))
    try:
        page = _get(f"{stack.gateway_url}/dashboard/")
        assert page[:2] == (200, "text/html")
        assert b'<script src="config.js"></script>' in page[2]
        for path, marker in (("config.js", b"SUPPORT_DASHBOARD_CONFIG"),
                             ("app.js", b""), ("vendor/supabase.js", b"supabase"),
                             ("vendor/chart.js", b"Chart")):
            status, kind, body = _get(f"{stack.gateway_url}/dashboard/{path}")
            assert (status, kind) == (200, "text/javascript"), path
            assert marker in body, path
    finally:
        stop_stack(stack)
        shutil.rmtree(state_dir.parent, ignore_errors=True)


def test_a_stack_kept_inside_a_private_clone_is_refused_with_what_to_do(private_clone):
    result = subprocess.run(
        [sys.executable, "-m", "support_dev.stack", "start", "--dir", ".stack",
         "--gateway-port", str(free_port()), "--db-port", str(free_port()),
         "--smtp-port", str(free_port()), "--mail-web-port", str(free_port())],
        cwd=private_clone, env={**os.environ, "PYTHONPATH": str(private_clone)},
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert (f"error: PostgreSQL runs as `postgres`, who cannot enter {private_clone.parent} "
            "(drwx------, owner root)") in result.stdout
    assert "--dir /var/tmp/support-stack" in result.stdout
    assert "make dev STACK_DIR=" in result.stdout
