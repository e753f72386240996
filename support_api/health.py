"""GET /api/health: the process is up (the stack runner polls it for readiness)."""

from flask import Blueprint

bp = Blueprint("health", __name__)


@bp.get("/api/health")
def health() -> tuple[dict[str, str], int]:
    return {"status": "ok"}, 200
