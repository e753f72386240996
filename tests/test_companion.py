"""The companion bot's endpoint and the in-process helper, end to end with real JWTs."""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from support_api import (
    InvalidInput,
    PostgrestHandle,
    RateLimited,
    UnknownUser,
    create_ticket_from_companion,
)
from support_api.companion.vocabulary import PENDING, VOCABULARY, IntentKind, parse_intent
from support_runtime.tokens import mint_jwt, project_api_key


class Bot:
    """The companion bot: posts what a user wrote, with the service_role key."""

    def __init__(self, stack: Any, http: httpx.Client) -> None:
        self.stack, self.http = stack, http

    def say(self, user_id: str, text: str, *, token: str | None = None) -> httpx.Response:
        return self.http.post(
            f"{self.stack.api_url}/companion/messages",
            json={"user_id": user_id, "text": text},
            headers={"Authorization": f"Bearer {token or self.stack.service_role_key}"},
        )

    def result(self, user_id: str, text: str) -> dict[str, Any]:
        response = self.say(user_id, text)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def bot(stack) -> Iterator[Bot]:
    with httpx.Client(timeout=30) as http:
        yield Bot(stack, http)


@pytest.fixture(scope="module")
def helper_db(stack) -> Iterator[PostgrestHandle]:
    db = PostgrestHandle(stack.rest_url, anon_key=stack.anon_key, jwt_secret=stack.jwt_secret)
    yield db
    db.close()


def stored(db, user_id: str) -> list[tuple[str, str, str]]:
    """(kind, type or category, description) of everything filed for the user."""
    rows = db.execute(
        "select 'ticket', ticket_type, description, created_at from public.support_tickets "
        "where user_id = %s union all "
        "select 'feedback', category, description, created_at from public.user_feedback "
        "where user_id = %s order by 4",
        (user_id, user_id),
    ).fetchall()
    return [row[:3] for row in rows]


WITH_DETAILS = [
    (
        "report bug: the calendar shows dates a day off",
        ("ticket", "bug"),
        "the calendar shows dates a day off",
    ),
    (
        "Hey, can you REPORT A BUG - the app crashes on start",
        ("ticket", "bug"),
        "the app crashes on start",
    ),
    ("I have feedback: love the new design", ("feedback", "other"), "love the new design"),
    (
        "so i Have Feedback — the onboarding is long",
        ("feedback", "other"),
        "the onboarding is long",
    ),
    (
        "Feature request: track my fitness goals",
        ("feedback", "feature_request"),
        "track my fitness goals",
    ),
]


@pytest.mark.parametrize(("text", "filed_as", "details"), WITH_DETAILS)
def test_phrase_with_details_files_at_once(bot, db, make_user, text, filed_as, details):
    user = make_user()
    answer = bot.result(user.id, text)
    if answer["result"]["action"] == "offered":
        # A bug report whose words match a published help article is offered it first
        # (test_help_offer_*); "no" files it as before.
        answer = bot.result(user.id, "no")
    assert answer["result"]["action"] == "created"
    assert answer["result"]["data"]["message"] == answer["reply"]  # the database's message
    assert stored(db, user.id) == [(*filed_as, details)]


ALONE = [
    ("report bug", ("ticket", "bug")),
    ("Hi! I'd like to report a bug please.", ("ticket", "bug")),
    ("I have feedback", ("feedback", "other")),
    ("FEATURE REQUEST", ("feedback", "feature_request")),
]


@pytest.mark.parametrize(("text", "filed_as"), ALONE)
def test_phrase_alone_asks_and_files_the_next_message(bot, db, make_user, text, filed_as):
    user = make_user()
    asked = bot.result(user.id, text)
    assert asked["result"]["action"] == "asked"
    assert stored(db, user.id) == []

    filed = bot.result(user.id, "It happened twice yesterday")
    if filed["result"]["action"] == "offered":
        filed = bot.result(user.id, "no")  # the help offer comes first (test_help_offer_*)
    assert filed["result"]["action"] == "created"
    assert filed["result"]["intent"] == asked["result"]["intent"]
    assert stored(db, user.id) == [(*filed_as, "It happened twice yesterday")]
    # The conversation is over: the next message is not filed again.
    assert bot.result(user.id, "thanks")["result"]["action"] == "unknown_intent"


