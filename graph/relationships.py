"""Writing relationships: typed, coloured links between customers, contacts, projects and
free-text parties. Each function runs inside the caller's write transaction."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.catalog import cypher_type, relationship_type
from kesher.graph.driver import Row, tx_rows
from kesher.graph.errors import Archived, Conflict, GraphError, KindMismatch, LimitReached, NotFound
from kesher.graph.parties import find_party, party, seen_from

RECORD_LABELS: tuple[LiteralString, ...] = ("Customer", "Contact", "Project")


@dataclass(frozen=True)
class Period:
    """When a link is in effect; an open end has no limit."""

    starts_on: date | None = None
    ends_on: date | None = None


@dataclass(frozen=True)
class Ends:
    """The two ends of a link as stored: `source` is the edge's start node."""

    type: Row
    source_id: str
    target_id: str


def new_relationship_id(source_id: str) -> str:
    """A link's id starts with its start node's id: that node is how a link is found."""
    return f"{source_id}:{secrets.token_hex(6)}"


def source_of(relationship_id: str) -> str:
    return relationship_id.rpartition(":")[0]


async def find(
    tx: AsyncManagedTransaction, party_id: str, field_name: str, records_only: bool = False
) -> Row:
    """The party's kind (graph label) and whether it is archived."""
    labels = RECORD_LABELS if records_only else (*RECORD_LABELS, "ExternalParty")
    rows = await tx_rows(
        tx,
        find_party("x", "$id", labels) + " RETURN [l IN labels(x) WHERE l IN $labels][0] AS label, "
        "x.archivedAt IS NOT NULL AS archived, x.name AS name",
        {"id": party_id, "labels": list(labels)},
    )
    if not rows:
        what = "record" if records_only else "record or party"
        raise NotFound(f"{field_name}: no {what} has the id {party_id!r}.", field=field_name)
    if rows[0]["archived"]:
        raise Archived(f"{field_name}: {party_id!r} is archived.", field=field_name)
    return rows[0]


def orient(type_row: Row, from_label: str) -> bool:
    """True when a record of this kind is the start node of the type's edges."""
    if type_row["from_kind"] == from_label:
        return True
    if type_row["to_kind"] == from_label:
        return False
    raise KindMismatch(
        f"typeKey: {type_row['key']} joins {_pair(type_row)}; a "
        f"{from_label.lower()} cannot have it.",
        field="typeKey",
    )


def other_kind(type_row: Row, outgoing: bool) -> str:
    return str(type_row["to_kind"] if outgoing else type_row["from_kind"])


def check_other(type_row: Row, outgoing: bool, label: str, field_name: str) -> None:
    """A free-text party stands in for any kind; a record must be the kind the type needs."""
    wanted = other_kind(type_row, outgoing)
    if label != "ExternalParty" and label != wanted:
        raise KindMismatch(
            f"{field_name}: {type_row['key']} joins {_pair(type_row)}; the other party "
            f"must be a {wanted.lower()}, not a {label.lower()}.",
            field=field_name,
        )


async def lock_type(tx: AsyncManagedTransaction, key: str, field_name: str) -> Row:
    """The type, write-locked so it cannot be removed while a link of it is added."""
    try:
        type_row = await relationship_type(tx, key)
    except NotFound as error:
        raise NotFound(f"{field_name}: {error.message}", field=field_name) from error
    await tx_rows(
        tx, "MATCH (t:RelationshipType {key: $key}) SET t.lastLinkedAt = datetime()", {"key": key}
    )
    return type_row


async def new_external_party(tx: AsyncManagedTransaction, name: str) -> str:
    party_id = f"ext_{secrets.token_hex(12)}"
    await tx_rows(
        tx,
        "CREATE (p:ExternalParty {id: $id, name: $name, createdAt: datetime()}) "
        "SET p.updatedAt = p.createdAt",
        {"id": party_id, "name": name},
    )
    return party_id


async def add(
    tx: AsyncManagedTransaction,
    ends: Ends,
    period: Period,
    note: str | None,
    actor_id: str,
) -> str:
    """Creates the link after the refusals: self-links, overlapping duplicates and limits."""
    if ends.source_id == ends.target_id:
        raise GraphError("to.id: a record cannot be linked to itself.", field="to.id")
    relationship_id = new_relationship_id(ends.source_id)
    await _check(tx, ends, period, relationship_id)
    kind = cypher_type(ends.type["key"])
    await tx_rows(
        tx,
        find_party("a", "$source")
        + " "
        + find_party("b", "$target")
        + f" CREATE (a)-[r:{kind} {{id: $id}}]->(b) "
        "SET r.startsOn = $startsOn, r.endsOn = $endsOn, r.note = $note, "
        "r.createdAt = datetime(), r.createdBy = $actor",
        {
            "source": ends.source_id,
            "target": ends.target_id,
            "id": relationship_id,
            "startsOn": period.starts_on,
            "endsOn": period.ends_on,
            "note": note,
            "actor": actor_id,
        },
    )
    return relationship_id


