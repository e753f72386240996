"""Refusals that quote nothing the caller sent, or as little as names them: a token whose sub is
not a user id, a body with many (or long) unknown fields, PostgREST's reserved paging
parameters on the list RPC, and values of the wrong type in filters and inserts on direct table
access (every typed column a user may filter on or insert into, from the catalog).
"""

from __future__ import annotations

import json
import re

import httpx
import psycopg
import pytest
from hostile_support import BY_RPC, MARKER, PATHS, assert_clear_error, headers_for
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from support_dev.stack.gateway_policy import PAGED_RPCS
from support_runtime.tokens import mint_jwt


@pytest.mark.parametrize("via", PATHS)
def test_a_token_whose_sub_is_not_a_user_id_gets_401_quoting_nothing(stack, via):
    token = mint_jwt(stack.jwt_secret, sub=MARKER)
    create = BY_RPC["report_bug"]
    answer = httpx.post(stack.gateway_url + create.path(via), json=create.body,
                        headers=headers_for(stack, token, via), timeout=10)
    assert_clear_error(answer, {401})
    assert answer.json()["code"] == "P0401"
    assert answer.json()["message"] == "The JWT's sub claim is not a user id"
    assert MARKER not in answer.text


@pytest.mark.parametrize("via", PATHS)
def test_many_unknown_fields_are_named_three_at_most(stack, make_user, via):
    create = BY_RPC["submit_feedback"]
    body = {**create.body, **{f"{MARKER}-{n:04d}": 1 for n in range(1000)}}
    answer = httpx.post(stack.gateway_url + create.path(via), content=json.dumps(body),
                        headers={**headers_for(stack, make_user().jwt, via),
                                 "Content-Type": "application/json"}, timeout=10)
    assert_clear_error(answer, {400})
    assert answer.json()["message"] == (
        f'unknown fields "{MARKER}-0000", "{MARKER}-0001", "{MARKER}-0002" and 997 more')
    assert len(answer.content) < 500


def test_a_long_unknown_field_name_is_quoted_cut(stack, make_user):
    create = BY_RPC["report_bug"]
    name = "x" * 10_000
    answer = httpx.post(stack.gateway_url + create.path("rest"), json={**create.body, name: 1},
                        headers=headers_for(stack, make_user().jwt, "rest"), timeout=10)
    assert_clear_error(answer, {400})
    assert answer.json()["message"] == 'unknown field "' + "x" * 63 + '…"'


@pytest.mark.parametrize("rpc", PAGED_RPCS)
@pytest.mark.parametrize("query", ["limit=5", "offset=1", "limit=abc",
                                   "status=open&limit=5&offset=0"])
def test_a_list_rpc_by_get_refuses_the_paging_parameters_it_cannot_honour(
    stack, make_user, rpc, query
):
    if stack.log_dir is None:
        pytest.skip("the refusal is the local gateway's")
    # Refused before the caller's role matters: a user asking for the staff queues is too.
    answer = httpx.get(f"{stack.rest_url}/rpc/{rpc}?{query}",
                       headers=headers_for(stack, make_user().jwt, "rest"), timeout=10)
    assert_clear_error(answer, {400})
    assert answer.json()["message"] == (f"{rpc} takes limit and offset in a POST body: in a GET "
                                        "query string PostgREST keeps them for itself")


def test_list_my_tickets_by_get_with_its_status_is_served(stack, make_user):
    answer = httpx.get(f"{stack.rest_url}/rpc/list_my_tickets?status=open",
                       headers=headers_for(stack, make_user().jwt, "rest"), timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"tickets": [], "total": 0}


# The column types whose text PostgreSQL parses (information_schema's data_type), with the
# message a value that is no such thing gets once the local gateway took the value out of it.
TYPE_ERRORS = {
    "uuid": "invalid input syntax for type uuid",
    "integer": "invalid input syntax for type integer",
    "smallint": "invalid input syntax for type smallint",
    "bigint": "invalid input syntax for type bigint",
    "boolean": "invalid input syntax for type boolean",
    "timestamp with time zone": "invalid input syntax for type timestamp with time zone",
    "interval": "invalid input syntax for type interval",
    "jsonb": "invalid input syntax for type json",
    "ARRAY": "malformed array literal",
}
INTEGERS = {"integer", "smallint", "bigint"}
# saved_views.columns is one: ?columns= names the columns of an insert's body.
POSTGREST_PARAMETERS = {"select", "order", "limit", "offset", "columns", "on_conflict"}


