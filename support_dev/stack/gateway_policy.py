"""The gateway's share of fair use and of the error shape: per-caller limits, sizes, the route
template in the access log, CORS for PostgREST, and its own errors as JSON.

The database enforces the limits that must also hold on a hosted project (PostgREST's
pre-request function, supabase/migrations/*_create_fair_share.sql); the gateway adds what only
a proxy can do cheaply: it caps each caller's requests in flight and their rate before they
reach PostgREST or the Flask layer, so a flood costs nginx, not a database connection.
"""

from collections.abc import Callable
from pathlib import Path

from support_api.settings import DEFAULT_MAX_BODY_BYTES

# Refuses like, ilike, match, imatch and the fts family in a query string (see the script).
PATTERN_FILTERS_SCRIPT = Path(__file__).with_name("postgrest_filters.js")
PATTERN_FILTERS_REFUSAL = ("Pattern filters (like, ilike, match, imatch, fts) are not accepted: "
                           "search through the RPCs")

# The longest request line and header line a client may send. supabase-js puts filters in the
# query string (`.in('id', ids)`: ~37 bytes per UUID), so 16 KB passes ~400 ids; longer is 414.
MAX_HEADER_LINE = 16 * 1024
# PostgREST echoes the query string, percent-encoded again (up to 3 bytes per byte), in
# Content-Location: the buffer for its response headers must hold that.
UPSTREAM_HEADER_BUFFER = 64 * 1024
# Per caller (a bearer token; the address of anonymous callers).
MAX_IN_FLIGHT = 20
RATE_PER_SECOND = 50
BURST = 100
# nginx answers its own limit refusals with this otherwise unused status, so that error_page
# turns them into 429 in the error shape without touching PostgREST's own 429s.
LIMITED_STATUS = 529
# The headers a browser script may read: PostgREST's own list, and Retry-After, X-Request-Id.
EXPOSED_HEADERS = ("Content-Encoding, Content-Location, Content-Range, Content-Type, Date, "
                   "Location, Server, Transfer-Encoding, Range-Unit, Retry-After, X-Request-Id")

ErrorJson = Callable[[int, str], str]

# The RPCs that take "limit" and "offset" arguments and answer one JSON object.
PAGED_RPCS = ("list_my_tickets", "list_my_feedback", "support_feedback_queue",
              "support_feedback_suggestions")
PAGED_RPCS_PATTERN = "|".join(PAGED_RPCS)


def nginx_http_policy(anon_key: str, service_role_key: str) -> str:
    """http-level directives: sizes, the caller key and its zones, the logged route."""
    return f"""    large_client_header_buffers 4 {MAX_HEADER_LINE // 1024}k;
    proxy_buffer_size {UPSTREAM_HEADER_BUFFER // 1024}k;
    proxy_buffers 8 {UPSTREAM_HEADER_BUFFER // 1024}k;
    proxy_busy_buffers_size {2 * UPSTREAM_HEADER_BUFFER // 1024}k;

    # The caller: the bearer token a user sent, or the address of an anonymous caller (the anon
    # key is everyone's). The service_role key (trusted servers, the companion) is not limited:
    # an empty key is not counted.
    map_hash_bucket_size 256;  # the keys below are whole API keys
    map $http_authorization $caller_key {{
        default $http_authorization;
        "" $binary_remote_addr;
        "Bearer {anon_key}" $binary_remote_addr;
        "Bearer {service_role_key}" "";
    }}
    limit_conn_zone $caller_key zone=caller_in_flight:10m;
    limit_req_zone $caller_key zone=caller_rate:10m rate={RATE_PER_SECOND}r/s;
    limit_conn_status {LIMITED_STATUS};
    limit_req_status {LIMITED_STATUS};
    limit_conn_log_level warn;
    limit_req_log_level warn;

    # The access log names the route, never the path a caller wrote: the Flask layer says
    # which of its rules answered (X-Route); anything else gets a template.
    map $uri $route_of_uri {{
        default "/{{other}}";
        "/health" "/health";
        "/rest/v1/" "/rest/v1/";
        "~^/rest/v1/rpc/" "/rest/v1/rpc/{{function}}";
        "~^/rest/v1/" "/rest/v1/{{relation}}";
        "~^/api/" "/api/{{unknown}}";
        "~^/storage/v1/object/" "/storage/v1/object/{{bucket}}";
    }}
    map $upstream_http_x_route $route {{
        "" $route_of_uri;
        default $upstream_http_x_route;
    }}
    map $http_origin $cors_exposed_headers {{
        "" "";
        default "{EXPOSED_HEADERS}";
    }}
    # The list RPCs answer one JSON object; PostgREST would apply a GET's limit and offset to
    # that single row (offset=1: `null`, limit=abc ignored) instead of passing them on.
    map "$request_method $uri?$args" $reserved_paging_params {{
        "~^(GET|HEAD) /rest/v1/rpc/(?<paged_rpc>{PAGED_RPCS_PATTERN})\\?(.*&)?(limit|offset)(=|&|$)"
            $paged_rpc;
        default "";
    }}
    map $http_origin $cors_allow_origin {{
        "" "";
        default "*";
    }}
    js_import postgrest_filters from {PATTERN_FILTERS_SCRIPT};
    js_set $pattern_filter postgrest_filters.patternFilter;"""


