"""Reading and writing the CRM's records: users, customers, contacts and projects."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, LiteralString

from neo4j import AsyncManagedTransaction
from neo4j.exceptions import ConstraintError

from kesher.graph.catalog import fresh_rows, fresh_tx_rows
from kesher.graph.driver import Graph, Params, Row, tx_rows
from kesher.graph.duplicates import set_keys
from kesher.graph.errors import Archived, Closed, Conflict, Forbidden, NotFound
from kesher.graph.events import Revoked, emit
from kesher.graph.labels import Label
from kesher.graph.parties import find_party
from kesher.graph.relationship_parts import linked_to_customers
from kesher.graph.shapes import Page, Search, Shape
from kesher.graph.statement import Statement
from kesher.graph.visibility import CANNOT_CHANGE, Audience

SEARCH_INDEXES: Mapping[str, LiteralString] = {
    "Customer": "customer_search",
    "Contact": "contact_search",
    "Project": "project_search",
    "User": "user_search",
    "Activity": "activity_search",
}


@dataclass(frozen=True)
class RecordFilter:
    """What a list may narrow to; every part is optional."""

    statuses: tuple[str, ...] = ()
    owner_ids: tuple[str, ...] = ()
    customer_ids: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    active: bool | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    include_archived: bool = False
    search: str | None = None
    linked_to_customers: bool | None = None
    linked_customer_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class PageRows:
    rows: list[Row]
    total: int | None = None
    behind: bool | None = None
    """Whether a row lies behind the cursor (only when the page asked)."""

    @classmethod
    def of(cls, answer: Row) -> PageRows:
        return cls(answer["rows"], answer.get("total"), answer.get("behind"))


async def card(
    graph: Graph,
    audience: Audience | None,
    shape: Shape,
    record_id: str,
    key: LiteralString = "id",
) -> Row | None:
    """A record's card by id, or by another unique property `key` (an activity's ref);
    None when there is none or it is an activity the audience may not see."""
    rows = await fresh_rows(graph, _card(audience, shape, record_id, key))
    return rows[0]["row"] if rows else None


async def card_in(
    graph: Graph,
    tx: AsyncManagedTransaction,
    audience: Audience | None,
    shape: Shape,
    record_id: str,
    written: bool = False,
) -> Row | None:
    """The card read back inside a write transaction, so a mutation answers with what it
    wrote in the same transaction. When the audience `written` the activity itself (made
    it, or changed it and maybe gave it away), they read it back whoever else may see it;
    what it links to still follows the rule."""
    rows = await fresh_tx_rows(graph, tx, _card(audience, shape, record_id, checked=not written))
    return rows[0]["row"] if rows else None


def _card(
    audience: Audience | None,
    shape: Shape,
    record_id: str,
    key: LiteralString = "id",
    checked: bool = True,
) -> Callable[[frozenset[str]], tuple[LiteralString, Params]]:
    def build(keys: frozenset[str]) -> tuple[LiteralString, Params]:
        statement = Statement(keys=keys, audience=audience)
        return statement.card(shape, record_id, key, checked), statement.params

    return build


async def page(
    graph: Graph, audience: Audience | None, shape: Shape, page: Page, where: RecordFilter
) -> PageRows:
    def build(keys: frozenset[str]) -> tuple[LiteralString, Params]:
        statement = Statement(keys=keys, audience=audience)
        n = statement.variable()
        conditions = record_conditions(statement, n, shape.label, where)
        search = anchor = None
        if where.search:
            search = Search(SEARCH_INDEXES[shape.label.name], lucene_query(where.search))
        elif where.owner_ids or where.customer_ids or where.linked_customer_ids:
            anchor = record_anchor(statement, n, shape.label, where)
        elif page.order:
            # A predicate on the first sort property lets the planner read the range index
            # in order instead of sorting every node of the label.
            conditions.append(page.order[0].expression.format(n=n) + " IS NOT NULL")
        text = statement.page(shape, page, conditions, search=search, n=n, anchor=anchor)
        return text, statement.params

    result = await fresh_rows(graph, build)
    return PageRows.of(result[0])


def record_anchor(
    statement: Statement, n: LiteralString, label: Label, where: RecordFilter
) -> LiteralString:
    """Starts a filtered list from its few owners or customers, found by id; the filter's
    conditions still apply on top."""
    if where.owner_ids:
        ids = statement.param(list(where.owner_ids))
        return f"MATCH (u:User) WHERE u.id IN {ids} MATCH ({n}:{label.name})-[:OWNED_BY]->(u)"
    if where.linked_customer_ids:
        types = statement.relationship_types()
        ids = statement.param(list(where.linked_customer_ids))
        m = statement.variable()
        # No type known means no link: the anchor then matches nothing.
        return (
            f"MATCH (c:Customer) WHERE c.id IN {ids} "
            f"MATCH (c)-[:{types or 'NO_RELATIONSHIP_TYPES'}]-({m}:{label.name}) "
            f"WITH DISTINCT {m} AS {n}"
        )
    ids = statement.param(list(where.customer_ids))
    return f"MATCH (c:Customer) WHERE c.id IN {ids} MATCH ({n}:{label.name})-[:WORKS_AT|FOR]->(c)"


def record_conditions(
    statement: Statement, n: LiteralString, label: Label, where: RecordFilter
) -> list[LiteralString]:
    conditions: list[LiteralString] = []
    if label.archivable and not where.include_archived:
        conditions.append(f"{n}.archivedAt IS NULL")
    if where.statuses:
        conditions.append(f"{n}.status IN {statement.param(list(where.statuses))}")
    if where.roles:
        conditions.append(f"{n}.role IN {statement.param(list(where.roles))}")
    if where.active is not None:
        conditions.append(f"{n}.active = {statement.param(where.active)}")
    if where.owner_ids:
        ids = statement.param(list(where.owner_ids))
        conditions.append(f"EXISTS {{ ({n})-[:OWNED_BY]->(u:User) WHERE u.id IN {ids} }}")
    if where.customer_ids:
        ids = statement.param(list(where.customer_ids))
        conditions.append(f"EXISTS {{ ({n})-[:WORKS_AT|FOR]->(c:Customer) WHERE c.id IN {ids} }}")
    if where.linked_to_customers is not None:
        linked = linked_to_customers(statement, n)
        conditions.append(linked if where.linked_to_customers else f"NOT {linked}")
    if where.linked_customer_ids:
        conditions.append(linked_to_customers(statement, n, list(where.linked_customer_ids)))
    if where.created_after is not None:
        conditions.append(f"{n}.createdAt >= {statement.param(where.created_after)}")
    if where.created_before is not None:
        conditions.append(f"{n}.createdAt < {statement.param(where.created_before)}")
    return conditions


_LUCENE_SPECIAL = re.compile(r'([+\-!(){}\[\]^"~*?:\\/&|])')


def lucene_query(text: str) -> str:
    """Every word the user typed must match, each as a prefix; Lucene syntax is escaped."""
    words = [_LUCENE_SPECIAL.sub(r"\\\1", word) for word in text.split()]
    return " AND ".join(f"{word}*" for word in words if word)


# Writes. Each function runs inside the caller's write transaction.


async def require_actor(tx: AsyncManagedTransaction, actor_id: str) -> str:
    """The acting user's role; refuses a user who no longer exists or was deactivated."""
    rows = await tx_rows(
        tx, "MATCH (u:User {id: $id}) RETURN u.active AS active, u.role AS role", {"id": actor_id}
    )
    if not rows or not rows[0]["active"]:
        raise Forbidden("Your account is deactivated or no longer exists.")
    return str(rows[0]["role"])


