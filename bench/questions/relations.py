"""The questions about relationships: the relation map at depth 2 and 3, a customer's card
and the shortest path between two customers."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from neo4j import Driver

from bench.questions.base import (
    Data,
    Question,
    System,
    Variables,
    column,
    drawn,
    moment,
    one,
)
from kesher.graph.catalog import CATALOG_KEYS, cypher_types
from kesher.seeds.relations import LINK_PLANS
from kesher.settings import Settings

# Kesher's default map limit; sampled roots have smaller maps, so neither side cuts them.
MAP_LIMIT = Settings.model_fields["map_default_limit"].default
# Kesher's default path depth, and the distances sampled pairs are apart.
PATH_DEPTH = Settings.model_fields["path_default_depth"].default
PATH_HOPS = (2, PATH_DEPTH)
# Relationships a card asks for: sampled customers have fewer, so none is left out.
CARD_LINKS = 100
PAGE = 20
# Sampled customers are this many times as many as the requests, to filter from.
SPARE = 3

_MAP_SELECTION = """{
    nodes { id kind label depth }
    edges { id source target typeKey label reciprocalLabel colour }
    truncated
  }"""
# Kesher's map node is the party and its depth (the depth belongs to one map only).
_KESHER_MAP_SELECTION = _MAP_SELECTION.replace(
    "nodes { id kind label depth }", "nodes { depth party { id kind name } }"
)


def _map_document(depth: int, selection: str = _MAP_SELECTION) -> str:
    return (
        f"query Map($id: ID!) {{\n  relationMap(rootIds: [$id], depth: {depth}) {selection}\n}}\n"
    )


def _types(driver: Driver) -> str:
    """The catalog's keys as a Cypher relationship-type alternation."""
    keys = column(driver, "RETURN " + CATALOG_KEYS)[0]
    types = cypher_types(keys)
    if not types:
        raise RuntimeError("the relationship-type catalog is empty")
    return types


def _customers(driver: Driver, count: int, rng: random.Random, types: str) -> list[str]:
    """Live customers with a relationship: a run of ids from a random point on (ids are
    random, so a run is a random sample), `count` of them or all there are."""
    start = f"cus_{rng.getrandbits(96):024x}"
    text = (
        "MATCH (c:Customer) WHERE c.id >= $start AND c.archivedAt IS NULL "
        f"AND EXISTS {{ (c)-[:{types}]-() }} RETURN c.id ORDER BY c.id LIMIT $count"
    )
    found = column(driver, text, start=start, count=count)
    if len(found) < count:
        found += column(driver, text, start="", count=count - len(found))
    return sorted(set(found))


def _walk(types: str, most: int) -> str:
    """A pattern from `c` to every live party within `most` links, once each, by a
    shortest way."""
    return f"ANY SHORTEST (c)(()-[:{types}]-(n WHERE n.archivedAt IS NULL)){{1,{most}}}(x)"


def _map_samples(depth: int) -> Callable[[Driver, int, random.Random], list[Variables]]:
    def samples(driver: Driver, count: int, rng: random.Random) -> list[Variables]:
        """Roots whose map at this depth stays within Kesher's default limit."""
        types = _types(driver)
        ids = _customers(driver, SPARE * count, rng, types)
        records = driver.execute_query(
            "UNWIND $ids AS id MATCH (c:Customer {id: id}) "
            f"CALL (c) {{ MATCH p = {_walk(types, depth)} WHERE x <> c "
            "RETURN count(x) AS reached } RETURN id, reached",
            ids=ids,
        ).records
        roots = [record["id"] for record in records if record["reached"] < MAP_LIMIT]
        return [{"id": root} for root in drawn(roots, count, rng, "customer with a small map")]

    return samples


_EDGE_FIELDS = ("id", "source", "target", "typeKey", "label", "reciprocalLabel", "colour")


def _map_answer(system: System, data: Data, variables: Variables | None) -> Any:
    """Each node with its kind, name and depth; each edge with its ends, type and labels.
    Both systems take the same fields, so the same function reads both."""
    found = data["relationMap"] if "relationMap" in data else data["relationshipPath"]
    if found is None:
        return None
    nodes = sorted(
        (n["party"]["id"], n["party"]["kind"], n["party"]["name"], n["depth"])
        if "party" in n
        else (n["id"], n["kind"], n["label"], n["depth"])
        for n in found["nodes"]
    )
    edges = sorted(tuple(e[field] for field in _EDGE_FIELDS) for e in found["edges"])
    return {"nodes": nodes, "edges": edges, "truncated": found.get("truncated", False)}


def _map_size(answer: Any) -> int:
    return 0 if answer is None else len(answer["nodes"])


_MAP_NOTES = """The same document on both sides. Kesher walks breadth-first, one Cypher
subquery per level, and cuts at its limit (200 nodes); the peer has a @cypher field of the
same name (no generated field can dedupe a walk or give depths) that finds each party once
by ANY SHORTEST from the roots. Roots are drawn among customers whose map stays under the
limit, so both hold every party within the depth."""