def nginx_location_limits() -> str:
    """Directives of each proxied location: the caller's share."""
    return f"""            limit_conn caller_in_flight {MAX_IN_FLIGHT};
            # Past the rate a caller's requests wait (in nginx, holding nothing upstream); past
            # the burst they are refused.
            limit_req zone=caller_rate burst={BURST};"""


def nginx_postgrest_location(error_json: ErrorJson) -> str:
    """Directives of the PostgREST location: reserved paging parameters where a function takes
    its own, pattern filters, and the headers a browser script may read."""
    refusal = error_json(400, "$reserved_paging_params takes limit and offset in a POST "
                         "body: in a GET query string PostgREST keeps them for itself")
    return f"""            if ($reserved_paging_params) {{
                {refusal}
            }}
            if ($pattern_filter) {{
                {error_json(400, PATTERN_FILTERS_REFUSAL)}
            }}
            proxy_hide_header Access-Control-Expose-Headers;
            add_header Access-Control-Expose-Headers $cors_exposed_headers always;"""


def nginx_postgrest_busy_server(socket: str, relay: str, upstream_location: str) -> str:
    """An inner server between the gateway and PostgREST that sets the status of PostgREST's
    "busy" answers: 503 with Retry-After for a statement timeout (PostgREST 12 answers it 500,
    as it does a real failure, which stays 500) and an exhausted connection pool (504).

    It takes reading PostgREST's answer before answering (gateway_errors.py, `relay`): the
    public location cannot, as its own error pages (a bad chunked body: 400) would replace
    PostgREST's answers of the same status. Hence this hop, on a unix socket.
    """
    return f"""    server {{
        listen unix:{socket};
        access_log off;
        default_type application/json;
        location / {{
{relay}
        }}
{upstream_location}
    }}"""


# The gateway's own errors: (status nginx gives, status answered, code, message, extra lines).
_OWN_ERRORS = [
    (400, 400, "Bad request: malformed HTTP (framing or headers)", ""),
    (404, 404, "Not found: use /rest/v1/ or /api/", ""),
    (413, 413, f"Request body too large: at most {DEFAULT_MAX_BODY_BYTES} bytes", ""),
    (414, 414, f"URL too long: at most {MAX_HEADER_LINE} bytes", ""),
    (494, 431, f"A header is too long: at most {MAX_HEADER_LINE} bytes", ""),
    (501, 501, "Transfer encoding not supported", ""),
    (503, 503, "Service temporarily unavailable, retry shortly",
     "add_header Retry-After 1 always;"),
    (LIMITED_STATUS, 429, "Too many requests from this caller; slow down",
     "add_header Retry-After 1 always; "
     "add_header Access-Control-Allow-Origin $cors_allow_origin always; "
     "add_header Access-Control-Expose-Headers $cors_exposed_headers always;"),
]


def nginx_error_locations(error_json: ErrorJson) -> str:
    """server-level error pages and the internal locations answering them in the error shape.

    They are URIs, not named locations: nginx cannot enter a named location for a request whose
    request line it refused (414), and answers 500 instead.
    """
    lines = ["        error_page 502 504 =503 /__gateway_error/503;"]
    for given, answered, *_ in _OWN_ERRORS:
        target = f"={answered} " if answered != given else ""
        lines.append(f"        error_page {given} {target}/__gateway_error/{answered};")
    for _, answered, message, extra in _OWN_ERRORS:
        lines.append(f"        location = /__gateway_error/{answered} {{ internal; {extra} "
                     f"{error_json(answered, message)} }}")
    return "\n".join(lines)
