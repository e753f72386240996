"""What the contract fixes, shared by the tests: its request bodies, the answers and limits of
the five operations, the error shape; and a count of a user's rows. This module holds no test.
"""

from __future__ import annotations

import re

RFC3339_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
ERROR_KEYS = {"code", "message", "details", "hint"}

# The contract's request bodies, as printed in it.
BUG = {
    "description": "The calendar integration shows wrong dates",
    "steps_to_reproduce": (
        "1. Open calendar\n2. Check tomorrow's events\n3. Dates are off by one day"
    ),
    "expected_behavior": "Dates should match my Google Calendar",
    "actual_behavior": "All dates are shifted by one day",
    "device_info": "iPhone 15 Pro, iOS 18.1",
    "app_version": "1.0.0",
    "screenshot_urls": ["https://example.com/screenshot.png"],
}
FEEDBACK = {
    "category": "feature_request",
    "description": "It would be great if Sage could track my fitness goals",
    "rating": 4,
    "feature_name": "fitness_tracking",
    "would_recommend": True,
}
TICKET = {
    "ticket_type": "billing",
    "subject": "Charged twice for subscription",
    "description": "I was charged $15 twice on January 5th. Please refund the duplicate charge.",
    "priority": "high",
}
CREATE = {"report_bug": BUG, "submit_feedback": FEEDBACK, "create_support_ticket": TICKET}
# What each create answers: its keys in the contract's order and the fixed values.
ANSWERS = {
    "report_bug": (
        ["ticket_id", "status", "message", "created_at"],
        {
            "status": "open",
            "message": "Thank you for reporting this bug. We'll investigate and get back to you.",
        },
    ),
    "submit_feedback": (
        ["feedback_id", "message", "created_at"],
        {"message": "Thanks for the feature request! We review all suggestions for our roadmap."},
    ),
    "create_support_ticket": (
        ["ticket_id", "ticket_type", "status", "priority", "message", "created_at"],
        {
            "ticket_type": "billing",
            "status": "open",
            "priority": "high",
            "message": (
                "Your support ticket has been created. We typically respond within 24 hours."
            ),
        },
    ),
}
# The kind each create counts against, and its limit.
KINDS = {"report_bug": 5, "create_support_ticket": 5, "submit_feedback": 10}


def rows_of(db, user_id: str, *tables: str) -> int:
    """How many rows of `tables` the user has (read as an admin)."""
    return sum(
        db.execute(
            f"select count(*) from public.{table} where user_id = %s", (user_id,)
        ).fetchone()[0]
        for table in tables
    )
