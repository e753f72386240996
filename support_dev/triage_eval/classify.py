"""Per-field accuracy and macro-F1 of a suggester on the labelled held-out entries."""

from dataclasses import dataclass

from sklearn.metrics import f1_score

from support_dev.triage_eval import Labelled
from support_triage.examples import feedback_text, ticket_text
from support_triage.model import Suggester


@dataclass(frozen=True)
class FieldFigures:
    field: str
    items: int
    accuracy: float
    macro_f1: float


def item_text(item: Labelled) -> str:
    """The text the worker scores the item on (support_triage.store)."""
    if item.kind == "ticket":
        return ticket_text(item.subject, item.description)
    return feedback_text(item.subject or None, item.description)


def measure(suggester: Suggester, labelled: list[Labelled]) -> list[FieldFigures]:
    truth: dict[str, list[str]] = {}
    guess: dict[str, list[str]] = {}
    for item in labelled:
        answers = {s.field: s.value for s in suggester.suggest(item.kind, item_text(item))}
        for field, value in item.labels.items():
            truth.setdefault(field, []).append(value)
            # No suggestion counts as wrong, as staff see nothing to accept.
            guess.setdefault(field, []).append(answers.get(field, ""))
    figures = []
    for field, expected in truth.items():
        predicted = guess[field]
        correct = sum(p == e for p, e in zip(predicted, expected, strict=True))
        macro = f1_score(expected, predicted, labels=sorted(set(expected)), average="macro",
                         zero_division=0)
        figures.append(FieldFigures(field, len(expected), correct / len(expected), float(macro)))
    return figures
