"""Who sees and changes an activity: its owner, participants, the managers of either,
those they share their calendar with, and ADMIN see it; its owner, the owner's managers
and ADMIN change it. Every other user finds it missing, on every path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from neo4j import Driver

from kesher.graph.edges import STRUCTURAL_KEYS
from kesher.resolvers.activities import MAX_REPORT_GROUPS
from kesher.resolvers.context import Role
from tests.conftest import Person, gql, make_user
from tests.resolvers.relationships_support import FATHER, define, snapshot
from tests.resolvers.test_activities import CARD, CLOSE, create, meeting, world

pytestmark = pytest.mark.anyio

READS = """
query Reads($id: ID!, $owner: ID!, $customer: ID!, $ref: String!) {
  activity(id: $id) { id }
  activityByRef(ref: $ref) { id }
  node(id: $id) { id }
  owned: activities(filter: {ownerIds: [$owner]}) { totalCount edges { node { id } } }
  all: activities { totalCount edges { node { id } } }
  found: activities(search: $ref) { totalCount edges { node { id } } }
  activityReport(groupBy: [OWNER]) { count }
  customer(id: $customer) {
    activities { totalCount edges { node { id } } }
    stream { edges { node { kind } } }
    linkedCounts { events }
  }
}
"""

CHAIN = """
query Chain($id: ID!) {
  activity(id: $id) {
    linkedCounts { events }
    linkedEvents { totalCount edges { node { id } } }
    chain { steps actions { totalCount edges { node { id } } } }
  }
}
"""

UPDATE = """
mutation Update($id: ID!, $input: UpdateActivityInput!) {
  updateActivity(id: $id, input: $input) {
    __typename
    ... on ActivitySuccess { activity { subject } }
    ... on MutationError { code field message }
  }
}
"""

LINK = """
mutation Link($a: ID!, $p: ID!) {
  linkActivities(activityId: $a, previousId: $p) {
    __typename
    ... on ActivitySuccess { activity { id } }
    ... on MutationError { code field message }
  }
}
"""

UNLINK = """
mutation Unlink($a: ID!) {
  unlinkActivity(activityId: $a) {
    __typename
    ... on ActivitySuccess { activity { id } }
    ... on MutationError { code field message }
  }
}
"""


@dataclass(frozen=True)
class Scene:
    owner: Person
    participant: Person
    manager: Person
    participants_manager: Person
    shared: Person
    outsider: Person
    admin: Person
    activity: str
    ref: str
    customer: str
    w: dict[str, str]

    def seeing(self) -> dict[str, Person]:
        return {
            "owner": self.owner,
            "participant": self.participant,
            "manager": self.manager,
            "participant's manager": self.participants_manager,
            "shared calendar": self.shared,
            "admin": self.admin,
        }


async def scene(client: httpx.AsyncClient, db: Driver, admin: Person) -> Scene:
    owner = make_user(db, name="Owner")
    participant = make_user(db, name="Participant")
    manager = make_user(db, Role.MANAGER, name="Manager")
    participants_manager = make_user(db, Role.MANAGER, name="Participant's manager")
    shared = make_user(db, name="Shared")
    outsider = make_user(db, name="Outsider")
    db.execute_query(
        "MATCH (o:User {id: $owner}), (p:User {id: $participant}), (m:User {id: $manager}), "
        "(pm:User {id: $pm}), (s:User {id: $shared}) "
        "CREATE (m)-[:MANAGES]->(o), (pm)-[:MANAGES]->(p), (o)-[:SHARES_CALENDAR_WITH]->(s)",
        owner=owner.id,
        participant=participant.id,
        manager=manager.id,
        pm=participants_manager.id,
        shared=shared.id,
        database_="neo4j",
    )
    w = await world(client, admin, owner)
    made = await create(
        client, owner, meeting(w, owner, subject="Secret", participantIds=[participant.id])
    )
    activity = made["activity"]["id"]
    ref = db.execute_query(
        "MATCH (a:Activity {id: $id}) RETURN a.ref AS ref", id=activity, database_="neo4j"
    ).records[0]["ref"]
    return Scene(
        owner,
        participant,
        manager,
        participants_manager,
        shared,
        outsider,
        admin,
        activity,
        ref,
        w["acme"],
        w,
    )


async def reads(client: httpx.AsyncClient, s: Scene, person: Person) -> dict[str, Any]:
    variables = {"id": s.activity, "owner": s.owner.id, "customer": s.customer, "ref": s.ref}
    answer = await gql(client, READS, variables, person)
    assert "errors" not in answer, answer
    data: dict[str, Any] = answer["data"]
    return data


def seen_ids(connection: dict[str, Any]) -> list[str]:
    return [edge["node"]["id"] for edge in connection["edges"]]


async def test_an_activity_is_read_only_by_those_who_may_see_it(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given
    s = await scene(client, clean_db, admin)

    # when / then: everyone the rule names sees it on every path
    for who, person in s.seeing().items():
        data = await reads(client, s, person)
        assert data["activity"] == {"id": s.activity}, who
        assert data["activityByRef"] == {"id": s.activity}, who
        assert data["node"] == {"id": s.activity}, who
        for key in ("owned", "all", "found"):
            assert seen_ids(data[key]) == [s.activity], (who, key)
            assert data[key]["totalCount"] == 1, (who, key)
        assert [row["count"] for row in data["activityReport"]] == [1], who
        customer = data["customer"]
        assert seen_ids(customer["activities"]) == [s.activity], who
        assert customer["activities"]["totalCount"] == 1, who
        assert "ACTIVITY" in [e["node"]["kind"] for e in customer["stream"]["edges"]], who
        assert customer["linkedCounts"]["events"] == 1, who

    # and the outsider finds it missing everywhere, totals and counts included
    data = await reads(client, s, s.outsider)
    assert data["activity"] is None
    assert data["activityByRef"] is None
    assert data["node"] is None
    for key in ("owned", "all", "found"):
        assert seen_ids(data[key]) == [], key
        assert data[key]["totalCount"] == 0, key
    assert data["activityReport"] == []
    customer = data["customer"]
    assert seen_ids(customer["activities"]) == []
    assert customer["activities"]["totalCount"] == 0
    assert "ACTIVITY" not in [e["node"]["kind"] for e in customer["stream"]["edges"]]
    assert customer["linkedCounts"]["events"] == 0


async def test_a_chain_shows_only_the_steps_its_reader_may_see(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given the outsider's own follow-up chained after the owner's meeting
    s = await scene(client, clean_db, admin)
    own = await create(
        client,
        s.outsider,
        meeting(s.w, s.outsider, subject="Follow-up", startsAt="2026-03-02T09:00:00Z", endsAt=None),
    )
    follow_up = own["activity"]["id"]
    linked = await gql(client, LINK, {"a": follow_up, "p": s.activity}, s.admin)
    assert linked["data"]["linkActivities"]["__typename"] == "ActivitySuccess", linked

    # when
    mine = (await gql(client, CHAIN, {"id": follow_up}, s.outsider))["data"]["activity"]
    owners = (await gql(client, CHAIN, {"id": s.activity}, s.owner))["data"]["activity"]
    admins = (await gql(client, CHAIN, {"id": follow_up}, s.admin))["data"]["activity"]

    # then the outsider's chain holds their step alone
    assert mine["linkedCounts"]["events"] == 0
    assert mine["linkedEvents"]["totalCount"] == 0
    assert mine["chain"]["steps"] == 1
    assert seen_ids(mine["chain"]["actions"]) == [follow_up]
    assert mine["chain"]["actions"]["totalCount"] == 1
    # and so does the owner, who may not see the follow-up; an ADMIN sees both
    assert owners["linkedCounts"]["events"] == 0
    assert owners["chain"]["steps"] == 1
    assert admins["linkedCounts"]["events"] == 1
    assert admins["chain"]["steps"] == 2


async def test_only_the_owner_their_managers_and_admin_change_an_activity(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given
    s = await scene(client, clean_db, admin)
    before = snapshot(clean_db)

    # when / then: one who may not see it finds it missing; one who only sees it is refused
    refusals = [(s.outsider, "NOT_FOUND")] + [
        (person, "FORBIDDEN") for person in (s.participant, s.participants_manager, s.shared)
    ]
    for person, code in refusals:
        variables = {"id": s.activity, "input": {"subject": "Changed"}}
        updated = (await gql(client, UPDATE, variables, person))["data"]["updateActivity"]
        assert (updated["code"], updated["field"]) == (code, "id"), updated
        closed = (await gql(client, CLOSE, {"id": s.activity}, person))["data"]["closeActivity"]
        assert (closed["code"], closed["field"]) == (code, "id"), closed
        unlinked = await gql(client, UNLINK, {"a": s.activity}, person)
        refused = unlinked["data"]["unlinkActivity"]
        assert (refused["code"], refused["field"]) == (code, "activityId"), refused
    assert snapshot(clean_db) == before

    for person in (s.owner, s.manager, s.admin):
        variables = {"id": s.activity, "input": {"subject": f"By {person.id}"}}
        updated = (await gql(client, UPDATE, variables, person))["data"]["updateActivity"]
        assert updated["activity"]["subject"] == f"By {person.id}", updated


async def test_an_activity_cannot_be_linked_to_one_its_author_may_not_see(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given
    s = await scene(client, clean_db, admin)
    own = await create(
        client,
        s.outsider,
        meeting(s.w, s.outsider, subject="Mine", startsAt="2026-03-02T09:00:00Z", endsAt=None),
    )
    before = snapshot(clean_db)

    # when
    answer = await gql(client, LINK, {"a": own["activity"]["id"], "p": s.activity}, s.outsider)

    # then
    refused = answer["data"]["linkActivities"]
    assert (refused["code"], refused["field"]) == ("NOT_FOUND", "previousId"), refused
    assert snapshot(clean_db) == before


async def test_an_author_reads_back_what_they_made_for_another_then_finds_it_missing(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given
    s = await scene(client, clean_db, admin)

    # when the outsider schedules a meeting for the owner, whose calendar they do not see
    made = await create(client, s.outsider, meeting(s.w, s.owner, subject="For the owner"))

    # then the answer shows what they wrote, and afterwards it is the owner's alone
    assert made["activity"]["subject"] == "For the owner"
    assert made["activity"]["owner"] == {"id": s.owner.id}
    answer = await gql(client, CARD, {"id": made["activity"]["id"]}, s.outsider)
    assert answer["data"]["activity"] is None
    answer = await gql(client, CARD, {"id": made["activity"]["id"]}, s.owner)
    assert answer["data"]["activity"]["subject"] == "For the owner"


BOARD_MOVE = """
mutation Move($id: ID!, $value: String!) {
  moveOnBoard(recordId: $id, field: STATUS, value: $value) {
    __typename
    ... on MutationError { code field message }
  }
}
"""

ASSIGN = """
mutation Assign($id: ID!, $users: [ID!]!) {
  assignUsers(recordId: $id, userIds: $users) {
    __typename
    ... on MutationError { code field message }
  }
}
"""

NEW_STATUS = """
mutation { defineActivityStatus(input: {name: "Done", colour: "#000000", category: DONE}) {
  ... on ActivityStatusSuccess { activityStatus { id } } } }
