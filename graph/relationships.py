"""Writing relationships: typed, coloured links between customers, contacts, projects and
free-text parties. Each function runs inside the caller's write transaction."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.audit import Line, write_audit, write_audits
from kesher.graph.catalog import cypher_type, relationship_type
from kesher.graph.driver import Row, tx_rows
from kesher.graph.errors import Archived, GraphError, KindMismatch, NotFound
from kesher.graph.kinds import BY_LABEL, EXTERNAL, EXTERNAL_LABEL, PARTY_LABELS, RECORD_LABELS
from kesher.graph.link_rules import check_link, checked_write, touch
from kesher.graph.parties import find_party, party, seen_from, type_map


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


@dataclass(frozen=True)
class Party:
    """An end of a link as its audit lines name it; only a record (not a free-text
    party) has audit lines."""

    id: str
    name: str
    record: bool


@dataclass(frozen=True)
class Link:
    """A stored link: its ends, when it is in effect, its note and its ends' names."""

    ends: Ends
    period: Period
    note: str | None
    source: Party
    target: Party


LINK_ADDED = "LINK_ADDED"
LINK_CHANGED = "LINK_CHANGED"
LINK_REMOVED = "LINK_REMOVED"
PARTY_PROMOTED = "PARTY_PROMOTED"


def audit_lines(
    type_row: Row,
    source: Party,
    target: Party,
    action: str,
    field: str,
    before: str | None,
    after: str | None,
    doing: str,
) -> list[Line]:
    """A line on each end that is a record, saying the change as that end reads the link:
    `doing` "Linked" on a father gives "Linked as father of Avi Cohen"."""
    return [
        Line(here.id, action, field, before, after, f"{doing} as {label} {there.name}")
        for here, there, label in (
            (source, target, type_row["label"]),
            (target, source, type_row["reciprocal_label"]),
        )
        if here.record
    ]


def _text(value: Any) -> str | None:
    return None if value is None else value.isoformat() if isinstance(value, date) else str(value)


def new_relationship_id(source_id: str) -> str:
    """A link's id starts with its start node's id: that node is how a link is found."""
    return f"{source_id}:{secrets.token_hex(6)}"


def source_of(relationship_id: str) -> str:
    return relationship_id.rpartition(":")[0]


_PARTY_LABEL_LIST: LiteralString = "[" + ", ".join(f"'{label}'" for label in PARTY_LABELS) + "]"


def _found(
    x: LiteralString, party_id: LiteralString, labels: tuple[LiteralString, ...]
) -> LiteralString:
    """The party with this id as a map of its kind (graph label), whether it is archived
    and its name; null when there is none."""
    return (
        "COLLECT { "
        + find_party(x, party_id, labels)
        + f" RETURN {x} {{label: [l IN labels({x}) WHERE l IN {_PARTY_LABEL_LIST}][0], "
        f"archived: {x}.archivedAt IS NOT NULL, name: {x}.name}} }}[0]"
    )


async def find(
    tx: AsyncManagedTransaction, party_id: str, field_name: str, records_only: bool = False
) -> Row:
    """The party's kind (graph label) and whether it is archived."""
    labels = RECORD_LABELS if records_only else PARTY_LABELS
    rows = await tx_rows(
        tx,
        f"RETURN {_found('x', '$id', labels)} AS party",
        {"id": party_id},
    )
    return found_party(rows[0]["party"], party_id, field_name, records_only)


def found_party(
    found: Row | None, party_id: str, field_name: str, records_only: bool = False
) -> Row:
    """A party `find` found; refuses one that is not there or is archived, naming the field."""
    if found is None:
        what = "record" if records_only else "record or party"
        raise NotFound(f"{field_name}: no {what} has the id {party_id!r}.", field=field_name)
    if found["archived"]:
        raise Archived(f"{field_name}: {party_id!r} is archived.", field=field_name)
    return dict(found)


@dataclass(frozen=True)
class Start:
    """What adding a link starts from, as found in one statement: its type (write-locked,
    so it cannot be removed while a link of it is added), the record it is added from and
    the party named as its other end. None where there is none."""

    type: Row | None
    source: Row | None
    other: Row | None


_START: LiteralString = (
    "OPTIONAL MATCH (t:RelationshipType {key: $key}) SET t.lastLinkedAt = datetime() "
    f"WITH t RETURN CASE WHEN t IS NULL THEN null ELSE {type_map('t')} END AS type, "
    + _found("a", "$source", RECORD_LABELS)
    + " AS source, "
    + _found("b", "$other", PARTY_LABELS)
    + " AS other"
)


async def lock_and_find(
    tx: AsyncManagedTransaction, key: str, source_id: str, other_id: str | None
) -> Start:
    """The type by key and the two parties by id (`other_id` None: not looked for)."""
    rows = await tx_rows(
        tx,
        _START,
        {"key": key, "source": source_id, "other": other_id},
    )
    row = rows[0]
    return Start(row["type"], row["source"], row["other"])