def typed_columns(db: psycopg.Connection, privilege: str) -> list[tuple[str, str, str]]:
    """(table, column, type) of every typed column of an exposed table that a signed-in user
    holds `privilege` on. A jsonb column is typed for a filter only: in an inserted body every
    JSON value, the marker's string too, is a jsonb value."""
    types = [t for t in TYPE_ERRORS if privilege == "SELECT" or t != "jsonb"]
    rows = db.execute(
        "select p.table_name, p.column_name, c.data_type"
        " from information_schema.column_privileges as p"
        " join information_schema.columns as c using (table_schema, table_name, column_name)"
        " where p.table_schema = 'public' and p.grantee = 'authenticated'"
        " and p.privilege_type = %s and c.data_type = any(%s) order by 1, 2",
        (privilege, types),
    ).fetchall()
    assert rows, f"no typed column a user may {privilege}"
    if privilege == "SELECT":
        # A query-string key PostgREST keeps for itself never reaches the database as a filter.
        rows = [row for row in rows if row[1] not in POSTGREST_PARAMETERS]
    return rows


def filtered(http: httpx.Client, stack, token: str, table: str, column: str,
             value: str) -> httpx.Response:
    return http.get(f"{stack.rest_url}/{table}", params={column: f"eq.{value}"},
                    headers=headers_for(stack, token, "rest"))


def inserted(http: httpx.Client, stack, token: str, table: str, column: str,
             value: str) -> httpx.Response:
    return http.post(f"{stack.rest_url}/{table}", json={column: value},
                     headers=headers_for(stack, token, "rest"))


def assert_type_error_quoting_nothing(answer: httpx.Response, value: str, data_type: str) -> None:
    assert_clear_error(answer, {400})
    error = answer.json()
    assert error["code"].startswith("22"), error
    assert error["message"] == TYPE_ERRORS[data_type], error
    assert error["details"] is None and error["hint"] is None, error
    assert value not in answer.text


@pytest.fixture
def local_gateway(stack) -> None:
    if stack.log_dir is None:
        pytest.skip("PostgreSQL quotes the value; the local gateway takes it out (README)")


@pytest.mark.parametrize("send", [filtered, inserted], ids=["filter", "insert"])
def test_a_value_of_the_wrong_type_is_refused_naming_the_type_not_the_value(
    stack, db, make_user, local_gateway, send
):
    token = make_user().jwt
    privilege = "SELECT" if send is filtered else "INSERT"
    with httpx.Client(timeout=10) as http:
        for table, column, data_type in typed_columns(db, privilege):
            answer = send(http, stack, token, table, column, MARKER)
            assert_type_error_quoting_nothing(answer, MARKER, data_type)


@pytest.mark.parametrize("send", [filtered, inserted], ids=["filter", "insert"])
def test_a_number_out_of_range_is_refused_without_quoting_it(
    stack, db, make_user, local_gateway, send
):
    token = make_user().jwt
    privilege = "SELECT" if send is filtered else "INSERT"
    number = "9" * 25 + "1234567"
    with httpx.Client(timeout=10) as http:
        for table, column, data_type in typed_columns(db, privilege):
            if data_type not in INTEGERS:
                continue
            answer = send(http, stack, token, table, column, number)
            assert_clear_error(answer, {400})
            assert answer.json() == {"code": "22003", "details": None, "hint": None,
                                     "message": f"value is out of range for type {data_type}"}


# Anything around the marker: quotes, backslashes, parentheses, commas, any script.
AROUND = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)


