"""Audit lines for changes to links, activities, chains and processes, through the API."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.conftest import Person, gql
from tests.resolvers.relationships_support import (
    ADVISOR,
    FATHER,
    PROMOTE,
    REMOVE_LINK,
    UPDATE_LINK,
    add,
    catalog,
    contact,
    customer,
    link,
    snapshot,
)
from tests.resolvers.test_activities import CLOSE, REOPEN, UPDATE, create, meeting, world
from tests.resolvers.test_chains import LINK, UNLINK, make
from tests.resolvers.test_processes import run, template
from tests.resolvers.test_recurrence import CANCEL, MOVE

pytestmark = pytest.mark.anyio


def lines(driver: Driver, record_id: str) -> list[dict[str, Any]]:
    """The audit lines on a record, oldest first, each with its actor's id."""
    records, _, _ = driver.execute_query(
        "MATCH (l:AuditLine)-[:ON]->({id: $id}) MATCH (l)-[:BY]->(u:User) "
        "RETURN l.action AS action, l.field AS field, l.before AS before, l.after AS after, "
        "l.summary AS summary, u.id AS actor, l.createdAt IS NOT NULL AS dated "
        "ORDER BY l.createdAt, l.action, l.field",
        id=record_id,
        database_="neo4j",
    )
    return [record.data() for record in records]


def line(
    action: str, field: str, before: str | None, after: str | None, summary: str, actor: Person
) -> dict[str, Any]:
    return {
        "action": action,
        "field": field,
        "before": before,
        "after": after,
        "summary": summary,
        "actor": actor.id,
        "dated": True,
    }


def audit_count(driver: Driver) -> int:
    records, _, _ = driver.execute_query(
        "MATCH (l:AuditLine) RETURN count(l) AS n", database_="neo4j"
    )
    return int(records[0]["n"])


async def mutate(
    client: httpx.AsyncClient, person: Person, document: str, variables: dict[str, Any]
) -> dict[str, Any]:
    answer = await gql(client, document, variables, person)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = next(iter(answer["data"].values()))
    return payload