def test_any_worker_answers_the_pending_conversation(bot, db, stack, make_user):
    user = make_user()
    bot.result(user.id, "report bug")
    # The pending question lives in the database, not in the worker that asked it.
    assert db.execute(
        "select intent from public.companion_conversations where user_id = %s", (user.id,)
    ).fetchone() == ("bug",)


def test_expired_pending_conversation_is_not_answered(bot, db, make_user):
    user = make_user()
    bot.result(user.id, "report bug")
    db.execute(
        "update public.companion_conversations set started_at = now() - interval '16 minutes' "
        "where user_id = %s",
        (user.id,),
    )
    answer = bot.result(user.id, "the calendar is wrong")
    assert answer["result"]["action"] == "unknown_intent"
    assert stored(db, user.id) == []


@pytest.mark.parametrize("text", ["my tickets", "What's my TICKET STATUS?"])
def test_my_tickets_lists_the_users_tickets(bot, db, make_user, text):
    user = make_user()
    assert bot.result(user.id, text)["reply"] == "You have no support tickets."
    bot.result(user.id, "report bug: dates are off")
    answer = bot.result(user.id, text)
    assert answer["result"]["action"] == "listed"
    assert answer["result"]["data"]["total"] == 1
    assert "dates are off" in answer["reply"]
    # The status in the words of its row of public.ticket_statuses.
    db.execute("update public.support_tickets set status = 'in_progress' where user_id = %s",
               (user.id,))
    assert "dates are off (in progress)" in bot.result(user.id, text)["reply"]


@pytest.mark.parametrize("text", ["hello", "", "bug", "feedback", "what can you do?"])
def test_unknown_intent_gets_a_friendly_reply(bot, db, make_user, text):
    user = make_user()
    answer = bot.result(user.id, text)
    assert answer["result"]["action"] == "unknown_intent"
    assert "report bug" in answer["reply"]
    assert stored(db, user.id) == []


@pytest.mark.parametrize("text", ["report bug: it crashed", "report bug", "hello"])
def test_unknown_user_gets_a_friendly_reply(bot, text):
    response = bot.say(str(uuid.uuid4()), text)
    assert response.status_code == 200
    assert response.json()["result"]["action"] in {"unknown_user", "unknown_intent"}
    if "bug" in text:
        assert response.json()["result"]["action"] == "unknown_user"


def test_invalid_input_is_the_databases_message(bot, db, make_user):
    user = make_user()
    answer = bot.result(user.id, "report bug: " + "x" * 5001)
    assert answer["result"]["action"] == "invalid_input"
    assert answer["reply"] == answer["result"]["error"]["message"]
    assert "description" in answer["reply"]
    assert stored(db, user.id) == []


def _service_key(stack, **claims: Any) -> str:
    return mint_jwt(stack.jwt_secret, role="service_role", **claims)


@pytest.mark.parametrize(
    "token",
    [
        "anon_key",
        "user_jwt",
        "service_role_wrong_secret",
        "service_role_expired",
        "service_role_unsigned",
        "not_a_jwt",
        "none",
    ],
)
def test_anything_but_the_service_role_key_is_refused(bot, stack, make_user, db, token):
    user = make_user()
    value = {
        "anon_key": stack.anon_key,
        "user_jwt": user.jwt,
        "service_role_wrong_secret": project_api_key("x" * 40, "service_role"),
        "service_role_expired": _service_key(stack, exp=1),
        "service_role_unsigned": jwt.encode({"role": "service_role"}, key=None, algorithm="none"),
        "not_a_jwt": "service_role",
        "none": None,
    }[token]
    response = bot.http.post(
        f"{stack.api_url}/companion/messages",
        json={"user_id": user.id, "text": "report bug: sneaky"},
        headers={"Authorization": f"Bearer {value}"} if value else {},
    )
    assert response.status_code == 401
    assert response.json().keys() == {"code", "message", "details", "hint"}
    assert stored(db, user.id) == []


