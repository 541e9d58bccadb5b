"""Chains of activities in the generated CRM: an offer that follows a meeting, the call
that follows the offer, and so on, each step about the same customer.

A chain is a path in time: `(later)-[:FOLLOWS]->(earlier)`, and every member points at
one `(:Chain)` node with `IN_CHAIN`. About CHAIN_SHARE of a customer's activities are
grouped into chains of 2 to 30, most of them short: lengths are drawn with weights
falling as the square of the length (one draw in thirty is 20 or more), and cut short by
what is left of the customer's history, so long chains come from busy customers.
"""

from __future__ import annotations

import random
from bisect import bisect
from collections.abc import Iterable, Sequence
from itertools import accumulate
from typing import TYPE_CHECKING, TypedDict

from kesher.graph.chains import CHAIN_PREFIX
from kesher.seeds.draws import EpochSeconds, below, new_id

if TYPE_CHECKING:
    from kesher.seeds.activities import ActivityRow

CHAIN_SHARE = 0.6
MIN_LENGTH = 2
MAX_LENGTH = 30
_LENGTHS = range(MIN_LENGTH, MAX_LENGTH + 1)
_CUMULATIVE = list(accumulate(1 / length**2 for length in _LENGTHS))


class ChainRow(TypedDict):
    """One chain: its node, and its members' ids from the earliest on."""

    id: str
    createdAt: EpochSeconds
    activityIds: list[str]


def chain_length(rng: random.Random) -> int:
    """A length from 2 to 30, short ones far likelier than long ones."""
    drawn = bisect(_CUMULATIVE, rng.random() * _CUMULATIVE[-1])
    return _LENGTHS[min(drawn, len(_LENGTHS) - 1)]


def join_chains(rng: random.Random, history: Sequence[ActivityRow]) -> None:
    """Groups about CHAIN_SHARE of one customer's `history`, which is in time order
    (startAt, then id), into chains, setting each member's `chainId` and `followsId`."""
    count = len(history)
    chained = sum(rng.random() < CHAIN_SHARE for _ in range(count))
    # The first `chained` places of a partial Fisher-Yates shuffle: a random subset, in
    # random order, cut into consecutive chains.
    order = list(range(count))
    for place in range(chained):
        other = place + below(rng, count - place)
        order[place], order[other] = order[other], order[place]
    start = 0
    while chained - start >= MIN_LENGTH:
        length = min(chain_length(rng), chained - start)
        chain = new_id(rng, CHAIN_PREFIX)
        follows = None
        for index in sorted(order[start : start + length]):
            row = history[index]
            row["chainId"] = chain
            row["followsId"] = follows
            follows = row["id"]
        start += length


def chain_rows(activities: Iterable[ActivityRow]) -> list[ChainRow]:
    """The chains `activities` make up, each with its members from the earliest on (by
    their `followsId`) and created when its first member was. Every member of a chain
    must be among `activities`; a chain whose members there are not one path of two or
    more is refused."""
    members: dict[str, list[ActivityRow]] = {}
    for row in activities:
        if row["chainId"] is not None:
            members.setdefault(row["chainId"], []).append(row)
    chains: list[ChainRow] = []
    for chain, rows in members.items():
        later = {row["followsId"]: row for row in rows}
        step = later.get(None)
        ordered: list[ActivityRow] = []
        while step is not None:
            ordered.append(step)
            step = later.get(step["id"])
        if len(ordered) != len(rows) or len(ordered) < MIN_LENGTH:
            raise ValueError(f"chain {chain!r} is not one path among the activities given")
        chains.append(
            ChainRow(
                id=chain,
                createdAt=ordered[0]["createdAt"],
                activityIds=[row["id"] for row in ordered],
            )
        )
    return chains
