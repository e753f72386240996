"""Generate docs/api-reference.md from the Flask routes' OpenAPI document and PostgREST's own.

    python -m support_dev.apidocs            # rewrite docs/api-reference.md
    python -m support_dev.apidocs --check    # exit 1 when the committed file is stale

`python -m support_dev.docs` runs it (and the schema reference) on a stack of its own.

PostgREST's OpenAPI output (GET / on PostgREST for the `public` profile, with a user's token
so that the RPCs granted to `authenticated` are listed) gives the list of RPCs and their SQL
comments: every RPC it publishes gets a section, and every other function of `public` is in
OMITTED with the reason (tests/test_api_openapi.py checks both against the catalog).
PostgREST is found as the app finds it: ``POSTGREST_URL``, or ``SUPABASE_URL`` +
``/rest/v1``, signed with ``SUPABASE_JWT_SECRET`` (flags override both). The curl examples use
the local stack's defaults and work as printed against ``make dev``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx

from support_api.openapi import openapi_document
from support_runtime.tokens import LOCAL_JWT_SECRET, mint_jwt, project_api_key

REFERENCE = Path(__file__).resolve().parents[1] / "docs" / "api-reference.md"
# The contract's five RPCs, in the contract's order, with the Flask operation for each.
RPCS = {
    "report_bug": "reportBug",
    "submit_feedback": "submitFeedback",
    "create_support_ticket": "createSupportTicket",
    "list_my_tickets": "listMyTickets",
    "get_ticket": "getTicket",
    "reply_to_ticket": "replyToTicket",
    "close_ticket": "closeTicket",
}
# The seed's support agent (agent@example.com).
SEED_AGENT_ID = "00000000-0000-4000-8000-00000000a9e1"
# An open ticket of supabase/seed.sql (demo@example.com's), for the staff examples.
SEED_OPEN_TICKET = "5eed0000-0000-4000-8000-000000000003"
# Seed tickets of docs/service-levels.md: a problem and one of its reports, and seed feedback.
SEED_PROBLEM = "5eed0000-0000-4000-8000-000000000013"
SEED_REPORT = "5eed0000-0000-4000-8000-000000000015"
SEED_PLANNED_FEEDBACK = "5eedfeed-0000-4000-8000-000000000001"
SEED_RECEIVED_FEEDBACK = "5eedfeed-0000-4000-8000-000000000002"
# The seed's shared view "Billing waiting over a day" (docs/views-and-export.md).
SEED_VIEW = "5eed71e0-0000-4000-8000-000000000001"
# The seed's shared macro "Need more details".
SEED_MACRO = "5eed3ac0-0000-4000-8000-000000000002"
# Why an operation has no example: it changes the seed for good, so it could not run twice.
NO_EXAMPLE = (
    "No example: it changes the seed's tickets for good (merging closes the source; unlinking "
    "takes a report off its problem)."
)
# The staff operations (no Flask route), in the order of the reference: the method and GET
# query or POST body of each example, or the reason there is none. A published RPC missing here
# still gets its section, after these, without an example.
STAFF_RPCS: dict[str, tuple[str, Any] | str] = {
    "support_queue": ("GET", "status=open&assignee=unassigned&sort=priority&page_size=5"),
    "support_ticket": ("GET", f"ticket_id={SEED_OPEN_TICKET}"),
    "support_update_ticket": ("POST", {
        "ticket_id": SEED_OPEN_TICKET, "status": "in_progress",
        "assignee_id": SEED_AGENT_ID,
    }),
    "support_reply": ("POST", {
        "ticket_id": SEED_OPEN_TICKET, "body": "We are looking into it.", "internal": False,
    }),
    # Presence and bulk actions (docs/bulk-and-collisions.md).
    "support_presence": ("POST", {"ticket_id": SEED_OPEN_TICKET, "state": "viewing"}),
    "support_bulk_update": "No example: it changes seed tickets for good. The body is "
    "`{\"ticket_ids\": [...]}` or `{\"filters\": {...}}` with `{\"changes\": {...}}` or "
    "`{\"macro_id\"}`; beyond 50 tickets the answer is a job for `support_bulk_job`.",
    "support_bulk_job": "No example: it needs the id of a bulk job, from `support_bulk_update`.",
    "support_merge_ticket": NO_EXAMPLE,
    # Linked already: the answer is the link as it stands, so the example can run again.
    "support_link_problem": ("POST", {"ticket_id": SEED_REPORT, "problem_id": SEED_PROBLEM}),
    "support_unlink_problem": NO_EXAMPLE,
    "support_feedback_queue": ("POST", {"status": "planned", "limit": "5"}),
    "support_feedback": ("GET", f"feedback_id={SEED_PLANNED_FEEDBACK}"),
    "support_review_feedback": ("POST", {
        "feedback_id": SEED_RECEIVED_FEEDBACK, "status": "under_review",
    }),
    "support_stats": ("GET", "since=2026-01-01&until=2026-02-01"),
    # Auto-triage (docs/triage.md; support_decide_suggestion needs a suggestion's id from these).
    "support_suggestions": ("GET", f"ticket_id={SEED_OPEN_TICKET}"),
    "support_similar_tickets": ("GET", f"ticket_id={SEED_OPEN_TICKET}&page_size=5"),
    "support_triage_report": ("GET", "days=30"),
    "support_feedback_suggestions": ("POST", {"status": "received", "limit": "5"}),
    "support_similar_feedback": ("GET", f"feedback_id={SEED_RECEIVED_FEEDBACK}&page_size=5"),
    "support_decide_suggestion": "No example: it needs the id of a suggestion nobody has "
    "decided yet, from `support_suggestions`.",
    "retry_dead_notification": "No example: it needs the id of a dead notification (admins "
    "only; see Notifications below).",
    # Tags and custom fields (docs/macros-tags-fields.md).
    "support_tag_ticket": ("POST", {"ticket_id": SEED_OPEN_TICKET, "add": ["refund"]}),
    "support_tag_feedback": ("POST", {"feedback_id": SEED_RECEIVED_FEEDBACK, "add": ["ux"]}),
    "support_set_ticket_fields": ("POST", {
        "ticket_id": SEED_OPEN_TICKET, "fields": {"plan": "pro"},
    }),
    "support_render_macro": ("GET", f"ticket_id={SEED_OPEN_TICKET}&macro_id={SEED_MACRO}"),
    "support_apply_macro": "No example: it replies on a seed ticket and moves it for good. The "
    "body is `{\"ticket_id\", \"macro_id\", \"expected_updated_at\"}`, as "
    "`support_render_macro` previews it.",
    # Saved views and export (docs/views-and-export.md).
    "support_view_counts": ("GET", ""),
    "support_export_tickets": ("GET", f"view={SEED_VIEW}&batch_size=2"),
    "support_export_feedback": ("GET", "created_from=2026-01-01&batch_size=2"),
    # The feedback board (docs/feedback-board.md).
    "support_publish_feedback": "No example: it makes a post of a seed entry for good. The body "
    "is `{\"feedback_id\", \"title\", \"description\", \"category\"?, \"feature_name\"?}`.",
    "support_merge_feedback": "No example: it gathers a seed entry into a post for good. The body "
    "is `{\"feedback_id\", \"post_id\"}`.",
    "support_update_post": "No example: it moves a post for good. The body is `{\"post_id\", "
    "\"status\"?, \"title\"?, \"description\"?, \"category\"?, \"feature_name\"?}`.",
    "support_save_changelog_entry": "No example: it writes the public changelog for good. The "
    "body is `{\"entry_id\"?, \"title\", \"body\", \"published_on\"?, \"post_ids\"?}`.",
    "support_delete_changelog_entry": "No example: it removes a changelog entry for good "
    "(`{\"entry_id\"}`).",
    "support_audit_log": "No example: admins only, and the examples run as the seed's agent. "
    "With an admin's JWT, `GET $API/rest/v1/rpc/support_audit_log?table_name=public.support_staff"
    "&page_size=20` lists the latest changes of staff roles.",
    "support_erase_user": "No example: admins only, and it erases a user for good. The body is "
    "`{\"user_id\"}` (docs/privacy.md).",
}
# The other RPCs for signed-in users (neither the contract's nor staff's), as STAFF_RPCS.
USER_RPCS: dict[str, tuple[str, Any] | str] = {
    "list_my_feedback": ("POST", {"limit": "5"}),
    "rate_ticket": "No example: only a resolved ticket can be rated, and only staff resolve "
    "one (the Flask route's example above shows the whole way).",
    "set_email_notifications": "No example: it answers no body (204); the body it takes is "
    "under Notifications below.",
    "companion_start_conversation": "No example: the companion route calls it (and "
    "`companion_take_conversation`) for the user.",
    "companion_take_conversation": "No example: see `companion_start_conversation`.",
    "board_posts": ("POST", {"limit": "5"}),
    "similar_posts": ("GET", "description=dark%20mode&page_size=3"),
    "roadmap": ("GET", ""),
    "changelog": ("POST", {"limit": "5"}),
    "vote_for_post": "No example: it needs a post's id, from `board_posts`; the Flask route "
    "`POST /api/board/posts/{post_id}/vote` relays it.",
    "withdraw_vote": "No example: see `vote_for_post` (`DELETE /api/board/posts/{post_id}/vote`).",
    "unfollow_post": "No example: the body is `{\"post_id\"}` of a post you vote for; the "
    "one-click link of a post's email (`POST /api/notifications/unfollow`) calls it for you.",
    "follow_post": "No example: see `unfollow_post`.",
    "share_my_feedback": "No example: the body is `{\"feedback_id\", \"share\"?, "
    "\"display_name\"?}` for one of your own entries.",
    "export_my_data": "The Flask route `GET /api/me/export` (`exportMyData`, above) relays it; "
    "its example is there.",
    "erase_my_data": "No example: it erases the caller's support data for good. The Flask route "
    "`POST /api/me/erase` (`eraseMyData`, above) relays it.",
}
# Staff RPCs are named support_*; these few others are for admins.
ADMIN_RPCS = {"retry_dead_notification"}
# Functions of `public` that PostgREST does not publish to signed-in users, and why.
OMITTED = {
    "visitor_board_posts": "For anonymous visitors through a trusted server with the service "
    "key (execute granted to `service_role` only), when `board_settings.public_read`; no RPC of "
    "signed-in users.",
    "visitor_roadmap": "As `visitor_board_posts`, for `roadmap`.",
    "visitor_changelog": "As `visitor_board_posts`, for `changelog`.",
    "custom_access_token_hook": "Supabase Auth's access-token hook: Auth calls it when it issues "
    "a token (execute granted to `supabase_auth_admin` only), so it is no RPC.",
}
FORM = "application/x-www-form-urlencoded"
EXAMPLE_USER_ID = "00000000-0000-4000-8000-0000000000aa"
SETUP = f"""\
```sh
# The local stack (`make dev`) with the Supabase CLI's local keys.
API=http://127.0.0.1:54321
ANON_KEY={project_api_key(LOCAL_JWT_SECRET, "anon")}
SERVICE_ROLE_KEY={project_api_key(LOCAL_JWT_SECRET, "service_role")}
# A local user (created if missing) and a JWT for them, valid one hour.
USER_ID={EXAMPLE_USER_ID}
USER_JWT=$(.venv/bin/support-stack token --user-id $USER_ID)
# The seed's support agent, for the staff operations.
AGENT_JWT=$(.venv/bin/support-stack token --email agent@example.com)
```"""


def fetch_postgrest_openapi(url: str, jwt_secret: str) -> dict[str, Any]:
    token = mint_jwt(jwt_secret, sub=EXAMPLE_USER_ID)
    response = httpx.get(
        url.rstrip("/") + "/",
        headers={
            "Authorization": f"Bearer {token}",
            "Accept": "application/openapi+json",
            "Accept-Profile": "public",
        },
        timeout=30,
    )
    response.raise_for_status()
    return response.json()


def _shell_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _curl(method: str, url: str, headers: Iterable[str], body: Any = None,
          form: Mapping[str, str] | None = None) -> str:
    verb = f" -X {method}" if method != "GET" else ""
    parts = [f'curl -sS{verb} "{url}"']
    parts += [f'-H "{header}"' for header in headers]
    if body is not None:
        parts += ['-H "Content-Type: application/json"', f"-d {_shell_quote(json.dumps(body))}"]
    if form is not None:
        # curl -d sends application/x-www-form-urlencoded, as a mail client's one-click POST.
        parts.append(f"-d {_shell_quote(urlencode(form))}")
    return " \\\n  ".join(parts)


def _type_of(schema: Mapping[str, Any], components: Mapping[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "any")
    kinds = kind if isinstance(kind, list) else [kind]
    text = " or ".join(
        f"array of {_type_of(schema.get('items', {}), components)}" if k == "array" else str(k)
        for k in kinds
    )
    return f"{text} ({schema['format']})" if "format" in schema else text


def _resolve(schema: Mapping[str, Any], doc: Mapping[str, Any]) -> Mapping[str, Any]:
    if "$ref" in schema:
        return doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _fields_table(schema: Mapping[str, Any], doc: Mapping[str, Any], *,
                  described: bool = False) -> list[str]:
    schema = _resolve(schema, doc)
    required = set(schema.get("required", []))
    rows = ["| field | type | required |", "|---|---|---|"]
    if described:
        rows = ["| field | type | required | description |", "|---|---|---|---|"]
    for name, prop in schema.get("properties", {}).items():
        rows.append(
            f"| `{name}` | {_type_of(prop, doc['components'])} | "
            f"{'yes' if name in required else 'no'} |"
            + (f" {prop.get('description', '')} |" if described else "")
        )
    return rows


def _flask_examples(path: str, method: str, op: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(title, curl) for an operation, from the document's examples."""
    # The staff routes (tag "staff") are shown as the seed's agent calls them.
    jwt = "AGENT_JWT" if "staff" in op.get("tags", []) else "USER_JWT"
    user_auth = f"Authorization: Bearer ${jwt}"
    service_auth = "Authorization: Bearer $SERVICE_ROLE_KEY"
    auth = (
        []
        if op.get("security") == []
        else [service_auth]
        if op.get("security") == [{"serviceRoleKey": []}]
        else [user_auth]
    )
    content = op.get("requestBody", {}).get("content", {}).get("application/json", {})
    form = op.get("requestBody", {}).get("content", {}).get(FORM, {}).get("example")
    url = f"$API{path.replace('{ticket_id}', '$TICKET_ID')}"
    # Other path parameters take their documented example (a seed row's id).
    for parameter in op.get("parameters", []):
        if parameter["in"] == "path" and "example" in parameter:
            url = url.replace("{" + parameter["name"] + "}", parameter["example"])
    if "examples" in content:
        return [
            (example["summary"], _curl(method, url, auth, _with_env(example["value"])))
            for example in content["examples"].values()
        ]
    if "example" in content:
        # x-example-before: shell lines that make the example's state (e.g. a resolved ticket).
        curl = _curl(method, url, auth, content["example"])
        examples = [("", "\n".join([*op.get("x-example-before", []), curl]))]
    else:
        query = "&".join(
            f"{p['name']}={p['example']}"
            for p in op.get("parameters", [])
            if p["in"] == "query" and "example" in p
        )
        examples = [("", _curl(method, url + (f"?{query}" if query else ""), auth, form=form))]
    if "{ticket_id}" in path and method == "GET":
        # The routes after it (reply, close) work on the same ticket.
        examples.insert(0, ("A ticket to work with", _new_ticket()))
    return examples


