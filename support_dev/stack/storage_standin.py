"""Local only: a stand-in for the one endpoint of Supabase's Storage API the worker calls.

There is no Storage server on this machine (Supabase's runs on Node 24 and is shipped as a
container image, not as an npm package), yet the worker's attachment clean-up removes files the
way storage-js `remove()` does: `DELETE /storage/v1/object/{bucket}` with
`{"prefixes": [name, ...]}` and the service_role key. This answers exactly that, as MailDev
stands in for SMTP, behind the gateway's /storage/v1/ (which strips the prefix, as Supabase's
gateway does); every other request gets 404. It never runs on a Supabase project.

For a service_role caller it does what the Storage server does: in one transaction, as the
caller's role with its claims and with `storage.allow_delete_query` set (storage.protect_delete
refuses any other delete), it deletes the rows of the named objects and answers them; then it
removes their files from its object store, a folder of the stack, where any are. Any other
caller is refused (403): the Storage server would let a user remove their own files under the
RLS delete policies, which pgTAP proves (supabase/tests/9*-*.sql); nothing here needs that.

One log line per request with the count of objects removed, never a name: a name holds a user
id, a ticket id and the file name the user chose.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jwt
import psycopg
from psycopg.rows import dict_row

from support_dev.stack.config import DB_PASSWORD, StackConfig

log = logging.getLogger("storage-standin")
# The Storage API's own bound on prefixes in one remove call.
MAX_PREFIXES = 1000
MAX_BODY_BYTES = 1024 * 1024
REMOVE_PREFIX = "/object/"


def standin_env(config: StackConfig) -> dict[str, str]:
    return {
        # The role PostgREST logs in as: it may become service_role and nothing more powerful.
        "STORAGE_STANDIN_DB_URL":
            f"postgresql://authenticator:{DB_PASSWORD}@127.0.0.1:{config.db_port}/postgres",
        "STORAGE_STANDIN_PORT": str(config.storage_port),
        "SUPABASE_JWT_SECRET": config.jwt_secret,
    }


def files_root(config: StackConfig) -> Path:
    return config.state_dir / "storage"


def nginx_location() -> str:
    return """
        # Local only: the stand-in for Storage's remove endpoint (storage_standin.py).
        location /storage/v1/ {
            proxy_pass http://storage_standin/;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Authorization $authorization;
            proxy_set_header X-Request-Id $request_id;
        }
