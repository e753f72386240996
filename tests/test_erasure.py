"""Erasure against the real stack: a user with data in every table erases themselves
(POST /api/me/erase), an admin erases a staff member (RPC support_erase_user), support-worker's
round removes their files through the Storage API, and then a walk over every column of every
table of public, private, pgmq, storage and auth, read from the catalog, finds neither their ids,
nor their emails, nor a word they wrote. A table added later without an erasure declaration
that holds a person fails this walk too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator

import httpx
import psycopg
import pytest
from psycopg import sql

from support_worker.attachments import ERASURE_VIEW, AttachmentCleanup
from support_worker.settings import WorkerSettings

SCHEMAS = ("public", "private", "pgmq", "storage", "auth")
BUCKET = "support-attachments"


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def worker_settings(stack) -> WorkerSettings:
    return WorkerSettings.from_env(
        {
            "SUPPORT_API_ENV": "local",
            "SUPPORT_WORKER_DB_URL": stack.db_url,
            "SUPABASE_URL": stack.gateway_url,
            "SUPABASE_JWT_SECRET": stack.jwt_secret,
            "SUPPORT_APP_URL": "http://127.0.0.1:3000",
            "SUPABASE_SERVICE_ROLE_KEY": stack.service_role_key,
            "SMTP_PORT": "2525",
        }
    )


def holders(db: psycopg.Connection, needles: list[str]) -> list[str]:
    """Every schema.table.column whose text holds one of the needles (case-insensitive)."""
    columns = db.execute(
        "select n.nspname, c.relname, a.attname from pg_catalog.pg_attribute as a "
        "join pg_catalog.pg_class as c on c.oid = a.attrelid "
        "join pg_catalog.pg_namespace as n on n.oid = c.relnamespace "
        "where n.nspname = any(%s) and c.relkind in ('r', 'p') and a.attnum > 0 "
        "and not a.attisdropped order by 1, 2, 3",
        (list(SCHEMAS),),
    ).fetchall()
    patterns = [f"%{needle}%" for needle in needles]
    found = []
    for schema, table, column in columns:
        query = sql.SQL("select exists (select 1 from {}.{} where {}::text ilike any(%s))").format(
            sql.Identifier(schema), sql.Identifier(table), sql.Identifier(column)
        )
        if db.execute(query, (patterns,)).fetchone()[0]:
            found.append(f"{schema}.{table}.{column}")
    return found


def fill_everything(db: psycopg.Connection, user, staff, marker: str) -> dict[str, str]:
    """Data of the user (and of the staff member as an actor) in every table that can hold it."""
    ticket, bug, other = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    db.execute(
        "insert into public.support_staff (user_id, role, display_name) values (%s, 'admin', "
        "'Staff')",
        (staff.id,),
    )
    db.execute(
        "insert into public.support_tickets (id, user_id, ticket_type, subject, description, "
        "meta_data) "
        "values (%s, %s, 'billing', %s, %s, %s)",
        (
            ticket,
            user.id,
            f"Charged twice {marker}",
            f"Card of {user.email} {marker}",
            json.dumps({"note": marker}),
        ),
    )
    db.execute(
        "insert into public.support_tickets (id, user_id, ticket_type, subject, description, "
        "steps_to_reproduce, device_info, app_version) values (%s, %s, 'bug', %s, %s, %s, %s, %s)",
        (
            bug,
            user.id,
            f"Crash {marker}",
            f"It crashes {marker}",
            f"Tap {marker}",
            f"Phone {marker}",
            "1.0",
        ),
    )
    # A ticket of someone else that the staff member works on: it keeps its text, loses them.
    someone = str(uuid.uuid4())
    db.execute(
        "insert into auth.users (id, aud, role, email, created_at, updated_at) "
        "values (%s, 'authenticated', 'authenticated', %s, now(), now())",
        (someone, f"someone-{someone[:8]}@example.test"),
    )
    db.execute(
        "insert into public.support_tickets (id, user_id, ticket_type, subject, description, "
        "assigned_to) "
        "values (%s, %s, 'billing', 'Refund', 'Please.', %s)",
        (other, someone, staff.id),
    )
    db.execute(
        "update public.support_tickets set assigned_to = %s where id = %s", (staff.id, ticket)
    )
    db.execute(
        "insert into public.ticket_messages (ticket_id, author_id, author_kind, body) "
        "values (%s, %s, 'user', %s)",
        (ticket, user.id, f"More about {marker}"),
    )
    message = db.execute(
        "insert into public.ticket_messages (ticket_id, author_id, author_kind, body) "
        "values (%s, %s, 'agent', %s) returning id",
        (ticket, staff.id, f"Dear {user.email}"),
    ).fetchone()[0]
    db.execute(
        "insert into public.ticket_messages (ticket_id, author_id, author_kind, body) "
        "values (%s, %s, 'agent', 'On it.')",
        (other, staff.id),
    )
    db.execute(
        "update public.support_tickets set status = 'resolved', resolution = %s where id = %s",
        (f"Refunded {marker}", ticket),
    )
    db.execute(
        "insert into public.ticket_ratings (ticket_id, user_id, rating, comment) values (%s, "
        "%s, 4, %s)",
        (ticket, user.id, f"Quick {marker}"),
    )
    feedback = db.execute(
        "insert into public.user_feedback (user_id, category, description, feature_name, "
        "meta_data) "
        "values (%s, 'feature_request', %s, %s, %s) returning id",
        (user.id, f"Dark mode {marker}", f"Theme {marker}", json.dumps({"m": marker})),
    ).fetchone()[0]
    db.execute(
        "update public.user_feedback set admin_response = %s where id = %s",
        (f"Thanks {marker}", feedback),
    )
    db.execute(
        "insert into public.feedback_tags (feedback_id, tag, added_by) values (%s, 'ui', %s)",
        (feedback, staff.id),
    )
    db.execute(
        "insert into public.ticket_tags (ticket_id, tag, added_by) values (%s, 'vip', %s)",
        (other, staff.id),
    )
    db.execute(
        "insert into public.custom_fields (key, label, field_type) values ('order_ref', "
        "'Order', 'text') "
        "on conflict do nothing"
    )
    db.execute(
        "insert into public.ticket_field_values (ticket_id, field_key, value, set_by) values "
        "(%s, 'order_ref', %s, %s), (%s, 'order_ref', '\"A-1\"', %s)",
        (ticket, json.dumps(marker), staff.id, other, staff.id),
    )
    db.execute(
        "insert into public.macros (name, body, owner_id) values (%s, %s, %s)",
        (f"My macro {marker}", f"Signed {staff.email}", staff.id),
    )
    # A vector made from the person's words (the stack's worker may have made it already).
    # The catalog walk cannot see a vector: its going is checked by id.
    db.execute(
        "insert into private.ticket_embeddings (ticket_id, model, embedding) values "
        "(%s, 'test', array_fill(0.05::real, array[384])::extensions.vector) "
        "on conflict (ticket_id) do nothing",
        (ticket,),
    )
    suggestion = db.execute(
        "insert into public.triage_suggestions (ticket_id, field, value, confidence, "
        "model_version) "
        "values (%s, 'priority', 'high', 0.9, 'test') returning id",
        (other,),
    ).fetchone()[0]
    db.execute(
        "insert into public.triage_labels (suggestion_id, ticket_id, field, suggested_value, "
        "chosen_value, applied, decided_by) values (%s, %s, 'priority', 'high', 'high', true, %s)",
        (suggestion, other, staff.id),
    )
    db.execute(
        "insert into public.ticket_events (ticket_id, kind, internal, actor_id, actor_kind, "
        "to_value) values (%s, 'assignee', true, %s, 'agent', %s)",
        (other, staff.id, staff.id),
    )
    db.execute(
        "insert into public.notification_preferences (user_id, kind, email) "
        "select %s, k.kind, false from public.notification_kinds as k limit 1",
        (user.id,),
    )
    db.execute(
        "insert into public.companion_conversations (user_id, intent) values (%s, 'bug')",
        (user.id,),
    )
    db.execute(
        "insert into private.idempotency_keys (user_id, key, operation, request_hash, response) "
        "values (%s, gen_random_uuid(), 'create_support_ticket', 'x', %s)",
        (user.id, json.dumps({"subject": marker})),
    )
    note = json.dumps(
        {"event_id": 1, "kind": "ticket_reply", "ticket_id": ticket, "recipient_id": user.id}
    )
    db.execute(
        "insert into pgmq.q_notifications (vt, message) values (now() + interval '1 hour', %s)",
        (note,),
    )
    db.execute(
        "insert into pgmq.a_notifications (msg_id, vt, message) values (%s, now(), %s)",
        (-(uuid.uuid4().int % 10**12), note),
    )
    db.execute(
        "insert into public.dead_notifications (msg_id, message, attempts, reason) "
        "values (%s, %s, 5, 'smtp refused')",
        (-(uuid.uuid4().int % 10**12), note),
    )
    for owner, owner_ticket in ((user, ticket), (staff, ticket)):
        folder = "staff" if owner is staff else owner.id
        path = f"{folder}/{owner_ticket}/{marker}.png"
        db.execute(
            "insert into storage.objects (bucket_id, name, owner, owner_id, metadata) "
            "values (%s, %s, %s, %s, %s)",
            (BUCKET, path, owner.id, owner.id, json.dumps({"size": 5, "mimetype": "image/png"})),
        )
        db.execute(
            "insert into public.ticket_attachments (ticket_id, message_id, object_name, linked_by) "
            "values (%s, %s, %s, %s)",
            (owner_ticket, message if owner is staff else None, path, owner.id),
        )
    db.execute(
        "insert into public.saved_views (name, owner_id, conditions) values (%s, %s, %s)",
        (f"Mine {marker}", staff.id,
         json.dumps({"match": "all", "conditions": [
             {"field": "requester", "op": "is", "value": user.email}]})),
    )
    db.execute(
        "insert into private.ticket_presence (ticket_id, user_id, state) values (%s, %s, 'typing')",
        (other, staff.id),
    )
    job = db.execute(
        "insert into private.bulk_jobs (requested_by, action, total) values (%s, %s, 1) "
        "returning id", (staff.id, json.dumps({"changes": {"assignee_id": staff.id}})),
    ).fetchone()[0]
    db.execute(
        "insert into private.bulk_job_items (job_id, ticket_id, position) values (%s, %s, 1)",
        (job, other),
    )
    db.execute(
        "insert into pgmq.q_bulk_actions (vt, message) values (now() + interval '1 hour', %s)",
        (json.dumps({"job_id": str(job), "requested_by": staff.id, "tickets": [other]}),),
    )
    post = db.execute(
        "insert into public.feedback_posts (title, description, category, created_by) "
        "values ('Dark mode', 'A dark theme', 'feature_request', %s) returning id", (staff.id,),
    ).fetchone()[0]
    db.execute("insert into public.post_votes (post_id, user_id) values (%s, %s)",
               (post, user.id))
    db.execute("insert into private.vote_ledger (user_id) values (%s)", (user.id,))
    db.execute("insert into public.post_unfollows (post_id, user_id) values (%s, %s)",
               (post, user.id))
    db.execute("insert into private.post_status_notices (post_id, user_id, from_status, "
               "to_status) values (%s, %s, 'under_review', 'planned')", (post, user.id))
    db.execute("insert into public.shared_feedback (feedback_id, display_name) values (%s, %s)",
               (feedback, f"Sam {marker}"))
    article = db.execute(
        "insert into public.help_articles (slug, title, body, author_id) "
        "values (%s, 'Erasure', 'Body', %s) returning id",
        (f"erasure-{uuid.uuid4().hex}", staff.id),
    ).fetchone()[0]
    db.execute("insert into public.help_article_votes (article_id, user_id, helpful) "
               "values (%s, %s, true)", (article, user.id))
    db.execute("insert into public.help_article_events (offer_id, article_id, kind, user_id, "
               "ticket_id) values (gen_random_uuid(), %s, 'ticket_filed', %s, %s)",
               (article, user.id, ticket))
    db.execute("insert into public.companion_help_offers (user_id, offer_id, intent, details, "
               "article_ids) values (%s, gen_random_uuid(), 'bug', %s, array[%s]::uuid[])",
               (user.id, f"It crashes {marker}", article))
    return {"ticket": ticket, "feedback": str(feedback), "other": other}


def test_after_erasure_no_column_of_the_catalog_holds_the_person(stack, db, http, make_user):
    user, staff, admin = make_user(), make_user(), make_user()
    db.execute(
        "insert into public.support_staff (user_id, role, display_name) values (%s, 'admin', "
        "'Boss')",
        (admin.id,),
    )
    marker = f"zq{uuid.uuid4().hex[:10]}"
    made = fill_everything(db, user, staff, marker)
    needles = [user.id, staff.id, user.email, staff.email, marker]
    assert len(holders(db, needles)) > 20, "the data was not everywhere to begin with"

    erased = http.post(f"{stack.api_url}/me/erase", headers=bearer(user.jwt))
    assert erased.status_code == 200, erased.text
    assert erased.json()["status"] == "removing_files"
    by_admin = http.post(
        f"{stack.rest_url}/rpc/support_erase_user",
        json={"user_id": staff.id},
        headers={"apikey": stack.anon_key, **bearer(admin.jwt)},
    )
    assert by_admin.status_code == 200, by_admin.text

    cleanup = AttachmentCleanup(worker_settings(stack), ERASURE_VIEW)
    try:
        # (A supervised worker may have taken them already: either way, none is left.)
        assert cleanup.run_round().failure is None
    finally:
        cleanup.close()
    assert db.execute("select count(*) from public.erasure_objects").fetchone()[0] == 0
    db.execute("select private.continue_erasures()")
    # The app deletes the accounts afterwards (or instead: the trigger erases then).
    db.execute("delete from auth.users where id = any(%s::uuid[])", ([user.id, staff.id],))

    assert holders(db, needles) == []
    assert db.execute(
        "select count(*) from private.ticket_embeddings where ticket_id = %s", (made["ticket"],)
    ).fetchone() == (0,)
    # The figures stay: the tickets and the rating are there, without the person.
    ticket = db.execute(
        "select user_id, subject, status from public.support_tickets where id = %s",
        (made["ticket"],),
    ).fetchone()
    assert ticket == (None, "[erased]", "resolved")
    assert db.execute(
        "select rating from public.ticket_ratings where ticket_id = %s", (made["ticket"],)
    ).fetchone() == (4,)
    assert db.execute(
        "select subject, assigned_to from public.support_tickets where id = %s", (made["other"],)
    ).fetchone() == ("Refund", None)
    tombstones = db.execute(
        "select requested_as, requested_by, status, subject_id from private.erasures "
        "where requested_at > now() - interval '5 minutes' and requested_as in ('self', 'admin') "
        "order by id desc limit 2"
    ).fetchall()
    assert sorted(t[0] for t in tombstones) == ["admin", "self"]
    assert all(t[2] == "done" and t[3] is None for t in tombstones)
    assert (uuid.UUID(admin.id),) in [(t[1],) for t in tombstones]


def test_erasure_is_idempotent_and_resumes_after_a_crash_midway(stack, db, http, make_user):
    user, staff = make_user(), make_user()
    marker = f"zq{uuid.uuid4().hex[:10]}"
    fill_everything(db, user, staff, marker)
    # A crash midway: the first steps are done and recorded, the rest not.
    erasure = db.execute(
        "insert into private.erasures (subject_id, subject_hash, salt, requested_as) "
        "values (%s, 'h', 's', 'database') returning id",
        (user.id,),
    ).fetchone()[0]
    first = db.execute(
        "select table_name, erasure_rows from private.table_registry "
        "where erasure = 'delete' and erasure_order <= 10"
    ).fetchall()
    for table, rows in first:
        db.execute(
            sql.SQL("delete from {} where {}").format(
                sql.SQL(table), sql.SQL(rows.replace("%", "%%").replace("$1", "%(user)s::uuid"))
            ),
            {"user": user.id},
        )
        db.execute(
            "insert into private.erasure_steps (erasure_id, table_name, affected) "
            "values (%s, %s, 0)",
            (erasure, table),
        )
    # Running again takes up the rest only.
    state = db.execute("select private.erase_user(%s, 'database')", (user.id,)).fetchone()[0]
    assert state == {"erasure_id": erasure, "status": "removing_files"}
    assert (
        db.execute(
            "select count(*) from private.erasure_steps where erasure_id = %s", (erasure,)
        ).fetchone()[0]
        == db.execute(
            "select count(*) from private.table_registry where erasure <> 'none'"
        ).fetchone()[0]
    )
    # Re-running the whole erasure (a new request) is harmless and finishes it.
    db.execute("delete from private.erasure_steps where erasure_id = %s", (erasure,))
    again = db.execute("select private.erase_user(%s, 'database')", (user.id,)).fetchone()[0]
    assert again["erasure_id"] == erasure
    cleanup = AttachmentCleanup(worker_settings(stack), ERASURE_VIEW)
    try:
        cleanup.run_round()
    finally:
        cleanup.close()
    db.execute("select private.continue_erasures()")
    assert db.execute(
        "select status, subject_id from private.erasures where id = %s", (erasure,)
    ).fetchone() == ("done", None)
    erased = http.post(f"{stack.api_url}/me/erase", headers=bearer(user.jwt))
    assert erased.status_code == 200 and erased.json()["status"] == "done"
    # The account itself is the app's (auth.users): erasing support data leaves it.
    remaining = [c for c in holders(db, [user.id, user.email]) if not c.startswith("auth.")]
    assert remaining == [], remaining


def test_erasing_needs_a_signed_in_user(stack, http):
    answer = http.post(f"{stack.api_url}/me/erase")
    assert answer.status_code == 401, answer.text
    anon = http.post(
        f"{stack.rest_url}/rpc/erase_my_data",
        json={},
        headers={"apikey": stack.anon_key, **bearer(stack.anon_key)},
    )
    assert anon.status_code in (401, 403), anon.text
