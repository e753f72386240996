"""Hypothesis against every create, through PostgREST and through the Flask layer.

Bodies are written as raw JSON text so they can hold what no JSON library writes: duplicate
keys, nesting thousands deep. Fields get random Unicode, control characters, NUL, lone
surrogates, lengths around the limits, wrong types and unknown names. The property, for each
request by a fresh user: either a 4xx with a clear message in PostgREST's error shape and
nothing stored for that user, or 200 and exactly one row, holding exactly what was sent (for
a duplicated key, its last value, as both PostgreSQL's jsonb and Python's json keep). Never a
5xx.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from contract import ANSWERS
from hostile_support import (
    BY_RPC,
    CREATES,
    MARKER,
    PATHS,
    Create,
    assert_clear_error,
    count_rows,
    headers_for,
    post_json_text,
)
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from psycopg.rows import dict_row

from support_api.settings import DEFAULT_MAX_BODY_BYTES

ABSENT = object()  # a field left out of the body


@dataclass(frozen=True)
class Raw:
    """A JSON fragment sent as written: nesting deeper than json.dumps can write."""

    text: str


def nested(depth: int, kind: str) -> Raw:
    if kind == "array":
        return Raw("[" * depth + "]" * depth)
    return Raw('{"a":' * depth + "1" + "}" * depth)


@dataclass(frozen=True)
class Members:
    """An object written member by member, so that a key may appear twice."""

    pairs: tuple[tuple[str, Any], ...]


def to_json(value: Any, ascii_only: bool) -> str:
    if isinstance(value, Raw):
        return value.text
    if isinstance(value, Members | dict):
        pairs = value.pairs if isinstance(value, Members) else value.items()
        return "{" + ",".join(f"{json.dumps(key, ensure_ascii=ascii_only)}:"
                              f"{to_json(item, ascii_only)}" for key, item in pairs) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(item, ascii_only) for item in value) + "]"
    return json.dumps(value, ensure_ascii=ascii_only)


def wire(body: Any, ascii_only: bool) -> bytes:
    # A lone surrogate written as raw UTF-8 is invalid UTF-8 on the wire: hostile too.
    return to_json(body, ascii_only).encode("utf-8", errors="surrogatepass")


def weighted(likely: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
    """`likely` seven times in eight: most bodies are nearly valid, so many reach the tables."""
    return st.integers(0, 7).flatmap(lambda n: rare if n == 0 else likely)


CONTROL = st.characters(codec="utf-8", min_codepoint=1, max_codepoint=0x9F, categories=["Cc"])
ODD = st.sampled_from(["\u2028", "\u2029", "\ufeff", "\u200b", "\ufffe", "\uffff", "\U0010ffff",
                       "\u0301", "\U0001f600", "\u202e"])
# Text PostgreSQL can store: any Unicode but NUL, control and odd characters included.
STORABLE_TEXT = st.one_of(
    st.text(max_size=120),
    st.text(st.one_of(CONTROL, ODD, st.characters()), min_size=1, max_size=40),
    st.text(min_size=1, max_size=20).map(lambda text: f"{MARKER} {text}"),
)
TEXT = st.one_of(
    STORABLE_TEXT,
    st.tuples(st.text(max_size=10), st.text(max_size=10)).map(lambda p: f"{p[0]}\x00{p[1]}"),
    st.sampled_from(["\ud800", "a\udfff", "\udbff\udfff"]),  # lone surrogates: not Unicode
    # Around the 5,000 limit, in a character of two UTF-8 bytes.
    st.integers(4990, 5010).map(lambda n: "é" * n),
)
HOSTILE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.floats(allow_nan=False, allow_infinity=False),
    st.lists(TEXT, max_size=3),
    st.dictionaries(st.text(max_size=5), TEXT, max_size=3),
    st.builds(nested, st.integers(1, 3000), st.sampled_from(["array", "object"])),
)


def field(likely: st.SearchStrategy) -> st.SearchStrategy:
    return weighted(likely, st.one_of(HOSTILE, TEXT, st.just(ABSENT)))


def one_of_or_text(*values: str) -> st.SearchStrategy:
    return weighted(st.sampled_from(values), TEXT)


URL = st.one_of(
    st.text(st.characters(codec="ascii", categories=["L", "N"]), min_size=1, max_size=30).map(
        lambda path: f"https://example.com/{path}.png"
    ),
    st.just("http://example.com/a.png"),
)
FIELDS: dict[str, dict[str, st.SearchStrategy]] = {
    "report_bug": {
        "description": field(STORABLE_TEXT),
        "steps_to_reproduce": field(STORABLE_TEXT),
        "expected_behavior": field(STORABLE_TEXT),
        "actual_behavior": field(STORABLE_TEXT),
        "device_info": field(STORABLE_TEXT),
        "app_version": field(st.text(max_size=60)),
        "screenshot_urls": field(st.lists(URL, max_size=6)),
    },
    "submit_feedback": {
        "category": field(
            one_of_or_text("feature_request", "improvement", "complaint", "praise", "other")
        ),
        "description": field(STORABLE_TEXT),
        "rating": field(st.one_of(st.integers(-1, 7), st.sampled_from([4.0, 2.5, 1e2]))),
        "feature_name": field(st.text(max_size=120)),
        "would_recommend": field(st.booleans()),
    },
    "create_support_ticket": {
        "ticket_type": field(one_of_or_text("bug", "technical", "billing", "account", "other")),
        "subject": field(st.text(max_size=300)),
        "description": field(STORABLE_TEXT),
        "priority": field(one_of_or_text("low", "medium", "high", "urgent")),
    },
}
REQUIRED = {
    "report_bug": {"description"},
    "submit_feedback": {"category", "description"},
    "create_support_ticket": {"ticket_type", "subject", "description"},
}
UNKNOWN_KEYS = st.one_of(
    st.sampled_from(["status", "user_id", "admin_notes", "id", "", "description ", MARKER]),
    st.text(max_size=8),
)


@st.composite
def bodies(draw: st.DrawFn, rpc: str) -> Any:
    """Mostly an object of the operation's fields; sometimes any other JSON value instead."""
    if draw(st.integers(0, 19)) == 0:
        return draw(HOSTILE)
    fields = FIELDS[rpc]
    pairs = [(name, value) for name in fields
             if (value := draw(fields[name] if name in REQUIRED[rpc]
                               else st.one_of(st.just(ABSENT), fields[name]))) is not ABSENT]
    if draw(st.integers(0, 5)) == 0:
        pairs.append((draw(UNKNOWN_KEYS), draw(st.one_of(TEXT, HOSTILE))))
    if pairs and draw(st.integers(0, 3)) == 0:
        # The same key twice, with another value: before or after the first one.
        index = draw(st.integers(0, len(pairs) - 1))
        twin = (pairs[index][0], draw(st.one_of(TEXT, HOSTILE)))
        pairs.insert(draw(st.integers(0, len(pairs))), twin)
    return Members(tuple(pairs))


