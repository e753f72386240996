"""The gateway's rewrite of PostgREST's answers: submitted values taken out of error bodies, and
timeouts told apart from real failures (PostgREST 12 answers both 500).

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
    """Directives of the location that answers for PostgREST: the relay reads PostgREST's answer
    through the internal location below, then sets status and body (see the script)."""
    return """            js_content postgrest_errors.relay;"""


def nginx_upstream_location(upstream: str) -> str:
    """The internal location the relay's subrequest goes through, to PostgREST itself."""
    # The whole answer is read into memory: at most db-max-rows rows of at most ~200 KB each
    # is far beyond any answer the API gives; the buffer grows only as far as an answer does.
    return f"""        location = /__postgrest {{
            internal;
            proxy_pass http://{upstream}$request_uri;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            subrequest_output_buffer_size 32m;
        }}"""