"""


class Refusal(Exception):
    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def caller_claims(secret: str, authorization: str | None) -> dict[str, object]:
    """The verified claims of a service_role caller; a Refusal for anyone else."""
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Refusal(401, "Unauthorized", "A Bearer token is required")
    try:
        claims = jwt.decode(token, secret, algorithms=["HS256"],
                            options={"verify_aud": False, "require": ["role"]})
    except jwt.PyJWTError:
        raise Refusal(401, "Unauthorized", "The token is not valid") from None
    if claims.get("role") != "service_role":
        raise Refusal(403, "Unauthorized",
                      "The local Storage stand-in removes objects for service_role only")
    return claims


def prefixes_of(body: bytes) -> list[str]:
    try:
        document = json.loads(body or b"null")
    except ValueError:
        raise Refusal(400, "Invalid JSON", "The body is not JSON") from None
    prefixes = document.get("prefixes") if isinstance(document, dict) else None
    if (not isinstance(prefixes, list) or not 1 <= len(prefixes) <= MAX_PREFIXES
            or not all(isinstance(name, str) and name for name in prefixes)):
        raise Refusal(400, "Invalid Input",
                      f"prefixes must be a list of 1 to {MAX_PREFIXES} object names")
    return prefixes


def delete_objects(db_url: str, claims: dict[str, object], bucket: str, names: list[str]
                   ) -> list[dict[str, object]]:
    with psycopg.connect(db_url, row_factory=dict_row,
                         application_name="storage-standin") as connection:
        connection.execute("select set_config('request.jwt.claims', %s, true), "
                           "set_config('storage.allow_delete_query', 'true', true)",
                           (json.dumps(claims),))
        connection.execute("set local role service_role")
        if connection.execute("select 1 from storage.buckets where id = %s",
                              (bucket,)).fetchone() is None:
            raise Refusal(404, "Bucket not found", "Bucket not found")
        return connection.execute(
            "delete from storage.objects where bucket_id = %s and name = any(%s) "
            "returning id, bucket_id, name, owner_id, created_at, updated_at, metadata",
            (bucket, names),
        ).fetchall()


def remove_files(root: Path, bucket: str, names: list[str]) -> int:
    """Removes the regular files of the bucket's folder named here; returns how many could not
    be. Never raises: the rows are already deleted, so the call must answer with them."""
    folder = (root / bucket).resolve()
    failed = 0
    for name in names:
        # The path rules refuse `.`, `..` and backslashes; checked again here, where a wrong
        # name would reach another folder. A link on the way, a directory or anything but a
        # regular file is left alone.
        if any(part in ("", ".", "..") for part in name.split("/")):
            continue
        path = folder / name
        try:
            if path.resolve() == path and path.is_file():
                path.unlink(missing_ok=True)
        except OSError:
            failed += 1
    return failed


def _json_value(value: object) -> str:
    isoformat = getattr(value, "isoformat", None)
    return isoformat() if isoformat else str(value)


class Handler(BaseHTTPRequestHandler):
    server_version = "storage-standin"
    secret = ""
    db_url = ""
    root = Path()

    @property
    def route(self) -> str:
        return urlsplit(self.path).path

    @property
    def route_template(self) -> str:
        if self.route.startswith(REMOVE_PREFIX):
            return "/object/{bucket}"
        return "/status" if self.route == "/status" else "/{other}"

    def do_GET(self) -> None:
        if self.route == "/status":
            self.answer(200, {"status": "ok"}, removed=0)
        else:
            self.refuse(Refusal(404, "Not Found", "The local Storage stand-in only removes "
                                "objects: DELETE /storage/v1/object/{bucket}"))

    def do_DELETE(self) -> None:
        bucket = unquote(self.route.removeprefix(REMOVE_PREFIX))
        try:
            if not self.route.startswith(REMOVE_PREFIX) or not bucket or "/" in bucket:
                raise Refusal(404, "Not Found", "DELETE /storage/v1/object/{bucket} only")
            claims = caller_claims(self.secret, self.headers.get("Authorization"))
            length = self.headers.get("Content-Length") or "0"
            if not length.isdigit() or int(length) > MAX_BODY_BYTES:
                raise Refusal(413, "Payload too large", f"At most {MAX_BODY_BYTES} bytes")
            names = prefixes_of(self.rfile.read(int(length)))
            deleted = delete_objects(self.db_url, claims, bucket, names)
        except Refusal as refusal:
            self.refuse(refusal)
            return
        except psycopg.Error as failure:
            # Nothing was removed (the transaction rolled back); the caller retries.
            self.refuse(Refusal(503, "DatabaseError", type(failure).__name__))
            return
        failed = remove_files(self.root, bucket, [str(row["name"]) for row in deleted])
        if failed:
            log.warning("%d deleted objects' files could not be removed", failed)
        self.answer(200, deleted, removed=len(deleted))

    def refuse(self, refusal: Refusal) -> None:
        # Storage's error shape.
        self.answer(refusal.status, {"statusCode": str(refusal.status), "error": refusal.error,
                                     "message": refusal.message}, removed=0)

    def answer(self, status: int, document: object, *, removed: int) -> None:
        body = json.dumps(document, default=_json_value).encode()
        self.send_response_only(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        log.info("%s %s %s removed=%d", self.command, self.route_template, status, removed)

    def log_message(self, format: str, *args: object) -> None:
        # The base class would log the request line, which holds the bucket and any path.
        return


def main() -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s storage-standin %(message)s")
    Handler.secret = os.environ["SUPABASE_JWT_SECRET"]
    Handler.db_url = os.environ["STORAGE_STANDIN_DB_URL"]
    Handler.root = Path(sys.argv[1])
    Handler.root.mkdir(parents=True, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["STORAGE_STANDIN_PORT"])), Handler)
    log.info("local stand-in for DELETE /storage/v1/object/{bucket} (service_role only)")
    server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
