"""PostgREST, the Flask layer under gunicorn, and the nginx gateway in front of both."""

import http.client
import os
import signal
import sys
from pathlib import Path

from support_api.settings import DEFAULT_MAX_BODY_BYTES
from support_dev.stack import dashboard, gateway_errors, storage_standin
from support_dev.stack.config import DB_PASSWORD, StackConfig
from support_dev.stack.gateway_policy import (
    nginx_error_locations,
    nginx_http_policy,
    nginx_location_limits,
    nginx_postgrest_busy_server,
    nginx_postgrest_location,
)
from support_dev.stack.gateway_text import nginx_location_guard, nginx_maps
from support_dev.stack.paths import PROJECT_ROOT, Binaries
from support_dev.stack.processes import Child, Supervisor


def http_ok(port: int, path: str) -> bool:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path)
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def postgrest_conf(config: StackConfig) -> str:
    settings = {
        "db-uri": f"postgres://authenticator:{DB_PASSWORD}@127.0.0.1:{config.db_port}/postgres",
        "db-schemas": "public",
        "db-extra-search-path": "public, extensions",
        "db-anon-role": "anon",
        "db-pool": config.postgrest_pool,
        "db-max-rows": 1000,
        # Fair share (supabase/migrations/*_create_fair_share.sql); the migration sets it in the
        # database as well, which is how a hosted project gets it.
        "db-pre-request": "api_guard.check_request",
        "jwt-secret": config.jwt_secret,
        # A verified token is cached until it expires: a busy client's repeat requests skip
        # the signature check.
        "jwt-cache-max-lifetime": 3600,
        "server-host": "127.0.0.1",
        "server-port": config.postgrest_port,
        "admin-server-port": config.postgrest_admin_port,
        "openapi-server-proxy-uri": f"{config.gateway_url}/rest/v1/",
        # PostgREST writes a request line, query string included, for every request at "info"
        # and for every 5xx at "error" (a query string is a filter on content); "crit" keeps
        # only failures of PostgREST itself.
        "log-level": "crit",
    }
    lines = []
    for name, value in settings.items():
        rendered = value if isinstance(value, int) else '"' + str(value).replace('"', '\\"') + '"'
        lines.append(f"{name} = {rendered}")
    return "\n".join(lines) + "\n"


