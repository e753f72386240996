"""The Flask routes of the feedback board (docs/feedback-board.md), end to end through the
gateway: list the posts, vote, vote again, withdraw; answers as the OpenAPI document says."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import jsonschema
import psycopg
import pytest

DOC = json.loads((Path(__file__).parents[1] / "support_api" / "openapi.json").read_text())


def schema(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}", "components": DOC["components"]}


@pytest.fixture
def post_id(db: psycopg.Connection) -> Iterator[str]:
    post = str(uuid.uuid4())
    db.execute(
        "insert into public.feedback_posts (id, title, description, category) "
        "values (%s, 'Route test post', 'For the routes', 'feature_request')",
        (post,),
    )
    yield post
    db.execute("delete from public.feedback_posts where id = %s", (post,))


def test_a_user_votes_and_withdraws_through_the_routes(stack, make_user, post_id: str) -> None:
    user = make_user()
    auth = {"Authorization": f"Bearer {user.jwt}"}
    vote_url = f"{stack.api_url}/board/posts/{post_id}/vote"
    with httpx.Client(timeout=30, headers=auth) as http:
        voted = http.post(vote_url)
        assert voted.status_code == 200
        jsonschema.validate(voted.json(), schema("VoteResponse"))
        assert voted.json() == {"post_id": post_id, "voted": True, "vote_count": 1}
        assert http.post(vote_url).json()["vote_count"] == 1

        listed = http.get(f"{stack.api_url}/board/posts", params={"limit": "100"})
        assert listed.status_code == 200
        jsonschema.validate(listed.json(), schema("BoardPostsResponse"))
        mine = [p for p in listed.json()["posts"] if p["post_id"] == post_id]
        assert mine[0]["voted"] is True and user.id not in listed.text

        withdrawn = http.delete(vote_url)
        assert withdrawn.json() == {"post_id": post_id, "voted": False, "vote_count": 0}

        missing = http.post(f"{stack.api_url}/board/posts/{uuid.uuid4()}/vote")
        assert (missing.status_code, missing.json()["code"]) == (404, "post_not_found")
        assert http.post(f"{stack.api_url}/board/posts/nope/vote").status_code == 400
        assert http.get(f"{stack.api_url}/board/posts", params={"sort": "x"}).status_code == 400
    assert httpx.post(vote_url, timeout=30).status_code == 401


def test_the_feedback_route_offers_similar_posts_without_filing(
    stack, db, make_user, post_id: str
) -> None:
    user = make_user()
    auth = {"Authorization": f"Bearer {user.jwt}"}
    body = {"category": "feature_request", "description": "A route test post, for the routes"}
    with httpx.Client(timeout=30, headers=auth) as http:
        offered = http.post(f"{stack.api_url}/support/feedback/similar", json=body)
        assert offered.status_code == 200
        jsonschema.validate(offered.json(), schema("SimilarPostsResponse"))
        assert post_id in [p["post_id"] for p in offered.json()["similar"]]
        filed = db.execute(
            "select count(*) from public.user_feedback where user_id = %s", (user.id,)
        ).fetchone()
        assert filed == (0,)  # asking files nothing
        assert http.post(f"{stack.api_url}/support/feedback", json=body).status_code == 200
        blank = http.post(f"{stack.api_url}/support/feedback/similar", json={"description": " "})
        assert (blank.status_code, blank.json()["code"]) == (400, "similar_posts_text_required")
