"""Network analytics over the relationship graph: groups of connected records, the key
connectors whose removal splits a group, and single-threaded accounts.

The links come from one bounded statement (`kesher.graph.network`); the groups and
connectors are worked out here, in linear time over the links read.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from kesher.graph.network import NetworkScope, network_links
from kesher.resolvers.context import Context
from kesher.resolvers.pagination import decode_cursor, encode_cursor, page_size

T = TypeVar("T")


@dataclass(frozen=True)
class Party:
    id: str
    name: str
    kind: str


@dataclass
class Network:
    """The parties the links read join, each with its neighbours (links both ways, each
    pair once)."""

    parties: dict[str, Party] = field(default_factory=dict)
    neighbours: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    truncated: bool = False
    links: int = 0

    @classmethod
    def of(cls, links: Iterable[dict[str, Any]], truncated: bool = False) -> Network:
        network = cls(truncated=truncated)
        for link in links:
            a = network.parties.setdefault(
                link["a"], Party(link["a"], str(link["aName"]), link["aKind"])
            )
            b = network.parties.setdefault(
                link["b"], Party(link["b"], str(link["bName"]), link["bKind"])
            )
            if a.id != b.id:
                network.neighbours[a.id].add(b.id)
                network.neighbours[b.id].add(a.id)
            network.links += 1
        return network


@dataclass(frozen=True)
class Group:
    """A group of connected records with at least one customer: its members by name."""

    id: str
    members: list[Party]
    customers: int


@dataclass(frozen=True)
class Connector:
    """A record whose removal splits its group into `pieces`."""

    party: Party
    pieces: int
    group_size: int


@dataclass(frozen=True)
class Thread:
    """A customer reached through only one contact."""

    customer: Party
    contact: Party


def groups(network: Network) -> list[Group]:
    """The connected groups holding a customer, largest first (then by smallest id)."""
    seen: set[str] = set()
    found: list[Group] = []
    for start in sorted(network.parties):
        if start in seen:
            continue
        seen.add(start)
        members, stack = [start], [start]
        while stack:
            for other in network.neighbours[stack.pop()]:
                if other not in seen:
                    seen.add(other)
                    members.append(other)
                    stack.append(other)
        parties = sorted((network.parties[m] for m in members), key=lambda p: (p.name, p.id))
        customers = sum(1 for p in parties if p.kind == "CUSTOMER")
        if customers and len(parties) > 1:
            found.append(Group(min(members), parties, customers))
    return sorted(found, key=lambda g: (-len(g.members), g.id))


def connectors(network: Network) -> list[Connector]:
    """Articulation points (Tarjan's low-link, without recursion), the ones that split
    into the most pieces first."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    pieces: dict[str, int] = {}
    size_of: dict[str, int] = {}
    for root in sorted(network.parties):
        if root in order:
            continue
        component: list[str] = [root]
        order[root] = low[root] = len(order)
        root_children = 0
        stack: list[tuple[str, str | None, Iterable[str]]] = [
            (root, None, iter(sorted(network.neighbours[root])))
        ]
        while stack:
            node, parent, todo = stack[-1]
            advanced = False
            for other in todo:
                if other == parent:
                    continue
                if other in order:
                    low[node] = min(low[node], order[other])
                    continue
                order[other] = low[other] = len(order)
                component.append(other)
                stack.append((other, node, iter(sorted(network.neighbours[other]))))
                advanced = True
                break
            if advanced:
                continue
            stack.pop()
            if parent is None:
                continue
            low[parent] = min(low[parent], low[node])
            if parent == root:
                root_children += 1
            elif low[node] >= order[parent]:
                pieces[parent] = pieces.get(parent, 1) + 1
        if root_children > 1:
            pieces[root] = root_children
        for member in component:
            size_of[member] = len(component)
    found = [
        Connector(network.parties[node], count, size_of[node]) for node, count in pieces.items()
    ]
    return sorted(found, key=lambda c: (-c.pieces, c.party.name, c.party.id))


def single_threaded(network: Network) -> list[Thread]:
    """Customers with exactly one contact among their links, by name."""
    found = []
    for party in network.parties.values():
        if party.kind != "CUSTOMER":
            continue
        contacts = [
            network.parties[o]
            for o in network.neighbours[party.id]
            if network.parties[o].kind == "CONTACT"
        ]
        if len(contacts) == 1:
            found.append(Thread(party, contacts[0]))
    return sorted(found, key=lambda t: (t.customer.name, t.customer.id))


async def network(
    context: Context,
    type_keys: Sequence[str] | None,
    include_structural: bool,
    as_of: date | None,
) -> Network:
    """The network the arguments scope, read in one statement bounded by the
    `analytics_max_links` setting."""
    scope = NetworkScope(
        None if type_keys is None else tuple(type_keys),
        include_structural,
        as_of,
        context.settings.analytics_max_links,
    )
    read = await network_links(context.graph, scope)
    return Network.of(read.links, read.truncated)


@dataclass(frozen=True)
class Slice:
    """One page of a list worked out in full: its items with their cursors."""

    items: list[tuple[str, Any]]
    has_next_page: bool
    has_previous_page: bool


def page(
    context: Context,
    name: str,
    items: Sequence[T],
    key: Callable[[T], list[Any]],
    width: int,
    first: int | None,
    after: str | None,
) -> Slice:
    """The `first` items after the cursor `after`, the list being in `key` order (keys of
    `width` values)."""
    size = page_size(first, context.settings.default_page_size, context.settings.max_page_size)
    start = 0
    if after is not None:
        cursor = list(decode_cursor(after, name, width))
        start = next((i for i, item in enumerate(items) if key(item) > cursor), len(items))
    chosen = items[start : start + size]
    return Slice(
        [(encode_cursor(name, key(item)), item) for item in chosen],
        start + size < len(items),
        start > 0,
    )