def test_a_freshly_minted_service_role_jwt_is_accepted(bot, stack, make_user):
    user = make_user()
    assert bot.say(user.id, "hello", token=_service_key(stack)).status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"text": "hi"},
        {"user_id": "nope", "text": "hi"},
        {"user_id": str(uuid.uuid4())},
        {"user_id": str(uuid.uuid4()), "text": 5},
        ["user_id", "text"],
    ],
)
def test_malformed_bot_messages_get_400(bot, stack, body):
    response = bot.http.post(
        f"{stack.api_url}/companion/messages",
        json=body,
        headers={"Authorization": f"Bearer {stack.service_role_key}"},
    )
    assert response.status_code == 400
    assert response.json().keys() == {"code", "message", "details", "hint"}


@pytest.mark.parametrize("app_first", [True, False], ids=["app-then-bot", "bot-then-app"])
def test_rate_limit_counts_both_paths(bot, stack, make_user, app_first):
    user = make_user()

    def via_app(n: int) -> httpx.Response:
        return bot.http.post(
            f"{stack.api_url}/support/report-bug",
            json={"description": f"app report {n}"},
            headers={"Authorization": f"Bearer {user.jwt}"},
        )

    def via_bot(n: int) -> httpx.Response:
        return bot.say(user.id, f"report bug: bot report {n}")

    first, second = (via_app, via_bot) if app_first else (via_bot, via_app)
    for n in range(3):
        assert first(n).status_code == 200
    for n in range(2):
        assert second(n).status_code == 200
    sixth = second(2)
    if second is via_bot:
        answer = sixth.json()["result"]
        assert answer["action"] == "rate_limited"
        assert answer["retry_after"] > 0
        assert answer["error"]["message"] in sixth.json()["reply"]
        assert f"{answer['retry_after']} seconds" in sixth.json()["reply"]
    else:
        assert sixth.status_code == 429
        assert int(sixth.headers["Retry-After"]) > 0


def test_helper_awaited_directly_files_and_raises_typed_errors(helper_db, make_user, db):
    user = make_user()

    async def scenario() -> None:
        ticket_id = await create_ticket_from_companion(
            user_id=user.id, ticket_type="bug", description="helper bug", db=helper_db
        )
        feedback_id = await create_ticket_from_companion(
            user_id=user.id, ticket_type="feedback", description="helper feedback", db=helper_db
        )
        assert uuid.UUID(ticket_id) and uuid.UUID(feedback_id)
        with pytest.raises(InvalidInput) as invalid:
            await create_ticket_from_companion(
                user_id=user.id, ticket_type="bug", description=" ", db=helper_db
            )
        assert invalid.value.field == "description"
        with pytest.raises(InvalidInput) as bad_type:
            await create_ticket_from_companion(
                user_id=user.id, ticket_type="billing", description="d", db=helper_db
            )
        assert bad_type.value.field == "ticket_type"
        with pytest.raises(UnknownUser):
            await create_ticket_from_companion(
                user_id=str(uuid.uuid4()), ticket_type="bug", description="d", db=helper_db
            )
        # Concurrent calls share the handle's pool; the limit holds for them too.
        results = await asyncio.gather(
            *(
                create_ticket_from_companion(
                    user_id=user.id, ticket_type="bug", description=f"n{n}", db=helper_db
                )
                for n in range(5)
            ),
            return_exceptions=True,
        )
        limited = [r for r in results if isinstance(r, RateLimited)]
        assert len(limited) == 1
        assert limited[0].retry_after > 0

    asyncio.run(scenario())
    assert [row[1] for row in stored(db, user.id)].count("bug") == 5


def test_minted_user_token_lives_a_minute_at_most(helper_db, stack):
    claims = jwt.decode(
        helper_db.mint_user_jwt(str(uuid.uuid4()), expires_in=3600),
        stack.jwt_secret,
        algorithms=["HS256"],
        audience="authenticated",
    )
    assert claims["role"] == "authenticated"
    assert claims["exp"] - claims["iat"] <= 60


@pytest.mark.parametrize(
    ("text", "kind", "details"),
    [
        ("report bug", IntentKind.BUG, ""),
        ("report bug please!", IntentKind.BUG, ""),
        ("Report a bug: x", IntentKind.BUG, "x"),
        ("reportbug: x", None, None),
        ("I have feedback and a feature request", IntentKind.FEEDBACK, "and a feature request"),
        ("my tickets please", IntentKind.TICKETS, ""),
        ("bugreport", None, None),
        ("I have a problem: I cannot sign in", IntentKind.BUG, "I cannot sign in"),
    ],
)
def test_intent_parsing(text, kind, details):
    intent = parse_intent(text)
    assert (intent.kind if intent else None) == kind
    if intent:
        assert intent.details == details


