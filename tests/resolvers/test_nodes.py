"""The Relay Node interface: `node(id)` and `nodes(ids)` read any object by its global id,
in one statement, with the visibility its own root field has."""

from __future__ import annotations

import httpx
import pytest
from neo4j import Driver

from tests.conftest import CypherCalls, Person, gql, make_user
from tests.resolvers.relationships_support import PARTNER, catalog, customer, link
from tests.resolvers.test_activities import create, meeting, world
from tests.resolvers.test_notes import add_note, with_handle

pytestmark = pytest.mark.anyio

NODES = """
query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on Customer { name relationships { edges { node { label other { id } } } } }
    ... on User { name }
    ... on Activity { subject owner { id } }
    ... on Occurrence { startsAt originalStart activity { id subject } }
    ... on Relationship { typeKey source { id } target { id } }
    ... on RelationshipType { key label }
    ... on ActivityType { name }
    ... on Note { text author { id } }
    ... on Notification { summary }
  }
}
"""

NODE = """
query Node($id: ID!) {
  node(id: $id) { __typename id ...card }
  customer(id: $id) { __typename id ...card }
}
fragment card on Customer { name status }
"""

TYPES = "{ relationshipTypes { id } activityTypes { id } }"


async def test_nodes_reads_objects_of_every_kind_in_one_statement(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    cypher_calls: CypherCalls,
) -> None:
    # given: two partner customers, a weekly meeting, a note mentioning the member
    await catalog(client, admin, PARTNER)
    w = await world(client, admin, member)
    a, b = await customer(client, member, "A"), await customer(client, member, "B")
    partners = await link(client, member, a, "PARTNER_OF", {"id": b})
    weekly = await create(
        client,
        member,
        meeting(
            w,
            member,
            subject="Weekly",
            startsAt="2026-03-16T09:00:00+02:00",
            endsAt="2026-03-16T10:00:00+02:00",
            recurrence="FREQ=WEEKLY;COUNT=3",
        ),
    )
    series = weekly["activity"]["id"]
    second = f"occ_{series}_20260323T070000Z"
    with_handle(clean_db, member, "member")
    note = (await add_note(client, admin, a, "For @member"))["note"]
    types = (await gql(client, TYPES, person=member))["data"]
    relationship_type = types["relationshipTypes"][0]["id"]
    activity_type = types["activityTypes"][0]["id"]
    ids = [a, member.id, series, second, partners["id"], relationship_type, activity_type]
    ids += [note["id"], "cus_nothing", "no such id", f"occ_{series}_20260324T070000Z"]
    ids += [f"occ_{series}_20261399T999999Z", a]

    # when
    cypher_calls.count = 0
    answer = await gql(client, NODES, {"ids": ids}, member)

    # then: each in the order asked, null where nothing has the id
    assert "errors" not in answer, answer
    assert cypher_calls.count == 1
    found = answer["data"]["nodes"]
    assert [n and (n["__typename"], n["id"]) for n in found] == [
        ("Customer", a),
        ("User", member.id),
        ("Activity", series),
        ("Occurrence", second),
        ("Relationship", partners["id"]),
        ("RelationshipType", relationship_type),
        ("ActivityType", activity_type),
        ("Note", note["id"]),
        None,
        None,
        None,
        None,
        ("Customer", a),
    ]
    customer_a, _, activity, occurrence, relationship, kind, _, read_note = found[:8]
    assert customer_a["relationships"]["edges"][0]["node"] == {"label": "שותף", "other": {"id": b}}
    assert (activity["subject"], activity["owner"]["id"]) == ("Weekly", member.id)
    assert occurrence == {
        "__typename": "Occurrence",
        "id": second,
        "startsAt": "2026-03-23T07:00:00+00:00",
        "originalStart": "2026-03-23T07:00:00+00:00",
        "activity": {"id": series, "subject": "Weekly"},
    }
    assert (relationship["source"]["id"], relationship["target"]["id"]) == (a, b)
    assert kind == {"__typename": "RelationshipType", "id": kind["id"], "key": "PARTNER_OF"} | {
        "label": "שותף"
    }
    assert (read_note["text"], read_note["author"]["id"]) == ("For @member", admin.id)


async def test_node_answers_as_the_types_own_root_field(
    client: httpx.AsyncClient, member: Person, cypher_calls: CypherCalls
) -> None:
    # given
    a = await customer(client, member, "A")

    # when
    cypher_calls.count = 0
    answer = await gql(client, NODE, {"id": a}, member)

    # then
    assert "errors" not in answer, answer
    assert answer["data"]["node"] == answer["data"]["customer"]
    assert answer["data"]["node"]["name"] == "A"
    assert cypher_calls.count == 2  # one statement for each root field


async def test_a_notification_is_only_its_users(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given: a note mentions the member, who is notified
    with_handle(clean_db, member, "member")
    a = await customer(client, admin, "A")
    await add_note(client, admin, a, "For @member")
    mine = await gql(client, "{ notifications { edges { node { id } } } }", person=member)
    notification = mine["data"]["notifications"]["edges"][0]["node"]["id"]
    other = make_user(clean_db, name="Other")
    document = "query N($id: ID!) { node(id: $id) { __typename id } }"

    # when
    own = await gql(client, document, {"id": notification}, member)
    someone_elses = await gql(client, document, {"id": notification}, other)

    # then
    assert own["data"]["node"] == {"__typename": "Notification", "id": notification}
    assert someone_elses["data"]["node"] is None
    assert "errors" not in someone_elses


async def test_too_many_ids_are_refused(client: httpx.AsyncClient, member: Person) -> None:
    variables = {"ids": [f"cus_{n}" for n in range(101)]}

    answer = await gql(
        client, "query N($ids: [ID!]!) { nodes(ids: $ids) { id } }", variables, member
    )

    assert answer["data"] is None
    assert answer["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": "ids"}
    assert "ids: at most 100 ids" in answer["errors"][0]["message"]


async def test_node_needs_a_signed_in_user(client: httpx.AsyncClient, member: Person) -> None:
    a = await customer(client, member, "A")

    answer = await gql(client, "query N($id: ID!) { node(id: $id) { id } }", {"id": a})

    assert answer["data"] == {"node": None}
    assert answer["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
