"""Recurring events: expansion in calendars, in their own time zone, with exceptions."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.cache_support import conflicts
from tests.conftest import Person, gql
from tests.resolvers.relationships_support import snapshot
from tests.resolvers.test_activities import CLOSE, create, meeting, world

pytestmark = pytest.mark.anyio

CALENDAR = """
query Calendar($users: [ID!]!, $from: DateTime!, $to: DateTime!) {
  calendar(userIds: $users, from: $from, to: $to) {
    occurrences { id startsAt endsAt originalStart moved activity { id subject recurrence } }
  }
}
"""

CANCEL = """
mutation Cancel($id: ID!, $at: DateTime!) {
  cancelOccurrence(activityId: $id, occurrenceStart: $at) {
    __typename
    ... on MutationError { code field }
  }
}
"""

MOVE = """
mutation Move($id: ID!, $at: DateTime!, $starts: DateTime!, $ends: DateTime!) {
  moveOccurrence(activityId: $id, occurrenceStart: $at, startsAt: $starts, endsAt: $ends) {
    __typename
    ... on MutationError { code field }
  }
}
"""

WINDOW = {"from": "2026-03-16T00:00:00+02:00", "to": "2026-04-20T00:00:00+03:00"}


async def starts(client: httpx.AsyncClient, person: Person) -> list[tuple[str, str | None]]:
    answer = await gql(client, CALENDAR, {"users": [person.id], **WINDOW}, person)
    assert "errors" not in answer, answer
    return [
        (o["startsAt"], o["originalStart"]) for o in answer["data"]["calendar"][0]["occurrences"]
    ]


async def test_a_weekly_meeting_keeps_its_local_time_and_its_exceptions(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given a weekly Monday 09:00 meeting in Jerusalem, across the change to summer time
    w = await world(client, admin, member)
    created = await create(
        client,
        member,
        meeting(
            w,
            member,
            subject="Weekly",
            startsAt="2026-03-16T09:00:00+02:00",
            endsAt="2026-03-16T10:00:00+02:00",
            recurrence="FREQ=WEEKLY;BYDAY=MO;COUNT=6",
        ),
    )
    activity_id = created["activity"]["id"]

    # then every occurrence is at 09:00 local: 07:00 UTC in winter, 06:00 UTC in summer
    expected = [
        "2026-03-16T07:00:00+00:00",
        "2026-03-23T07:00:00+00:00",
        "2026-03-30T06:00:00+00:00",
        "2026-04-06T06:00:00+00:00",
        "2026-04-13T06:00:00+00:00",
    ]
    assert await starts(client, member) == [(at, at) for at in expected]

    # when one is cancelled and one moved
    cancelled = await gql(client, CANCEL, {"id": activity_id, "at": expected[1]}, member)
    assert cancelled["data"]["cancelOccurrence"]["__typename"] == "ActivitySuccess"
    moved = await gql(
        client,
        MOVE,
        {
            "id": activity_id,
            "at": expected[2],
            "starts": "2026-03-31T10:00:00+03:00",
            "ends": "2026-03-31T11:00:00+03:00",
        },
        member,
    )
    assert moved["data"]["moveOccurrence"]["__typename"] == "ActivitySuccess"

    # then
    assert await starts(client, member) == [
        (expected[0], expected[0]),
        ("2026-03-31T07:00:00+00:00", expected[2]),
        (expected[3], expected[3]),
        (expected[4], expected[4]),
    ]

    # and what is not an occurrence, or already cancelled, is refused with nothing changed
    before = snapshot(clean_db)
    for at in ("2026-03-17T07:00:00+00:00", expected[1]):
        refused = (await gql(client, CANCEL, {"id": activity_id, "at": at}, member))["data"]
        assert (refused["cancelOccurrence"]["code"], refused["cancelOccurrence"]["field"]) == (
            "INVALID_INPUT",
            "occurrenceStart",
        )
    assert snapshot(clean_db) == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"recurrence": "FREQ=SOMETIMES"}, "recurrence"),
        ({"recurrence": "FREQ=DAILY;COUNT=5000"}, "recurrence"),
        ({"kind": "CALL", "recurrence": "FREQ=DAILY"}, "recurrence"),
    ],
)
async def test_a_bad_recurrence_is_refused(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    fields: dict[str, Any],
    field: str,
) -> None:
    w = await world(client, admin, member)
    before = snapshot(clean_db)
    refused = await create(client, member, meeting(w, member, **fields))
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", field)
    assert snapshot(clean_db) == before


async def test_an_endless_series_shows_in_any_window(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    w = await world(client, admin, member)
    await create(
        client,
        member,
        meeting(
            w,
            member,
            startsAt="2020-01-06T09:00:00+02:00",
            endsAt="2020-01-06T09:30:00+02:00",
            recurrence="FREQ=MONTHLY;BYMONTHDAY=1",
        ),
    )
    found = await starts(client, member)
    assert [at for at, _ in found] == ["2026-04-01T06:00:00+00:00"]


async def test_a_closed_series_refuses_cancelled_and_moved_occurrences(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await world(client, admin, member)
    fields = meeting(
        w,
        member,
        startsAt="2026-03-16T09:00:00+02:00",
        endsAt="2026-03-16T10:00:00+02:00",
        recurrence="FREQ=WEEKLY;COUNT=4",
    )
    activity_id = (await create(client, member, fields))["activity"]["id"]
    await gql(client, CLOSE, {"id": activity_id}, member)
    before = snapshot(clean_db)
    at = "2026-03-23T09:00:00+02:00"

    # when
    cancelled = await gql(client, CANCEL, {"id": activity_id, "at": at}, member)
    moved = await gql(
        client,
        MOVE,
        {
            "id": activity_id,
            "at": at,
            "starts": "2026-03-24T09:00:00+02:00",
            "ends": "2026-03-24T10:00:00+02:00",
        },
        member,
    )

    # then
    for answer in (cancelled, moved):
        refused = next(iter(answer["data"].values()))
        assert (refused["code"], refused["field"]) == ("CLOSED", "activityId")
    assert snapshot(clean_db) == before


async def test_an_occurrence_of_what_does_not_repeat_or_exist_is_refused(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await world(client, admin, member)
    single = (await create(client, member, meeting(w, member)))["activity"]["id"]
    before = snapshot(clean_db)

    # when
    answers = [
        await gql(client, CANCEL, {"id": activity_id, "at": "2026-03-01T09:00:00+02:00"}, member)
        for activity_id in (single, "act_unknown")
    ]

    # then
    refusals = [
        (a["data"]["cancelOccurrence"]["code"], a["data"]["cancelOccurrence"]["field"])
        for a in answers
    ]
    assert refusals == [("INVALID_INPUT", "activityId"), ("NOT_FOUND", "activityId")]
    assert snapshot(clean_db) == before


OCCURRENCES = """
query Calendar($users: [ID!]!, $from: DateTime!, $to: DateTime!) {
  calendar(userIds: $users, from: $from, to: $to) {
    occurrences {
      __typename id startsAt originalStart moved
      activity { __typename id subject startsAt }
    }
  }
}
"""

BY_ID = """
mutation Change($occurrence: ID, $series: ID, $at: DateTime, $starts: DateTime!,
                $ends: DateTime!) {
  moveOccurrence(occurrenceId: $occurrence, activityId: $series, occurrenceStart: $at,
                 startsAt: $starts, endsAt: $ends) {
    __typename
    ... on MutationError { code field message }
  }
}
"""

CANCEL_BY_ID = """
mutation Cancel($occurrence: ID!) {
  cancelOccurrence(occurrenceId: $occurrence) {
    __typename
    ... on MutationError { code field message }
  }
}
"""


async def occurrences(client: httpx.AsyncClient, person: Person) -> list[dict[str, Any]]:
    answer = await gql(client, OCCURRENCES, {"users": [person.id], **WINDOW}, person)
    assert "errors" not in answer, answer
    assert conflicts(answer) == []
    found: list[dict[str, Any]] = answer["data"]["calendar"][0]["occurrences"]
    return found


async def test_each_occurrence_has_its_own_id_which_a_move_keeps(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given a weekly meeting with five occurrences in the window, and a one-off meeting
    w = await world(client, admin, member)
    weekly = await create(
        client,
        member,
        meeting(
            w,
            member,
            subject="Weekly",
            startsAt="2026-03-16T09:00:00+02:00",
            endsAt="2026-03-16T10:00:00+02:00",
            recurrence="FREQ=WEEKLY;BYDAY=MO;COUNT=6",
        ),
    )
    once = await create(
        client,
        member,
        meeting(
            w,
            member,
            subject="Once",
            startsAt="2026-03-18T09:00:00+02:00",
            endsAt="2026-03-18T10:00:00+02:00",
        ),
    )
    series_id, once_id = weekly["activity"]["id"], once["activity"]["id"]

    # when
    found = await occurrences(client, member)

    # then: six distinct entries; the series' own start is its first occurrence's
    weekly_ones = [o for o in found if o["activity"]["id"] == series_id]
    assert len(weekly_ones) == 5
    assert len({o["id"] for o in found}) == 6
    assert {o["activity"]["startsAt"] for o in weekly_ones} == {"2026-03-16T07:00:00+00:00"}
    assert [o["originalStart"] for o in found if o["activity"]["id"] == once_id] == [None]

    # when the third is moved and the second cancelled, each named by its id
    third, second = weekly_ones[2], weekly_ones[1]
    moved = await gql(
        client,
        BY_ID,
        {
            "occurrence": third["id"],
            "starts": "2026-03-31T10:00:00+03:00",
            "ends": "2026-03-31T11:00:00+03:00",
        },
        member,
    )
    cancelled = await gql(client, CANCEL_BY_ID, {"occurrence": second["id"]}, member)

    # then the moved one keeps its id and the cancelled one is gone
    assert moved["data"]["moveOccurrence"]["__typename"] == "ActivitySuccess", moved
    assert cancelled["data"]["cancelOccurrence"]["__typename"] == "ActivitySuccess", cancelled
    after = {o["id"]: o for o in await occurrences(client, member)}
    assert second["id"] not in after
    assert (after[third["id"]]["startsAt"], after[third["id"]]["moved"]) == (
        "2026-03-31T07:00:00+00:00",
        True,
    )
    assert after[third["id"]]["originalStart"] == third["originalStart"]


WRONGLY_NAMED = [
    ({"occurrence": "occ_nothing_20260316T070000Z"}, "occurrenceId"),
    ({"occurrence": "act_1"}, "occurrenceId"),
    ({"occurrence": "ONCE"}, "occurrenceId"),
    ({"occurrence": "FIRST", "at": "2026-03-16T07:00:00Z"}, "occurrenceId"),
    ({"at": "2026-03-16T07:00:00Z"}, "activityId"),
    ({"series": "SERIES"}, "occurrenceStart"),
    ({"occurrence": "SECOND_HOUR"}, "occurrenceId"),
    ({"occurrence": "NO_SUCH_DAY"}, "occurrenceId"),
]


async def test_an_occurrence_named_wrongly_is_refused(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await world(client, admin, member)
    series = await create(
        client,
        member,
        meeting(
            w,
            member,
            startsAt="2026-03-16T09:00:00+02:00",
            endsAt="2026-03-16T10:00:00+02:00",
            recurrence="FREQ=WEEKLY;COUNT=3",
        ),
    )
    once = await create(client, member, meeting(w, member))
    names = {
        "SERIES": series["activity"]["id"],
        "FIRST": f"occ_{series['activity']['id']}_20260316T070000Z",
        "SECOND_HOUR": f"occ_{series['activity']['id']}_20260316T080000Z",
        "ONCE": f"occ_{once['activity']['id']}",
        "NO_SUCH_DAY": f"occ_{series['activity']['id']}_20261399T999999Z",
    }
    before = snapshot(clean_db)
    for variables, field in WRONGLY_NAMED:
        named = {key: names.get(value, value) for key, value in variables.items()}

        # when
        answer = await gql(
            client,
            BY_ID,
            {**named, "starts": "2026-03-17T09:00:00Z", "ends": "2026-03-17T10:00:00Z"},
            member,
        )

        # then
        refused = answer["data"]["moveOccurrence"]
        assert refused["__typename"] == "MutationError", (variables, refused)
        assert (refused["field"], field in refused["message"]) == (field, True), variables
    assert snapshot(clean_db) == before
