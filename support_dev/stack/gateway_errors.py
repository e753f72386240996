"""The gateway's rewrite of PostgREST's error bodies: submitted values taken out of them.

PostgreSQL quotes the text its input functions could not read (a filter value or a body field of
the wrong type) and PostgREST quotes the filter it could not parse; both happen in PostgREST's
own statement, before any function of ours. postgrest_errors.js (nginx njs, Debian's
libnginx-mod-http-js) rewrites those bodies on the hop in front of PostgREST, keeping the error
shape. A hosted project has no such hop: README, "Security and fair use", says what it echoes.
"""

from pathlib import Path

SCRIPT = Path(__file__).with_name("postgrest_errors.js")


def nginx_main(njs_module: Path) -> str:
    """Main-context directive: the njs module."""
    return f"load_module {njs_module};"


def nginx_http() -> str:
    """http-level directive: the script."""
    return f"    js_import postgrest_errors from {SCRIPT};"


def nginx_location() -> str:
    """Directives of the location that proxies PostgREST."""
    return """            js_header_filter postgrest_errors.headers;
            js_body_filter postgrest_errors.body buffer_type=buffer;"""
