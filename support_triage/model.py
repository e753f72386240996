"""The suggester: a logistic regression per field on the sentence embeddings of the text
(support_triage.embedding), trained in a second or two on the seed set and the staff labels.

It replaced a TF-IDF model that measured worse on every field of the evaluation set
(docs/triage.md). Anything with the same `suggest` method (e.g. a hosted LLM asked for a label
from the allowed values) can stand in for it; see docs/triage.md.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Protocol

import numpy
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split

from support_triage.embedding import Encoder
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


def _regression() -> LogisticRegression:
    # Balanced: the catch-all `other` and `urgent` are rare, and a rare right answer matters.
    return LogisticRegression(max_iter=2000, C=10.0, class_weight="balanced")


def _held_out_accuracy(vectors: numpy.ndarray, labels: list[str]) -> tuple[int, float]:
    counts = Counter(labels)
    stratify = labels if min(counts.values()) >= 2 else None
    train_x, test_x, train_y, test_y = train_test_split(
        vectors, labels, test_size=HELD_OUT_SHARE, random_state=SPLIT_SEED, stratify=stratify
    )
    predicted = _regression().fit(train_x, train_y).predict(test_x)
    correct = sum(p == y for p, y in zip(predicted, test_y, strict=True))
    return len(test_y), correct / len(test_y)


class EmbeddingClassifier:
    """One fitted regression per field; the version names the model and the data."""

    def __init__(self, embedder: Encoder, models: dict[str, LogisticRegression],
                 version: str) -> None:
        self.embedder = embedder
        self._models = models
        self.version = version

    def suggest(self, kind: str, text: str) -> list[Suggestion]:
        vector = self.embedder.embed([text])
        suggestions = []
        for field in FIELDS[kind]:
            model = self._models[field]
            # A probability per allowed value: the regression's own, calibrated on the
            # examples (it is what staff see as the confidence).
            probabilities = model.predict_proba(vector)[0]
            best = int(probabilities.argmax())
            suggestions.append(
                Suggestion(field, str(model.classes_[best]), float(probabilities[best]))
            )
        return suggestions


def train(examples: list[Example],
          embedder: Encoder) -> tuple[EmbeddingClassifier, list[FieldRun]]:
    """Measures each field on a held-out fifth, then fits on every example."""
    digest = hashlib.sha256(embedder.model_id.encode())
    for example in sorted(examples, key=lambda e: (e.field, e.text, e.label)):
        digest.update(f"{example.field}\t{example.text}\t{example.label}\n".encode())
    models: dict[str, LogisticRegression] = {}
    runs: list[FieldRun] = []
    for field in (field for fields in FIELDS.values() for field in fields):
        chosen = [e for e in examples if e.field == field]
        vectors, labels = embedder.embed([e.text for e in chosen]), [e.label for e in chosen]
        held_out, accuracy = _held_out_accuracy(vectors, labels)
        models[field] = _regression().fit(vectors, labels)
        staff = sum(e.from_staff for e in chosen)
        runs.append(FieldRun(field, len(chosen), staff, held_out, accuracy))
    return EmbeddingClassifier(embedder, models, f"minilm-lr-{digest.hexdigest()[:12]}"), runs
