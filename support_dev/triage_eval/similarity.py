"""Similar-report measures over the paraphrase groups, for any scorer.

A scorer ranks, for each query report, the other reports of a pool it is given: the SQL lookup
of today (sql.SqlScorer) or, later, an embedding pipeline (CosineScorer here is the shape one
takes). The measures are the same for every scorer, so their figures compare."""

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from support_dev.triage_eval import EvalSet, Report

TOP = 5
# The decoy share the issue targets; the threshold search reports what it costs in recall.
DECOY_TARGET = 0.10
PAIR_PAGE = 50


@dataclass(frozen=True)
class Hit:
    id: str
    score: float


class SimilarityScorer(Protocol):
    name: str
    threshold: float

    def rank(self, pool: Sequence[Report], queries: Sequence[Report], limit: int,
             min_score: float | None) -> dict[str, list[Hit]]:
        """For each query, the other reports of the pool scoring at least min_score (the
        scorer's own threshold when None), best first, at most limit."""
        ...


@dataclass(frozen=True)
class SimilarityFigures:
    scorer: str
    threshold: float
    queries: int
    recall_at_5: float
    no_hit_rate: float
    no_true_hit_rate: float
    decoys_in_top5: int
    decoys: int
    true_pair_scores: list[float]
    decoy_pair_scores: list[float]

    @property
    def decoy_share(self) -> float:
        return self.decoys_in_top5 / self.decoys


def measure(scorer: SimilarityScorer, data: EvalSet) -> SimilarityFigures:
    queries = [r for members in data.groups.values() for r in members]
    tops = scorer.rank(data.reports, queries, TOP, None)
    recalls, empty, no_true, decoys_seen = [], 0, 0, set()
    decoy_ids = {d.id for d in data.decoys}
    for query in queries:
        mates = {r.id for r in data.groups[query.group] if r.id != query.id}
        found = {h.id for h in tops[query.id]}
        recalls.append(len(found & mates) / min(len(mates), TOP))
        empty += not found
        no_true += not found & mates
        decoys_seen |= found & decoy_ids
    # Every true pair and every pair of a report with its area's decoys, scored with no
    # threshold: one pool per group keeps each pool within what the scorer answers in a page.
    true_scores, decoy_scores = [], []
    for group, members in data.groups.items():
        near = [d for d in data.decoys if d.near == group]
        ranked = scorer.rank(members + near, members, PAIR_PAGE, 0.0)
        for query in members:
            scores = {h.id: h.score for h in ranked[query.id]}
            true_scores += [scores.get(m.id, 0.0) for m in members if m.id != query.id]
            decoy_scores += [scores.get(d.id, 0.0) for d in near]
    return SimilarityFigures(
        scorer.name, scorer.threshold, len(queries), statistics.fmean(recalls),
        empty / len(queries), no_true / len(queries), len(decoys_seen), len(decoy_ids),
        true_scores, decoy_scores,
    )


def share_at_least(scores: list[float], threshold: float) -> float:
    return sum(s >= threshold for s in scores) / len(scores)


def decoy_bounded_threshold(figures: SimilarityFigures) -> float:
    """The lowest threshold that lets at most DECOY_TARGET of the area's decoy pairs through."""
    for candidate in sorted(set(figures.decoy_pair_scores + figures.true_pair_scores)):
        if share_at_least(figures.decoy_pair_scores, candidate) <= DECOY_TARGET:
            return candidate
    return 1.0


class CosineScorer:
    """Cosine similarity of embeddings: what a sentence-embedding pipeline plugs in as."""

    def __init__(self, name: str, embed: Callable[[list[str]], "object"],
                 threshold: float) -> None:
        self.name, self.threshold, self._embed = name, threshold, embed

    def rank(self, pool: Sequence[Report], queries: Sequence[Report], limit: int,
             min_score: float | None) -> dict[str, list[Hit]]:
        import numpy

        floor = self.threshold if min_score is None else min_score
        vectors = numpy.asarray(self._embed([r.text for r in pool]), dtype=float)
        vectors /= numpy.linalg.norm(vectors, axis=1, keepdims=True)
        index = {r.id: i for i, r in enumerate(pool)}
        ranked = {}
        for query in queries:
            scores = vectors @ vectors[index[query.id]]
            hits = [Hit(r.id, float(scores[i])) for i, r in enumerate(pool)
                    if r.id != query.id and scores[i] >= floor]
            ranked[query.id] = sorted(hits, key=lambda h: -h.score)[:limit]
        return ranked
