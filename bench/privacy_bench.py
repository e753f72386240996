"""`python -m bench.privacy_bench`: export and erasure of one user with many tickets.

A user gets N tickets (default 10,000, `--tickets`), each with one reply, loaded in bulk
(triggers off). Then, as that user (request.jwt.claims, role authenticated, as PostgREST sets
them), `export_my_data()` is timed, with the size of the document and the peak memory of the
database backend that built it (VmHWM of its process, read from /proc where the database runs
on this machine), and the client's peak memory; then `erase_my_data()` is timed. Against the
stack of SUPABASE_DB_URL, else a throwaway stack of its own. Then a retention run: among
`--retention-total` resolved tickets (default 100,000), `--retention-due` (default 500) were
resolved two years ago; with resolved_tickets = 1 year, one `private.apply_retention(due)` is
timed and must anonymise exactly those (it reads them through a partial index, so its time
follows the due tickets, not the table). Printed, and written to
bench/results/privacy/<date>-<host>-privacy.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import time
import uuid
from pathlib import Path

import psycopg

from support_dev.stack.launch import make_state_dir, start_stack, stop_stack

RESULTS = Path(__file__).with_name("results") / "privacy"


def load_user(db: psycopg.Connection, tickets: int) -> str:
    user_id = str(uuid.uuid4())
    with db.transaction():
        db.execute("insert into auth.users (id, aud, role, email, created_at, updated_at) "
                   "values (%s, 'authenticated', 'authenticated', %s, now(), now())",
                   (user_id, f"bench-{user_id[:8]}@example.test"))
        db.execute("set local session_replication_role = replica")
        db.execute(
            "insert into public.support_tickets (id, user_id, ticket_type, subject, description, "
            "priority_order) select gen_random_uuid(), %s, 'technical', 'Bench ticket ' || n, "
            "repeat('Details. ', 20), 2 from generate_series(1, %s) as n", (user_id, tickets))
        db.execute(
            "insert into public.ticket_messages (ticket_id, author_id, author_kind, body) "
            "select t.id, %s, 'user', 'A follow-up.' from public.support_tickets as t "
            "where t.user_id = %s", (user_id, user_id))
    return user_id


def as_user(db: psycopg.Connection, user_id: str) -> None:
    claims = json.dumps({"sub": user_id, "role": "authenticated"})
    db.execute("select set_config('request.jwt.claims', %s, false)", (claims,))
    db.execute("set role authenticated")


def backend_peak_kib(db: psycopg.Connection) -> int | None:
    pid = db.execute("select pg_backend_pid()").fetchone()[0]
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def run(db_url: str, tickets: int) -> dict[str, object]:
    with psycopg.connect(db_url, autocommit=True) as db:
        began = time.perf_counter()
        user_id = load_user(db, tickets)
        loaded = time.perf_counter() - began
    with psycopg.connect(db_url, autocommit=True) as db:
        as_user(db, user_id)
        began = time.perf_counter()
        document = db.execute("select public.export_my_data()::text").fetchone()[0]
        exported = time.perf_counter() - began
        backend = backend_peak_kib(db)
        exported_tickets = len(json.loads(document)["tickets"])
        assert exported_tickets == tickets, f"exported {exported_tickets} of {tickets} tickets"
    with psycopg.connect(db_url, autocommit=True) as db:
        as_user(db, user_id)
        began = time.perf_counter()
        status = db.execute("select public.erase_my_data()::jsonb ->> 'status'").fetchone()[0]
        erased = time.perf_counter() - began
    return {
        "tickets": tickets, "load_s": round(loaded, 2), "export_s": round(exported, 2),
        "export_bytes": len(document), "backend_peak_kib": backend,
        "client_peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "erase_s": round(erased, 2), "erase_status": status,
    }


def retention(db_url: str, total: int, due: int) -> dict[str, object]:
    with psycopg.connect(db_url, autocommit=True) as db:
        user_id = str(uuid.uuid4())
        with db.transaction():
            db.execute("insert into auth.users (id, aud, role, email, created_at, updated_at) "
                       "values (%s, 'authenticated', 'authenticated', %s, now(), now())",
                       (user_id, f"bench-{user_id[:8]}@example.test"))
            db.execute("set local session_replication_role = replica")
            db.execute(
                "insert into public.support_tickets (user_id, ticket_type, subject, description, "
                "status, resolution, resolved_at, priority_order) select %s, 'technical', "
                "'Bench ' || n, 'Details.', 'resolved', 'Done', case when n <= %s "
                "then now() - interval '2 years' else now() - interval '1 day' end, 2 "
                "from generate_series(1, %s) as n", (user_id, due, total))
        db.execute("analyze public.support_tickets")
        saved = db.execute("select resolved_tickets from public.retention_settings").fetchone()[0]
        db.execute("update public.retention_settings set resolved_tickets = interval '1 year'")
        try:
            began = time.perf_counter()
            done = db.execute("select private.apply_retention(%s)::jsonb", (due,)).fetchone()[0]
            took = time.perf_counter() - began
        finally:
            db.execute("update public.retention_settings set resolved_tickets = %s", (saved,))
    assert done["tickets"] <= due, done
    return {"retention_total_tickets": total, "retention_due": due,
            "retention_anonymised": done["tickets"], "retention_run_s": round(took, 2)}


def report(figures: dict[str, object]) -> str:
    lines = [f"# Privacy bench, {datetime.date.today()} on {platform.node()}", "",
             "| figure | value |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in figures.items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--retention-total", type=int, default=100_000)
    parser.add_argument("--retention-due", type=int, default=500)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args()
    db_url = os.environ.get("SUPABASE_DB_URL")
    running = None
    if not db_url:
        running = start_stack(make_state_dir("sfa-privacy-bench-") / "stack",
                              extra_args=("--workers", "0", "--no-triage"))
        db_url = running.db_url
    try:
        figures = run(db_url, args.tickets)
        figures.update(retention(db_url, args.retention_total, args.retention_due))
        text = report(figures)
    finally:
        if running:
            stop_stack(running)
    print(text)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{datetime.date.today()}-{platform.node()}-privacy.md").write_text(text)


if __name__ == "__main__":
    main()