async def _require(
    tx: AsyncManagedTransaction, label: LiteralString, record_id: str, field_name: str
) -> Row:
    rows = await tx_rows(
        tx,
        f"MATCH (n:{label} {{id: $id}}) RETURN n.archivedAt AS archivedAt, n.active AS active",
        {"id": record_id},
    )
    if not rows:
        raise NotFound(f"No {label.lower()} has the id {record_id!r}.", field=field_name)
    return rows[0]


# What notes and attachments may be added to.
RECORD_LABELS: tuple[LiteralString, ...] = ("Customer", "Contact", "Project", "Activity")


async def require_open_record(
    tx: AsyncManagedTransaction,
    audience: Audience | None,
    record_id: str,
    field_name: str = "recordId",
    change: bool = True,
) -> None:
    """Refuses, in one statement, an unknown or archived record and a closed activity:
    what a note, a file, a call log or an e-mail may not be added to. An activity the
    audience may not see reads as unknown; one they may see but not change is refused
    too, unless not `change` (adding a task under it)."""
    statement = Statement(audience=audience)
    rows = await tx_rows(
        tx,
        find_party("r", "$id", RECORD_LABELS)
        + " RETURN r.archivedAt AS archivedAt, r.closedAt AS closedAt, "
        + f"NOT r:Activity OR {statement.visible('r')} AS visible, "
        + f"NOT r:Activity OR {statement.changeable('r')} AS changeable",
        {"id": record_id, **statement.params},
    )
    if not rows or not rows[0]["visible"]:
        raise NotFound(f"{field_name}: no record has the id {record_id!r}.", field=field_name)
    if change and not rows[0]["changeable"]:
        raise Forbidden(CANNOT_CHANGE.format(field=field_name), field=field_name)
    if rows[0]["archivedAt"] is not None:
        raise Archived(f"{field_name}: the record {record_id!r} is archived.", field=field_name)
    if rows[0]["closedAt"] is not None:
        raise Closed(f"{field_name}: the activity {record_id!r} is closed.", field=field_name)


