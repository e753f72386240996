"""The support dashboard on the local gateway: its nginx locations, its config and sign-in links.

The dashboard is static files (dashboard/) plus pinned npm files: the UMD builds of supabase-js
and Chart.js it loads (axe-core is only injected by the tests). Locally there is no Auth server,
so the runner prints a sign-in link per demo staff member that carries a JWT in the URL
fragment; the dashboard reads the fragment, keeps the token in the tab's sessionStorage and
removes it from the address bar. A fragment never reaches a server (no request line, no log,
no Referer), and the token is signed with the local stack's well-known secret, which the API
refuses outside local mode: the link is worth nothing anywhere but on this machine.

The gateway serves a copy made at each start in the run folder, never the clone itself: run as
root, nginx's workers are `nobody`, who cannot enter a clone in a private folder (a `mktemp -d`
folder, or root's home, which Debian creates 0700). Edit dashboard/, then restart the stack.
"""

import json
import shutil
from pathlib import Path
from urllib.parse import quote

from support_dev.stack.config import StackConfig
from support_dev.stack.paths import PROJECT_ROOT
from support_runtime.tokens import mint_jwt

DASHBOARD_DIR = PROJECT_ROOT / "dashboard"
# What the pages load from node_modules, under /dashboard/vendor/ (versions in package-lock.json).
VENDOR_FILES = {
    "supabase.js": PROJECT_ROOT / "node_modules/@supabase/supabase-js/dist/umd/supabase.js",
    "chart.js": PROJECT_ROOT / "node_modules/chart.js/dist/chart.umd.min.js",
}
DEMO_STAFF = ("agent@example.com", "admin@example.com")
SIGN_IN_LIFETIME = 12 * 3600
# Same-origin only: the pages call PostgREST through this gateway; no inline script or style.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def served_dir(config: StackConfig) -> Path:
    """Where the gateway serves /dashboard/ from: the copy `publish` makes."""
    return config.run_dir / "dashboard"


def publish(config: StackConfig) -> Path:
    """Copies the pages and the vendor files into served_dir, readable by every user, and writes
    the stack's config.js there: its URL, the anon key, local sign-in, and that there is no
    Storage server (attachments are shown as paths, not signed links)."""
    target = served_dir(config)
    shutil.rmtree(target, ignore_errors=True)
    # copyfile, not copy2: a clone made under umask 077 has 0600 files that nobody could read.
    shutil.copytree(DASHBOARD_DIR, target, copy_function=shutil.copyfile)
    (target / "vendor").mkdir()
    for name, source in VENDOR_FILES.items():
        shutil.copyfile(source, target / "vendor" / name)
    settings = {"supabaseUrl": config.gateway_url, "anonKey": config.anon_key, "localSignIn": True,
                "storageServer": False}
    (target / "config.js").write_text(
        "// Written by the local stack runner at each start.\n"
        f"window.SUPPORT_DASHBOARD_CONFIG = {json.dumps(settings, indent=2)};\n"
    )
    for path in (target, *target.rglob("*")):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def nginx_locations(config: StackConfig) -> str:
    headers = (
        f'add_header Content-Security-Policy "{CONTENT_SECURITY_POLICY}" always;\n'
        "            add_header X-Content-Type-Options nosniff always;\n"
        "            add_header Referrer-Policy no-referrer always;\n"
        "            add_header Cache-Control no-cache always;"
    )
    types = "types { text/html html; text/css css; text/javascript js; image/svg+xml svg; }"
    return f"""
        # The support dashboard: static pages that call /rest/v1/ with the staff member's JWT.
        location = /dashboard {{ return 301 /dashboard/; }}
        location /dashboard/ {{
            {types}
            alias {served_dir(config)}/;
            index index.html;
            {headers}
        }}
"""


def demo_staff_query() -> str:
    """psql query: `email|id` of each demo staff member present (the seed adds them)."""
    emails = ", ".join(f"'{email}'" for email in DEMO_STAFF)
    return (
        "select u.email || '|' || u.id from auth.users as u "
        "join public.support_staff as s on s.user_id = u.id "
        f"where u.email in ({emails});"
    )


def sign_in_links(config: StackConfig, psql_rows: str) -> list[str]:
    """One line per demo staff member found by demo_staff_query: email and a link with a JWT."""
    user_ids = dict(row.split("|", 1) for row in psql_rows.split() if "|" in row)
    lines = []
    for email in DEMO_STAFF:
        user_id = user_ids.get(email)
        if not user_id:
            continue
        token = mint_jwt(config.jwt_secret, sub=user_id, email=email, expires_in=SIGN_IN_LIFETIME)
        fragment = f"access_token={quote(token)}&token_type=bearer&expires_in={SIGN_IN_LIFETIME}"
        lines.append(f"  {email}: {config.gateway_url}/dashboard/#{fragment}")
    return lines
