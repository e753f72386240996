"""`support-stack`: the local Supabase-compatible stack, without Docker.

  support-stack [start]   bring everything up; Ctrl-C stops it
  support-stack token     mint a JWT for a local user (by id or email)
  support-stack reset     recreate the database: bootstrap, then `supabase db push`
  support-stack stop      stop a stack started in another terminal
"""

import argparse
import json
import os
import signal
import sys
import time
import uuid
from pathlib import Path

from support_dev.stack.config import PortTaken, StackConfig
from support_dev.stack.database import Database, DatabaseError
from support_dev.stack.paths import (
    DEFAULT_STATE_DIR,
    PG_BIN_ENV,
    Binaries,
    FolderNotReachable,
    MissingBinary,
)
from support_dev.stack.processes import ChildDied, Supervisor
from support_dev.stack.runner import Stack, Stop, install_stop_handlers
from support_runtime.tokens import mint_jwt


def say(line: str) -> None:
    print(line, flush=True)


def _state_file(state_dir: Path) -> Path:
    return state_dir / "run" / "stack.json"


def _running_state(state_dir: Path) -> dict | None:
    try:
        state = json.loads(_state_file(state_dir).read_text())
        os.kill(state["runner_pid"], 0)
    except (OSError, ValueError, KeyError):
        return None
    return state


def _config(args: argparse.Namespace) -> StackConfig:
    return StackConfig(
        state_dir=args.dir.resolve(),
        gateway_port=args.gateway_port,
        db_port=args.db_port,
        flask_workers=args.flask_workers,
        flask_threads=args.flask_threads,
        postgrest_pool=args.postgrest_pool,
        smtp_port=args.smtp_port,
        mail_web_port=args.mail_web_port,
        notification_workers=args.workers,
        triage_worker=not args.no_triage,
    )


def start(args: argparse.Namespace) -> int:
    if _running_state(args.dir.resolve()):
        say(f"A stack is already running from {args.dir}: stop it first (Ctrl-C there).")
        return 1
    config = _config(args)
    supervisor = Supervisor(config.log_dir)
    install_stop_handlers()
    stack = Stack(config, Binaries.locate(args.pg_bin), supervisor, say)
    say(f"Starting the local stack in {config.state_dir}")
    try:
        stack.start()
        say(stack.summary())
        reason = stack.serve_until_signal()
        say(f"Stopping: {reason}")
        return 1
    except Stop as stop:
        say(f"\nStopping ({stop}) ...")
        return 0
    finally:
        # A second signal (a closed terminal sends SIGHUP) must not cut the shutdown short and
        # leave the remaining parts running.
        for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, signal.SIG_IGN)
        supervisor.stop_all()
        _state_file(config.state_dir).unlink(missing_ok=True)
        say("Stopped every part of the stack.")


def stop(args: argparse.Namespace) -> int:
    state = _running_state(args.dir.resolve())
    if not state:
        say("No running stack found.")
        return 1
    os.kill(state["runner_pid"], signal.SIGTERM)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and _running_state(args.dir.resolve()):
        time.sleep(0.2)
    if _running_state(args.dir.resolve()):
        say(f"The stack's runner (pid {state['runner_pid']}) did not stop within 60 s; "
            f"its parts: {state['pids']}.")
        return 1
    say("Stopped.")
    return 0


def reset(args: argparse.Namespace) -> int:
    state_dir = args.dir.resolve()
    running = _running_state(state_dir)
    if running:
        port = int(running["db_url"].rsplit(":", 1)[1].split("/")[0])
        config = StackConfig(state_dir=state_dir, db_port=port)
        database = Database(config, Binaries.locate(args.pg_bin))
        say("Recreating the database of the running stack ...")
        database.recreate()
        database.psql("notify pgrst, 'reload schema';")
        say("Done: migrations and seed applied; PostgREST reloaded its schema.")
        return 0
    config = _config(args)
    config.check_ports()
    supervisor = Supervisor(config.log_dir)
    stack = Stack(config, Binaries.locate(args.pg_bin), supervisor, say)
    stack.prepare_folders()
    database = Database(config, stack.binaries)
    say("Recreating the database cluster ...")
    try:
        database.create_cluster()
        database.start(supervisor)
        for name in database.prepare(new=True):
            say(f"    applied {name}")
    finally:
        supervisor.stop_all()
    say("Done: the next `support-stack start` serves a fresh database.")
    return 0