async def require_live(
    tx: AsyncManagedTransaction, label: LiteralString, record_id: str, field_name: str
) -> None:
    row = await _require(tx, label, record_id, field_name)
    if row["archivedAt"] is not None:
        raise Archived(f"The {label.lower()} {record_id!r} is archived.", field=field_name)


async def require_active_user(tx: AsyncManagedTransaction, user_id: str, field_name: str) -> None:
    row = await _require(tx, "User", user_id, field_name)
    if not row["active"]:
        raise Forbidden(f"The user {user_id!r} is deactivated.", field=field_name)


# The structural edge each record kind may carry, by the input field that sets it.
_LINKS: Mapping[tuple[str, str], tuple[LiteralString, LiteralString]] = {
    ("Customer", "ownerId"): ("OWNED_BY", "User"),
    ("Contact", "customerId"): ("WORKS_AT", "Customer"),
    ("Project", "customerId"): ("FOR", "Customer"),
}


# Properties kept in step with others after every write (the CSV import's too).
DERIVED: Mapping[str, LiteralString] = {
    "Customer": set_keys("n"),
    "Contact": "SET n.name = trim(n.firstName + ' ' + coalesce(n.lastName, '')) " + set_keys("n"),
}


async def create_record(
    tx: AsyncManagedTransaction,
    label: LiteralString,
    record_id: str,
    values: Mapping[str, Any],
    links: Mapping[str, str | None],
) -> None:
    await _check_links(tx, label, links)
    await _write_unique(
        tx,
        f"CREATE (n:{label} {{id: $id}}) "
        "SET n += $values, n.createdAt = datetime(), n.updatedAt = datetime() "
        + DERIVED.get(label, ""),
        {"id": record_id, "values": dict(values)},
    )
    await _set_links(tx, label, record_id, links)


async def update_record(
    tx: AsyncManagedTransaction,
    label: LiteralString,
    record_id: str,
    values: Mapping[str, Any],
    links: Mapping[str, str | None],
) -> None:
    await require_live(tx, label, record_id, "id")
    await _check_links(tx, label, links)
    await _write_unique(
        tx,
        f"MATCH (n:{label} {{id: $id}}) SET n += $values, n.updatedAt = datetime() "
        + DERIVED.get(label, ""),
        {"id": record_id, "values": dict(values)},
    )
    await _set_links(tx, label, record_id, links)


async def archive_record(tx: AsyncManagedTransaction, label: LiteralString, record_id: str) -> None:
    await require_live(tx, label, record_id, "id")
    await tx_rows(
        tx,
        f"MATCH (n:{label} {{id: $id}}) SET n.archivedAt = datetime(), n.updatedAt = datetime()",
        {"id": record_id},
    )