def _new_ticket() -> str:
    """A shell line that files a ticket and keeps its id in $TICKET_ID.

    A ticket of type other: the examples file few of those, so the user stays under the
    hourly limit of each kind when the page runs from top to bottom.
    """
    auth = ["Authorization: Bearer $USER_JWT"]
    ticket = {"ticket_type": "other", "subject": "Demo", "description": "Demo"}
    create = _curl("POST", "$API/api/support/tickets", auth, ticket)
    capture = "TICKET_ID=$(" + create + " \\\n  | python3 -c "
    return capture + "'import json, sys; print(json.load(sys.stdin)[\"ticket_id\"])')"


def _env(curl: str) -> str:
    """Placeholders in JSON bodies become the shell variables of the setup."""
    for name in ("USER_ID", "TICKET_ID"):
        curl = curl.replace(f"__{name}__", f"'\"${name}\"'")
    return curl


def _with_env(value: Any) -> Any:
    """Example bodies name the example user; the curl sends $USER_ID (set in the setup)."""
    if isinstance(value, dict) and value.get("user_id") == EXAMPLE_USER_ID:
        return {**value, "user_id": "__USER_ID__"}
    return value


def _flask_section(doc: Mapping[str, Any]) -> list[str]:
    out = ["## Flask routes (`/api/`)", "", doc["info"]["description"], ""]
    for path, methods in doc["paths"].items():
        for method, op in methods.items():
            verb = method.upper()
            out += [f"### `{verb} {path}` — {op['summary']}", ""]
            if op.get("description"):
                out += [op["description"], ""]
            security = op.get("security")
            auth = (
                "none"
                if security == []
                else "the project's service_role key as bearer"
                if security == [{"serviceRoleKey": []}]
                else "the user's JWT as bearer"
            )
            out += [f"Authentication: {auth}.", ""]
            params = op.get("parameters", [])
            if params:
                out += ["| parameter | in | description |", "|---|---|---|"]
                out += [
                    f"| `{p['name']}` | {p['in']} | {p.get('description', '')} |" for p in params
                ]
                out.append("")
            content = op.get("requestBody", {}).get("content", {})
            for media, title in (("application/json", "Request body:"),
                                 (FORM, f"Request body (`{FORM}`):")):
                if media in content:
                    out += [title, "", *_fields_table(content[media]["schema"], doc), ""]
            out += ["| status | meaning |", "|---|---|"]
            out += [f"| {code} | {r['description']} |" for code, r in op["responses"].items()]
            out.append("")
            for title, curl in _flask_examples(path, verb, op):
                if title:
                    out += [f"{title}:", ""]
                out += ["```sh", _env(curl), "```", ""]
    return out


