"""The suggester: a TF-IDF + logistic-regression classifier per field, trained in a second.

Anything with the same `suggest` method (e.g. a hosted LLM asked for a label from the allowed
values) can stand in for it; see docs/triage.md.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline, make_pipeline

from support_triage.examples import FIELDS, Example

HELD_OUT_SHARE = 0.2
SPLIT_SEED = 14


@dataclass(frozen=True)
class Suggestion:
    field: str
    value: str
    confidence: float


class Suggester(Protocol):
    version: str

    def suggest(self, kind: str, text: str) -> list[Suggestion]: ...


@dataclass(frozen=True)
class FieldRun:
    """What one training run measured for one field."""

    field: str
    examples: int
    staff_labels: int
    held_out: int
    held_out_accuracy: float


def _pipeline() -> Pipeline:
    # Words and word pairs ("charged twice", "locked out"). Character n-grams measured a few
    # points better on ticket_type but took ten times as long to fit on this shared machine.
    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True),
        LogisticRegression(max_iter=1000, C=10.0, class_weight="balanced"),
    )


def _held_out_accuracy(texts: list[str], labels: list[str]) -> tuple[int, float]:
    counts = Counter(labels)
    stratify = labels if min(counts.values()) >= 2 else None
    train_x, test_x, train_y, test_y = train_test_split(
        texts, labels, test_size=HELD_OUT_SHARE, random_state=SPLIT_SEED, stratify=stratify
    )
    predicted = _pipeline().fit(train_x, train_y).predict(test_x)
    correct = sum(p == y for p, y in zip(predicted, test_y, strict=True))
    return len(test_y), correct / len(test_y)


class TextClassifier:
    """One fitted pipeline per field; the version names the data it learnt from."""

    def __init__(self, models: dict[str, Pipeline], version: str) -> None:
        self._models = models
        self.version = version

    def suggest(self, kind: str, text: str) -> list[Suggestion]:
        suggestions = []
        for field in FIELDS[kind]:
            model = self._models[field]
            probabilities = model.predict_proba([text])[0]
            best = int(probabilities.argmax())
            suggestions.append(
                Suggestion(field, str(model.classes_[best]), float(probabilities[best]))
            )
        return suggestions


def train(examples: list[Example]) -> tuple[TextClassifier, list[FieldRun]]:
    """Measures each field on a held-out fifth, then fits on every example."""
    digest = hashlib.sha256()
    for example in sorted(examples, key=lambda e: (e.field, e.text, e.label)):
        digest.update(f"{example.field}\t{example.text}\t{example.label}\n".encode())
    models: dict[str, Pipeline] = {}
    runs: list[FieldRun] = []
    for field in (field for fields in FIELDS.values() for field in fields):
        chosen = [e for e in examples if e.field == field]
        texts, labels = [e.text for e in chosen], [e.label for e in chosen]
        held_out, accuracy = _held_out_accuracy(texts, labels)
        models[field] = _pipeline().fit(texts, labels)
        staff = sum(e.from_staff for e in chosen)
        runs.append(FieldRun(field, len(chosen), staff, held_out, accuracy))
    return TextClassifier(models, f"tfidf-lr-{digest.hexdigest()[:12]}"), runs
