"""What a benchmark question is: the same request to Kesher and to the peer, the
variables both get, and how to bring their answers to one comparable form."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, LiteralString

from neo4j import Driver

from bench.support import DATABASE

System = Literal["kesher", "peer"]
Data = dict[str, Any]
Variables = dict[str, Any]


@dataclass(frozen=True)
class Question:
    """One question of the suite, asked of both systems with the same variables.

    `samples(driver, count, rng)` draws the variables of `count` requests from the graph;
    `answer(system, data, variables)` turns a system's `data` for a request with these
    `variables` into a canonical form, equal for both when they answer the same (only the
    peer's calendar needs the variables: it is expanded over the window in the client);
    `size` counts the things a canonical answer holds.
    `kesher_root` is the root field of Kesher's document, which tells whose data it is;
    `notes` say where the two documents differ.
    """

    key: str
    title: str
    kesher: str
    peer: str
    samples: Callable[[Driver, int, random.Random], list[Variables]]
    answer: Callable[[System, Data, Variables | None], Any]
    size: Callable[[Any], int]
    kesher_root: str
    notes: str

    def rows(self, data: Data, variables: Variables | None = None) -> int:
        """How many things an answer holds (nodes, relationships, activities …), for
        the table; `data` is either system's."""
        system: System = "kesher" if self.kesher_root in data else "peer"
        return self.size(self.answer(system, data, variables))


def column(driver: Driver, text: LiteralString, **params: Any) -> list[Any]:
    """The first column of a statement's records."""
    records = driver.execute_query(text, params, database_=DATABASE).records
    return [record[0] for record in records]


def drawn(candidates: Sequence[Any], count: int, rng: random.Random, what: str) -> list[Any]:
    """`count` draws from `candidates` (sorted first, so a seed gives the same draws)."""
    if not candidates:
        raise RuntimeError(f"the graph has no {what} to ask about")
    ordered = sorted(candidates)
    return [rng.choice(ordered) for _ in range(count)]


def moment(text: str | None) -> datetime | None:
    """An ISO 8601 time as either system writes it, in UTC."""
    if text is None:
        return None
    return datetime.fromisoformat(text).astimezone(UTC)


def instant(text: str) -> datetime:
    """A time both systems always give, in UTC."""
    return datetime.fromisoformat(text).astimezone(UTC)


def one(items: list[Any]) -> Any:
    """The single item of a to-one relationship the peer models as a list, or None."""
    if len(items) > 1:
        raise ValueError(f"expected at most one, got {len(items)}")
    return items[0] if items else None