def found_type(found: Row | None, key: str, field_name: str) -> Row:
    if found is None:
        raise NotFound(f"{field_name}: No relationship type has the key {key!r}.", field=field_name)
    return dict(found)


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
    if label != EXTERNAL_LABEL and label != wanted:
        raise KindMismatch(
            f"{field_name}: {type_row['key']} joins {_pair(type_row)}; the other party "
            f"must be a {wanted.lower()}, not a {label.lower()}.",
            field=field_name,
        )


async def new_external_party(tx: AsyncManagedTransaction, name: str) -> str:
    party_id = f"{EXTERNAL.prefix}_{secrets.token_hex(12)}"
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
    """Creates the link after the refusals: self-links, overlapping duplicates and limits;
    the checks and the link are one statement."""
    if ends.source_id == ends.target_id:
        raise GraphError("to.id: a record cannot be linked to itself.", field="to.id")
    relationship_id = new_relationship_id(ends.source_id)
    kind = cypher_type(ends.type["key"])
    await checked_write(
        tx,
        ends,
        period,
        relationship_id,
        f"CREATE (a)-[:{kind} {{id: $id, startsOn: $startsOn, endsOn: $endsOn, note: $note, "
        "createdAt: datetime(), createdBy: $actor}]->(b)",
        {"note": note, "actor": actor_id},
    )
    return relationship_id


async def stored(tx: AsyncManagedTransaction, relationship_id: str) -> Link:
    """A link by id, found from its start node."""
    rows = await tx_rows(
        tx,
        find_party("a", "$source") + " MATCH (a)-[r]->(b) WHERE r.id = $id "
        "RETURN type(r) AS key, b.id AS target, r.startsOn AS startsOn, r.endsOn AS endsOn, "
        "r.note AS note, a.name AS sourceName, b.name AS targetName, "
        "a:ExternalParty AS sourceExternal, b:ExternalParty AS targetExternal",
        {"source": source_of(relationship_id), "id": relationship_id},
    )
    if not rows:
        raise NotFound(f"id: no relationship has the id {relationship_id!r}.", field="id")
    row = rows[0]
    type_row = await relationship_type(tx, row["key"])
    source_id = source_of(relationship_id)
    return Link(
        Ends(type_row, source_id, row["target"]),
        Period(row["startsOn"], row["endsOn"]),
        row["note"],
        Party(source_id, str(row["sourceName"]), not row["sourceExternal"]),
        Party(row["target"], str(row["targetName"]), not row["targetExternal"]),
    )


async def update(
    tx: AsyncManagedTransaction, relationship_id: str, values: Mapping[str, Any], actor_id: str
) -> None:
    """Changes a link's dates or note; new dates pass the same checks as a new link. Writes
    an audit line on each record end for every field that changed."""
    link = await stored(tx, relationship_id)
    ends, period = link.ends, link.period
    changed = Period(values.get("startsOn", period.starts_on), values.get("endsOn", period.ends_on))
    if changed.starts_on and changed.ends_on and changed.starts_on > changed.ends_on:
        raise GraphError("endsOn: a link cannot end before it starts.", field="endsOn")
    await check_link(tx, ends, changed, relationship_id)
    kind = cypher_type(ends.type["key"])
    await tx_rows(
        tx,
        find_party("a", "$source")
        + f" MATCH (a)-[r:{kind}]->() WHERE r.id = $id SET r += $values, "
        "r.updatedAt = datetime()",
        {"source": ends.source_id, "id": relationship_id, "values": dict(values)},
    )
    before = {"startsOn": period.starts_on, "endsOn": period.ends_on, "note": link.note}
    lines: list[Line] = []
    for field, value in values.items():
        old, new = _text(before.get(field)), _text(value)
        if old != new:
            lines += audit_lines(
                ends.type,
                link.source,
                link.target,
                LINK_CHANGED,
                field,
                old,
                new,
                f"Changed {field} of the link",
            )
    await write_audits(tx, actor_id, lines)


async def remove(tx: AsyncManagedTransaction, relationship_id: str, actor_id: str) -> None:
    """Deletes a link, with an audit line on each record end; a free-text party left
    without links goes with it."""
    link = await stored(tx, relationship_id)
    ends = link.ends
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
    await touch(tx, ends)
    await write_audits(
        tx,
        actor_id,
        audit_lines(
            ends.type,
            link.source,
            link.target,
            LINK_REMOVED,
            ends.type["key"],
            relationship_id,
            None,
            "Unlinked",
        ),
    )


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
    actor_id: str,
) -> None:
    """Turns a free-text party into a record of `label`, with an audit line on it. The node
    keeps its id, so every link stays where it is; each must allow the new kind at the
    party's end."""
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
    await write_audit(
        tx,
        party_id,
        actor_id,
        PARTY_PROMOTED,
        "kind",
        EXTERNAL.name,
        BY_LABEL[label].name,
        f"Promoted from a free-text party to a {label.lower()}",
    )


def _pair(type_row: Row) -> str:
    return f"{type_row['from_kind'].lower()} and {type_row['to_kind'].lower()}"
