"""A user's calendar as an RFC 5545 feed (`GET /calendar/<user>.ics?token=…`) that Google or
Outlook can subscribe to, behind a per-user token the user can rotate."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur
from neo4j import AsyncManagedTransaction

from kesher.codes import Code
from kesher.graph import calendar as graph_calendar
from kesher.graph import calendar_access as access
from kesher.graph import records as graph_records
from kesher.graph.driver import Graph, Row
from kesher.graph.model import ACTIVITY, USER
from kesher.graph.shapes import Shape
from kesher.graph.visibility import Audience
from kesher.resolvers.calendar import SERIES_FIELDS
from kesher.resolvers.context import Context, Role
from kesher.resolvers.errors import Refusal
from kesher.resolvers.writes import viewer_id, write

PAST = timedelta(days=180)
FUTURE = timedelta(days=400)
PER_FEED = 5000
FEED_FIELDS = SERIES_FIELDS | {"subject", "description", "external_url", "all_day", "updated_at"}


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def rotate(context: Context, user_id: str | None, base_url: str) -> Row | Refusal:
    """A new feed token for the signed-in user (or, for an ADMIN, any user); the old one
    stops working at once. The token is shown this once, to its owner only (an ADMIN who
    rotates another's feed gets null: the feed is the owner's secret), and only its hash
    is kept."""
    actor = viewer_id(context)
    owner = user_id or actor
    if owner != actor and (context.viewer is None or context.viewer.role is not Role.ADMIN):
        return Refusal(Code.FORBIDDEN, "userId: only an ADMIN rotates another's feed.", "userId")
    token = secrets.token_urlsafe(32)

    async def work(tx: AsyncManagedTransaction) -> Row:
        await graph_records.require_actor(tx, actor)
        await access.set_feed_token(tx, owner, _hash(token))
        if owner != actor:
            return {"token": None, "url": None}
        return {"token": token, "url": f"{base_url.rstrip('/')}/calendar/{owner}.ics?token={token}"}

    return await write(context, work)


async def feed(graph: Graph, user_id: str, token: str) -> bytes | None:
    """The feed, or None when the user or token does not fit (the caller answers 404, so
    a wrong token tells nothing about which users exist)."""
    owner = await access.feed_owner(graph, user_id)
    if owner is None or not owner["tokenHash"] or not owner["active"]:
        return None
    if not hmac.compare_digest(owner["tokenHash"], _hash(token)):
        return None
    now = datetime.now(UTC)
    rows = await graph_calendar.lanes(
        graph,
        Audience(user_id, admin=False),
        [user_id],
        graph_calendar.Window(now - PAST, now + FUTURE),
        dataclasses.replace(Shape(ACTIVITY), fields=FEED_FIELDS),
        PER_FEED,
        Shape(USER),
    )
    calendar = Calendar()
    calendar.add("prodid", "-//Kesher//Calendar feed//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Kesher: {owner['name']}")
    for activity in rows[0]["activities"][:PER_FEED]:
        for event in _events(activity):
            calendar.add_component(event)
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical


def _events(activity: Row) -> list[Event]:
    """The activity as a VEVENT (a series with its RRULE and EXDATEs), plus one VEVENT per
    moved occurrence, tied to the series by UID and RECURRENCE-ID."""
    zone = ZoneInfo(activity["time_zone"])
    uid = f"{activity['id']}@kesher"
    duration = activity["ends_at"] - activity["starts_at"]

    def base(starts: datetime, ends: datetime) -> Event:
        event = Event()
        event.add("uid", uid)
        event.add("summary", activity["subject"])

        event.add("dtstamp", activity["updated_at"])
        if activity["all_day"]:
            event.add("dtstart", starts.astimezone(zone).date())
            event.add("dtend", ends.astimezone(zone).date())
        else:
            event.add("dtstart", starts.astimezone(zone))
            event.add("dtend", ends.astimezone(zone))
        if activity.get("description"):
            event.add("description", activity["description"])
        if activity.get("external_url"):
            event.add("url", activity["external_url"])
        return event

    series = base(activity["starts_at"], activity["ends_at"])
    events = [series]
    if activity.get("recurrence"):
        series.add("rrule", vRecur.from_ical(activity["recurrence"]))
        for cancelled in activity.get("cancelled_starts") or ():
            series.add("exdate", cancelled.astimezone(zone))
        moves = zip(
            activity.get("moved_starts") or (),
            activity.get("moved_to") or (),
            activity.get("moved_to_end") or (),
            strict=True,
        )
        for original, starts, ends in moves:
            moved = base(starts, ends if ends is not None else starts + duration)
            moved.add("recurrence-id", original.astimezone(zone))
            events.append(moved)
    return events
