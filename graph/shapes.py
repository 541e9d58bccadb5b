"""The shape of an answer, as resolvers describe it and `kesher.graph.statement` renders
it: which properties, relations, pages, counts, facets and features' parts a statement
returns."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, LiteralString

from kesher.graph.labels import Label, Relation
from kesher.graph.parts import Part


@dataclass(frozen=True)
class SortKey:
    """One ordering term: a Cypher expression over the node variable `{n}`."""

    expression: LiteralString
    descending: bool = False


BY_ID = SortKey("{n}.id")


@dataclass(frozen=True)
class Page:
    """A keyset page: `size` rows after the row whose sort values are `cursor`, or, when
    `backward`, the `size` rows just before it (the list's last rows without a cursor).

    A backward page's rows come nearest the cursor first, so that one more than asked
    still tells whether more lie beyond; the caller turns them round.
    """

    size: int
    order: tuple[SortKey, ...]
    cursor: tuple[Any, ...] | None = None
    backward: bool = False
    total: bool = False
    behind: bool = False
    """Also tell whether any row lies behind the cursor, on the side the page leaves."""

    @property
    def keys(self) -> tuple[SortKey, ...]:
        return (*self.order, BY_ID)


@dataclass(frozen=True)
class Link:
    """A relation to follow: its answer goes under `key` (the response alias)."""

    key: str
    relation: Relation
    shape: Shape
    page: Page | None = None
    conditions: tuple[tuple[LiteralString, Any], ...] = ()
    """Predicates over the reached node `{n}` and a value `{v}` (a connection's filter)."""


@dataclass(frozen=True)
class Facet:
    """The node itself read as another label, under `key`, when it has that label."""

    key: str
    shape: Shape


@dataclass(frozen=True)
class Shape:
    label: Label
    fields: frozenset[str] = frozenset()
    links: tuple[Link, ...] = ()
    counts: frozenset[str] | None = None
    """The degree counts asked for; None when `linkedCounts` is not selected (an empty set
    when it is, with only `__typename` under it)."""
    facets: tuple[Facet, ...] = ()
    parts: tuple[Part, ...] = ()
    """What features add to the node's answer (`kesher.graph.parts`), in the order they
    are rendered."""


@dataclass(frozen=True)
class Search:
    """A full-text query run through a named full-text index."""

    index: LiteralString
    text: str
