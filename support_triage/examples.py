"""Labelled examples: the seed set committed in the repo, and how an item becomes text."""

import csv
from dataclasses import dataclass
from importlib import resources

# Which label columns each kind of item has, in the order the model predicts them.
FIELDS = {"ticket": ("ticket_type", "priority"), "feedback": ("category",)}


@dataclass(frozen=True)
class Example:
    kind: str
    field: str
    text: str
    label: str
    from_staff: bool = False


def ticket_text(subject: str, description: str) -> str:
    # A bug report's subject is its description's first line: the description alone then holds
    # every word once (the subject alone would drop everything after the first line).
    return description if description.startswith(subject) else f"{subject}\n{description}"


def feedback_text(feature_name: str | None, description: str) -> str:
    return f"{feature_name}\n{description}" if feature_name else description


def seed_examples() -> list[Example]:
    examples: list[Example] = []
    seed = resources.files("support_triage") / "seed"
    for kind, name in (("ticket", "tickets.tsv"), ("feedback", "feedback.tsv")):
        with (seed / name).open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                examples.extend(
                    Example(kind, field, row["text"], row[field]) for field in FIELDS[kind]
                )
    return examples
