"""CPU per notification email built: the bytes written directly (support_worker.mime, what the
worker sends) against Python's `email` package (`build_email_message`, the builder before),
for the shapes an email takes: one ASCII reply, a non-ASCII reply and subject, a ticket's
batch of 20 events, and a long reply (long lines, quoted-printable).

    .venv/bin/python -m bench.email_build     (EMAIL_BUILD_ROUNDS=300, EMAIL_BUILD_LABEL=...)

Rendering the Jinja2 templates is part of both figures (the same code); `render only` gives
it alone. Thread CPU time (time.thread_time), the median of rounds of 20 builds, so the other
processes on the machine count as little as they can. Writes
bench/results/<date>-email-build[-<label>].json and prints a table.
"""

from __future__ import annotations

import datetime
import json
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from support_worker.email_messages import _Parts, build_email, build_email_message
from support_worker.queue import Event
from support_worker.settings import WorkerSettings

ROUNDS = int(os.environ.get("EMAIL_BUILD_ROUNDS", "300"))
PER_ROUND = 20

SETTINGS = WorkerSettings(db_url="postgresql://unused", jwt_secret="x" * 40,
                          app_url="http://127.0.0.1:3000", api_url="http://127.0.0.1:54321/api")


def event(number: int, subject: str, reply: str, kind: str = "reply") -> Event:
    return Event(event_id=1000 + number, kind=kind, label="Support replied to your ticket.",
                 ticket_id="00000000-0000-4000-8000-000000000001", subject=subject,
                 recipient_id="00000000-0000-4000-8000-0000000000aa",
                 recipient_email="owner@example.test", email_wanted=True,
                 event_kind="public_reply", from_value=None, to_value=None, from_label=None,
                 to_label=None, reply=reply,
                 occurred_at=datetime.datetime.now(datetime.UTC))


CASES: dict[str, list[Event]] = {
    "one ASCII reply": [event(1, "Charged twice in March", "We refunded the second charge.")],
    "non-ASCII reply and subject": [event(1, "Zweimal belastet \u2013 März 💳",
                                          "Wir haben die zweite Abbuchung erstattet. Grüße!")],
    "20 events of one ticket": [event(n, "Charged twice in March", f"Reply number {n}.")
                                for n in range(20)],
    "long reply (qp)": [event(1, "Export fails", ("Très long paragraphe sans fin de ligne. " * 60
                                                   + "\n") * 5)],
}


def cpu_ms(build: Callable[[list[Event]], object], events: list[Event]) -> float:
    samples = []
    for _ in range(ROUNDS):
        began = time.thread_time()
        for _ in range(PER_ROUND):
            build(events)
        samples.append((time.thread_time() - began) / PER_ROUND * 1000)
    return round(statistics.median(samples), 3)


def main() -> None:
    builders: dict[str, Callable[[list[Event]], object]] = {
        "render only": lambda events: _Parts.of(events, SETTINGS),
        "email package (before)": lambda events: build_email_message(events, SETTINGS)
        .as_bytes(),  # the flattening send_message does
        "bytes written directly (after)": lambda events: build_email(events, SETTINGS).data,
    }
    figures = {case: {name: cpu_ms(build, events) for name, build in builders.items()}
               for case, events in CASES.items()}
    result = {"date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
              "unit": "ms of CPU per email (thread time, median of rounds of 20)",
              "rounds": ROUNDS, "load_average": os.getloadavg(), "figures": figures}
    label = os.environ.get("EMAIL_BUILD_LABEL")
    name = f"{datetime.date.today()}-email-build{'-' + label if label else ''}.json"
    path = Path(__file__).parent / "results" / name
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'case':32} " + " ".join(f"{n:>32}" for n in builders))
    for case, row in figures.items():
        print(f"{case:32} " + " ".join(f"{row[n]:>32}" for n in builders))
    print(f"written to {path}")


if __name__ == "__main__":
    main()
