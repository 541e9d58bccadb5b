"""Calendar buckets: after every kind of write, each activity is filed under exactly the
month buckets (or long bucket) of its owner and participants that its times call for,
as worked out here from scratch; and calendars read through them."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import AsyncDriver, Driver

from kesher.backup.commands import backup, restore
from kesher.graph.constraints import apply_constraints
from kesher.seeds.demo import seed_demo
from kesher.settings import Settings
from tests.conftest import Person, gql, make_user
from tests.resolvers.test_activities import CLOSE, REOPEN, UPDATE, create, meeting, world
from tests.resolvers.test_board import move
from tests.resolvers.test_calendar import CALENDAR
from tests.resolvers.test_processes import run, template
from tests.resolvers.test_recurrence import CANCEL, MOVE
from tests.resolvers.test_tasks import add_task

pytestmark = pytest.mark.anyio

Filed = set[tuple[str, str]]


def _utc(value: Any) -> datetime:
    native: datetime = value.to_native() if hasattr(value, "to_native") else value
    return native.astimezone(UTC)


def _month(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_of(
    starts: datetime, ends: datetime | None, rule: str | None, series_ends: datetime | None
) -> list[str]:
    """The buckets an activity is filed under, worked out from its times and rule: the UTC
    months from its start to its end (a series': its last end), or the long bucket for a
    series without end and anything spanning more than twelve months."""
    if rule is not None and series_ends is None:
        return ["long"]
    last = max([starts, *(t for t in (ends,) if t is not None)])
    if rule is not None and series_ends is not None:
        last = max(last, series_ends)
    starts, last = starts.astimezone(UTC), last.astimezone(UTC)
    first_index = starts.year * 12 + starts.month - 1
    last_index = last.year * 12 + last.month - 1
    if last_index - first_index >= 12:
        return ["long"]
    return [_month(i) for i in range(first_index, last_index + 1)]


def expected(db: Driver) -> Filed:
    """(activity id, bucket key) for every activity and each of its users (`months_of`)."""
    records, _, _ = db.execute_query(
        "MATCH (a:Activity) RETURN a.id AS id, a.startAt AS starts, a.endAt AS ends, "
        "a.recurrence AS rule, a.recurrenceEndsAt AS seriesEnds, "
        "COLLECT { MATCH (a)-[:OWNED_BY|WITH_USER]->(u:User) RETURN DISTINCT u.id } AS users",
        database_="neo4j",
    )
    filed: Filed = set()
    for row in records:
        if row["starts"] is None:
            continue
        months = months_of(
            _utc(row["starts"]),
            None if row["ends"] is None else _utc(row["ends"]),
            row["rule"],
            None if row["seriesEnds"] is None else _utc(row["seriesEnds"]),
        )
        filed |= {(row["id"], f"{user}|{month}") for user in row["users"] for month in months}
    return filed


def filed(db: Driver) -> Filed:
    records, _, _ = db.execute_query(
        "MATCH (a:Activity)-[:ON_CALENDAR]->(m:CalendarMonth) "
        "RETURN a.id AS id, m.key AS key, m.user + '|' + m.month = m.key AS consistent",
        database_="neo4j",
    )
    assert all(row["consistent"] for row in records)
    return {(row["id"], row["key"]) for row in records}


def keys_of(db: Driver, activity_id: str) -> set[str]:
    return {key for found, key in filed(db) if found == activity_id}


def check(db: Driver) -> Filed:
    now = filed(db)
    assert now == expected(db)
    return now


async def update(
    client: httpx.AsyncClient, person: Person, activity_id: str, **fields: Any
) -> None:
    answer = await gql(client, UPDATE, {"id": activity_id, "input": fields}, person)
    assert answer["data"]["updateActivity"]["__typename"] == "ActivitySuccess", answer


async def lane(
    client: httpx.AsyncClient, person: Person, user_id: str, starts: str, ends: str
) -> list[str]:
    answer = await gql(client, CALENDAR, {"users": [user_id], "from": starts, "to": ends}, person)
    assert "errors" not in answer, answer
    return [o["activity"]["subject"] for o in answer["data"]["calendar"][0]["occurrences"]]


async def test_creating_activities_files_them_under_their_users_months(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await world(client, admin, member)
    colleague = make_user(clean_db, name="Colleague")

    # when: createActivity, each shape of time
    short = await create(
        client, member, meeting(w, member, subject="Short", participantIds=[colleague.id])
    )
    spanning = await create(
        client,
        member,
        meeting(
            w,
            member,
            subject="Spanning",
            startsAt="2026-01-20T09:00:00Z",
            endsAt="2026-03-05T09:00:00Z",
        ),
    )
    weekly = await create(
        client, member, meeting(w, member, subject="Weekly", recurrence="FREQ=WEEKLY;COUNT=10")
    )
    endless = await create(
        client, member, meeting(w, member, subject="Endless", recurrence="FREQ=MONTHLY")
    )
    yearly = await create(
        client, member, meeting(w, member, subject="Two years", recurrence="FREQ=MONTHLY;COUNT=24")
    )
    # and addTask, a task due at a time
    task = await add_task(client, member, w["acme"], dueAt="2026-05-31T23:30:00Z")

    # then
    check(clean_db)
    assert keys_of(clean_db, short["activity"]["id"]) == {
        f"{member.id}|2026-03",
        f"{colleague.id}|2026-03",
    }
    assert keys_of(clean_db, spanning["activity"]["id"]) == {
        f"{member.id}|2026-01",
        f"{member.id}|2026-02",
        f"{member.id}|2026-03",
    }
    assert keys_of(clean_db, weekly["activity"]["id"]) == {
        f"{member.id}|2026-03",
        f"{member.id}|2026-04",
        f"{member.id}|2026-05",
    }
    assert keys_of(clean_db, endless["activity"]["id"]) == {f"{member.id}|long"}
    assert keys_of(clean_db, yearly["activity"]["id"]) == {f"{member.id}|long"}
    assert keys_of(clean_db, task["activity"]["id"]) == {f"{member.id}|2026-05"}


async def test_changing_times_owner_participants_and_rule_refiles_the_activity(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await world(client, admin, member)
    colleague = make_user(clean_db, name="Colleague")
    other = make_user(clean_db, name="Other")
    created = await create(client, member, meeting(w, member, subject="Review"))
    activity_id = created["activity"]["id"]
    march = ("2026-03-01T00:00:00Z", "2026-04-01T00:00:00Z")
    june = ("2026-06-01T00:00:00Z", "2026-07-01T00:00:00Z")
    assert await lane(client, admin, member.id, *march) == ["Review"]

    # when / then: updateActivity's times move it to June's bucket, and the calendars follow
    await update(
        client, member, activity_id, startsAt="2026-06-10T09:00:00Z", endsAt="2026-06-10T10:00:00Z"
    )
    assert check(clean_db) == {(activity_id, f"{member.id}|2026-06")}
    assert await lane(client, admin, member.id, *march) == []
    assert await lane(client, admin, member.id, *june) == ["Review"]

    # participants added, then one removed
    await update(client, member, activity_id, participantIds=[colleague.id, other.id])
    assert len(check(clean_db)) == 3
    await update(client, member, activity_id, participantIds=[other.id])
    assert check(clean_db) == {
        (activity_id, f"{member.id}|2026-06"),
        (activity_id, f"{other.id}|2026-06"),
    }
    assert await lane(client, admin, colleague.id, *june) == []

    # the owner changed
    await update(client, member, activity_id, ownerId=colleague.id)
    assert check(clean_db) == {
        (activity_id, f"{colleague.id}|2026-06"),
        (activity_id, f"{other.id}|2026-06"),
    }
    assert await lane(client, admin, member.id, *june) == []
    assert await lane(client, admin, colleague.id, *june) == ["Review"]

    # a rule set, made endless, then cleared
    await update(client, admin, activity_id, recurrence="FREQ=WEEKLY;COUNT=6")
    assert keys_of(clean_db, activity_id) == {
        f"{user}|{month}" for user in (colleague.id, other.id) for month in ("2026-06", "2026-07")
    }
    check(clean_db)
    await update(client, admin, activity_id, recurrence="FREQ=WEEKLY")
    assert check(clean_db) == {
        (activity_id, f"{colleague.id}|long"),
        (activity_id, f"{other.id}|long"),
    }
    assert await lane(client, admin, colleague.id, "2027-06-01T00:00:00Z", "2027-06-08T00:00:00Z")
    await update(client, admin, activity_id, recurrence=None)
    assert check(clean_db) == {
        (activity_id, f"{colleague.id}|2026-06"),
        (activity_id, f"{other.id}|2026-06"),
    }
    assert (
        await lane(client, admin, colleague.id, "2027-06-01T00:00:00Z", "2027-06-08T00:00:00Z")
        == []
    )

    # a change of nothing that files it keeps it where it was
    await update(client, admin, activity_id, subject="Review, again")
    assert check(clean_db) == {
        (activity_id, f"{colleague.id}|2026-06"),
        (activity_id, f"{other.id}|2026-06"),
    }


async def test_occurrence_changes_closing_reopening_and_board_moves_keep_the_buckets(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await world(client, admin, member)
    created = await create(
        client,
        member,
        meeting(
            w,
            member,
            subject="Weekly",
            startsAt="2026-03-02T09:00:00Z",
            endsAt="2026-03-02T10:00:00Z",
            timeZone="UTC",
            recurrence="FREQ=WEEKLY;COUNT=4",
        ),
    )
    activity_id = created["activity"]["id"]
    before = check(clean_db)
    assert before == {(activity_id, f"{member.id}|2026-03")}
    status = (
        await gql(
            client,
            'mutation { defineActivityStatus(input: {name: "Later", colour: "#010203", '
            "category: OPEN}) { ... on ActivityStatusSuccess { activityStatus { id } } } }",
            person=admin,
        )
    )["data"]["defineActivityStatus"]["activityStatus"]["id"]

    # when: cancelOccurrence, moveOccurrence, closeActivity, reopenActivity, moveOnBoard
    cancelled = await gql(client, CANCEL, {"id": activity_id, "at": "2026-03-09T09:00:00Z"}, member)
    assert cancelled["data"]["cancelOccurrence"]["__typename"] != "MutationError", cancelled
    moved = await gql(
        client,
        MOVE,
        {
            "id": activity_id,
            "at": "2026-03-16T09:00:00Z",
            "starts": "2026-03-17T09:00:00Z",
            "ends": "2026-03-17T10:00:00Z",
        },
        member,
    )
    assert moved["data"]["moveOccurrence"]["__typename"] != "MutationError", moved
    assert check(clean_db) == before
    assert (await move(client, member, activity_id, "STATUS", status))["__typename"] != (
        "MutationError"
    )
    assert check(clean_db) == before
    await gql(client, CLOSE, {"id": activity_id}, member)
    assert check(clean_db) == before
    await gql(client, REOPEN, {"id": activity_id}, admin)

    # then
    assert check(clean_db) == before


async def test_a_process_files_each_child_it_makes(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await world(client, admin, member)
    parent = await create(client, member, meeting(w, member, subject="Campaign"))

    # when: runProcess
    ran = await run(client, member, parent["activity"]["id"], template(w))

    # then
    assert ran["created"] >= 1
    now = check(clean_db)
    assert len({activity for activity, key in now if key.endswith("|2026-04")}) == ran["created"]


async def test_loaded_and_restored_activities_are_filed_and_an_older_graph_is_backfilled_once(
    client: httpx.AsyncClient,
    clean_db: Driver,
    driver: AsyncDriver,
    settings: Settings,
    tmp_path: Path,
) -> None:
    # given: the bulk loader's activities (seed data)
    assert await seed_demo(driver, "neo4j", customers=20)
    seeded = check(clean_db)
    assert len(seeded) > 100

    # when: backed up and restored
    archive = tmp_path / "kesher.tar.gz"
    await backup(driver, "neo4j", settings.attachments_dir, archive, False)
    await restore(driver, "neo4j", settings.attachments_dir, archive, True, False)

    # then
    assert check(clean_db) == seeded

    # when: a graph from before the buckets (none, and no marker) starts
    clean_db.execute_query(
        "MATCH (m:CalendarMonth) DETACH DELETE m WITH count(*) AS done "
        "MATCH (b:CalendarBackfill) DELETE b",
        database_="neo4j",
    )
    assert filed(clean_db) == set()
    old = tmp_path / "old.tar.gz"
    await backup(driver, "neo4j", settings.attachments_dir, old, False)
    await apply_constraints(driver, "neo4j")

    # then: every activity is filed
    assert check(clean_db) == seeded

    # and a second start does not scan again: what was taken away by hand stays away
    clean_db.execute_query("MATCH ()-[r:ON_CALENDAR]->() DELETE r", database_="neo4j")
    await apply_constraints(driver, "neo4j")
    assert filed(clean_db) == set()

    # and an archive from before the buckets restores with them
    await restore(driver, "neo4j", settings.attachments_dir, old, True, False)
    assert check(clean_db) == seeded
