"""Text made only of characters a person cannot see is blank, on every create path.

Each class of invisible character (zero-width and format characters, Unicode spaces, the
byte-order mark, the Hangul fillers, the Braille blank, line separators) is refused in each
required text field through the RPCs, the Flask routes and direct table inserts, with the
field's not-blank message, and nothing is stored.
"""

from __future__ import annotations

import httpx
import pytest
from hostile_support import CREATES, PATHS, assert_clear_error, count_rows, headers_for

INVISIBLE = {
    "zero-width space": "\u200b",
    "zero-width joiners": "\u200c\u200d\u2060",
    "direction marks": "\u200e\u200f\u061c",
    "no-break spaces": "\u00a0\u202f\u2007",
    "ideographic space": "\u3000",
    "line and paragraph separators": "\u2028\u2029",
    "byte-order mark": "\ufeff",
    "Hangul fillers": "\u3164\u115f\u1160\uffa0",
    "Braille blank": "\u2800",
    "soft hyphen": "\u00ad",
    "variation selector": "\ufe0f",
    "tag characters": "\U000e0020\U000e0041",
}
# The same characters around ordinary white space, as a paste would bring them.
CASES = {name: f" {chars}\n\t{chars} " for name, chars in INVISIBLE.items()}

# (create, field): every required text field of every create.
FIELDS = [(create, "description") for create in CREATES] + [
    (create, "subject") for create in CREATES if "subject" in create.body
]


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize("via", PATHS)
@pytest.mark.parametrize(("create", "field"), FIELDS,
                         ids=[f"{c.rpc}-{f}" for c, f in FIELDS])
def test_invisible_text_is_blank_through_the_api(stack, db, make_user, create, field, via, text):
    user = make_user()
    answer = httpx.post(stack.gateway_url + create.path(via), json={**create.body, field: text},
                        headers=headers_for(stack, user.jwt, via), timeout=10)
    assert_clear_error(answer, {400})
    assert answer.json()["message"] == f"{field} must not be blank"
    assert not set(text.strip()) & set(answer.text)
    assert count_rows(db, user.id) == 0


TABLE_ROWS = {
    "support_tickets": {"ticket_type": "billing", "subject": "Charged twice",
                        "description": "Twice in May."},
    "user_feedback": {"category": "praise", "description": "Lovely"},
}
DIRECT = [(table, field) for table, row in TABLE_ROWS.items()
          for field in ("subject", "description") if field in row]


@pytest.mark.parametrize("text", CASES.values(), ids=CASES.keys())
@pytest.mark.parametrize(("table", "field"), DIRECT, ids=[f"{t}-{f}" for t, f in DIRECT])
def test_invisible_text_is_blank_in_direct_inserts(stack, db, make_user, table, field, text):
    user = make_user()
    answer = httpx.post(f"{stack.rest_url}/{table}", json={**TABLE_ROWS[table], field: text},
                        headers=headers_for(stack, user.jwt, "rest"), timeout=10)
    assert_clear_error(answer, {400})
    # A direct insert gets PostgreSQL's own message, which names the constraint.
    assert answer.json()["code"] == "23514"
    assert f'"{table}_{field}_not_blank"' in answer.json()["message"]
    assert count_rows(db, user.id) == 0


def test_a_bug_report_whose_description_has_invisible_lines_gets_a_visible_subject(db):
    description = "\u200b\u3164\n \u00a0The calendar\u200b  is a day off \ufeff\nmore"
    subject = db.execute("select private.bug_subject(%s)", (description,)).fetchone()[0]
    assert subject == "The calendar is a day off"


def test_visible_text_with_invisible_characters_inside_is_not_blank(db):
    assert db.execute("select private.is_blank(%s)", ("\u200ba\u200b",)).fetchone()[0] is False
