"""GET /api/openapi.json: the OpenAPI 3.1 document of the Flask routes (openapi.json here)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

from flask import Blueprint, Response

bp = Blueprint("openapi", __name__)


@cache
def openapi_document() -> dict[str, Any]:
    """The committed document, parsed once per process."""
    return json.loads(resources.files("support_api").joinpath("openapi.json").read_text("utf-8"))


@cache
def _document_bytes() -> bytes:
    return json.dumps(openapi_document(), ensure_ascii=False).encode("utf-8")


@bp.get("/api/openapi.json")
def openapi_json() -> Response:
    return Response(_document_bytes(), mimetype="application/json")