async def _check_links(
    tx: AsyncManagedTransaction, label: LiteralString, links: Mapping[str, str | None]
) -> None:
    for field_name, target_id in links.items():
        if target_id is None:
            continue
        _, target = _LINKS[(label, field_name)]
        if target == "User":
            await require_active_user(tx, target_id, field_name)
        else:
            await require_live(tx, target, target_id, field_name)


async def _set_links(
    tx: AsyncManagedTransaction,
    label: LiteralString,
    record_id: str,
    links: Mapping[str, str | None],
) -> None:
    for field_name, target_id in links.items():
        edge, target = _LINKS[(label, field_name)]
        await tx_rows(
            tx,
            f"MATCH (n:{label} {{id: $id}}) "
            f"OPTIONAL MATCH (n)-[old:{edge}]->() DELETE old "
            f"WITH DISTINCT n MATCH (t:{target} {{id: $target}}) CREATE (n)-[:{edge}]->(t)",
            {"id": record_id, "target": target_id},
        )


async def _write_unique(tx: AsyncManagedTransaction, text: LiteralString, params: Row) -> None:
    """Runs a write; a uniqueness constraint it breaks becomes a conflict naming the field."""
    try:
        await tx_rows(tx, text, params)
    except ConstraintError as error:
        raise _conflict(error) from error


def _conflict(error: ConstraintError) -> Conflict:
    message = error.message or ""
    for prop in ("email", "handle"):
        if f"`{prop}`" in message or f"property `{prop}`" in message or f"'{prop}'" in message:
            return Conflict(f"Another record already has this {prop}.", field=prop)
    return Conflict("A record with these values already exists.")


async def set_user_active(tx: AsyncManagedTransaction, user_id: str, active: bool) -> None:
    """Activates or deactivates a user. Deactivating revokes their tokens and ends their
    calendar feed (a reactivated user rotates a new one)."""
    await _require(tx, "User", user_id, "id")
    await tx_rows(
        tx,
        "MATCH (u:User {id: $id}) SET u.active = $active, u.updatedAt = datetime()",
        {"id": user_id, "active": active},
    )
    await revoke_tokens(tx, user_id)


# A change to these properties of a user ends the tokens issued before it.
REVOKING_PROPERTIES = frozenset({"role", "active", "passwordHash"})


async def revoke_tokens(tx: AsyncManagedTransaction, user_id: str) -> None:
    """Every token issued to the user so far stops working: each carries the token version
    it was issued under, and every request checks it against this one. An inactive user's
    calendar feed ends too. The user's open subscriptions are told once it commits."""
    rows = await tx_rows(
        tx,
        "MATCH (u:User {id: $id}) SET u.tokenVersion = coalesce(u.tokenVersion, 0) + 1, "
        "u.feedTokenHash = CASE WHEN u.active THEN u.feedTokenHash END "
        "RETURN u.tokenVersion AS version",
        {"id": user_id},
    )
    for row in rows:
        emit(Revoked(user_id, row["version"]))


async def free_handle(tx: AsyncManagedTransaction, base: str) -> str:
    """`base`, or `base-2`, `base-3`, … when taken: a handle nobody chose must not clash."""
    rows = await tx_rows(
        tx,
        "MATCH (u:User) WHERE u.handle = $base OR u.handle STARTS WITH $base + '-' "
        "RETURN collect(u.handle) AS taken",
        {"base": base},
    )
    taken = set(rows[0]["taken"])
    candidate, number = base, 1
    while candidate in taken:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


async def login_lookup(graph: Graph, email: str) -> Row | None:
    rows = await graph.rows(
        "MATCH (u:User {email: $email}) "
        "RETURN u.id AS id, u.passwordHash AS passwordHash, u.role AS role, u.active AS active, "
        "coalesce(u.tokenVersion, 0) AS tokenVersion",
        {"email": email},
    )
    return rows[0] if rows else None


async def confirm_viewer(graph: Graph) -> None:
    """One statement that only checks the viewer being checked
    (`kesher.graph.viewer_guard.checking`): raises `ViewerRefused` when their token no
    longer holds. What a subscription runs as it opens, when it may read nothing else."""
    await graph.rows("RETURN true AS confirmed", {})