TICKET_COLUMNS = ["user_id", "ticket_type", "subject", "description", "status", "priority",
                  "steps_to_reproduce", "expected_behavior", "actual_behavior", "device_info",
                  "app_version", "screenshot_urls"]
FEEDBACK_COLUMNS = ["user_id", "category", "description", "rating", "feature_name",
                    "would_recommend", "status"]


def expected_row(db: Any, create: Create, sent: dict[str, Any], user_id: str) -> dict[str, Any]:
    """The row a body must have become: every field as sent, JSON null as not given."""
    given_ = {name: sent.get(name) for name in FIELDS[create.rpc]}
    if create.rpc == "submit_feedback":
        return {"user_id": user_id, **given_, "status": "received"}
    bug_details = ("steps_to_reproduce", "expected_behavior", "actual_behavior",
                   "device_info", "app_version", "screenshot_urls")
    row = {"user_id": user_id, "status": "open", "subject": None, "ticket_type": "bug",
           **dict.fromkeys(bug_details), **given_}
    row["priority"] = row.get("priority") or "medium"
    if row["priority"] == "urgent":
        row["priority"] = "high"  # a user's urgent is a request: support raises it
    if row["ticket_type"] == "bug" and row["subject"] is None:
        # A bug report's subject, when not given, is its description's first line.
        derived = db.execute("select private.bug_subject(%s)", (row["description"],))
        row["subject"] = derived.fetchone()[0]
    return row


def stored_row(db: Any, create: Create, row_id: str) -> dict[str, Any] | None:
    columns = FEEDBACK_COLUMNS if create.table == "user_feedback" else TICKET_COLUMNS
    with db.cursor(row_factory=dict_row) as cursor:
        found = cursor.execute(
            f"select {', '.join(columns)} from public.{create.table} where id = %s", (row_id,)
        ).fetchone()
    if found:
        found["user_id"] = str(found["user_id"])
    return found


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def outcomes() -> Counter[tuple[str, str, str]]:
    """(rpc, path, outcome) over all examples: the property must have seen both outcomes."""
    return Counter()


