"""Per-field accuracy and macro-F1 of a suggester on the labelled held-out entries."""

from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline

from support_dev.triage_eval import Labelled
from support_triage.examples import FIELDS, Example, feedback_text, ticket_text
from support_triage.model import Suggester, Suggestion


@dataclass(frozen=True)
class FieldFigures:
    field: str
    items: int
    accuracy: float
    macro_f1: float


class TfidfClassifier:
    """The suggester before embeddings (words and word pairs, a regression per field), kept
    here to compare the worker's against."""

    version = "tfidf-lr"

    def __init__(self, examples: list[Example]) -> None:
        self._models = {}
        for field in (f for fields in FIELDS.values() for f in fields):
            chosen = [e for e in examples if e.field == field]
            self._models[field] = make_pipeline(
                TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
                LogisticRegression(max_iter=1000, C=10.0, class_weight="balanced"),
            ).fit([e.text for e in chosen], [e.label for e in chosen])

    def suggest(self, kind: str, text: str) -> list[Suggestion]:
        suggestions = []
        for field in FIELDS[kind]:
            probabilities = self._models[field].predict_proba([text])[0]
            best = int(probabilities.argmax())
            suggestions.append(Suggestion(field, str(self._models[field].classes_[best]),
                                          float(probabilities[best])))
        return suggestions


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
