"""docs/schema/ is what `python -m support_dev.docs` renders from the catalog of this stack's
freshly migrated database: a page per table and per function of public, private and api_guard.
"""

import shutil

import psycopg

from support_dev import schemadocs

STALE = f"docs/schema/ is stale: run {schemadocs.COMMAND}"


def test_the_schema_reference_is_current(db):
    assert schemadocs.stale(schemadocs.render(db), schemadocs.OUTPUT) == [], STALE


def test_every_table_and_function_has_a_page_that_shows_its_rules(db):
    pages = schemadocs.render(db)
    tickets = pages["public/tables/support_tickets.md"]
    assert "| `support_tickets_subject_max_length` | check |" in tickets
    assert "subject must be at most 255 characters" in tickets  # the constraint's message
    assert "`users read their own tickets`" in tickets
    assert "insert (user_id, ticket_type" in tickets  # column grants: what users may write
    queue = pages["public/functions/support_queue.md"]
    assert "| security | invoker |" in queue and "| execute granted to | authenticated |" in queue
    tables = db.execute(
        "select count(*) from pg_class where relkind in ('r', 'p') and relnamespace in "
        "('public'::regnamespace, 'private'::regnamespace, 'api_guard'::regnamespace)"
    ).fetchone()[0]
    assert sum("/tables/" in path for path in pages) == tables


def test_a_changed_schema_makes_the_reference_stale(stack, tmp_path):
    committed = tmp_path / "schema"
    shutil.copytree(schemadocs.OUTPUT, committed)
    (committed / "public" / "tables" / "support_tickets.md").write_text("# edited by hand\n")
    (committed / "public" / "tables" / "dropped_table.md").write_text("# gone\n")
    with psycopg.connect(stack.db_url) as connection:
        try:
            connection.execute("create table public.docs_probe (id int primary key)")
            connection.execute("comment on function public.report_bug(jsonb) is 'Reworded.'")
            pages = schemadocs.render(connection)
        finally:
            connection.rollback()
    assert schemadocs.stale(pages, committed) == [
        "README.md",
        "public/functions/report_bug.md",
        "public/tables/docs_probe.md",
        "public/tables/dropped_table.md",
        "public/tables/support_tickets.md",
    ]
