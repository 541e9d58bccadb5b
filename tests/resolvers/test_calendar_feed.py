"""The .ics calendar feed: built with icalendar, behind a rotatable per-user token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from icalendar import Calendar

from tests.conftest import Person, gql
from tests.resolvers.test_activities import create, meeting, world
from tests.resolvers.test_recurrence import CANCEL

pytestmark = pytest.mark.anyio

ROTATE = """
mutation Rotate($user: ID) {
  rotateCalendarFeed(userId: $user) {
    __typename
    ... on CalendarFeedSuccess { url token }
    ... on MutationError { code field }
  }
}
"""


async def test_the_feed_parses_back_with_the_users_events(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given a one-off meeting and a weekly series with one cancelled occurrence
    w = await world(client, admin, member)
    soon = (datetime.now(UTC) + timedelta(days=3)).replace(microsecond=0, second=0)
    await create(
        client,
        member,
        meeting(
            w,
            member,
            subject="One-off",
            startsAt=soon.isoformat(),
            endsAt=(soon + timedelta(hours=1)).isoformat(),
            externalUrl="https://calendar.example.com/e/1",
        ),
    )
    series = (
        await create(
            client,
            member,
            meeting(
                w,
                member,
                subject="Weekly",
                startsAt=(soon + timedelta(days=1)).isoformat(),
                endsAt=(soon + timedelta(days=1, hours=1)).isoformat(),
                recurrence="FREQ=WEEKLY;COUNT=4",
            ),
        )
    )["activity"]
    second = (soon + timedelta(days=8)).isoformat()
    await gql(client, CANCEL, {"id": series["id"], "at": second}, member)

    # when
    rotated = (await gql(client, ROTATE, {}, member))["data"]["rotateCalendarFeed"]
    url = urlsplit(rotated["url"])
    response = await client.get(f"{url.path}?{url.query}")

    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/calendar")
    parsed = Calendar.from_ical(response.content)
    events = {str(event["summary"]): event for event in parsed.walk("VEVENT")}
    assert set(events) == {"One-off", "Weekly"}
    assert events["One-off"].decoded("dtstart") == soon
    assert str(events["One-off"]["url"]) == "https://calendar.example.com/e/1"
    weekly = events["Weekly"]
    assert weekly.decoded("rrule") == {"FREQ": ["WEEKLY"], "COUNT": [4]}
    excluded: Any = weekly["exdate"]
    assert [when.dt.astimezone(UTC) for when in excluded.dts] == [datetime.fromisoformat(second)]
    assert parsed.walk("VTIMEZONE"), "the time zone travels with the feed"


async def test_a_rotated_token_replaces_the_old_one(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    first = (await gql(client, ROTATE, {}, member))["data"]["rotateCalendarFeed"]
    second = (await gql(client, ROTATE, {}, member))["data"]["rotateCalendarFeed"]
    old, new = urlsplit(first["url"]), urlsplit(second["url"])
    assert (await client.get(f"{old.path}?{old.query}")).status_code == 404
    assert (await client.get(f"{new.path}?{new.query}")).status_code == 200
    assert (await client.get(new.path)).status_code == 404
    assert (await client.get(f"/calendar/usr_unknown.ics?{new.query}")).status_code == 404

    # another's feed is rotated by an ADMIN only
    refused = (await gql(client, ROTATE, {"user": admin.id}, member))["data"]
    assert refused["rotateCalendarFeed"] == {
        "__typename": "MutationError",
        "code": "FORBIDDEN",
        "field": "userId",
    }
    made = (await gql(client, ROTATE, {"user": member.id}, admin))["data"]["rotateCalendarFeed"]
    assert made["__typename"] == "CalendarFeedSuccess"
    assert (await client.get(f"{new.path}?{new.query}")).status_code == 404
