"""Fits the score of the likely-duplicates lookup with vectors, and measures it on groups it
was not fitted on.

The score is the chance that two reports are of one problem: a logistic regression over the
cosine of their embeddings and the database's shared-words score, fitted on pairs of the
evaluation set (a report and each other report of its group: same problem; a report and each
decoy of its area: not). The threshold is the least chance at which at most DECOY_TARGET of the
fitted decoy pairs pass. Measured by two-fold cross-validation over the paraphrase groups (fit
on one half, measure the SQL lookup on the other), so the figures are of reports the weights
never saw; the weights printed for the settings are then fitted on every group."""

from dataclasses import dataclass

import numpy
from sklearn.linear_model import LogisticRegression

from support_dev.triage_eval import EvalSet
from support_dev.triage_eval.similarity import DECOY_TARGET, PAIR_PAGE, SimilarityFigures, measure
from support_dev.triage_eval.sql import Calibration, SqlScorer
from support_triage.embedding import Embedder
from support_triage.examples import ticket_text


@dataclass(frozen=True)
class Pairs:
    group: list[str]  # the paraphrase group of the pair's first report
    features: numpy.ndarray  # rows of (cosine, shared-words score)
    same: numpy.ndarray  # whether the pair is of one problem


def pairs(data: EvalSet, db_url: str, embedder: Embedder) -> Pairs:
    words = SqlScorer(db_url)
    groups, rows, same = [], [], []
    for group, members in data.groups.items():
        pool = members + [d for d in data.decoys if d.near == group]
        ranked = words.rank(pool, members, PAIR_PAGE, 0.0)
        vectors = embedder.embed([ticket_text(r.subject, r.description) for r in pool])
        for i, query in enumerate(members):
            scores = {h.id: h.score for h in ranked[query.id]}
            for j, other in enumerate(pool):
                if other.id != query.id:
                    groups.append(group)
                    rows.append((float(vectors[i] @ vectors[j]), scores.get(other.id, 0.0)))
                    same.append(other.group == group)
    return Pairs(groups, numpy.array(rows), numpy.array(same))


def fit(pairs: Pairs, chosen: set[str]) -> Calibration:
    rows = numpy.array([g in chosen for g in pairs.group])
    x, y = pairs.features[rows], pairs.same[rows]
    model = LogisticRegression(C=10.0).fit(x, y)
    if model.coef_[0][1] < 0:
        # Here the decoys share more words than the paraphrases (as the set was written), but
        # a near-identical report is the surest duplicate there is: shared words are never
        # taken as evidence against, at worst as none (the column zeroed, its weight 0).
        x = x * numpy.array([1.0, 0.0])
        model = LogisticRegression(C=10.0).fit(x, y)
    chances = model.predict_proba(x)[:, 1]
    decoy_chances = numpy.sort(chances[~y])
    # The least chance that lets at most DECOY_TARGET of the decoy pairs through.
    allowed = int(len(decoy_chances) * DECOY_TARGET)
    threshold = float(decoy_chances[len(decoy_chances) - allowed - 1]) + 1e-6
    return Calibration(float(model.intercept_[0]), float(model.coef_[0][0]),
                       float(model.coef_[0][1]), round(min(max(threshold, 0.001), 0.999), 3))


def subset(data: EvalSet, chosen: set[str]) -> EvalSet:
    return EvalSet({g: m for g, m in data.groups.items() if g in chosen},
                   [d for d in data.decoys if d.near in chosen], data.labelled)


def cross_validated(data: EvalSet, db_url: str, embedder: Embedder,
                    found: Pairs) -> list[tuple[Calibration, SimilarityFigures]]:
    """Per fold: the calibration fitted on the other half, and the figures on this half."""
    names = sorted(data.groups)
    folds = [set(names[0::2]), set(names[1::2])]
    results = []
    for held_out, fitted_on in ((folds[0], folds[1]), (folds[1], folds[0])):
        calibration = fit(found, fitted_on)
        scorer = SqlScorer(db_url, embedder, calibration)
        results.append((calibration, measure(scorer, subset(data, held_out))))
    return results