async def stored(tx: AsyncManagedTransaction, relationship_id: str) -> tuple[Ends, Period]:
    """A link by id, found from its start node."""
    rows = await tx_rows(
        tx,
        find_party("a", "$source") + " MATCH (a)-[r]->(b) WHERE r.id = $id "
        "RETURN type(r) AS key, b.id AS target, r.startsOn AS startsOn, r.endsOn AS endsOn",
        {"source": source_of(relationship_id), "id": relationship_id},
    )
    if not rows:
        raise NotFound(f"id: no relationship has the id {relationship_id!r}.", field="id")
    row = rows[0]
    type_row = await relationship_type(tx, row["key"])
    return (
        Ends(type_row, source_of(relationship_id), row["target"]),
        Period(row["startsOn"], row["endsOn"]),
    )


async def update(
    tx: AsyncManagedTransaction, relationship_id: str, values: Mapping[str, Any]
) -> None:
    """Changes a link's dates or note; new dates pass the same checks as a new link."""
    ends, period = await stored(tx, relationship_id)
    changed = Period(values.get("startsOn", period.starts_on), values.get("endsOn", period.ends_on))
    if changed.starts_on and changed.ends_on and changed.starts_on > changed.ends_on:
        raise GraphError("endsOn: a link cannot end before it starts.", field="endsOn")
    await _check(tx, ends, changed, relationship_id)
    kind = cypher_type(ends.type["key"])
    await tx_rows(
        tx,
        find_party("a", "$source")
        + f" MATCH (a)-[r:{kind}]->() WHERE r.id = $id SET r += $values, "
        "r.updatedAt = datetime()",
        {"source": ends.source_id, "id": relationship_id, "values": dict(values)},
    )


async def remove(tx: AsyncManagedTransaction, relationship_id: str) -> None:
    """Deletes a link; a free-text party left without links goes with it."""
    ends, _ = await stored(tx, relationship_id)
    kind = cypher_type(ends.type["key"])
    await tx_rows(
        tx,
        find_party("a", "$source") + f" MATCH (a)-[r:{kind}]->(b) WHERE r.id = $id "
        "WITH a, b, r DELETE r "
        "WITH [a, b] AS ends UNWIND ends AS party "
        "WITH party WHERE party:ExternalParty AND NOT EXISTS { (party)--() } "
        "DELETE party",
        {"source": ends.source_id, "id": relationship_id},
    )
    await _touch(tx, ends)


async def seen(
    tx: AsyncManagedTransaction, record_id: str, relationship_id: str, field_name: str
) -> Row:
    """A link as the card of `record_id`, one of its ends, shows it."""
    rows = await tx_rows(
        tx,
        find_party("n", "$record") + " MATCH (n)-[r]-(o) WHERE r.id = $id "
        "MATCH (t:RelationshipType {key: type(r)}) "
        f"RETURN {seen_from('n', 'r', 'o', 't')} AS row",
        {"record": record_id, "id": relationship_id},
    )
    if not rows:
        raise NotFound(
            f"{field_name}: {record_id!r} is not an end of this relationship.", field=field_name
        )
    return dict(rows[0]["row"])


async def party_row(tx: AsyncManagedTransaction, party_id: str) -> Row:
    rows = await tx_rows(
        tx, find_party("x", "$id") + f" RETURN {party('x')} AS row", {"id": party_id}
    )
    return dict(rows[0]["row"])