def _rpc_section(postgrest: Mapping[str, Any], doc: Mapping[str, Any]) -> list[str]:
    out = [
        "## RPCs (PostgREST, `/rest/v1/rpc/`)",
        "",
        "The same operations, served by PostgREST to `supabase-js` / `supabase-py` "
        "(`supabase.rpc(name, body)`). Descriptions are the functions' SQL comments, as "
        "PostgREST publishes them in its OpenAPI output. Calls need the user's JWT as bearer "
        "and the project's anon key as `apikey`.",
        "",
    ]
    operations = {
        op["operationId"]: (path, op)
        for path, methods in doc["paths"].items()
        for op in methods.values()
    }
    for rpc, operation_id in RPCS.items():
        entry = postgrest["paths"].get(f"/rpc/{rpc}")
        if entry is None:
            raise SystemExit(f"PostgREST does not publish /rpc/{rpc}: is the database migrated?")
        post = entry["post"]
        body = next((p for p in post.get("parameters", []) if p.get("in") == "body"), None)
        methods = ", ".join(sorted(m.upper() for m in entry))
        out += [f"### `/rpc/{rpc}` ({methods})", "", post.get("summary", ""), ""]
        if post.get("description"):
            out += [post["description"], ""]
        if body:
            props = body["schema"].get("properties", {})
            required = set(body["schema"].get("required", []))
            out += ["| argument | format | required |", "|---|---|---|"]
            for name, prop in props.items():
                label = f"`{name}`" if name else "(the whole JSON body, one unnamed argument)"
                needed = "yes" if name in required else "no"
                out.append(f"| {label} | {prop.get('format', '')} | {needed} |")
            out.append("")
        headers = ["apikey: $ANON_KEY", "Authorization: Bearer $USER_JWT"]
        path, op = operations[operation_id]
        if rpc == "get_ticket":
            curl = _curl("GET", f"$API/rest/v1/rpc/{rpc}?ticket_id=$TICKET_ID", headers)
        elif rpc == "list_my_tickets":
            curl = _curl("POST", f"$API/rest/v1/rpc/{rpc}", headers, {"limit": "5"})
        elif "{ticket_id}" in path:
            if rpc == "reply_to_ticket":
                # The Flask examples closed theirs; a fresh one for this and close_ticket.
                out += ["A ticket to work with:", "", "```sh", _new_ticket(), "```", ""]
            example = {
                "ticket_id": "__TICKET_ID__",
                **op.get("requestBody", {}).get("content", {}).get("application/json", {})
                .get("example", {}),
            }
            curl = _curl("POST", f"$API/rest/v1/rpc/{rpc}", headers, example)
        else:
            example = op["requestBody"]["content"]["application/json"]["example"]
            curl = _curl("POST", f"$API/rest/v1/rpc/{rpc}", headers, example)
        same = f"The same as `{op['operationId']}` (`{path}`):"
        out += [same, "", "```sh", _env(curl), "```", ""]
    return out + _other_rpc_sections(postgrest)


