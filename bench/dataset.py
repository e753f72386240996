"""Users, tokens and tickets for the benchmarks, generated in the database itself."""

import contextlib
from collections.abc import Iterator

import psycopg

from support_runtime.tokens import mint_jwt

STATUS_SPREAD = """
    case when g %% 10 = 0 then 'open' when g %% 10 = 1 then 'in_progress'
         when g %% 10 < 8 then 'resolved' else 'closed' end"""
TYPES = "(array['bug', 'technical', 'billing', 'account', 'other'])[1 + g %% 5]"


def user_id(number: int) -> str:
    return f"00000000-0000-4000-8000-{number:012d}"


def create_users(db: psycopg.Connection, first: int, count: int) -> None:
    db.execute(
        """
        insert into auth.users (id, aud, role, email, created_at, updated_at)
        select ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid,
               'authenticated', 'authenticated', 'bench-' || n || '@example.test', now(), now()
        from generate_series(%s::bigint, %s::bigint) as n
        on conflict do nothing
        """,
        (first, first + count - 1),
    )


def tokens(secret: str, first: int, count: int) -> list[str]:
    return [
        mint_jwt(secret, sub=user_id(n), expires_in=6 * 3600)
        for n in range(first, first + count)
    ]


def add_tickets(db: psycopg.Connection, first_user: int, users: int, per_user: int, *,
                indexes_afterwards: bool = False) -> None:
    """`users * per_user` tickets, all older than the rate-limit window, as support loads
    history: triggers off (`replica`), constraints still checked. `indexes_afterwards` for a
    load larger than the table so far (the scale runs' 1M and 10M): building the indexes once
    costs less than maintaining them row by row; for a small load into a big table it is the
    other way round."""
    load = indexes_built_afterwards(db) if indexes_afterwards else contextlib.nullcontext()
    with load:
        _insert_tickets(db, first_user, users, per_user)
    # Measure the steady state of a big table, not the aftermath of a bulk load: statistics
    # current, visibility map set, and the load's dirty pages written out before any timing.
    db.execute("vacuum analyze public.support_tickets")
    db.execute("checkpoint")


def _insert_tickets(db: psycopg.Connection, first_user: int, users: int, per_user: int) -> None:
    db.execute("set session_replication_role = replica")
    try:
        db.execute(
            f"""
            insert into public.support_tickets
                (user_id, ticket_type, subject, description, status, priority, priority_order,
                 created_at, updated_at)
            select ('00000000-0000-4000-8000-' || lpad((%s + g %% %s)::text, 12, '0'))::uuid,
                   {TYPES}, 'Ticket ' || g,
                   'Generated ticket ' || g || ': the app did something unexpected.',
                   {STATUS_SPREAD},
                   p.code, p.rank,  -- the rank the trigger, off here, would copy
                   now() - interval '2 hours' - (g %% 525600) * interval '1 minute',
                   now() - interval '1 hour'
            from generate_series(0::bigint, %s::bigint - 1) as g
            join public.ticket_priorities as p
                on p.code = (array['low', 'medium', 'high', 'urgent'])[1 + g %% 4]
            """,
            (first_user, users, users * per_user),
        )
    finally:
        db.execute("set session_replication_role = origin")


@contextlib.contextmanager
def indexes_built_afterwards(db: psycopg.Connection) -> Iterator[None]:
    """Millions of rows load several times faster into support_tickets without its secondary
    indexes (a GIN index maintained row by row is most of a load's time); the same definitions
    are built again afterwards, so what the benchmarks time is the table as migrated."""
    indexes = db.execute(
        """
        select i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        from pg_index as i
        where i.indrelid = 'public.support_tickets'::regclass
            and not exists (select 1 from pg_constraint as c where c.conindid = i.indexrelid)
        """
    ).fetchall()
    for name, _definition in indexes:
        db.execute(f"drop index {name}")
    try:
        yield
    finally:
        db.execute("set maintenance_work_mem = '1GB'")
        for _name, definition in indexes:
            db.execute(definition)
        db.execute("reset maintenance_work_mem")


def grow_history(db: psycopg.Connection, history_load: str, current: int, target: int) -> None:
    """Tickets `current` to `target` of a closed history (`history_load` takes the first and the
    end of a range), bulk-loaded as support loads an archive: triggers off (`replica`), a
    million rows a statement, the indexes built once at the end."""
    with indexes_built_afterwards(db):
        db.execute("set session_replication_role = replica")
        try:
            step = 1_000_000
            for first in range(current, target, step):
                db.execute(history_load, (first, min(first + step, target)))
        finally:
            db.execute("set session_replication_role = origin")
    # Measure the steady state of a big table, not the aftermath of a bulk load.
    db.execute("vacuum analyze")
    db.execute("checkpoint")


def ticket_count(db: psycopg.Connection) -> int:
    return db.execute("select count(*) from public.support_tickets").fetchone()[0]


def any_ticket_of(db: psycopg.Connection, number: int) -> str:
    row = db.execute(
        "select id from public.support_tickets where user_id = %s limit 1", (user_id(number),)
    ).fetchone()
    return str(row[0])


NOOP_RPC = """
create or replace function public.bench_noop() returns json
    language sql stable
as $$ select '{"ok": true}'::json $$;
revoke execute on function public.bench_noop() from public, anon;
grant execute on function public.bench_noop() to authenticated;
notify pgrst, 'reload schema';
"""
