"""The two shapes the graph model is written in: labels and the relations between them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import LiteralString


@dataclass(frozen=True)
class Relation:
    """A way from a node of one label to nodes of another.

    `order` holds stored property names or Cypher expressions over `{n}`. `arguments`
    maps a connection argument (as the API names it) to a predicate over the reached node
    `{n}` and the argument's value `{v}`, applied when the argument is given.
    `seen_with_source` says whoever sees the node it starts from sees every node it
    reaches (what is written on a record, from the record), so a statement checks nothing
    more for them.
    """

    target: LiteralString
    pattern: LiteralString
    many: bool
    order: tuple[LiteralString, ...] = ("name",)
    live_only: bool = True
    descending: bool = False
    arguments: Mapping[str, LiteralString] = field(default_factory=dict)
    seen_with_source: bool = False


@dataclass(frozen=True)
class Label:
    """A node label. A property is a stored property's name, or a Cypher expression
    over the node `{n}` when it is worked out on reading."""

    name: LiteralString
    properties: Mapping[str, LiteralString]
    relations: Mapping[str, Relation] = field(default_factory=dict)
    counts: Mapping[str, LiteralString] = field(default_factory=dict)
    archivable: bool = True
    # Fields that read the same node as another label (by name) when it has that label:
    # the entries of a record's stream are notes, activities, calls and so on.
    facets: Mapping[str, LiteralString] = field(default_factory=dict)
