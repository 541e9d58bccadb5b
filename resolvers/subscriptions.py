"""The two subscriptions: what they follow, and while the viewer's token holds
(`kesher.resolvers.subscription_access`), through the broadcaster
(`kesher.resolvers.broadcast`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager

from strawberry.types.nodes import Selection
from strawberry.utils.str_converters import to_snake_case

from kesher.codes import Code
from kesher.graph import records as graph_records
from kesher.graph.driver import Row
from kesher.graph.events import Notified, RecordChanged, followable
from kesher.graph.items import NOTIFICATION
from kesher.resolvers import subscription_access as access
from kesher.resolvers.activities import PREFIX as ACTIVITY_PREFIX
from kesher.resolvers.broadcast import Broadcaster, Unavailable, record_channel, user_channel
from kesher.resolvers.context import Context, viewer_checked
from kesher.resolvers.errors import ClientError
from kesher.resolvers.records import audience
from kesher.resolvers.selection import fields, shape_of
from kesher.resolvers.writes import viewer_id


def _broadcaster(context: Context) -> Broadcaster:
    found: Broadcaster = context.request.app.state.broadcaster
    return found


@asynccontextmanager
async def _following(context: Context, channel: str) -> AsyncIterator[access.Authorized]:
    """The channel's events while the viewer's token holds (`subscription_access`): the
    feed also follows the viewer's own channel, where their tokens' revocation is told,
    and is confirmed against the graph once it follows both."""
    viewer = access.admitted(context)
    own = user_channel(viewer.id)
    broadcaster = _broadcaster(context)
    try:
        with access.slots(context).held(viewer.id):
            async with broadcaster.subscribe(channel) as feed, AsyncExitStack() as also:
                if channel != own:
                    await also.enter_async_context(broadcaster.subscribe(own, feed))
                await access.confirm(context)
                yield access.Authorized(feed, viewer)
    except Unavailable as error:
        raise ClientError(str(error), code=Code.UNAVAILABLE) from error


async def record_changes(context: Context, record_id: str) -> AsyncGenerator[Row, None]:
    """Every committed change on the record from now on. An unknown record, or an
    activity the viewer may not see, is refused, naming `recordId` (one statement, which
    checks the viewer too). An activity's change is told only while the viewer may still
    see it (one statement per change: taking a user off it, or a calendar no longer
    shared, stops the telling)."""
    watcher = audience(context)
    with viewer_checked(context):
        known = await followable(context.graph, watcher, record_id)
    if not known:
        raise ClientError(
            f"recordId: no record has the id {record_id!r}.", code=Code.NOT_FOUND, field="recordId"
        )
    activity = record_id.startswith(f"{ACTIVITY_PREFIX}_")
    async with _following(context, record_channel(record_id)) as feed:
        async for event in feed:
            if isinstance(event, RecordChanged):
                if activity:
                    with viewer_checked(context):
                        still = await followable(context.graph, watcher, record_id)
                    if not still:
                        continue
                yield {
                    "record_id": event.record_id,
                    "action": event.action,
                    "summary": event.summary,
                    "actor_id": event.actor_id,
                    "at": event.at,
                }


async def notifications(
    context: Context, selections: Iterable[Selection]
) -> AsyncGenerator[Row, None]:
    """The signed-in user's notifications as they are made. The event carries the
    notification's own fields; when the selection asks for what it is about (`note`,
    `activity`, `customer`), each one is read in one statement."""
    user_id = viewer_id(context)
    selected = list(selections)
    about = any(to_snake_case(f.name) in NOTIFICATION.relations for f in fields(selected))
    shape = shape_of(NOTIFICATION, selected, context.settings) if about else None
    async with _following(context, user_channel(user_id)) as feed:
        async for event in feed:
            if not isinstance(event, Notified):
                continue
            if shape is None:
                yield event.notification
                continue
            with viewer_checked(context):
                row = await graph_records.card(
                    context.graph, audience(context), shape, event.notification["id"]
                )
            if row is not None:  # gone already if it was deleted meanwhile
                yield row
