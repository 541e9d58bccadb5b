"""Users assigned to customers and activities (R4.2).

`(record)-[:ASSIGNED_TO {at}]->(:User)`. Assignment says who looks after a record; it
grants no access. Each change notifies the users it concerns:
`(:Notification {kind: 'ASSIGNED' | 'UNASSIGNED'})-[:NOTIFIES]->(:User)`, `-[:ON]->(record)`.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.catalog import fresh_tx_rows
from kesher.graph.driver import Graph, Params, Row, tx_rows
from kesher.graph.errors import Archived, Closed, Forbidden, KindMismatch, NotFound
from kesher.graph.events import Notified, emit
from kesher.graph.notes import NOTIFICATION_PREFIX
from kesher.graph.parties import find_party
from kesher.graph.records import RECORD_LABELS
from kesher.graph.shapes import Shape
from kesher.graph.statement import Statement
from kesher.graph.visibility import CANNOT_CHANGE, Audience

ASSIGNABLE: tuple[LiteralString, ...] = ("Customer", "Activity")
ASSIGNED = "ASSIGNED"
UNASSIGNED = "UNASSIGNED"

_USER: LiteralString = "{.id, .name, .email, .active}"
_RECORD: LiteralString = find_party("r", "$recordId", RECORD_LABELS)
_ASSIGNABLE: LiteralString = find_party("r", "$recordId", ASSIGNABLE)


@dataclass(frozen=True)
class Target:
    """A customer or activity about to change hands: its label, name, owner and the users
    assigned to it now (each `id`, `name`, `email`, `active`), by id."""

    label: str
    name: str
    owner: Row | None
    assigned: Mapping[str, Row]


async def target(tx: AsyncManagedTransaction, audience: Audience, record_id: str) -> Target:
    """Write-locks the customer or activity (so that changes to its assignments queue up)
    and reads it. Refuses, naming `recordId`: an unknown record, a contact or project, an
    archived customer and a closed activity; an activity the audience may not see reads as
    unknown, and one they may not change is refused."""
    statement = Statement(audience=audience)
    rows = await tx_rows(
        tx,
        _RECORD + " WITH r, [l IN labels(r) WHERE l IN $recordLabels][0] AS label "
        # Setting and removing a property takes the record's write lock and changes nothing.
        "CALL (r, label) { WITH r WHERE label IN $assignable "
        "  SET r.assignmentLock = true REMOVE r.assignmentLock } "
        "RETURN label, coalesce(r.name, r.subject, r.id) AS name, "
        "r.archivedAt AS archivedAt, r.closedAt AS closedAt, "
        f"[(r)-[:OWNED_BY]->(o:User) | o {_USER}][0] AS owner, "
        f"[(r)-[:ASSIGNED_TO]->(u:User) | u {_USER}] AS assigned, "
        f"NOT r:Activity OR {statement.visible('r')} AS visible, "
        f"NOT r:Activity OR {statement.changeable('r')} AS changeable",
        {
            **statement.params,
            "recordId": record_id,
            "recordLabels": list(RECORD_LABELS),
            "assignable": list(ASSIGNABLE),
        },
    )
    if not rows or not rows[0]["visible"]:
        raise NotFound(f"recordId: no record has the id {record_id!r}.", field="recordId")
    row = rows[0]
    if not row["changeable"]:
        raise Forbidden(CANNOT_CHANGE.format(field="recordId"), field="recordId")
    label = str(row["label"])
    if label not in ASSIGNABLE:
        raise KindMismatch(
            f"recordId: users are assigned to customers and activities, not to a {label.lower()}.",
            field="recordId",
        )
    if row["archivedAt"] is not None:
        raise Archived(f"recordId: the customer {record_id!r} is archived.", field="recordId")
    if row["closedAt"] is not None:
        raise Closed(f"recordId: the activity {record_id!r} is closed.", field="recordId")
    return Target(
        label=label,
        name=str(row["name"]),
        owner=row["owner"],
        assigned={user["id"]: user for user in row["assigned"]},
    )


async def users(tx: AsyncManagedTransaction, user_ids: Sequence[str]) -> dict[str, Row]:
    """The users by id (each `id`, `name`, `email`, `active`); refuses an unknown one,
    naming `userIds`."""
    rows = await tx_rows(
        tx,
        f"UNWIND $ids AS wanted OPTIONAL MATCH (u:User {{id: wanted}}) "
        f"RETURN wanted, u {_USER} AS user",
        {"ids": list(user_ids)},
    )
    for row in rows:
        if row["user"] is None:
            raise NotFound(f"userIds: no user has the id {row['wanted']!r}.", field="userIds")
    return {row["wanted"]: row["user"] for row in rows}


async def assign(tx: AsyncManagedTransaction, record_id: str, user_ids: Sequence[str]) -> None:
    """Assigns the users (none of them assigned yet) to the customer or activity."""
    await tx_rows(
        tx,
        _ASSIGNABLE + " UNWIND $userIds AS userId MATCH (u:User {id: userId}) "
        "CREATE (r)-[:ASSIGNED_TO {at: datetime()}]->(u)",
        {"recordId": record_id, "userIds": list(user_ids)},
    )


async def unassign(tx: AsyncManagedTransaction, record_id: str, user_ids: Sequence[str]) -> None:
    """Removes the users (all of them assigned) from the customer or activity."""
    await tx_rows(
        tx,
        _ASSIGNABLE + " MATCH (r)-[a:ASSIGNED_TO]->(u:User) WHERE u.id IN $userIds DELETE a",
        {"recordId": record_id, "userIds": list(user_ids)},
    )


async def notify(
    tx: AsyncManagedTransaction, record_id: str, kind: str, summaries: Mapping[str, str]
) -> None:
    """One notification of `kind` on the record for each user in `summaries` (user id to
    what it says), each handed to the user's subscriptions after the commit."""
    if not summaries:
        return
    rows = await tx_rows(
        tx,
        _ASSIGNABLE + " UNWIND $notices AS notice MATCH (u:User {id: notice.userId}) "
        "CREATE (n:Notification {id: notice.id, kind: $kind, summary: notice.summary, "
        "createdAt: datetime()})-[:NOTIFIES]->(u) "
        "CREATE (n)-[:ON]->(r) "
        "RETURN u.id AS userId, n {.id, .kind, .summary, created_at: n.createdAt, "
        "read_at: n.readAt} AS row",
        {
            "recordId": record_id,
            "kind": kind,
            "notices": [
                {
                    "userId": user_id,
                    "id": f"{NOTIFICATION_PREFIX}_{secrets.token_hex(12)}",
                    "summary": summary,
                }
                for user_id, summary in summaries.items()
            ],
        },
    )
    for row in rows:
        emit(Notified(row["userId"], row["row"]))


async def assigned_users(
    graph: Graph,
    tx: AsyncManagedTransaction,
    audience: Audience,
    shape: Shape,
    record_id: str,
) -> list[Row]:
    """The users assigned to the customer or activity, by name, in the shape asked for:
    one statement, read inside the write transaction that changed them."""

    def build(keys: frozenset[str]) -> tuple[LiteralString, Params]:
        statement = Statement(keys=keys, audience=audience)
        u = statement.variable()
        subqueries, projection = statement.projection(u, shape)
        text = (
            find_party("r", statement.param(record_id), ASSIGNABLE)
            + f" MATCH (r)-[:ASSIGNED_TO]->({u}:User) WITH {u} "
            + " ".join(subqueries)
            + f" WITH * ORDER BY {u}.name, {u}.id RETURN collect({projection}) AS users"
        )
        return text, statement.params

    rows = await fresh_tx_rows(graph, tx, build)
    return list(rows[0]["users"]) if rows else []
