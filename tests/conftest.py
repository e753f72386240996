"""One real stack per test session: PostgreSQL, PostgREST, nginx and gunicorn on free ports.

With SUPABASE_URL and SUPABASE_JWT_SECRET set (and SUPABASE_DB_URL for the tests that create
users), the tests run against that stack instead: `supabase start` or a hosted project.
"""

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from supabase import Client, ClientOptions, create_client

from support_dev.stack.launch import make_state_dir, start_stack, stop_stack
from support_runtime.tokens import mint_jwt, project_api_key


@dataclass(frozen=True)
class StackInfo:
    gateway_url: str
    db_url: str
    anon_key: str
    service_role_key: str
    jwt_secret: str
    log_dir: Path | None
    state_dir: Path | None
    pids: dict[str, int]
    # PostgREST without the local gateway's refusals in front (pattern filters), as a hosted
    # project's Data API passes requests: where the database's own limits are what holds.
    postgrest_url: str | None = None

    @property
    def rest_url(self) -> str:
        return f"{self.gateway_url}/rest/v1"

    @property
    def data_api_url(self) -> str:
        return self.postgrest_url or self.rest_url

    @property
    def api_url(self) -> str:
        return f"{self.gateway_url}/api"


@dataclass(frozen=True)
class User:
    id: str
    email: str
    jwt: str


def _external_stack() -> StackInfo | None:
    url, secret = os.environ.get("SUPABASE_URL"), os.environ.get("SUPABASE_JWT_SECRET")
    if not (url and secret):
        return None
    return StackInfo(
        gateway_url=url.rstrip("/"),
        db_url=os.environ.get("SUPABASE_DB_URL", ""),
        anon_key=os.environ.get("SUPABASE_ANON_KEY") or project_api_key(secret, "anon"),
        service_role_key=os.environ.get("SUPABASE_SERVICE_ROLE_KEY")
        or project_api_key(secret, "service_role"),
        jwt_secret=secret,
        log_dir=None,
        state_dir=None,
        pids={},
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked `runs_last` go after all others (the log check reads what they left);
    tests marked `local_stack` are skipped against an external stack."""
    items.sort(key=lambda item: item.get_closest_marker("runs_last") is not None)
    if _external_stack():
        skip = pytest.mark.skip(reason="exercises the local runner itself")
        for item in items:
            if item.get_closest_marker("local_stack"):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def stack() -> Iterator[StackInfo]:
    external = _external_stack()
    if external:
        yield external
        return
    state_dir = make_state_dir() / "stack"
    running = start_stack(state_dir)
    try:
        yield StackInfo(
            gateway_url=running.gateway_url,
            db_url=running.db_url,
            anon_key=running.anon_key,
            service_role_key=running.service_role_key,
            jwt_secret=running.jwt_secret,
            log_dir=running.log_dir,
            state_dir=state_dir,
            pids=running.pids,
            postgrest_url=running.postgrest_url,
        )
    finally:
        stop_stack(running)
        if not os.environ.get("KEEP_STACK"):
            shutil.rmtree(state_dir.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def db(stack: StackInfo) -> Iterator[psycopg.Connection]:
    if not stack.db_url:
        pytest.skip("SUPABASE_DB_URL is not set for the external stack")
    with psycopg.connect(stack.db_url, autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="session")
def make_user(stack: StackInfo, db: psycopg.Connection) -> Callable[..., User]:
    def make(email: str | None = None) -> User:
        user_id = str(uuid.uuid4())
        email = email or f"user-{user_id[:8]}@example.test"
        db.execute(
            "insert into auth.users (id, aud, role, email, created_at, updated_at) "
            "values (%s, 'authenticated', 'authenticated', %s, now(), now())",
            (user_id, email),
        )
        return User(user_id, email, mint_jwt(stack.jwt_secret, sub=user_id, email=email))

    return make


@pytest.fixture(scope="session")
def user_client(stack: StackInfo) -> Callable[[User], Client]:
    def client_for(user: User) -> Client:
        options = ClientOptions(headers={"Authorization": f"Bearer {user.jwt}"})
        return create_client(stack.gateway_url, stack.anon_key, options=options)

    return client_for
