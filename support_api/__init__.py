"""Support & Feedback API: the Flask layer over the database's PostgREST API.

The contract's companion helper is importable from here::

    from support_api import PostgrestHandle, create_ticket_from_companion
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Imported on first use, so that `support_api.local` (the stack runner) stays light.
_EXPORTS = {
    "create_ticket_from_companion": "support_api.companion_tickets",
    "PostgrestHandle": "support_api.postgrest_handle",
    "PostgrestUnavailable": "support_api.postgrest_handle",
    "SupportError": "support_api.companion_errors",
    "RateLimited": "support_api.companion_errors",
    "InvalidInput": "support_api.companion_errors",
    "UnknownUser": "support_api.companion_errors",
    "create_app": "support_api.app",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'support_api' has no attribute {name!r}")
    return getattr(import_module(_EXPORTS[name]), name)