def _published(postgrest: Mapping[str, Any]) -> list[str]:
    """The RPCs PostgREST publishes, by name."""
    return sorted(path.removeprefix("/rpc/") for path in postgrest["paths"]
                  if path.startswith("/rpc/"))


def is_staff_rpc(name: str) -> bool:
    return name.startswith("support_") or name in ADMIN_RPCS


def _in_order(names: list[str], known: Mapping[str, Any]) -> list[str]:
    """The names that `known` lists, in its order, then the others by name."""
    return [name for name in known if name in names] + sorted(set(names) - set(known))


def _other_rpc_sections(postgrest: Mapping[str, Any]) -> list[str]:
    published = _published(postgrest)
    users = [name for name in published if name not in RPCS and not is_staff_rpc(name)]
    staff = [name for name in published if is_staff_rpc(name)]
    return [
        "### Other operations for signed-in users",
        "",
        "Each on the caller's own data, as the user's JWT shows them (see docs/architecture.md, "
        "\"Who calls which RPC\").",
        "",
        *_operations(postgrest, _in_order(users, USER_RPCS), USER_RPCS,
                     "USER_JWT"),
        "### Staff operations",
        "",
        "For support staff (a row in `support_staff`); everyone else gets 403 (see "
        "docs/architecture.md, \"Who calls which RPC\"). The examples use the seed's agent "
        "(agent@example.com), an open ticket of the seed's demo user, the seed's problem with "
        "its reports and the seed's feedback.",
        "",
        *_operations(postgrest, _in_order(staff, STAFF_RPCS), STAFF_RPCS,
                     "AGENT_JWT"),
        "### Not in this reference",
        "",
        "The functions of schema `public` that PostgREST does not publish as RPCs:",
        "",
        *[f"- `{name}`: {reason}" for name, reason in sorted(OMITTED.items())],
        "",
    ]