MAP2 = Question(
    key="map2",
    title="relation map, depth 2",
    kesher=_map_document(2, _KESHER_MAP_SELECTION),
    peer=_map_document(2),
    samples=_map_samples(2),
    answer=_map_answer,
    size=_map_size,
    kesher_root="relationMap",
    notes=_MAP_NOTES,
)


MAP3 = Question(
    key="map3",
    title="relation map, depth 3",
    kesher=_map_document(3, _KESHER_MAP_SELECTION),
    peer=_map_document(3),
    samples=_map_samples(3),
    answer=_map_answer,
    size=_map_size,
    kesher_root="relationMap",
    notes=_MAP_NOTES,
)


# The card's typed links on the peer: one connection field per catalog key and direction
# a customer can take part in, named as bench/peer/typedefs.mjs names them.
def _link_field(key: str, outgoing: bool) -> str:
    first, *rest = key.lower().split("_")
    return first + "".join(word.capitalize() for word in rest) + ("Out" if outgoing else "In")


CARD_FIELDS: tuple[tuple[str, str, bool], ...] = tuple(
    (_link_field(plan.key, outgoing), plan.key, outgoing)
    for plan in LINK_PLANS
    for outgoing in (True, False)
    if (plan.from_kind if outgoing else plan.to_kind) == "Customer"
)

_DETAILS = "id name status email phone website city createdAt owner { id name }"

CARD_KESHER = f"""query Card($id: ID!) {{
  customer(id: $id) {{
    {_DETAILS}
    linkedCounts {{ contacts projects offers productRecords events tasks }}
    contacts(first: {PAGE}) {{ totalCount edges {{ node {{ id name title }} }} }}
    projects(first: {PAGE}) {{ totalCount edges {{ node {{ id name status }} }} }}
    relationships(first: {CARD_LINKS}) {{
      edges {{ node {{
        label outgoing other {{ id kind name }} relationship {{ id typeKey colour }}
      }} }}
    }}
  }}
}}
"""


def _kind_count(kind: str) -> str:
    return f"activitiesConnection(where: {{ node: {{ kind: {{ eq: {kind} }} }} }}) {{ totalCount }}"


def _live(fields: str) -> str:
    return (
        f"(where: {{ node: {{ archivedAt: {{ eq: null }} }} }}, first: {PAGE}, "
        f"sort: [{{ node: {{ name: ASC }} }}]) {{ totalCount edges {{ node {{ {fields} }} }} }}"
    )


_LINKS = "\n    ".join(
    f"{field}Connection {{ edges {{ properties {{ id }} node {{ __typename id name }} }} }}"
    for field, _, _ in CARD_FIELDS
)
CARD_PEER = f"""query Card($id: ID!) {{
  relationshipTypes {{ key label reciprocalLabel colour }}
  customers(where: {{ id: {{ eq: $id }} }}) {{
    {_DETAILS}
    contactsConnection{_live("id name title")}
    projectsConnection{_live("id name status")}
    offers: {_kind_count("OFFER")}
    productRecords: {_kind_count("PRODUCT_RECORD")}
    events: {_kind_count("EVENT")}
    tasks: {_kind_count("TASK")}
    {_LINKS}
  }}
}}
"""

_KINDS = {
    "Customer": "CUSTOMER",
    "Contact": "CONTACT",
    "Project": "PROJECT",
    "ExternalParty": "EXTERNAL",
}


def _card_samples(driver: Driver, count: int, rng: random.Random) -> list[Variables]:
    """Live customers with at least one relationship and at most a card's page of them."""
    types = _types(driver)
    ids = _customers(driver, SPARE * count, rng, types)
    shown = column(
        driver,
        f"UNWIND $ids AS id MATCH (c:Customer {{id: id}}) "
        f"WHERE COUNT {{ (c)-[:{types}]-() }} <= $most RETURN id",
        ids=ids,
        most=CARD_LINKS,
    )
    return [{"id": customer} for customer in drawn(shown, count, rng, "customer with links")]


def _card_answer(system: System, data: Data, variables: Variables | None) -> Any:
    """The details, the counts, the contacts and projects, and each relationship with
    its label as seen from the customer, its colour and the other party."""
    if system == "kesher":
        card = data["customer"]
        counts = card["linkedCounts"]
        links = [
            _link(r["id"], r["typeKey"], n["label"], r["colour"], n["outgoing"], n["other"])
            for n in (edge["node"] for edge in card["relationships"]["edges"])
            for r in (n["relationship"],)
        ]
        contacts, projects = card["contacts"], card["projects"]
    else:
        (card,) = data["customers"]
        catalog = {entry["key"]: entry for entry in data["relationshipTypes"]}
        contacts, projects = card["contactsConnection"], card["projectsConnection"]
        counts = {
            "contacts": contacts["totalCount"],
            "projects": projects["totalCount"],
            **{kind: card[kind]["totalCount"] for kind in _COUNTED},
        }
        links = []
        for field, key, outgoing in CARD_FIELDS:
            kind = catalog[key]
            # On the card of the edge's start, the other party plays the reciprocal role.
            label = kind["reciprocalLabel"] if outgoing else kind["label"]
            for edge in card[field + "Connection"]["edges"]:
                other = edge["node"]
                other = {"id": other["id"], "kind": _KINDS[other["__typename"]]}
                links.append(
                    _link(edge["properties"]["id"], key, label, kind["colour"], outgoing, other)
                )
    owner = one(card["owner"]) if system == "peer" else card["owner"]
    return {
        "details": [card[field] for field in ("id", "name", "status", "email", "city")],
        "created": moment(card["createdAt"]),
        "owner": owner and owner["id"],
        "counts": counts,
        "contacts": _page(contacts),
        "projects": _page(projects),
        "links": sorted(links),
    }


