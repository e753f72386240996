"""The held-out evaluation set of issue 25: paraphrase groups and decoys for the likely-duplicates
lookup, labelled tickets and feedback for the suggester. Written for this; nothing here is in a
test or in the seed the model trains on. `python -m support_dev.triage_eval` measures today's
pipeline on it (docs/triage.md, "Evaluation set")."""

import csv
import json
import re
from dataclasses import dataclass
from importlib import resources

HERE = resources.files(__package__)


@dataclass(frozen=True)
class Report:
    """A bug report as the app stores one: the subject is the description's first line."""

    id: str
    group: str | None  # the paraphrase group, None for a decoy
    near: str | None  # for a decoy, the group whose area it shares
    text: str

    @property
    def subject(self) -> str:
        return re.sub(r"\s+", " ", self.text.strip().splitlines()[0]).strip()[:255]

    @property
    def description(self) -> str:
        return self.text


@dataclass(frozen=True)
class Labelled:
    kind: str  # ticket or feedback
    labels: dict[str, str]  # field -> value
    subject: str  # ticket: the first line; feedback: the feature name ("" when none)
    description: str


@dataclass(frozen=True)
class EvalSet:
    groups: dict[str, list[Report]]
    decoys: list[Report]
    labelled: list[Labelled]

    @property
    def reports(self) -> list[Report]:
        return [r for members in self.groups.values() for r in members] + self.decoys


def _rows(name: str) -> list[dict[str, str]]:
    # No quoting: a report may hold quotes as users type them; "\n" in a cell is a line break.
    with (HERE / name).open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [{k: v.replace("\\n", "\n") for k, v in row.items()} for row in rows]


def load() -> EvalSet:
    similar = json.loads((HERE / "similar.json").read_text(encoding="utf-8"))
    groups = {
        g["id"]: [Report(f"{g['id']}-{i}", g["id"], None, text)
                  for i, text in enumerate(g["reports"], 1)]
        for g in similar["groups"]
    }
    decoys = [Report(d["id"], None, d["near"], d["text"]) for d in similar["decoys"]]
    labelled = [
        Labelled("ticket", {"ticket_type": r["ticket_type"], "priority": r["priority"]},
                 r["text"].splitlines()[0], r["text"])
        for r in _rows("tickets.tsv")
    ] + [
        Labelled("feedback", {"category": r["category"]}, r["feature_name"], r["text"])
        for r in _rows("feedback.tsv")
    ]
    return EvalSet(groups, decoys, labelled)
