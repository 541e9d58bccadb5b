"""Managing who may see whose calendar."""

from __future__ import annotations

from collections.abc import Iterable

from neo4j import AsyncManagedTransaction
from strawberry.types.nodes import Selection

from kesher.codes import Code
from kesher.graph import calendar_access as access
from kesher.graph import records as graph_records
from kesher.graph.driver import Row
from kesher.graph.model import USER
from kesher.resolvers.context import Context, Role
from kesher.resolvers.errors import Refusal
from kesher.resolvers.records import audience
from kesher.resolvers.selection import shape_of
from kesher.resolvers.writes import viewer_id, write

MAX_USERS = 100


def _check_ids(user_ids: list[str]) -> Refusal | None:
    if not 1 <= len(user_ids) <= MAX_USERS:
        return Refusal(Code.INVALID_INPUT, f"userIds: name 1 to {MAX_USERS} users.", "userIds")
    return None


async def manage(
    context: Context,
    manager_id: str,
    user_ids: list[str],
    present: bool,
    selections: Iterable[Selection],
) -> Row | Refusal:
    """The manager starts (or stops) managing these users; answers with the manager."""
    refusal = _check_ids(user_ids)
    if refusal:
        return refusal
    shape = shape_of(USER, selections, context.settings)
    actor = viewer_id(context)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        if present:
            await access.require_manager(tx, manager_id)
        else:
            await access.require_users(tx, [manager_id], "managerId")
        await access.link_users(tx, access.MANAGES, manager_id, user_ids, present)
        return await graph_records.card_in(context.graph, tx, audience(context), shape, manager_id)

    return await write(context, work)


async def share(
    context: Context,
    owner_id: str | None,
    user_ids: list[str],
    present: bool,
    selections: Iterable[Selection],
) -> Row | Refusal:
    """The owner shares (or stops sharing) their calendar with these users; only an ADMIN
    acts for another owner. Answers with the owner."""
    refusal = _check_ids(user_ids)
    if refusal:
        return refusal
    actor = viewer_id(context)
    owner = owner_id or actor
    if owner != actor and (context.viewer is None or context.viewer.role is not Role.ADMIN):
        return Refusal(
            Code.FORBIDDEN, "ownerId: only an ADMIN shares another's calendar.", "ownerId"
        )
    shape = shape_of(USER, selections, context.settings)

    async def work(tx: AsyncManagedTransaction) -> Row | None:
        await graph_records.require_actor(tx, actor)
        await access.require_users(tx, [owner], "ownerId")
        await access.link_users(tx, access.SHARES, owner, user_ids, present)
        return await graph_records.card_in(context.graph, tx, audience(context), shape, owner)

    return await write(context, work)
