"""The one retry-backoff formula: every retried job of the portal waits by it.

Exponential from `base`, capped at `cap`; a jitter that only shortens the wait (x0.5..1) keeps
the longest chain within the sum of the capped waits, which the settings compare with the
broker's visibility timeout.
"""

from __future__ import annotations

import random


def backoff_seconds(attempts: int, *, base: float, cap: float) -> float:
    """The full wait after `attempts` tries (1 -> base, 2 -> 2 x base, ...), capped."""
    return min(base * 2 ** max(attempts - 1, 0), cap)


def backoff_jittered(attempts: int, *, base: float, cap: float) -> float:
    """The wait actually used: spread between half and all of `backoff_seconds`, so retries of
    many jobs failing together do not arrive together."""
    return backoff_seconds(attempts, base=base, cap=cap) * random.uniform(0.5, 1.0)  # noqa: S311


def longest_chain_seconds(retries: int, *, base: float, cap: float) -> float:
    """The longest a job can wait in all across `retries` retries."""
    return sum(backoff_seconds(n, base=base, cap=cap) for n in range(1, retries + 1))
