"""The bytes of a notification email, written directly: headers encoded per RFC 2047/5322,
a multipart/alternative of text and HTML with 7bit, quoted-printable or base64 bodies, CRLF.

Python's `email` package parses every header it is given into a tree and folds it back, and
its content manager encodes a body in pure Python: 6-12 ms of CPU an email on the development
VM, more than MailDev takes to accept it. What a notification needs is much less: a few
headers whose values are known to be one line (`email_messages.one_line`), two text bodies,
addresses of the usual shape. Anything else (an address with a quoted or non-ASCII display
name, say) is built by the `email` package as before (`email_messages.build_email`).
`tests/test_email_bytes.py` parses these bytes with the `email` parser and compares every
header and part with what the `email` package builds from the same input.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from collections.abc import Sequence

# RFC 5322: a line is at most 998 characters; RFC 2047: an encoded word at most 75.
MAX_LINE = 998
_WORD_PREFIX, _WORD_SUFFIX = "=?utf-8?b?", "?="
_WORD_BYTES = (75 - len(_WORD_PREFIX) - len(_WORD_SUFFIX)) // 4 * 3  # 45 bytes, 60 chars

_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_DOT_ATOM = rf"{_ATEXT}(?:\.{_ATEXT})*"
ADDR_SPEC = re.compile(rf"{_DOT_ATOM}@{_DOT_ATOM}")
# "Display Name <addr>" whose display name is plain words (no quoting, no encoding needed).
_NAMED = re.compile(rf"((?:{_ATEXT})(?: {_ATEXT})*) <({_DOT_ATOM}@{_DOT_ATOM})>")


def plain_address(value: str) -> tuple[str, str] | None:
    """(header text, addr-spec) for an address of the usual shapes, None for any other."""
    if ADDR_SPEC.fullmatch(value):
        return value, value
    named = _NAMED.fullmatch(value)
    if named and "=?" not in named[1]:
        return value, named[2]
    return None


def _encoded_words(value: str) -> str:
    """`value` as RFC 2047 base64 encoded words of at most 75 characters, folded one a line:
    a reader drops the folding between adjacent words, so it decodes to `value` exactly."""
    words: list[str] = []
    chunk = bytearray()
    for char in value:
        encoded = char.encode()
        if len(chunk) + len(encoded) > _WORD_BYTES:
            words.append(chunk.decode())
            chunk = bytearray()
        chunk += encoded
    if chunk:
        words.append(chunk.decode())
    return "\r\n ".join(
        f"{_WORD_PREFIX}{base64.b64encode(word.encode()).decode()}{_WORD_SUFFIX}"
        for word in words)


def unstructured(name: str, value: str) -> str:
    """The header line(s) of an unstructured field (Subject, X-...): as written when it is
    ASCII and fits a line, encoded words otherwise (also for a value that merely looks like
    one, which a reader would decode)."""
    if (value.isascii() and value.isprintable() and "=?" not in value
            and len(name) + 2 + len(value) <= MAX_LINE and value == value.strip()
            and "  " not in value):
        return f"{name}: {value}\r\n"
    return f"{name}: {_encoded_words(value)}\r\n"


def verbatim(name: str, value: str) -> str:
    """A structured field we wrote ourselves (Message-ID, List-Unsubscribe, Date ...): ASCII,
    one line; refused otherwise rather than sent broken."""
    if not (value.isascii() and value.isprintable()) or len(name) + 2 + len(value) > MAX_LINE:
        raise ValueError(f"{name} is not one line of ASCII")
    return f"{name}: {value}\r\n"


def _lines(text: str) -> list[bytes]:
    # As the email package does: \r, \n and \r\n end a line; the last line gets its end.
    return text.encode().splitlines()


def _quoted_printable(body: bytes) -> bytes:
    """binascii's encoder (C), with the lines it leaves at 77 characters (a line's trailing
    space encoded as =20 after the length was counted) broken again: at most 76."""
    encoded = binascii.b2a_qp(body, quotetabs=False, istext=True, header=False)
    lines = encoded.replace(b"\r\n", b"\n").split(b"\n")
    if encoded.endswith(b"\n"):
        lines.pop()
    out: list[bytes] = []
    for line in lines:
        while len(line) > 76:
            cut = 75
            # Never inside an =XX escape.
            while b"=" in line[cut - 2:cut]:
                cut -= 1
            out.append(line[:cut] + b"=")
            line = line[cut:]
        out.append(line)
    return b"\r\n".join(out) + b"\r\n"


def text_part(subtype: str, text: str) -> bytes:
    """A text/<subtype> part in UTF-8: 7bit when every line is ASCII and fits, else the
    shorter of quoted-printable and base64 (RFC 2045 line lengths: at most 76)."""
    lines = _lines(text)
    head = f'Content-Type: text/{subtype}; charset="utf-8"\r\nContent-Transfer-Encoding: '
    body = b"\r\n".join(lines) + b"\r\n"
    if body.isascii() and all(len(line) <= MAX_LINE for line in lines):
        return f"{head}7bit\r\n\r\n".encode() + body
    qp = _quoted_printable(body)
    b64 = base64.encodebytes(body).replace(b"\n", b"\r\n")
    if len(qp) <= len(b64):
        return f"{head}quoted-printable\r\n\r\n".encode() + qp
    return f"{head}base64\r\n\r\n".encode() + b64


def alternative(headers: Sequence[str], parts: Sequence[bytes]) -> bytes:
    """The whole message: `headers` (ready lines), MIME-Version and a multipart/alternative
    of `parts` under a boundary that none of them contains."""
    boundary = f"=_{secrets.token_hex(16)}"
    while any(boundary.encode() in part for part in parts):  # 128 random bits: never, but
        boundary = f"=_{secrets.token_hex(16)}"               # a reply could quote one
    delimiter = f"\r\n--{boundary}\r\n".encode()
    return b"".join((
        "".join(headers).encode(),
        b"MIME-Version: 1.0\r\n",
        f'Content-Type: multipart/alternative; boundary="{boundary}"\r\n\r\n'.encode(),
        delimiter[2:],
        delimiter.join(parts),
        f"\r\n--{boundary}--\r\n".encode(),
    ))
