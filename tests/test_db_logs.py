"""No log line of the stack carries ticket or feedback content.

A run of valid and invalid requests, through PostgREST and through the Flask routes, all
carrying one unique marker in their content; afterwards no log file of the stack (PostgreSQL,
PostgREST, nginx, gunicorn/Flask) contains it.
"""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import httpx
import pytest


def requests_carrying(marker: str) -> list[tuple[str, str, object]]:
    """(gateway path, method, JSON body): valid and invalid, every field that holds content."""
    bug = {
        "description": f"{marker} calendar is off",
        "steps_to_reproduce": marker,
        "expected_behavior": marker,
        "actual_behavior": marker,
        "device_info": marker,
        "app_version": marker[:50],
        "screenshot_urls": [f"https://example.com/{marker}.png"],
    }
    ticket = {"ticket_type": "billing", "subject": marker, "description": marker}
    feedback = {"category": "other", "description": marker, "feature_name": marker[:100]}
    bodies = [
        ("rpc/report_bug", bug),
        ("rpc/report_bug", {**bug, "description": marker * 200}),  # too long
        ("rpc/report_bug", {**bug, "description": "   "}),  # blank, content elsewhere
        ("rpc/report_bug", {**bug, "screenshot_urls": [f"http://{marker}"]}),
        ("rpc/report_bug", {**bug, "unknown": marker}),
        ("rpc/report_bug", {**bug, "description": f"{marker}\u0000"}),  # not storable text
        ("rpc/create_support_ticket", ticket),
        ("rpc/create_support_ticket", {**ticket, "ticket_type": "nope"}),
        ("rpc/create_support_ticket", {**ticket, "subject": marker * 20}),
        ("rpc/submit_feedback", feedback),
        ("rpc/submit_feedback", {**feedback, "rating": marker}),
        ("rpc/submit_feedback", {**feedback, "category": "nope"}),
        ("support_tickets", {**ticket, "description": "  "}),  # direct insert, CHECK fails
        ("support_tickets", {**ticket, "status": "closed"}),  # direct insert, no grant
    ]
    rest = [(f"/rest/v1/{path}", "POST", body) for path, body in bodies]
    api = [
        ("/api/support/report-bug", "POST", bug),
        ("/api/support/report-bug", "POST", {**bug, "description": marker * 200}),
        ("/api/support/feedback", "POST", feedback),
        ("/api/support/feedback", "POST", {**feedback, "rating": marker}),
        ("/api/support/tickets", "POST", ticket),
        ("/api/support/tickets", "POST", {**ticket, "priority": marker}),
    ]
    # A user may not remove through the local Storage stand-in; a path names a file.
    storage = [("/storage/v1/object/support-attachments", "DELETE",
                {"prefixes": [f"{marker}/{marker}/{marker}.png"]})]
    return rest + api + storage


def test_no_log_file_contains_submitted_content(stack, make_user):
    if stack.log_dir is None:
        pytest.skip("the stack's logs are not on this machine")
    marker = f"logmarker-{uuid.uuid4().hex}"
    user = make_user()
    headers = {"apikey": stack.anon_key, "Authorization": f"Bearer {user.jwt}"}
    statuses = set()
    with httpx.Client(timeout=30) as http:
        for path, method, body in requests_carrying(marker):
            answer = http.request(method, stack.gateway_url + path, json=body, headers=headers)
            statuses.add(answer.status_code)
            assert marker not in answer.text or answer.is_success, (path, answer.text)
    assert {200, 400, 403} <= statuses

    time.sleep(1)  # let the servers write their lines
    logs = [path for path in Path(stack.log_dir).rglob("*") if path.is_file()]
    assert logs, f"no log files under {stack.log_dir}"
    leaking = [str(path) for path in logs if marker.encode() in path.read_bytes()]
    assert leaking == []