def _operations(postgrest: Mapping[str, Any], names: Iterable[str],
                examples: Mapping[str, tuple[str, Any] | str], jwt: str) -> list[str]:
    out = []
    headers = ["apikey: $ANON_KEY", f"Authorization: Bearer ${jwt}"]
    for rpc in names:
        entry = postgrest["paths"][f"/rpc/{rpc}"]
        post = entry["post"]
        methods = ", ".join(sorted(m.upper() for m in entry))
        out += [f"#### `/rpc/{rpc}` ({methods})", "", post.get("summary", ""), ""]
        if post.get("description"):
            out += [post["description"], ""]
        example = examples.get(rpc, "No example yet.")
        if isinstance(example, str):
            out += [example, ""]
            continue
        method, request = example
        if method == "GET":
            curl = _curl("GET", f"$API/rest/v1/rpc/{rpc}?{request}", headers)
        else:
            curl = _curl("POST", f"$API/rest/v1/rpc/{rpc}", headers, request)
        out += ["```sh", _env(curl), "```", ""]
    return out


def unaccounted(functions: Iterable[str], reference: str) -> list[str]:
    """The functions of `public` (as the catalog lists them) that the reference neither
    documents (a section of their own) nor states as omitted, or does both."""
    problems = []
    for name in sorted(set(functions)):
        documented = f"`/rpc/{name}` (" in reference
        omitted = f"- `{name}`: " in reference
        if documented == omitted:
            problems.append(name)
    return problems


