"""Refusals that quote nothing the caller sent, or as little as names them: a token whose sub is
not a user id, a body with many (or long) unknown fields, and PostgREST's reserved paging
parameters on the list RPC.
"""

from __future__ import annotations

import json

import httpx
import pytest
from hostile_support import BY_RPC, MARKER, PATHS, assert_clear_error, headers_for

from support_api.tokens import mint_jwt


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


@pytest.mark.parametrize("query", ["limit=5", "offset=1", "status=open&limit=5&offset=0"])
def test_list_my_tickets_by_get_refuses_the_paging_parameters_it_cannot_honour(
    stack, make_user, query
):
    if stack.log_dir is None:
        pytest.skip("the refusal is the local gateway's")
    answer = httpx.get(f"{stack.rest_url}/rpc/list_my_tickets?{query}",
                       headers=headers_for(stack, make_user().jwt, "rest"), timeout=10)
    assert_clear_error(answer, {400})
    assert "limit and offset" in answer.json()["message"]


def test_list_my_tickets_by_get_with_its_status_is_served(stack, make_user):
    answer = httpx.get(f"{stack.rest_url}/rpc/list_my_tickets?status=open",
                       headers=headers_for(stack, make_user().jwt, "rest"), timeout=10)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"tickets": [], "total": 0}