def test_the_database_keeps_pending_exactly_the_intents_the_bot_asks_about(db):
    definition = db.execute(
        "select pg_get_constraintdef(oid) from pg_constraint "
        "where conrelid = 'public.companion_conversations'::regclass "
        "and conname = 'companion_conversations_intent_valid'"
    ).fetchone()[0]
    assert set(re.findall(r"'([^']*)'::text", definition)) == {kind.value for kind in PENDING}
    # Every intent the bot asks about is one it can file when the answer comes.
    assert all(VOCABULARY[kind].filing for kind in PENDING)


# The help offer (issue 26): a bug report whose words match published articles is offered up
# to three of them first; "no" files it with the offer recorded, "yes" files nothing.
@pytest.fixture
def zorb_article(db) -> Iterator[str]:
    """A published article only questions about the (made-up) zorbulator match."""
    slug = f"zorbulator-{uuid.uuid4().hex[:8]}"
    article_id = db.execute(
        "insert into public.help_articles (slug, locale, title, body, category, status) "
        "values (%s, 'en', 'The zorbulator stops spinning', "
        "'Hold the **zorbulator** button for ten seconds.', 'troubleshooting', 'published') "
        "returning id::text",
        (slug,),
    ).fetchone()[0]
    yield article_id
    db.execute("delete from public.help_articles where id = %s", (article_id,))


def events(db, user_id: str) -> list[tuple[str, str, str | None]]:
    return db.execute(
        "select kind, article_id::text, ticket_id::text from public.help_article_events "
        "where user_id = %s order by id",
        (user_id,),
    ).fetchall()


def test_help_offer_no_files_the_report_with_the_offer_recorded(bot, db, make_user, zorb_article):
    user = make_user()
    offered = bot.result(user.id, "report bug: my zorbulator stopped spinning")
    assert offered["result"]["action"] == "offered"
    assert offered["result"]["data"]["articles"][0]["id"] == zorb_article
    assert "The zorbulator stops spinning" in offered["reply"]
    assert "yes" in offered["reply"] and "no" in offered["reply"]
    assert stored(db, user.id) == []  # nothing filed while the user reads

    filed = bot.result(user.id, "no, file it")
    assert filed["result"]["action"] == "created"
    ticket_id = filed["result"]["data"]["ticket_id"]
    assert stored(db, user.id) == [("ticket", "bug", "my zorbulator stopped spinning")]
    shown = offered["result"]["data"]["articles"]
    assert events(db, user.id) == (
        [("suggested", article["id"], None) for article in shown]
        + [("ticket_filed", article["id"], ticket_id) for article in shown]
    )


def test_help_offer_yes_files_nothing_and_counts_the_deflection(bot, db, make_user, zorb_article):
    user = make_user()
    offered = bot.result(user.id, "I have a problem: the zorbulator does not spin")
    assert offered["result"]["action"] == "offered"
    answered = bot.result(user.id, "yes")
    assert answered["result"]["action"] == "deflected"
    assert answered["result"]["data"]["article_id"] == zorb_article
    assert stored(db, user.id) == []
    assert ("answered", zorb_article, None) in events(db, user.id)
    # The offer is over: "no" now is just a message, not a filing.
    assert bot.result(user.id, "no")["result"]["action"] == "unknown_intent"


def test_another_message_drops_the_offer_and_is_handled_as_usual(bot, db, make_user, zorb_article):
    user = make_user()
    assert bot.result(user.id, "report bug: zorbulator broken")["result"]["action"] == "offered"
    listed = bot.result(user.id, "my tickets")
    assert listed["result"]["action"] == "listed"
    assert stored(db, user.id) == []
    assert bot.result(user.id, "no")["result"]["action"] == "unknown_intent"


def test_a_report_no_article_matches_is_filed_at_once(bot, db, make_user):
    user = make_user()
    answer = bot.result(user.id, "report bug: qwxzv ploonk")
    assert answer["result"]["action"] == "created"
    assert events(db, user.id) == []