VERIFY_EXAMPLE = """\
```python
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

def receive(body: bytes, headers: dict[str, str]) -> int:
    try:
        event = Webhook(SECRET).verify(body, headers)  # the raw body, as it arrived
    except WebhookVerificationError:                   # changed body, wrong secret, or a
        return 401                                     # timestamp over five minutes off
    if not seen(headers["webhook-id"]):                # at least once: a repeat is no news
        act_on(event)
        remember(headers["webhook-id"])
    return 204
```"""


def _webhook_section(doc: Mapping[str, Any]) -> list[str]:
    out = ["## Notifications", "",
           "What the API sends on its own when support acts on a ticket. Email goes to the "
           "ticket's owner over SMTP, one message per user and ticket (changes within the batch "
           "window together), with a stable `Message-ID` (the same events, the same id), "
           "`X-Support-Events` (the event ids) and a one-click unsubscribe link (RFC 8058: "
           "`List-Unsubscribe: <https://<project>/api/notifications/unsubscribe?token=...>`, "
           "`List-Unsubscribe-Post: List-Unsubscribe=One-Click`; the token is not a JWT and "
           "no JWT is a token). Users choose per kind with the RPC `set_email_notifications` "
           "(`{\"kinds\": [...], \"enabled\": false}`); admins register webhook endpoints in "
           "`webhook_endpoints` and put dead notifications back with "
           "`retry_dead_notification`. The app sees the same changes through Supabase "
           "Realtime (`support_tickets`, `ticket_messages`, under RLS). Kinds, the worker and "
           "its settings: [notifications.md](notifications.md).", ""]
    for name, methods in doc.get("webhooks", {}).items():
        for method, op in methods.items():
            out += [f"### Webhook `{name}`: `{method.upper()}` to each registered endpoint — "
                    f"{op['summary']}", "", op["description"], "",
                    "| header | description |", "|---|---|"]
            out += [f"| `{p['name']}` | {p['description']} |" for p in op["parameters"]]
            body = op["requestBody"]["content"]["application/json"]
            event = _resolve(body["schema"], doc)
            out += ["", "Body:", "", *_fields_table(event, doc, described=True), "",
                    "`data`:", "",
                    *_fields_table(event["properties"]["data"], doc, described=True), "",
                    "```json", json.dumps(body["example"], indent=2), "```", "",
                    "| answer | meaning |", "|---|---|"]
            out += [f"| {code} | {r['description']} |" for code, r in op["responses"].items()]
            out += ["", "Verifying it (Python, the `standardwebhooks` library; it exists for "
                    "most languages):", "", VERIFY_EXAMPLE, ""]
    return out


