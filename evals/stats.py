"""Uncertainty of eval scores: bootstrap intervals over questions and a paired test.

Each score is a mean over questions, so the questions are the unit resampled (Efron &
Tibshirani 1993, percentile bootstrap). A change is a win only when the paired interval of
the difference excludes zero *and* the paired randomisation test agrees (p < 0.05): with
few questions that differ, the percentile interval alone is too eager. Otherwise the
verdict is "within the interval": no measurable change.

>>> lo, hi = bootstrap_ci([1.0, 0.0, 1.0, 1.0])
>>> 0.0 <= lo <= 0.75 <= hi <= 1.0
True
>>> paired([1.0, 1.0, 0.0], [1.0, 1.0, 0.0]).verdict
'within the interval'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np

RESAMPLES = 1000
SEED = 20261126
T = TypeVar("T")


def _indices(n: int, resamples: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, n, size=(resamples, n))


def bootstrap_ci(
    values: Sequence[float], resamples: int = RESAMPLES, seed: int = SEED, level: float = 0.95
) -> tuple[float, float]:
    """Percentile interval of the mean of ``values`` (questions resampled with replacement)."""
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        return (float("nan"), float("nan"))
    means = x[_indices(len(x), resamples, seed)].mean(axis=1)
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(means, [tail, 100 - tail])
    return (round(float(lo), 4), round(float(hi), 4))


def bootstrap_stat(
    items: Sequence[T],
    stat: Callable[[list[T]], float],
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile interval of any statistic of a list of per-question records (e.g. refusal
    precision, which is not a plain mean)."""
    if not items:
        return (float("nan"), float("nan"))
    stats = [stat([items[i] for i in row]) for row in _indices(len(items), resamples, seed)]
    tail = (1 - level) / 2 * 100
    lo, hi = np.percentile(stats, [tail, 100 - tail])
    return (round(float(lo), 4), round(float(hi), 4))


@dataclass(frozen=True)
class Paired:
    """A paired comparison of two systems on the same questions (``b`` minus ``a``)."""

    n: int
    mean_a: float
    mean_b: float
    diff: float
    ci: tuple[float, float]
    p: float  # two-sided, paired randomisation (sign-flip) test

    @property
    def verdict(self) -> str:
        if self.ci[0] > 0 and self.p < 0.05:
            return "better"
        if self.ci[1] < 0 and self.p < 0.05:
            return "worse"
        return "within the interval"


def paired(
    a: Sequence[float], b: Sequence[float], resamples: int = RESAMPLES, seed: int = SEED
) -> Paired:
    """Paired bootstrap interval of mean(b − a) and a sign-flip randomisation p-value (Fisher's
    randomisation test for paired samples, as in ranx's ``compare(stat_test="fisher")``)."""
    x, y = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if x.shape != y.shape or len(x) == 0:
        raise ValueError(f"paired: need two equal, non-empty lists (got {len(x)} and {len(y)})")
    d = y - x
    lo, hi = bootstrap_ci(d, resamples, seed)
    signs = np.random.default_rng(seed + 1).choice([-1.0, 1.0], size=(resamples, len(d)))
    null = np.abs((signs * d).mean(axis=1))
    p = (1 + int((null >= abs(d.mean()) - 1e-12).sum())) / (resamples + 1)
    return Paired(
        n=len(d),
        mean_a=round(float(x.mean()), 4),
        mean_b=round(float(y.mean()), 4),
        diff=round(float(d.mean()), 4),
        ci=(lo, hi),
        p=round(p, 4),
    )
