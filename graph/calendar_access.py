"""Who may see whose calendar: managers see the users they manage
(`(:User)-[:MANAGES]->(:User)`), and a user may share their calendar with others
(`(:User)-[:SHARES_CALENDAR_WITH]->(:User)`). Each function runs inside the caller's write
transaction."""

from __future__ import annotations

from typing import LiteralString

from neo4j import AsyncManagedTransaction

from kesher.graph.driver import Graph, Row, tx_rows
from kesher.graph.errors import GraphError, NotFound

MANAGES: LiteralString = "MANAGES"
SHARES: LiteralString = "SHARES_CALENDAR_WITH"


async def require_users(tx: AsyncManagedTransaction, user_ids: list[str], field: str) -> None:
    rows = await tx_rows(
        tx,
        "UNWIND $ids AS id OPTIONAL MATCH (u:User {id: id}) "
        "WITH id, u WHERE u IS NULL RETURN collect(id) AS missing",
        {"ids": user_ids},
    )
    if rows[0]["missing"]:
        raise NotFound(f"{field}: no user has the id {rows[0]['missing'][0]!r}.", field=field)


async def require_manager(tx: AsyncManagedTransaction, manager_id: str) -> None:
    rows = await tx_rows(tx, "MATCH (u:User {id: $id}) RETURN u.role AS role", {"id": manager_id})
    if not rows:
        raise NotFound(f"managerId: no user has the id {manager_id!r}.", field="managerId")
    if rows[0]["role"] not in ("MANAGER", "ADMIN"):
        raise GraphError(
            "managerId: only a MANAGER (or ADMIN) manages users; change the role first.",
            field="managerId",
        )


async def link_users(
    tx: AsyncManagedTransaction,
    edge: LiteralString,
    from_id: str,
    user_ids: list[str],
    present: bool,
) -> None:
    """Adds (or removes) `(from)-[:edge]->(user)` for each user; repeating is harmless."""
    if from_id in user_ids:
        raise GraphError("userIds: a user cannot be named for themselves.", field="userIds")
    await require_users(tx, user_ids, "userIds")
    if present:
        text: LiteralString = (
            f"MATCH (a:User {{id: $from}}) UNWIND $ids AS id MATCH (b:User {{id: id}}) "
            f"MERGE (a)-[:{edge}]->(b)"
        )
    else:
        text = f"MATCH (a:User {{id: $from}})-[r:{edge}]->(b:User) WHERE b.id IN $ids DELETE r"
    await tx_rows(tx, text, {"from": from_id, "ids": user_ids})


async def set_feed_token(tx: AsyncManagedTransaction, user_id: str, token_hash: str) -> None:
    """Keeps only the hash of a user's calendar-feed token; a new one replaces the old."""
    await require_users(tx, [user_id], "userId")
    await tx_rows(
        tx,
        "MATCH (u:User {id: $id}) SET u.feedTokenHash = $hash, u.updatedAt = datetime()",
        {"id": user_id, "hash": token_hash},
    )


async def feed_owner(graph: Graph, user_id: str) -> Row | None:
    rows = await graph.rows(
        "MATCH (u:User {id: $id}) RETURN u.feedTokenHash AS tokenHash, u.name AS name, "
        "u.active AS active",
        {"id": user_id},
    )
    return rows[0] if rows else None
