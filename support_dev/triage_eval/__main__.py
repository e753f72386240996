"""python -m support_dev.triage_eval [--db-url URL]: the figures on the held-out set.

Similarity is scored by the database's support_similar_tickets, on the database at --db-url
(default $SUPABASE_DB_URL; a superuser's URL, nothing is left in it) or, without one, on a local
stack started for the run: on shared words alone (reports without vectors), then with the
reports' embeddings and weights fitted on the other half of the groups (calibration.py), with
the weights fitted on every group for the settings. The classifier is support_triage.model
trained on the seed data, as the worker trains it before any staff label, beside the TF-IDF
model it replaced."""

import argparse
import contextlib
import os
import statistics
import time
from collections.abc import Iterator

from support_dev.triage_eval import EvalSet, load
from support_dev.triage_eval.calibration import cross_validated, fit, pairs
from support_dev.triage_eval.classify import TfidfClassifier
from support_dev.triage_eval.classify import measure as measure_fields
from support_dev.triage_eval.similarity import (
    DECOY_TARGET,
    SimilarityFigures,
    decoy_bounded_threshold,
    share_at_least,
)
from support_dev.triage_eval.similarity import measure as measure_similarity
from support_dev.triage_eval.sql import SqlScorer
from support_triage.embedding import Embedder
from support_triage.examples import seed_examples
from support_triage.model import Suggester, train


@contextlib.contextmanager
def _database(db_url: str | None) -> Iterator[str]:
    if db_url:
        yield db_url
        return
    from support_dev.stack.launch import running_stack

    with running_stack(extra_args=("--no-triage",)) as stack:
        yield stack.db_url


def similarity_lines(figures: SimilarityFigures) -> list[str]:
    true, decoy = figures.true_pair_scores, figures.decoy_pair_scores
    bounded = decoy_bounded_threshold(figures)
    return [
        f"similarity: {figures.scorer}",
        f"  queries: {figures.queries} reports; threshold {figures.threshold:.2f}",
        f"  recall@5: {figures.recall_at_5:.3f}",
        f"  no-hit rate: {figures.no_hit_rate:.3f} (top 5 empty); "
        f"no true hit: {figures.no_true_hit_rate:.3f}",
        f"  decoys in some top 5: {figures.decoy_share:.3f} "
        f"({figures.decoys_in_top5} of {figures.decoys})",
        f"  true pairs: {len(true)}, median score {statistics.median(true):.3f}, "
        f"at or above threshold {share_at_least(true, figures.threshold):.3f}",
        f"  decoy pairs (same area): {len(decoy)}, median score {statistics.median(decoy):.3f}, "
        f"at or above threshold {share_at_least(decoy, figures.threshold):.3f}",
        f"  threshold implication: at most {DECOY_TARGET:.0%} of decoy pairs pass from "
        f"{bounded:.3f}, which keeps {share_at_least(true, bounded):.3f} of true pairs",
    ]


def semantic_lines(data: EvalSet, db_url: str, embedder: Embedder) -> list[str]:
    found = pairs(data, db_url, embedder)
    lines = []
    for n, (calibration, figures) in enumerate(cross_validated(data, db_url, embedder, found), 1):
        lines.append(f"fold {n} of 2, weights fitted on the other half: {calibration}")
        lines += similarity_lines(figures)
    final = fit(found, set(data.groups))
    lines.append(f"settings fitted on every group: similar_intercept {final.intercept:.2f}, "
                 f"similar_cosine_weight {final.cosine_weight:.2f}, similar_lexical_weight "
                 f"{final.lexical_weight:.2f}, similar_min_probability {final.min_probability}")
    return lines


def classifier_lines(data: EvalSet, embedder: Embedder) -> list[str]:
    lines = []
    started = time.process_time()
    classifier, _ = train(seed_examples(), embedder)
    baseline = TfidfClassifier(seed_examples())
    suggester: Suggester
    for suggester, name in ((classifier, "the worker's, on embeddings"),
                            (baseline, "TF-IDF, the one it replaced")):
        lines.append(f"classifier: {suggester.version} ({name}; seed data only)")
        for field in measure_fields(suggester, data.labelled):
            lines.append(f"  {field.field}: accuracy {field.accuracy:.3f}, "
                         f"macro-F1 {field.macro_f1:.3f} ({field.items} items)")
    lines.append(f"  cpu: {time.process_time() - started:.1f} s to train and classify")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m support_dev.triage_eval", description=__doc__)
    parser.add_argument("--db-url", default=os.environ.get("SUPABASE_DB_URL"),
                        help="a superuser's PostgreSQL URL (default $SUPABASE_DB_URL; "
                             "without one a local stack is started for the run)")
    args = parser.parse_args(argv)
    data = load()
    print(f"evaluation set: {len(data.groups)} paraphrase groups, "
          f"{sum(map(len, data.groups.values()))} reports, {len(data.decoys)} decoys, "
          f"{len(data.labelled)} labelled entries", flush=True)
    embedder = Embedder()
    with _database(args.db_url) as db_url:
        for line in similarity_lines(measure_similarity(SqlScorer(db_url), data)):
            print(line, flush=True)
        for line in semantic_lines(data, db_url, embedder):
            print(line, flush=True)
    for line in classifier_lines(data, embedder):
        print(line)


if __name__ == "__main__":
    main()