def start_postgrest(config: StackConfig, binaries: Binaries, supervisor: Supervisor) -> Child:
    conf = config.run_dir / "postgrest.conf"
    conf.write_text(postgrest_conf(config))
    conf.chmod(0o600)
    # The binary's runtime defaults to one scheduler per core (-N). Here PostgREST shares the
    # machine with PostgreSQL, which does most of the work of a request: with half the cores,
    # PostgREST spent ~25% less CPU per request (bench/).
    schedulers = max(1, (os.cpu_count() or 2) // 2)
    argv = [str(binaries.postgrest), str(conf), "+RTS", f"-N{schedulers}", "-RTS"]
    return supervisor.spawn("postgrest", argv,
                            ready=lambda: http_ok(config.postgrest_admin_port, "/ready"))


def flask_env(config: StackConfig) -> dict[str, str]:
    return {
        "SUPPORT_API_ENV": "local",
        "SUPABASE_URL": config.gateway_url,
        "SUPABASE_JWT_SECRET": config.jwt_secret,
        "SUPABASE_ANON_KEY": config.anon_key,
        "SUPABASE_SERVICE_ROLE_KEY": config.service_role_key,
        "POSTGREST_URL": config.postgrest_url,
    }


def start_flask(config: StackConfig, binaries: Binaries, supervisor: Supervisor) -> Child:
    argv = [
        str(binaries.gunicorn),
        "--bind", f"127.0.0.1:{config.flask_port}",
        "--workers", str(config.flask_workers),
        # The layer waits on PostgREST for most of a request: threads keep a worker busy
        # with other requests meanwhile, where a sync worker would sit idle.
        "--worker-class", "gthread",
        "--threads", str(config.flask_threads),
        "--worker-tmp-dir", "/dev/shm" if os.path.isdir("/dev/shm") else "/tmp",
        "--graceful-timeout", "10",
        "--keep-alive", "75",
        # The gateway bounds the request line and each header (gateway_policy.MAX_HEADER_LINE)
        # and answers longer ones in the error shape; gunicorn's own, shorter bounds would
        # answer a long but legal request with an HTML 400.
        "--limit-request-line", "0",
        "--limit-request-field_size", "0",
        "--log-level", "warning",
        "support_api.wsgi:app",
    ]
    return supervisor.spawn("flask", argv,
                            env={**flask_env(config), "PYTHONPATH": _importable_path()},
                            ready=lambda: http_ok(config.flask_port, "/api/health"))


def start_storage_standin(config: StackConfig, supervisor: Supervisor) -> Child:
    """Local only: the stand-in for Storage's remove endpoint (see storage_standin)."""
    # The files' folder as an argument: a stack's processes are found by its folder.
    argv = [sys.executable, "-m", "support_dev.stack.storage_standin",
            str(storage_standin.files_root(config))]
    return supervisor.spawn("storage", argv,
                            env={**storage_standin.standin_env(config),
                                 "PYTHONPATH": _importable_path()},
                            ready=lambda: http_ok(config.storage_port, "/status"))


def _importable_path() -> str:
    return os.pathsep.join(filter(None, [str(PROJECT_ROOT), os.environ.get("PYTHONPATH")]))


def _error_json(status: int, message: str) -> str:
    """A refusal of the gateway itself: PostgREST's error shape with a code of its own,
    GATEWAY<status>, never one of PostgREST's PGRST codes (nor the Flask layer's SAPI)."""
    return (
        f"return {status} '{{\"code\":\"GATEWAY{status}\",\"message\":\"{message}\","
        f"\"details\":null,\"hint\":null}}';"
    )


# Started as root, nginx's master hands the requests to workers running as this user.
GATEWAY_WORKER_USER = "nobody" if os.geteuid() == 0 else None


def nginx_conf(config: StackConfig, njs_module: Path) -> str:
    run, logs = config.run_dir, config.log_dir
    worker_user = f"user {GATEWAY_WORKER_USER} nogroup;" if GATEWAY_WORKER_USER else ""
    return f"""
# Generated by the local stack runner at each start; edit support_dev/stack/servers.py instead.
daemon off;
{gateway_errors.nginx_main(njs_module)}
{worker_user}
worker_processes auto;
pid {run}/nginx.pid;
# Below "crit", nginx writes the request line, query string included, with each request it
# cannot pass upstream; the status and timing of those are in the access log.
error_log {logs}/nginx.log crit;
events {{ worker_connections 4096; }}

http {{
    # The access log has the route template only: no path, no query string, no body, no header.
    log_format gateway '$time_iso8601 $request_id $request_method $route $status '
                       '$body_bytes_sent $request_time';
    access_log {logs}/gateway-access.log gateway;
    client_body_temp_path {run}/nginx-body;
    proxy_temp_path {run}/nginx-proxy;
    fastcgi_temp_path {run}/nginx-fastcgi;
    uwsgi_temp_path {run}/nginx-uwsgi;
    scgi_temp_path {run}/nginx-scgi;
    server_tokens off;
    # The largest valid request is ~200 KB; anything much bigger is refused here, at the Flask
    # layer's own cap (the same setting), so both paths refuse the same bodies.
    client_max_body_size {DEFAULT_MAX_BODY_BYTES};
    client_body_buffer_size {DEFAULT_MAX_BODY_BYTES};
    client_body_timeout 15s;
    proxy_connect_timeout 5s;
    proxy_read_timeout 30s;
    proxy_send_timeout 30s;

    upstream postgrest {{ server 127.0.0.1:{config.postgrest_port}; keepalive 64; }}
    upstream postgrest_busy {{ server unix:{run}/postgrest-busy.sock; keepalive 64; }}
{nginx_http_policy(config.anon_key, config.service_role_key)}
    upstream flask {{ server 127.0.0.1:{config.flask_port}; keepalive 64; }}
    upstream storage_standin {{ server 127.0.0.1:{config.storage_port}; }}

    map $http_authorization $authorization {{
        # Like Supabase's gateway: a request with only an apikey is authorized by that key.
        "" $apikey_bearer;
        default $http_authorization;
    }}
    map $http_apikey $apikey_bearer {{
        "" "";
        default "Bearer $http_apikey";
    }}
{nginx_maps()}
{gateway_errors.nginx_http()}

{nginx_postgrest_busy_server(f"{run}/postgrest-busy.sock", gateway_errors.nginx_location(),
                             gateway_errors.nginx_upstream_location("postgrest"))}

    server {{
        listen 127.0.0.1:{config.gateway_port} reuseport;
        default_type application/json;

        location /rest/v1/ {{
{nginx_location_guard(_error_json)}
{nginx_location_limits()}
{nginx_postgrest_location(_error_json)}
            proxy_pass http://postgrest_busy/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Authorization $authorization;
            proxy_set_header X-Request-Id $request_id;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header Host $http_host;
        }}
        location /api/ {{
{nginx_location_limits()}
            proxy_pass http://flask;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Request-Id $request_id;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header Host $http_host;
            proxy_hide_header X-Route;
        }}
        # The public help center (support_api/help_pages.py): HTML pages the Flask layer renders.
        location = /help {{ return 301 /help/; }}
        location /help/ {{
{nginx_location_limits()}
            proxy_pass http://flask;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header X-Request-Id $request_id;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header Host $http_host;
            proxy_hide_header X-Route;
        }}
{dashboard.nginx_locations(config)}
{storage_standin.nginx_location()}
        location = /health {{ return 200 '{{"status":"ok"}}'; }}
        location / {{ {_error_json(404, "Not found: use /rest/v1/ or /api/")} }}

{nginx_error_locations(_error_json)}
    }}
}}
"""


def start_nginx(config: StackConfig, binaries: Binaries, supervisor: Supervisor) -> Child:
    conf = config.run_dir / "nginx.conf"
    conf.write_text(nginx_conf(config, binaries.njs_module))
    dashboard.publish(config)
    argv = [str(binaries.nginx), "-p", str(config.run_dir), "-c", str(conf),
            "-e", str(config.log_dir / "nginx.log")]
    return supervisor.spawn("nginx", argv, stop_signal=signal.SIGQUIT,
                            ready=lambda: http_ok(config.gateway_port, "/health"))

