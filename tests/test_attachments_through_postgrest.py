"""Attachments through PostgREST with real JWTs: linking an upload to a ticket, reading it back
in get_ticket, and the clean-up's list for service_role.

There is no Storage server locally, so an upload is the row the Storage API writes once it has
stored the file (as its super user, with the uploader as owner); the policies that decide who
may upload are proven by pgTAP (supabase/tests/91-*.sql).
"""

from __future__ import annotations

import json

import pytest
from postgrest.exceptions import APIError
from supabase import create_client

TICKET = {"ticket_type": "technical", "subject": "Crash on start", "description": "It crashes."}


def stored_upload(db, owner_id: str, path: str, *, size: int = 2048, mimetype: str = "image/png"):
    db.execute(
        "insert into storage.objects (bucket_id, name, owner, owner_id, metadata) "
        "values ('support-attachments', %s, %s, %s, %s)",
        (path, owner_id, owner_id, json.dumps({"size": size, "mimetype": mimetype})),
    )


@pytest.fixture
def ticket_with_upload(make_user, user_client, db):
    owner = make_user()
    ticket_id = user_client(owner).rpc("create_support_ticket", TICKET).execute().data["ticket_id"]
    path = f"{owner.id}/{ticket_id}/screen.png"
    stored_upload(db, owner.id, path)
    return owner, ticket_id, path


def test_owner_links_an_upload_and_reads_it_back_as_a_path(ticket_with_upload, user_client):
    owner, ticket_id, path = ticket_with_upload
    client = user_client(owner)
    linked = client.table("ticket_attachments").insert(
        {"ticket_id": ticket_id, "object_name": path}
    ).execute().data[0]
    assert (linked["linked_by"], linked["bucket_id"], linked["message_id"]) == (
        owner.id, "support-attachments", None)

    detail = client.rpc("get_ticket", {"ticket_id": ticket_id}).execute().data
    [attachment] = detail["attachments"]
    shown = {k: attachment[k] for k in ("attachment_id", "path", "name", "content_type", "size")}
    assert shown == {
        "attachment_id": linked["id"], "path": path, "name": "screen.png",
        "content_type": "image/png", "size": 2048,
    }


def test_another_user_neither_links_nor_sees_the_owners_file(ticket_with_upload, make_user,
                                                              user_client):
    owner, ticket_id, path = ticket_with_upload
    other = user_client(make_user())
    with pytest.raises(APIError) as refused:
        other.table("ticket_attachments").insert(
            {"ticket_id": ticket_id, "object_name": path}
        ).execute()
    assert refused.value.code == "42501"
    assert refused.value.details is None
    user_client(owner).table("ticket_attachments").insert(
        {"ticket_id": ticket_id, "object_name": path}
    ).execute()
    seen = other.table("ticket_attachments").select("id").eq("ticket_id", ticket_id).execute()
    assert seen.data == []


def test_a_link_to_a_path_of_another_ticket_is_refused(ticket_with_upload, user_client):
    owner, _ticket_id, path = ticket_with_upload
    client = user_client(owner)
    second = client.rpc("create_support_ticket", TICKET).execute().data["ticket_id"]
    with pytest.raises(APIError) as refused:
        client.table("ticket_attachments").insert(
            {"ticket_id": second, "object_name": path}
        ).execute()
    assert refused.value.code == "23514"
    assert "ticket_attachments_object_name_in_ticket" in refused.value.message
    assert refused.value.details is None


def test_only_service_role_reads_the_clean_up_list(ticket_with_upload, user_client, stack, db):
    owner, _ticket_id, path = ticket_with_upload
    db.execute(
        "update storage.objects set created_at = now() - interval '25 hours' "
        "where bucket_id = 'support-attachments' and name = %s",
        (path,),
    )
    service = create_client(stack.gateway_url, stack.service_role_key)
    listed = service.table("unlinked_attachment_objects").select("name, owner_id").eq(
        "name", path).execute().data
    assert listed == [{"name": path, "owner_id": owner.id}]

    with pytest.raises(APIError) as refused:
        user_client(owner).table("unlinked_attachment_objects").select("name").execute()
    assert refused.value.code == "42501"
    anonymous = create_client(stack.gateway_url, stack.anon_key)
    with pytest.raises(APIError) as refused:
        anonymous.table("ticket_attachments").select("id").execute()
    assert refused.value.code == "42501"
