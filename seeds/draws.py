"""Cheap, reproducible random draws shared by the generators.

Random.choice and Random.randrange cost a microsecond each, half the generator's time;
scaling one random() is several times cheaper and as reproducible.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Generic, TypeVar

T = TypeVar("T")

# Times are whole seconds since the Unix epoch; the create statements turn them into UTC
# DATETIME values. The driver spends about 40 µs in Python packing one datetime, which
# alone would cap a load at a fraction of its target.
EpochSeconds = int


def new_id(rng: random.Random, prefix: str) -> str:
    return f"{prefix}_{rng.getrandbits(96):024x}"


def pick(rng: random.Random, items: Sequence[T]) -> T:
    return items[int(rng.random() * len(items))]


def below(rng: random.Random, limit: int) -> int:
    """A whole number from 0 up to, not including, `limit`."""
    return int(rng.random() * limit)


def moment(rng: random.Random, after: EpochSeconds, until: EpochSeconds) -> EpochSeconds:
    """A second between `after` and `until`, both included (`after` when it is later)."""
    return after + below(rng, max(until - after, 0) + 1)


def poisson(rng: random.Random, mean: float) -> int:
    """How many times something that happens `mean` times on average happened this time.

    Knuth's method: one random() per event plus one, cheap for the small means used here.
    """
    floor = math.exp(-mean)
    count = 0
    product = rng.random()
    while product > floor:
        count += 1
        product *= rng.random()
    return count


class Recent(Generic[T]):
    """The last `size` items added, in no particular order: the window of recent records
    that new links and activities reach into."""

    __slots__ = ("_items", "_next", "_size")

    def __init__(self, size: int) -> None:
        self._items: list[T] = []
        self._size = size
        self._next = 0

    def add(self, item: T) -> None:
        if len(self._items) < self._size:
            self._items.append(item)
            return
        self._items[self._next] = item
        self._next = (self._next + 1) % self._size

    def pick(self, rng: random.Random) -> T | None:
        return pick(rng, self._items) if self._items else None