def token(args: argparse.Namespace) -> int:
    state = _running_state(args.dir.resolve())
    port = int(state["db_url"].rsplit(":", 1)[1].split("/")[0]) if state else args.db_port
    database = Database(StackConfig(state_dir=args.dir.resolve(), db_port=port),
                        Binaries.locate(args.pg_bin))
    if not database.accepts_connections():
        say("The database is not running: start the stack first (`make dev`).")
        return 1
    user_id = args.user_id or ""
    email = args.email or ""
    # Local testing only: the user is created on the fly so their tickets satisfy the FK.
    row = database.psql(
        "insert into auth.users (id, aud, role, email, created_at, updated_at) "
        f"values (coalesce(nullif('{_quote(user_id)}', '')::uuid, gen_random_uuid()), "
        f"'authenticated', 'authenticated', nullif('{_quote(email)}', ''), now(), now()) "
        "on conflict do nothing;\n"
        "select id, coalesce(email, '') from auth.users "
        f"where id::text = '{_quote(user_id)}' or email = '{_quote(email)}' limit 1;"
    ).strip()
    found_id, _, found_email = row.partition("|")
    claims: dict[str, object] = {"sub": found_id, "role": "authenticated", "aud": "authenticated"}
    if found_email:
        claims["email"] = found_email
    # The hook GoTrue calls before it issues a token (adds staff_role for staff).
    event = json.dumps({"user_id": found_id, "claims": claims})
    issued = json.loads(database.psql(
        f"select public.custom_access_token_hook('{_quote(event)}'::jsonb) -> 'claims';"
    ))
    extra = {key: value for key, value in issued.items() if key not in ("sub", "role", "aud")}
    say(mint_jwt(_config(args).jwt_secret, sub=found_id, expires_in=args.expires_in, **extra))
    return 0


def _quote(text: str) -> str:
    return text.replace("'", "''")


def _uuid(text: str) -> str:
    return str(uuid.UUID(text))


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="support-stack", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--dir", type=Path, default=DEFAULT_STATE_DIR,
                        help="folder for the cluster, logs and configs (default: .stack/)")
    common.add_argument("--gateway-port", type=int, default=54321)
    common.add_argument("--db-port", type=int, default=54322)
    common.add_argument("--flask-workers", type=int, default=2)
    common.add_argument("--flask-threads", type=int, default=8)
    common.add_argument("--postgrest-pool", type=int, default=10)
    common.add_argument("--pg-bin", type=Path, default=None,
                        help="folder of the PostgreSQL server binaries (initdb, postgres) to "
                             f"run (default: ${PG_BIN_ENV}, else Debian's PostgreSQL 15)")
    common.add_argument("--smtp-port", type=int, default=54325, help="MailDev's SMTP port")
    common.add_argument("--mail-web-port", type=int, default=54324, help="MailDev's web port")
    common.add_argument("--workers", type=int, default=1,
                        help="support-worker processes to run (0: none)")
    common.add_argument("--no-triage", action="store_true",
                        help="do not run support-triage (the suggestion worker)")
    commands = root.add_subparsers(dest="command")
    commands.add_parser("start", parents=[common], help="run the stack (default)")
    commands.add_parser("stop", parents=[common], help="stop a running stack")
    commands.add_parser("reset", parents=[common], help="recreate the database")
    token_parser = commands.add_parser("token", parents=[common], help="mint a user JWT")
    who = token_parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--user-id", type=_uuid)
    who.add_argument("--email")
    token_parser.add_argument("--expires-in", type=int, default=3600, help="seconds")
    return root


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0].startswith("-") and argv[0] not in ("-h", "--help")):
        argv.insert(0, "start")
    args = parser().parse_args(argv)
    command = {"start": start, "stop": stop, "reset": reset, "token": token}[args.command]
    try:
        return command(args)
    except (MissingBinary, PortTaken, DatabaseError, ChildDied, FolderNotReachable) as problem:
        say(f"error: {problem}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
