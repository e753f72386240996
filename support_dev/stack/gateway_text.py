"""The gateway's guard for PostgREST: header values and URLs that are not UTF-8 text.

PostgREST 12.0.2 decodes every request header and the percent-decoded URL as UTF-8 and
answers a text/plain 500 (or drops the connection) when one holds another encoding, such as a
Latin-1 `café` in `X-Client-Info` or `?status=%E9`. HTTP allows those bytes, so the gateway
refuses them first with a 400 in the error shape, naming the header. It passes PostgREST only
the headers PostgREST or the database read, each checked; any other header would need its own
check, and none of them changes an answer.
"""

from collections.abc import Callable

# (first byte range, continuation byte ranges...) of each multi-byte UTF-8 sequence (RFC 3629):
# no overlong forms, no surrogates, nothing above U+10FFFF.
_SEQUENCES = [
    ((0xC2, 0xDF), (0x80, 0xBF)),
    ((0xE0, 0xE0), (0xA0, 0xBF), (0x80, 0xBF)),
    ((0xE1, 0xEC), (0x80, 0xBF), (0x80, 0xBF)),
    ((0xED, 0xED), (0x80, 0x9F), (0x80, 0xBF)),
    ((0xEE, 0xEF), (0x80, 0xBF), (0x80, 0xBF)),
    ((0xF0, 0xF0), (0x90, 0xBF), (0x80, 0xBF), (0x80, 0xBF)),
    ((0xF1, 0xF3), (0x80, 0xBF), (0x80, 0xBF), (0x80, 0xBF)),
    ((0xF4, 0xF4), (0x80, 0x8F), (0x80, 0xBF), (0x80, 0xBF)),
]

# Header name -> nginx variable; Authorization is checked as the client sent it.
FORWARDED_HEADERS = {
    "Accept": "$http_accept",
    "Accept-Profile": "$http_accept_profile",
    "Access-Control-Request-Headers": "$http_access_control_request_headers",
    "Access-Control-Request-Method": "$http_access_control_request_method",
    "apikey": "$http_apikey",
    "Content-Profile": "$http_content_profile",
    "Content-Type": "$http_content_type",
    "Idempotency-Key": "$http_idempotency_key",
    "Origin": "$http_origin",
    "Prefer": "$http_prefer",
    "Range": "$http_range",
    "Range-Unit": "$http_range_unit",
    "X-Client-Info": "$http_x_client_info",
}
CHECKED_ONLY = {"Authorization": "$http_authorization"}


def _raw(byte_range: tuple[int, int]) -> str:
    low, high = byte_range
    return f"\\x{low:02X}" if low == high else f"[\\x{low:02X}-\\x{high:02X}]"


def _escaped(byte_range: tuple[int, int]) -> str:
    """A percent-escape of a byte in the range (hex digits matched without case)."""
    low, high = byte_range
    digits = "0123456789ABCDEF"
    by_first_digit: dict[str, str] = {}
    for byte in range(low, high + 1):
        by_first_digit.setdefault(digits[byte >> 4], "")
        by_first_digit[digits[byte >> 4]] += digits[byte & 15]
    return "(?:" + "|".join(f"%{first}[{rest}]" for first, rest in by_first_digit.items()) + ")"


def _text_pattern(ascii_class: str, byte_pattern: Callable[[tuple[int, int]], str]) -> str:
    sequences = ["".join(byte_pattern(part) for part in sequence) for sequence in _SEQUENCES]
    return "^(?:" + "|".join([ascii_class, *sequences]) + ")*+$"


HEADER_PATTERN = _text_pattern("[\\x00-\\x7F]", _raw)
# Raw bytes above 0x7F are refused too: a client percent-escapes them.
URI_PATTERN = _text_pattern("[^%\\x80-\\xFF]|%(?![0-9A-F]{2})|%[0-7][0-9A-F]", _escaped)


def _variable(header: str) -> str:
    return "$not_utf8_" + header.lower().replace("-", "_")


def nginx_maps() -> str:
    """http-level maps: each checked header's name when its value is not UTF-8, and the URL."""
    maps = [
        # nginx tries no regex on an empty value (an absent header): hence the "" entry.
        f'    map {source} {_variable(name)} {{ "" ""; "~{HEADER_PATTERN}" ""; '
        f'default "{name} "; }}'
        for name, source in {**FORWARDED_HEADERS, **CHECKED_ONLY}.items()
    ]
    names = "".join(_variable(name) for name in {**FORWARDED_HEADERS, **CHECKED_ONLY})
    maps.append(f'    map "{names}" $not_utf8_headers {{ "~^(?<names>.*\\S)\\s*$" $names; '
                'default ""; }')
    maps.append(f'    map $request_uri $not_utf8_uri {{ "~*{URI_PATTERN}" ""; default 1; }}')
    return "\n".join(maps)


def nginx_location_guard(error_json: Callable[[int, str], str]) -> str:
    """Directives of the PostgREST location: refuse what PostgREST cannot decode, pass the
    checked headers only."""
    forwarded = "\n".join(f"            proxy_set_header {name} {source};"
                          for name, source in FORWARDED_HEADERS.items())
    return f"""            if ($not_utf8_uri) {{
                {error_json(400, "The URL is not UTF-8 text once percent-decoded")}
            }}
            if ($not_utf8_headers) {{
                {error_json(400, "Header not UTF-8 text: $not_utf8_headers")}
            }}
            proxy_pass_request_headers off;
{forwarded}"""