async def promote(
    tx: AsyncManagedTransaction,
    party_id: str,
    label: LiteralString,
    customer_id: str | None,
) -> None:
    """Turns a free-text party into a record of `label`. The node keeps its id, so every
    link stays where it is; each must allow the new kind at the party's end."""
    rows = await tx_rows(
        tx,
        "MATCH (p:ExternalParty {id: $id}) "
        "OPTIONAL MATCH (p)-[r]-() "
        "RETURN p.name AS name, collect({key: type(r), outgoing: startNode(r) = p}) AS links",
        {"id": party_id},
    )
    if not rows:
        raise NotFound(f"id: no free-text party has the id {party_id!r}.", field="id")
    for link in rows[0]["links"]:
        if link["key"] is None:
            continue
        type_row = await relationship_type(tx, link["key"])
        if other_kind(type_row, not link["outgoing"]) != label:
            raise KindMismatch(
                f"kind: the party has a {link['key']} link, which joins {_pair(type_row)}; "
                f"it cannot become a {label.lower()}.",
                field="kind",
            )
    name = str(rows[0]["name"])
    if label == "Customer":
        setting: LiteralString = "SET p:Customer, p.status = 'LEAD'"
    else:
        if customer_id is None:
            raise GraphError(f"customerId: a {label.lower()} needs a customer.", field="customerId")
        found = await find(tx, customer_id, "customerId", records_only=True)
        if found["label"] != "Customer":
            raise KindMismatch("customerId: this id is not a customer's.", field="customerId")
        if label == "Contact":
            setting = (
                "SET p:Contact, p.firstName = $first, p.lastName = $last "
                "WITH p MATCH (c:Customer {id: $customer}) CREATE (p)-[:WORKS_AT]->(c)"
            )
        else:
            setting = (
                "SET p:Project, p.status = 'PLANNED' "
                "WITH p MATCH (c:Customer {id: $customer}) CREATE (p)-[:FOR]->(c)"
            )
    await tx_rows(
        tx,
        "MATCH (p:ExternalParty {id: $id}) REMOVE p:ExternalParty "
        f"SET p.updatedAt = datetime() {setting}",
        {
            "id": party_id,
            "customer": customer_id,
            "first": name.partition(" ")[0],
            "last": name.partition(" ")[2],
        },
    )


async def _check(
    tx: AsyncManagedTransaction, ends: Ends, period: Period, relationship_id: str
) -> None:
    """Refuses a link that repeats one in effect over the same time, or goes over a limit.
    A former link (ended before today) is history: it neither repeats nor counts, so a
    pair may be linked again, and a place freed, once a link has ended.

    Both ends are write-locked first, so two concurrent writes cannot both pass."""
    await _touch(tx, ends)
    type_row = ends.type
    kind = cypher_type(type_row["key"])
    symmetric = bool(type_row["symmetric"])
    arrow: LiteralString = "-" if symmetric else "->"
    overlap: LiteralString = (
        "(r.endsOn IS NULL OR r.endsOn >= date()) AND ($endsOn IS NULL OR $endsOn >= date()) "
        "AND (r.startsOn IS NULL OR $endsOn IS NULL OR r.startsOn <= $endsOn) AND "
        "(r.endsOn IS NULL OR $startsOn IS NULL OR $startsOn <= r.endsOn) AND r.id <> $id"
    )
    rows = await tx_rows(
        tx,
        find_party("a", "$source")
        + " "
        + find_party("b", "$target")
        + f" RETURN EXISTS {{ (a)-[r:{kind}]{arrow}(b) WHERE {overlap} }} AS duplicate, "
        f"COUNT {{ (a)-[r:{kind}]{arrow}() WHERE {overlap} }} AS fromSource, "
        f"COUNT {{ (b){'-' if symmetric else '<-'}[r:{kind}]-() WHERE {overlap} }} AS atTarget",
        {
            "source": ends.source_id,
            "target": ends.target_id,
            "startsOn": period.starts_on,
            "endsOn": period.ends_on,
            "id": relationship_id,
        },
    )
    found = rows[0]
    if found["duplicate"]:
        raise Conflict(
            f"to: these two already have a {type_row['key']} link over the same time.",
            field="to",
        )
    for count, limit_field in (
        ("fromSource", "limit_per_source"),
        ("atTarget", "limit_per_target"),
    ):
        limit = type_row[limit_field]
        if limit is not None and found[count] >= limit:
            raise LimitReached(
                f"typeKey: {type_row['key']} allows {limit} link(s) per record on that side, "
                "and that record has them already.",
                field="typeKey",
            )


async def _touch(tx: AsyncManagedTransaction, ends: Ends) -> None:
    await tx_rows(
        tx,
        "UNWIND [$source, $target] AS party_id "
        + find_party("x", "party_id")
        + " SET x.updatedAt = datetime()",
        {"source": ends.source_id, "target": ends.target_id},
    )


def _pair(type_row: Row) -> str:
    return f"{type_row['from_kind'].lower()} and {type_row['to_kind'].lower()}"
