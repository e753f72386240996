"""Support & Feedback API: the Flask layer over the database's PostgREST API.

The contract's companion helper is importable from here::

    from support_api import PostgrestHandle, create_ticket_from_companion
"""

from support_api.app import create_app
from support_api.companion.helper import (
    InvalidInput,
    RateLimited,
    SupportError,
    UnknownUser,
    create_ticket_from_companion,
)
from support_api.postgrest import PostgrestHandle, PostgrestUnavailable

__all__ = [
    "InvalidInput",
    "PostgrestHandle",
    "PostgrestUnavailable",
    "RateLimited",
    "SupportError",
    "UnknownUser",
    "create_app",
    "create_ticket_from_companion",
]