async def test_a_link_is_audited_on_both_records_when_added_changed_and_removed(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given a father and son, both contacts of Acme
    await catalog(client, admin, FATHER)
    acme = await customer(client, member, "Acme")
    moshe = await contact(client, member, acme, "Moshe", "Cohen")
    avi = await contact(client, member, acme, "Avi", "Cohen")

    # when Moshe is linked as Avi's father
    added = await link(client, member, moshe, "FATHER_OF", {"id": avi})
    link_id = added["id"]

    # then each has a line saying the link as it reads from there
    assert lines(clean_db, moshe) == [
        line("LINK_ADDED", "FATHER_OF", None, link_id, "Linked as אב Avi Cohen", member)
    ]
    assert lines(clean_db, avi) == [
        line("LINK_ADDED", "FATHER_OF", None, link_id, "Linked as בן Moshe Cohen", member)
    ]

    # when two fields change, then each record has a line for each
    changes = {"id": link_id, "input": {"note": "Since 1990", "startsOn": "1990-01-01"}}
    changed = await mutate(client, admin, UPDATE_LINK, changes)
    assert changed["__typename"] == "RelationshipSuccess", changed
    assert lines(clean_db, moshe)[1:] == [
        line(
            "LINK_CHANGED", "note", None, "Since 1990",
            "Changed note of the link as אב Avi Cohen", admin,
        ),
        line(
            "LINK_CHANGED", "startsOn", None, "1990-01-01",
            "Changed startsOn of the link as אב Avi Cohen", admin,
        ),
    ]  # fmt: skip
    assert [row["summary"] for row in lines(clean_db, avi)[1:]] == [
        "Changed note of the link as בן Moshe Cohen",
        "Changed startsOn of the link as בן Moshe Cohen",
    ]

    # when nothing changes, then there is no new line
    same = {"id": link_id, "input": {"note": "Since 1990"}}
    assert (await mutate(client, admin, UPDATE_LINK, same))["__typename"] == "RelationshipSuccess"
    assert audit_count(clean_db) == 6

    # when the link is removed, then both records say so
    removed = await mutate(client, member, REMOVE_LINK, {"id": link_id})
    assert removed["__typename"] == "RemoveRelationshipSuccess", removed
    assert lines(clean_db, moshe)[-1] == line(
        "LINK_REMOVED", "FATHER_OF", link_id, None, "Unlinked as אב Avi Cohen", member
    )
    assert lines(clean_db, avi)[-1]["summary"] == "Unlinked as בן Moshe Cohen"
    assert audit_count(clean_db) == 8


async def test_a_free_text_party_has_no_line_until_it_is_promoted(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    await catalog(client, admin, ADVISOR)
    acme = await customer(client, member, "Acme")

    # when Acme is linked to a free-text advisor
    added = await link(client, member, acme, "ADVISED_BY", {"freeText": "Dr. Levi"})
    party_id = added["other"]["id"]

    # then only Acme has a line
    assert lines(clean_db, acme) == [
        line("LINK_ADDED", "ADVISED_BY", None, added["id"], "Linked as client Dr. Levi", member)
    ]
    assert audit_count(clean_db) == 1

    # when the party becomes a contact of Acme
    variables = {"id": party_id, "kind": "CONTACT", "customerId": acme}
    promoted = await mutate(client, member, PROMOTE, variables)
    assert promoted["__typename"] == "PromoteSuccess", promoted

    # then the new contact has a line saying so
    assert lines(clean_db, party_id) == [
        line(
            "PARTY_PROMOTED", "kind", "EXTERNAL", "CONTACT",
            "Promoted from a free-text party to a contact", member,
        )
    ]  # fmt: skip


async def test_a_refused_link_change_writes_no_line(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    await catalog(client, admin, FATHER)
    acme = await customer(client, member, "Acme")
    moshe = await contact(client, member, acme, "Moshe", "Cohen")
    avi = await contact(client, member, acme, "Avi", "Cohen")
    await link(client, member, moshe, "FATHER_OF", {"id": avi})
    before = snapshot(clean_db)

    # when the same link is added again, and a contact is linked to itself
    again = await add(client, member, moshe, "FATHER_OF", {"id": avi})
    itself = await add(client, member, moshe, "FATHER_OF", {"id": moshe})

    # then both are refused and nothing was written
    assert again["__typename"] == itself["__typename"] == "MutationError"
    assert snapshot(clean_db) == before


async def test_an_activity_is_audited_when_made_changed_closed_and_reopened(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await world(client, admin, member)

    # when an activity is made
    created = await create(client, member, meeting(w, member, description="Agenda"))
    activity_id = created["activity"]["id"]

    # then it has a CREATED line naming its reference number
    made = lines(clean_db, activity_id)
    ref = made[0]["after"]
    assert ref.startswith("EV-")
    assert made == [line("CREATED", "activity", None, ref, f"Created {ref} Kick-off", member)]

    # when two fields change and a third is sent as it was
    fields = {"subject": "Kick-off v2", "customerId": w["beta"], "description": "Agenda"}
    changed = await mutate(client, member, UPDATE, {"id": activity_id, "input": fields})
    assert changed["__typename"] == "ActivitySuccess", changed

    # then there are two lines, one per changed field, links as ids
    assert lines(clean_db, activity_id)[1:] == [
        line(
            "CHANGED", "customerId", w["acme"], w["beta"],
            f"Changed customerId from {w['acme']} to {w['beta']}", member,
        ),
        line(
            "CHANGED", "subject", "Kick-off", "Kick-off v2",
            "Changed subject from Kick-off to Kick-off v2", member,
        ),
    ]  # fmt: skip

    # when an update changes nothing, then there is no new line
    same = {"subject": "Kick-off v2", "startsAt": "2026-03-01T07:00:00Z"}
    unchanged = await mutate(client, member, UPDATE, {"id": activity_id, "input": same})
    assert unchanged["__typename"] == "ActivitySuccess", unchanged
    assert len(lines(clean_db, activity_id)) == 3

    # when it is closed, then reopened (by an admin)
    assert (await mutate(client, member, CLOSE, {"id": activity_id}))["__typename"] == (
        "ActivitySuccess"
    )
    assert (await mutate(client, admin, REOPEN, {"id": activity_id}))["__typename"] == (
        "ActivitySuccess"
    )

    # then each has its line
    assert lines(clean_db, activity_id)[3:] == [
        line("CLOSED", "closed", "false", "true", "Closed", member),
        line("REOPENED", "closed", "true", "false", "Reopened", admin),
    ]


async def test_a_refused_activity_change_writes_no_line(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given a closed activity
    w = await world(client, admin, member)
    created = await create(client, member, meeting(w, member))
    activity_id = created["activity"]["id"]
    await mutate(client, member, CLOSE, {"id": activity_id})
    before = snapshot(clean_db)

    # when it is changed, closed again, and a contact of another customer is named
    update = {"id": activity_id, "input": {"subject": "Late"}}
    refused = [
        await mutate(client, member, UPDATE, update),
        await mutate(client, member, CLOSE, {"id": activity_id}),
    ]

    # then every change is refused and nothing was written
    assert [payload["__typename"] for payload in refused] == ["MutationError"] * 2
    assert snapshot(clean_db) == before


async def test_cancelled_and_moved_occurrences_are_audited(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given a weekly meeting
    w = await world(client, admin, member)
    fields = meeting(
        w,
        member,
        startsAt="2026-03-16T09:00:00+02:00",
        endsAt="2026-03-16T10:00:00+02:00",
        recurrence="FREQ=WEEKLY;COUNT=3",
    )
    activity_id = (await create(client, member, fields))["activity"]["id"]

    # when one occurrence is cancelled and another moved
    cancel = {"id": activity_id, "at": "2026-03-16T07:00:00Z"}
    move = {
        "id": activity_id,
        "at": "2026-03-23T07:00:00Z",
        "starts": "2026-03-24T07:00:00Z",
        "ends": "2026-03-24T08:00:00Z",
    }
    assert (await mutate(client, member, CANCEL, cancel))["__typename"] == "ActivitySuccess"
    assert (await mutate(client, member, MOVE, move))["__typename"] == "ActivitySuccess"

    # then each has its line
    assert lines(clean_db, activity_id)[1:] == [
        line(
            "OCCURRENCE_CANCELLED", "occurrence", "2026-03-16T07:00:00+00:00", None,
            "Cancelled the occurrence of 2026-03-16T07:00:00+00:00", member,
        ),
        line(
            "OCCURRENCE_MOVED", "occurrence", "2026-03-23T07:00:00+00:00",
            "2026-03-24T07:00:00+00:00",
            "Moved the occurrence of 2026-03-23T07:00:00+00:00 to 2026-03-24T07:00:00+00:00",
            member,
        ),
    ]  # fmt: skip


async def test_chain_links_are_audited_on_the_later_activity(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given an offer and a later meeting about the same customer
    w = await world(client, admin, member)
    offer = await make(client, w, member, "Price offer", 1, kind="OFFER")
    later = await make(client, w, member, "Follow-up", 2)
    offer_ref = lines(clean_db, offer)[0]["after"]
    assert offer_ref.startswith("OF-")

    # when the meeting is linked after the offer, then taken out of the chain
    linked = await mutate(client, member, LINK, {"id": later, "previous": offer})
    assert linked["__typename"] == "ActivitySuccess", linked
    chain_id = linked["activity"]["chain"]["id"]
    unlinked = await mutate(client, member, UNLINK, {"id": later})
    assert unlinked["__typename"] == "ActivitySuccess", unlinked

    # then the later activity has a line for each; the offer has none
    assert lines(clean_db, later)[1:] == [
        line(
            "CHAIN_LINKED", "previous", None, offer,
            f"Linked as following {offer_ref} Price offer", member,
        ),
        line("CHAIN_UNLINKED", "chain", chain_id, None, "Taken out of its chain", member),
    ]  # fmt: skip
    assert [row["action"] for row in lines(clean_db, offer)] == ["CREATED"]

    # when unlinking again is refused, then nothing is written
    before = snapshot(clean_db)
    refused = await mutate(client, member, UNLINK, {"id": later})
    assert refused["__typename"] == "MutationError"
    assert snapshot(clean_db) == before


async def test_a_process_run_is_audited_on_its_parent(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given a parent activity and the customers of `world`
    w = await world(client, admin, member)
    parent = (await create(client, member, meeting(w, member, subject="Campaign")))["activity"]

    # when a process runs over them
    payload = await run(client, member, parent["id"], template(w))
    assert payload["__typename"] == "ProcessSuccess", payload

    # then the parent has one line naming how many children it made
    created = payload["created"]
    assert created == 3
    assert lines(clean_db, parent["id"])[1:] == [
        line("PROCESS_RUN", "children", None, "3", "Made 3 child activities", member)
    ]