"""


async def test_board_moves_and_assignments_follow_the_write_rule(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given
    s = await scene(client, clean_db, admin)
    done = (await gql(client, NEW_STATUS, person=admin))["data"]["defineActivityStatus"]
    before = snapshot(clean_db)

    for person, code in ((s.outsider, "NOT_FOUND"), (s.participant, "FORBIDDEN")):
        # when
        variables = {"id": s.activity, "value": done["activityStatus"]["id"]}
        moved = (await gql(client, BOARD_MOVE, variables, person))["data"]["moveOnBoard"]
        variables = {"id": s.activity, "users": [person.id]}
        assigned = (await gql(client, ASSIGN, variables, person))["data"]["assignUsers"]

        # then
        assert (moved["code"], moved["field"]) == (code, "recordId"), moved
        assert (assigned["code"], assigned["field"]) == (code, "recordId"), assigned
    assert snapshot(clean_db) == before

    variables = {"id": s.activity, "value": done["activityStatus"]["id"]}
    moved = (await gql(client, BOARD_MOVE, variables, s.manager))["data"]["moveOnBoard"]
    assert moved["__typename"] == "BoardMoveSuccess", moved


# Reserved relationship types.

# A relationship type in a Cypher pattern: `-[:T]`, `-[r:A|B]`, `<-[:T {…}]`.
_PATTERN_TYPES = re.compile(r"<?-\[[a-z_0-9]*:([A-Z][A-Z_0-9]*(?:\|[A-Z][A-Z_0-9]*)*)")
# Examples in documentation, between backticks, are not the code's own statements.
_QUOTED = re.compile(r"`[^`\n]*`")
_SOURCES = ("graph", "resolvers", "seeds", "schema", "kesher")


def test_every_relationship_type_the_code_uses_is_reserved() -> None:
    # given the Cypher in every source file
    root = Path(__file__).resolve().parents[2]
    files = [path for folder in _SOURCES for path in (root / folder).glob("*.py")]
    assert len(files) > 50

    # when
    used: set[str] = set()
    for path in files:
        text = _QUOTED.sub("", path.read_text(encoding="utf-8"))
        for found in _PATTERN_TYPES.findall(text):
            used.update(found.split("|"))

    # then
    assert {"OWNED_BY", "ASSIGNED_TO", "IN_CHAIN"} <= used
    assert used - STRUCTURAL_KEYS == set()


async def test_a_structural_type_is_refused_as_a_relationship_key(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given
    before = snapshot(clean_db)

    for key in sorted(STRUCTURAL_KEYS):
        # when
        refused = await define(client, admin, **{**FATHER, "key": key})

        # then
        assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "key"), refused
        assert "structural" in refused["message"]
    assert snapshot(clean_db) == before


# The activity report's bound.

REPORT = """
query Report($groupBy: [ReportGrouping!]!) {
  activityReport(groupBy: $groupBy, includeClosed: true) {
    count type { name } status { name } owner { name } kind period
  }
}
"""


async def test_a_report_with_more_groups_than_the_bound_is_refused(
    client: httpx.AsyncClient, admin: Person, clean_db: Driver
) -> None:
    # given one activity a day for longer than the bound, with a type, status and owner
    w = await world(client, admin, admin)
    days = MAX_REPORT_GROUPS + 10
    clean_db.execute_query(
        "MATCH (t:ActivityType {id: $type}), (s:ActivityStatus {id: $status}), "
        "(u:User {id: $owner}) "
        "UNWIND range(1, $days) AS day "
        "CREATE (a:Activity {id: 'act_bulk_' + day, kind: 'EVENT', subject: 'Day ' + day, "
        "startAt: datetime('2020-01-01T09:00:00Z') + duration({days: day}), "
        "endAt: datetime('2020-01-01T10:00:00Z') + duration({days: day}), "
        "timeZone: 'UTC', allDay: false}) "
        "CREATE (a)-[:HAS_TYPE]->(t), (a)-[:HAS_STATUS]->(s), (a)-[:OWNED_BY]->(u)",
        type=w["type"],
        status=w["status"],
        owner=admin.id,
        days=days,
        database_="neo4j",
    )
    five = ["TYPE", "STATUS", "OWNER", "KIND", "DAY"]

    # when
    answer = await gql(client, REPORT, {"groupBy": five}, admin)
    coarser = await gql(client, REPORT, {"groupBy": [*five[:4], "MONTH"]}, admin)

    # then the five-grouping report is refused, naming the bound
    assert answer["data"] is None
    (error,) = answer["errors"]
    assert error["extensions"]["code"] == "LIMIT_REACHED"
    assert error["extensions"]["field"] == "groupBy"
    assert str(MAX_REPORT_GROUPS) in error["message"]
    # and a coarser one still answers, counting every activity
    assert "errors" not in coarser, coarser
    rows = coarser["data"]["activityReport"]
    assert sum(row["count"] for row in rows) == days
    assert rows[0]["owner"]["name"] == "Ada Admin"