def render(doc: Mapping[str, Any], postgrest: Mapping[str, Any]) -> str:
    out = [
        "# API reference",
        "",
        "<!-- Generated by `python -m support_dev.apidocs` from support_api/openapi.json and "
        "PostgREST's OpenAPI output; edit those, not this file. -->",
        "",
        f"{doc['info']['title']}, version {doc['info']['version']}. The machine-readable "
        "documents: `GET /api/openapi.json` (Flask routes, OpenAPI 3.1) and `GET /rest/v1/` "
        "(PostgREST, OpenAPI 2.0).",
        "",
        "Every example below runs as printed against the local stack after this setup:",
        "",
        SETUP,
        "",
        "## Errors",
        "",
        "Every error has PostgREST's shape: "
        '`{"code": "...", "message": "...", "details": ..., "hint": ...}`. Errors of the '
        "database (a broken field rule: 400; another user's or a missing ticket: 404; the rate "
        "limit: 429 with `Retry-After`; an Idempotency-Key reused for another request: 422) "
        "reach Flask clients unchanged. A refusal of the database carries a stable code per "
        "reason, which clients switch on (`ticket_changed`, `ticket_closed`, `invalid_uuid`, "
        "`integer_out_of_range`, ...: the `code` column of `public.support_messages`, whose "
        "messages support may reword); the contract's own codes stay as they are (`P0002`, "
        "`P0429`, `P0422`), and `42501` means the caller may not do this. "
        "Codes starting with `SAPI` come from the Flask layer: "
        "`SAPI400` (body not JSON), `SAPI401` (no bearer token / not the service_role key), "
        "`SAPI404`, `SAPI405`, `SAPI413` (body too large), `SAPI415` (not application/json), "
        "`SAPI503` (PostgREST unreachable). The local stack's gateway refuses a few requests "
        "before either: codes starting with `GATEWAY` (`GATEWAY400` for a URL or header that is "
        "not UTF-8 text, `GATEWAY404` for a path outside /rest/v1/ and /api/, `GATEWAY413` for a "
        "body over the same cap as the Flask layer's, `GATEWAY503` when nothing answers behind "
        "it).",
        "",
        *_flask_section(doc),
        *_rpc_section(postgrest, doc),
        *_webhook_section(doc),
    ]
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m support_dev.apidocs",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    supabase_url = os.environ.get("SUPABASE_URL", "").rstrip("/")
    parser.add_argument(
        "--postgrest-url",
        default=os.environ.get("POSTGREST_URL") or (supabase_url and supabase_url + "/rest/v1"),
    )
    parser.add_argument("--jwt-secret", default=os.environ.get("SUPABASE_JWT_SECRET"))
    parser.add_argument("--output", type=Path, default=REFERENCE)
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args(argv)
    if not args.postgrest_url or not args.jwt_secret:
        parser.error("set POSTGREST_URL (or SUPABASE_URL) and SUPABASE_JWT_SECRET, or pass flags")
    text = render(openapi_document(), fetch_postgrest_openapi(args.postgrest_url, args.jwt_secret))
    if args.check:
        current = args.output.read_text() if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run python -m support_dev.docs", file=sys.stderr)
            return 1
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
