"""Custom fields on every create path: PostgREST, the Flask routes and the companion helper.

A user gives the user-visible fields when filing and reads them back; a value outside the
definition is a 400 naming the field and never quoting the value; a staff-only field is never
set by a user nor read by one, on any path.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from support_api import InvalidInput, PostgrestHandle, create_ticket_from_companion

SECRET_VALUE = "do-not-echo-7f3a"


@pytest.fixture(scope="module")
def fields(db) -> Iterator[None]:
    """A user-visible choice field and a staff-only number, for this module only."""
    db.execute(
        "insert into public.custom_fields "
        "(key, label, field_type, options, visible_to_user, position) values "
        "('zz_device', 'Device', 'one_of', '[\"phone\", \"tablet\"]', true, 90), "
        "('zz_internal_score', 'Internal score', 'number', null, false, 91)"
    )
    yield
    db.execute("delete from public.custom_fields where key like 'zz\\_%'")


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


def _headers(stack, user) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.jwt}", "apikey": stack.anon_key}


@pytest.mark.parametrize(
    "path",
    ["/rest/v1/rpc/create_support_ticket", "/api/support/tickets"],
    ids=["postgrest", "flask"],
)
def test_user_files_with_a_field_and_reads_it_back(fields, stack, http, make_user, path):
    user = make_user()
    body = {
        "ticket_type": "technical",
        "subject": "Sync fails",
        "description": "Nothing syncs",
        "fields": {"zz_device": "tablet"},
    }
    created = http.post(f"{stack.gateway_url}{path}", json=body, headers=_headers(stack, user))
    assert created.status_code in (200, 201), created.text
    ticket_id = created.json()["ticket_id"]
    detail = http.get(
        f"{stack.api_url}/support/tickets/{ticket_id}", headers=_headers(stack, user)
    )
    assert detail.status_code == 200, detail.text
    assert detail.json()["fields"] == {"zz_device": "tablet"}


@pytest.mark.parametrize(
    "path",
    ["/rest/v1/rpc/report_bug", "/api/support/report-bug"],
    ids=["postgrest", "flask"],
)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        (SECRET_VALUE, "fields.zz_device must be one of its options"),
        ([SECRET_VALUE], "fields.zz_device must be one of its options"),
    ],
    ids=["outside-options", "wrong-type"],
)
def test_a_bad_value_is_a_400_naming_the_field_not_the_value(
    fields, stack, http, make_user, path, value, message
):
    user = make_user()
    body = {"description": "Crash", "fields": {"zz_device": value}}
    answer = http.post(f"{stack.gateway_url}{path}", json=body, headers=_headers(stack, user))
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == message
    assert SECRET_VALUE not in answer.text


@pytest.mark.parametrize(
    "path",
    ["/rest/v1/rpc/report_bug", "/api/support/report-bug"],
    ids=["postgrest", "flask"],
)
def test_a_user_cannot_set_a_staff_only_field(fields, stack, http, make_user, path):
    user = make_user()
    body = {"description": "Crash", "fields": {"zz_internal_score": 3}}
    answer = http.post(f"{stack.gateway_url}{path}", json=body, headers=_headers(stack, user))
    assert answer.status_code == 400, answer.text
    assert answer.json()["code"] == "custom_field_unknown"
    assert "zz_internal_score" not in answer.text


def test_staff_only_values_never_reach_the_user(fields, stack, http, make_user, db):
    user = make_user()
    created = http.post(
        f"{stack.rest_url}/rpc/report_bug",
        json={"description": "Crash", "fields": {"zz_device": "phone"}},
        headers=_headers(stack, user),
    )
    assert created.status_code == 200, created.text
    ticket_id = created.json()["ticket_id"]
    db.execute(
        "insert into public.ticket_field_values (ticket_id, field_key, value) "
        "values (%s, 'zz_internal_score', '42')",
        (ticket_id,),
    )
    reads = [
        http.get(
            f"{stack.rest_url}/ticket_field_values",
            params={"select": "ticket_id,field_key,value,set_at"},
            headers=_headers(stack, user),
        ),
        http.get(f"{stack.rest_url}/custom_fields", headers=_headers(stack, user)),
        http.get(
            f"{stack.rest_url}/rpc/get_ticket",
            params={"ticket_id": ticket_id},
            headers=_headers(stack, user),
        ),
        http.get(f"{stack.api_url}/support/tickets/{ticket_id}", headers=_headers(stack, user)),
        http.get(
            f"{stack.rest_url}/ticket_events",
            params={"select": "kind,from_value,to_value"},
            headers=_headers(stack, user),
        ),
        http.get(f"{stack.rest_url}/rpc/export_my_data", headers=_headers(stack, user)),
        http.get(f"{stack.api_url}/me/export", headers=_headers(stack, user)),
    ]
    for read in reads:
        assert read.status_code == 200, read.text
        assert "zz_internal_score" not in read.text, read.url
    assert "zz_device" in reads[0].text


def test_the_companion_helper_files_fields(fields, stack, make_user, db):
    user = make_user()
    helper_db = PostgrestHandle(
        stack.rest_url, anon_key=stack.anon_key, jwt_secret=stack.jwt_secret
    )
    try:
        ticket_id = asyncio.run(
            create_ticket_from_companion(
                user_id=user.id,
                ticket_type="bug",
                description="It crashed",
                fields={"zz_device": "phone"},
                db=helper_db,
            )
        )
        with pytest.raises(InvalidInput) as refused:
            asyncio.run(
                create_ticket_from_companion(
                    user_id=user.id,
                    ticket_type="bug",
                    description="It crashed",
                    fields={"zz_device": SECRET_VALUE},
                    db=helper_db,
                )
            )
    finally:
        helper_db.close()
    assert refused.value.field == "fields.zz_device"
    assert SECRET_VALUE not in refused.value.message
    value = db.execute(
        "select value from public.ticket_field_values where ticket_id = %s", (ticket_id,)
    ).fetchone()
    assert value == ("phone",)