@pytest.mark.parametrize("send", [filtered, inserted], ids=["filter", "insert"])
def test_no_error_of_any_typed_column_quotes_what_was_sent(
    stack, db, make_user, local_gateway, send
):
    token = make_user().jwt
    columns = typed_columns(db, "SELECT" if send is filtered else "INSERT")

    @settings(max_examples=15, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(before=AROUND, after=AROUND)
    def property_(before: str, after: str) -> None:
        value = before + MARKER + after
        with httpx.Client(timeout=10) as http:
            for table, column, _ in columns:
                answer = send(http, stack, token, table, column, value)
                assert MARKER not in answer.text, (table, column, answer.text)
                if answer.status_code >= 400:
                    assert_clear_error(answer)

    property_()


@pytest.mark.parametrize(
    ("query", "message"),
    [(f"id={MARKER}", "failed to parse filter"),
     (f"id=eq.1&or=({MARKER})", "failed to parse logic tree"),
     (f"select=id,({MARKER}", "failed to parse select parameter")],
)
def test_a_filter_that_does_not_parse_is_refused_without_quoting_it(
    stack, make_user, local_gateway, query, message
):
    answer = httpx.get(f"{stack.rest_url}/support_tickets?{query}",
                       headers=headers_for(stack, make_user().jwt, "rest"), timeout=10)
    assert_clear_error(answer, {400})
    assert answer.json()["code"] == "PGRST100"
    assert answer.json()["message"] == message
    assert re.fullmatch(r"unexpected (character|end of input) expecting .*",
                        answer.json()["details"]), answer.json()
    assert MARKER not in answer.text


@pytest.mark.parametrize(
    ("header", "code", "field", "text"),
    [("Accept", "PGRST107", "message",
      "None of the media types in the Accept header are available"),
     ("Prefer", "PGRST122", "details", "Invalid preferences in the Prefer header")],
)
def test_a_refused_accept_or_prefer_header_is_not_quoted(
    stack, make_user, local_gateway, header, code, field, text
):
    value = MARKER if header == "Accept" else f"handling=strict, {MARKER}"
    answer = httpx.get(f"{stack.rest_url}/support_tickets",
                       headers={**headers_for(stack, make_user().jwt, "rest"), header: value},
                       timeout=10)
    assert_clear_error(answer, {400, 406, 415})
    assert answer.json()["code"] == code
    assert answer.json()[field] == text
    assert MARKER not in answer.text


@pytest.mark.parametrize(
    ("query", "code", "field", "text"),
    [("created_at=eq.2026-01-01 10:00 Hostile/{marker}", "22023", "message",
      "time zone not recognized"),
     ("created_at=eq.2026-02-31", "22008", "message", "date/time field value out of range"),
     ("limit=1&offset=987654321", "PGRST103", "details",
      "The requested offset is past the last of the 0 rows.")],
)
def test_a_time_zone_a_date_or_an_offset_out_of_range_is_not_quoted(
    stack, make_user, local_gateway, query, code, field, text
):
    answer = httpx.get(f"{stack.rest_url}/support_tickets?select=id&{query.format(marker=MARKER)}",
                       headers={**headers_for(stack, make_user().jwt, "rest"),
                                "Prefer": "count=exact"}, timeout=10)
    assert_clear_error(answer, {400, 416})
    assert answer.json()["code"] == code
    assert answer.json()[field] == text
    assert [sent for sent in (MARKER, "2026-02-31", "987654321") if sent in answer.text] == []


def test_a_long_unknown_column_name_is_cut(stack, make_user, local_gateway):
    name = "c" * 5000
    answer = httpx.post(f"{stack.rest_url}/support_tickets", json={name: 1},
                        headers=headers_for(stack, make_user().jwt, "rest"), timeout=10)
    assert_clear_error(answer, {400})
    assert answer.json()["code"] == "PGRST204"
    assert answer.json()["message"] == "Column '" + "c" * 192 + "…"


# set_email_notifications and retry_dead_notification take jsonb and text and check them
# themselves: these answers come from the database, so they hold on a hosted project too.
@pytest.mark.parametrize(
    ("body", "code", "message"),
    [({"kinds": MARKER, "enabled": False}, "notification_kinds_invalid",
      "kinds must be an array of notification kinds (strings)"),
     ({"kinds": [{"kind": MARKER}], "enabled": False}, "notification_kinds_invalid",
      "kinds must be an array of notification kinds (strings)"),
     ({"kinds": ["reply"], "enabled": MARKER}, "invalid_boolean", "enabled must be true or false")],
)
def test_email_preferences_of_the_wrong_type_are_refused_by_the_database_quoting_nothing(
    stack, make_user, body, code, message
):
    answer = httpx.post(f"{stack.rest_url}/rpc/set_email_notifications", json=body,
                        headers=headers_for(stack, make_user().jwt, "rest"), timeout=10)
    assert_clear_error(answer, {400})
    assert answer.json() == {"code": code, "details": None, "hint": None, "message": message}


@pytest.mark.parametrize("dead_id", [MARKER, "99999999999999999999999", -1])
def test_retrying_a_dead_notification_by_an_id_that_is_no_number_is_a_404_quoting_nothing(
    stack, db, make_user, dead_id
):
    admin = make_user()
    db.execute("insert into public.support_staff (user_id, role, display_name) "
               "values (%s, 'admin', 'Echo Admin')", (admin.id,))
    answer = httpx.post(f"{stack.rest_url}/rpc/retry_dead_notification", json={"id": dead_id},
                        headers=headers_for(stack, admin.jwt, "rest"), timeout=10)
    assert_clear_error(answer, {404})
    assert answer.json() == {"code": "dead_notification_not_found", "details": None, "hint": None,
                             "message": "No such dead notification"}