def meaning(body: Any) -> dict[str, Any]:
    """The object a JSON parser reads from `body`: the last value of a repeated key, escapes
    decoded and surrogate pairs joined."""
    assert isinstance(body, Members), "only an object can be accepted"
    last = dict(body.pairs)
    assert not any(isinstance(value, Raw) for value in last.values()), "accepted deep nesting"
    return {key: json.loads(to_json(value, ascii_only=True)) for key, value in last.items()}


def check_answer(
    db: Any, create: Create, user_id: str, body: Any, response: httpx.Response
) -> str:
    assert response.status_code < 500, (response.status_code, response.text)
    if response.status_code != 200:
        assert_clear_error(response)
        assert count_rows(db, user_id) == 0, "refused, yet something was stored"
        return "refused"
    sent = meaning(body)
    answer = response.json()
    assert list(answer) == ANSWERS[create.rpc][0], answer
    stored = stored_row(db, create, answer[create.id_key])
    assert stored == expected_row(db, create, sent, user_id), (sent, stored)
    assert count_rows(db, user_id) == 1
    return "stored"


@pytest.mark.parametrize("via", PATHS)
@pytest.mark.parametrize("rpc", list(BY_RPC))
def test_create_refuses_clearly_or_stores_exactly_what_was_sent(
    stack, db, http, make_user, outcomes, rpc, via
):
    create = BY_RPC[rpc]

    @settings(max_examples=80, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(body=bodies(rpc), ascii_only=st.booleans())
    def property_(body: Any, ascii_only: bool) -> None:
        user = make_user()
        response = post_json_text(http, stack, create.path(via), user.jwt,
                                  wire(body, ascii_only), via)
        outcome = check_answer(db, create, user.id, body, response)
        event(f"{response.status_code} {outcome}")
        outcomes[(rpc, via, outcome)] += 1

    property_()
    assert outcomes[(rpc, via, "stored")] >= 5, outcomes
    assert outcomes[(rpc, via, "refused")] >= 5, outcomes


@pytest.mark.parametrize("via", PATHS)
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_ten_megabyte_body_gets_a_413_in_the_error_shape_and_stores_nothing(
    stack, db, http, make_user, via, chunked
):
    user = make_user()

    def ten_megabytes() -> Iterator[bytes]:
        yield b'{"description": "' + MARKER.encode()
        yield from [b"x" * 1_000_000] * 10
        yield b'"}'

    # Chunked: no Content-Length up front, so the gateway must count as it reads.
    response = http.post(
        stack.gateway_url + BY_RPC["report_bug"].path(via),
        content=ten_megabytes() if chunked else b"".join(ten_megabytes()),
        headers={**headers_for(stack, user.jwt, via), "Content-Type": "application/json"},
    )
    assert_clear_error(response, {413})
    # The gateway's own refusal, at the Flask layer's cap (one setting for both).
    assert response.json()["code"] == "GATEWAY413"
    assert response.json()["message"] == (
        f"Request body too large: at most {DEFAULT_MAX_BODY_BYTES} bytes"
    )
    assert count_rows(db, user.id) == 0


@pytest.mark.parametrize("create", CREATES, ids=[create.rpc for create in CREATES])
def test_a_body_just_under_the_gateway_cap_reaches_the_database_and_is_refused_there(
    stack, db, http, make_user, create
):
    user = make_user()
    body = {**create.body, "description": "é" * 500_000}  # 1 MB of UTF-8, minus a little
    for via in PATHS:
        response = post_json_text(http, stack, create.path(via), user.jwt,
                                  json.dumps(body, ensure_ascii=False).encode(), via)
        assert_clear_error(response, {400})
        assert response.json()["message"] == "description must be at most 5000 characters"
    assert count_rows(db, user.id) == 0


# Numbers a Python JSON parser cannot hold as written: 1e400 becomes inf (which no JSON encoder
# writes back), 1e-400 becomes 0.0 and 4.0000000000000000001 becomes 4.0. jsonb keeps them, so
# the Flask layer must pass the body on as it came for both paths to answer alike.
NUMBERS = ["1e400", "-1e400", "1e-400", "4.0000000000000000001"]


@pytest.mark.parametrize("number", NUMBERS)
def test_a_number_python_cannot_hold_gets_the_same_answer_on_both_paths(
    stack, db, http, make_user, number
):
    text = f'{{"category": "other", "description": "{MARKER}", "rating": {number}}}'.encode()
    answers = {}
    for via in PATHS:
        user = make_user()
        answers[via] = post_json_text(http, stack, BY_RPC["submit_feedback"].path(via),
                                      user.jwt, text, via)
        assert_clear_error(answers[via], {400})
        assert count_rows(db, user.id) == 0
    assert answers["flask"].json() == answers["rest"].json() == {
        "code": "22023", "message": "rating must be an integer", "details": None, "hint": None,
    }
