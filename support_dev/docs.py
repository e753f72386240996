"""Regenerate every generated document in one go: the API reference (docs/api-reference.md)
and the schema reference (docs/schema/).

    python -m support_dev.docs            # rewrite them
    python -m support_dev.docs --check    # exit 1 when one is stale

It starts a stack of its own on free ports from this checkout's migrations (about a minute)
and stops it after, unless SUPABASE_URL, SUPABASE_JWT_SECRET and SUPABASE_DB_URL name a
running one (`make dev`'s, say). Run it after merging SQL changes; the staleness tests print
this command.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass

from support_dev import apidocs, schemadocs
from support_dev.stack.launch import make_state_dir, start_stack, stop_stack


@dataclass(frozen=True)
class Target:
    rest_url: str
    db_url: str
    jwt_secret: str


@contextlib.contextmanager
def target() -> Iterator[Target]:
    url, secret = os.environ.get("SUPABASE_URL"), os.environ.get("SUPABASE_JWT_SECRET")
    db_url = os.environ.get("SUPABASE_DB_URL")
    if url and secret and db_url:
        yield Target(url.rstrip("/") + "/rest/v1", db_url, secret)
        return
    state_dir = make_state_dir("sfa-docs-") / "stack"
    print("starting a stack of its own (about a minute)", flush=True)
    running = start_stack(state_dir, extra_args=("--workers", "0", "--no-triage"))
    try:
        yield Target(running.state["rest_url"], running.state["db_url"],
                     running.state["jwt_secret"])
    finally:
        stop_stack(running)
        shutil.rmtree(state_dir.parent, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m support_dev.docs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--check", action="store_true", help="fail if a document is stale")
    args = parser.parse_args(argv)
    check = ["--check"] if args.check else []
    with target() as stack:
        failed = apidocs.main(
            ["--postgrest-url", stack.rest_url, "--jwt-secret", stack.jwt_secret, *check])
        failed |= schemadocs.main(["--db-url", stack.db_url, *check])
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