_COUNTED = ("offers", "productRecords", "events", "tasks")


def _link(
    link: str, key: str, label: str, colour: str, outgoing: bool, other: dict[str, Any]
) -> tuple[Any, ...]:
    """A relationship on a card, as both systems' answers are compared."""
    return (link, key, label, colour, outgoing, other["id"], other["kind"])


def _page(connection: dict[str, Any]) -> tuple[int, list[str]]:
    return connection["totalCount"], [edge["node"]["id"] for edge in connection["edges"]]


def _card_size(answer: Any) -> int:
    return len(answer["links"]) + len(answer["contacts"][1]) + len(answer["projects"][1])


_CARD_NOTES = """Kesher answers the relationships with each one's label as seen from the
customer and its colour; the peer has one connection field per catalog key and direction
(generated from the catalog), and reads the catalog in the same request to work out the
label (the reciprocal label on the edge's start) and colour in the client, as its users
would. Counts are `…Connection { totalCount }` on the peer; its contacts and projects are
the live ones by name, as Kesher's are. Kesher's relationships come in catalog order and
the peer's by field, so the canonical answer sorts them."""

CARD = Question(
    key="card",
    title="customer card with relationships and counts",
    kesher=CARD_KESHER,
    peer=CARD_PEER,
    samples=_card_samples,
    answer=_card_answer,
    size=_card_size,
    kesher_root="customer",
    notes=_CARD_NOTES,
)


PATH_DOCUMENT = f"""query Path($fromId: ID!, $toId: ID!) {{
  relationshipPath(fromId: $fromId, toId: $toId) {_MAP_SELECTION}
}}
"""
KESHER_PATH_DOCUMENT = PATH_DOCUMENT.replace(_MAP_SELECTION, _KESHER_MAP_SELECTION)


def _path_samples(driver: Driver, count: int, rng: random.Random) -> list[Variables]:
    """Pairs of live customers 2 to 4 links apart with exactly one shortest path between
    them, so that both systems must find the same one."""
    types = _types(driver)
    least, most = PATH_HOPS
    pairs: set[tuple[str, str]] = set()
    for _ in range(5):
        starts = _customers(driver, SPARE * count, rng, types)
        records = driver.execute_query(
            "UNWIND $ids AS id MATCH (c:Customer {id: id}) "
            f"CALL (c) {{ MATCH p = {_walk(types, most)} WHERE x:Customer "
            "WITH x, length(p) AS hops WHERE hops >= $least "
            "RETURN collect(x.id) AS ends } RETURN id, ends",
            ids=starts,
            least=least,
        ).records
        drawn_pairs = [
            (record["id"], rng.choice(sorted(record["ends"])))
            for record in records
            if record["ends"]
        ]
        unique = driver.execute_query(
            "UNWIND $pairs AS pair MATCH (c:Customer {id: pair[0]}), (b:Customer {id: pair[1]}) "
            f"CALL (c, b) {{ MATCH p = ALL SHORTEST (c)(()-[:{types}]-"
            f"(n WHERE n.archivedAt IS NULL)){{1,{most}}}(b) RETURN count(p) AS paths }} "
            "WITH pair WHERE paths = 1 RETURN pair",
            pairs=drawn_pairs,
        ).records
        pairs.update(tuple(record["pair"]) for record in unique)
        if len(pairs) >= count:
            break
    chosen = drawn(list(pairs), count, rng, "pair of customers a few links apart")
    return [{"fromId": start, "toId": end} for start, end in chosen]


_PATH_NOTES = """The same document on both sides: Kesher's `relationshipPath`, and on the
peer a @cypher field of the same name (SHORTEST 1 over the catalog's types, through live
parties). Pairs are drawn with a single shortest path, since either side may pick any of
several."""

PATH = Question(
    key="path",
    title="relationship path between two customers",
    kesher=KESHER_PATH_DOCUMENT,
    peer=PATH_DOCUMENT,
    samples=_path_samples,
    answer=_map_answer,
    size=_map_size,
    kesher_root="relationshipPath",
    notes=_PATH_NOTES,
)
