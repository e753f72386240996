"""The companion's "+1 <words>" (and "vote <words>"), end to end: the bot votes as the user
for the public post the words clearly name and says which; when several posts match about as
well it lists them and votes for none; when none matches it says so."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from support_api.companion.vocabulary import IntentKind, parse_intent


def say(stack, http: httpx.Client, user_id: str, text: str) -> dict[str, Any]:
    response = http.post(f"{stack.api_url}/companion/messages",
                         json={"user_id": user_id, "text": text},
                         headers={"Authorization": f"Bearer {stack.service_role_key}"})
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def posts(db) -> Iterator[dict[str, str]]:
    """Posts of words no other post has (the seed's and other tests' posts stay out)."""
    word = f"zorb{uuid.uuid4().hex[:6]}"
    made = {}
    for key, title, description, status in [
        ("palette", f"Quux {word} dark palette", "A dark palette for the quux screens",
         "planned"),
        ("sync", f"{word} calendar sync", "Sync the calendar both ways", "under_review"),
        ("export", f"{word} calendar export", "Export the calendar as a file", "under_review"),
    ]:
        made[key] = str(db.execute(
            "insert into public.feedback_posts (title, description, category, status) "
            "values (%s, %s, 'feature_request', %s) returning id",
            (title, description, status)).fetchone()[0])
    made["word"] = word
    yield made
    db.execute("delete from public.feedback_posts where id = any(%s::uuid[])",
               ([made["palette"], made["sync"], made["export"]],))


def votes(db, user_id: str) -> list[str]:
    return [str(row[0]) for row in db.execute(
        "select post_id from public.post_votes where user_id = %s order by created_at",
        (user_id,)).fetchall()]


def test_plus_one_votes_for_the_post_it_clearly_names_and_says_which(stack, http, db,
                                                                      make_user, posts):
    user = make_user()
    answer = say(stack, http, user.id, f"+1 quux {posts['word']} dark palette")
    assert answer["result"]["action"] == "voted"
    assert answer["result"]["intent"] == "vote"
    assert answer["result"]["data"]["post_id"] == posts["palette"]
    assert answer["result"]["data"]["vote_count"] == 1
    assert answer["reply"] == (f'I voted for "Quux {posts["word"]} dark palette" (planned, '
                               "1 votes) on your behalf. You will hear when it moves.")
    assert votes(db, user.id) == [posts["palette"]]

    # Again: the vote is the one it was (vote_for_post counts a user once).
    again = say(stack, http, user.id, f"vote for quux {posts['word']} dark palette")
    assert again["result"]["action"] == "voted"
    assert again["result"]["data"]["vote_count"] == 1
    assert votes(db, user.id) == [posts["palette"]]


def test_plus_one_lists_the_candidates_when_several_match_and_votes_for_none(
        stack, http, db, make_user, posts):
    user = make_user()
    answer = say(stack, http, user.id, f"+1 {posts['word']} calendar")
    assert answer["result"]["action"] == "suggested"
    candidates = [post["post_id"] for post in answer["result"]["data"]["candidates"]]
    assert set(candidates[:2]) == {posts["sync"], posts["export"]}
    assert answer["reply"].startswith("Which one do you mean? I haven't voted yet:")
    assert f'"{posts["word"]} calendar sync" (under review, 0 votes)' in answer["reply"]
    assert f'"{posts["word"]} calendar export" (under review, 0 votes)' in answer["reply"]
    assert votes(db, user.id) == []

    # The title as listed picks one.
    chosen = say(stack, http, user.id, f"+1 {posts['word']} calendar export")
    assert chosen["result"]["action"] == "voted"
    assert chosen["result"]["data"]["post_id"] == posts["export"]
    assert votes(db, user.id) == [posts["export"]]


def test_plus_one_with_no_matching_post_says_so_and_votes_for_nothing(stack, http, db,
                                                                      make_user):
    user = make_user()
    answer = say(stack, http, user.id, f"vote frobnicated teleporter {uuid.uuid4().hex}")
    assert answer["result"]["action"] == "no_match"
    assert answer["result"]["data"] == {"candidates": []}
    assert answer["reply"].startswith("I found no idea like that on the public board")
    assert votes(db, user.id) == []


def test_plus_one_alone_asks_what_to_vote_for(stack, http, db, make_user):
    user = make_user()
    answer = say(stack, http, user.id, "+1")
    assert answer["result"]["action"] == "asked"
    assert answer["reply"].startswith("What should I vote for?")
    assert votes(db, user.id) == []


@pytest.mark.parametrize(
    ("text", "kind", "details"),
    [
        ("+1 dark mode", IntentKind.VOTE, "dark mode"),
        ("  +1: dark mode", IntentKind.VOTE, "dark mode"),
        ("Vote for dark mode", IntentKind.VOTE, "dark mode"),
        ("vote dark mode", IntentKind.VOTE, "dark mode"),
        ("the vote button is broken", None, None),
        ("a+1 b", None, None),
        ("report bug: +1 does nothing", IntentKind.BUG, "+1 does nothing"),
    ],
)
def test_vote_intent_parsing(text, kind, details):
    intent = parse_intent(text)
    assert (intent.kind, intent.details) == (kind, details) if kind else intent is None
