"""The migration policy (docs/architecture.md, "Migrations"): rewritten in place until a
migration is deployed, append-only after.

    python -m support_dev.migrations check    # exit 1 when a deployed migration was touched
    python -m support_dev.migrations record   # after `supabase db push`: list what it applied

supabase/deployed-migrations.txt lists every migration a deploy has applied, one
``<sha256>  <file name>`` line each (``sha256sum``'s format). A listed file may never change
or go, and a new file must sort after the last listed one: `supabase db push` applies files by
version and refuses one older than the last it applied (unless told `--include-all`).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIGRATIONS = ROOT / "supabase" / "migrations"
MANIFEST = ROOT / "supabase" / "deployed-migrations.txt"
RECORD_COMMAND = "python -m support_dev.migrations record"
HEADER = f"""\
# Migrations applied to the production project by `supabase db push`, in order:
# <sha256 of the file>  <file name>. Append-only (docs/architecture.md, "Migrations"):
# a listed file never changes and never goes; a new file sorts after the last one here.
# After each deploy: {RECORD_COMMAND}
"""


@dataclass(frozen=True)
class Deployed:
    name: str
    sha256: str


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(manifest: Path) -> list[Deployed]:
    deployed = []
    for number, line in enumerate(manifest.read_text().splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        sha256, _, name = line.partition("  ")
        if len(sha256) != 64 or not name:
            raise ValueError(f"{manifest.name} line {number}: expected '<sha256>  <file name>'")
        deployed.append(Deployed(name=name, sha256=sha256))
    return deployed


def violations(migrations: Path, manifest: Path) -> list[str]:
    """Every way the migrations folder breaks the manifest, one sentence each."""
    deployed = read_manifest(manifest)
    present = {path.name: path for path in migrations.glob("*.sql")}
    problems = []
    for entry in deployed:
        path = present.get(entry.name)
        if path is None:
            problems.append(f"{entry.name} was deployed and is gone: restore it")
        elif digest(path) != entry.sha256:
            problems.append(
                f"{entry.name} was deployed and has changed since: restore it and put the "
                "change in a new migration"
            )
    if deployed:
        last = max(entry.name for entry in deployed)
        listed = {entry.name for entry in deployed}
        problems += [
            f"{name} is new but sorts before {last}, the last deployed migration: give it a "
            "later timestamp"
            for name in sorted(present)
            if name not in listed and name < last
        ]
    return problems


def record(migrations: Path, manifest: Path) -> list[str]:
    """Append the migrations not yet listed; a deploy applies every file in the folder."""
    problems = violations(migrations, manifest)
    if problems:
        return problems
    listed = {entry.name for entry in read_manifest(manifest)}
    new = [path for path in sorted(migrations.glob("*.sql")) if path.name not in listed]
    with manifest.open("a") as out:
        out.writelines(f"{digest(path)}  {path.name}\n" for path in new)
    return []


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m support_dev.migrations",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["check", "record"])
    parser.add_argument("--migrations", type=Path, default=MIGRATIONS)
    parser.add_argument("--manifest", type=Path, default=MANIFEST)
    args = parser.parse_args(argv)
    if args.command == "record" and not args.manifest.exists():
        args.manifest.write_text(HEADER)
    act = violations if args.command == "check" else record
    problems = act(args.migrations, args.manifest)
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
