"""Reference numbers and chains of activities, through the API."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest
from neo4j import Driver

from tests.conftest import CypherCalls, Person, gql
from tests.resolvers.relationships_support import snapshot
from tests.resolvers.test_activities import CLOSE, create, meeting, world
from tests.resolvers.test_processes import campaign, run, seed_customers, template

pytestmark = pytest.mark.anyio

LINK = """
mutation Link($id: ID!, $previous: ID!) {
  linkActivities(activityId: $id, previousId: $previous) {
    __typename
    ... on ActivitySuccess { activity { id chain { id steps } } }
    ... on MutationError { code field message }
  }
}
"""
UNLINK = """
mutation Unlink($id: ID!) {
  unlinkActivity(activityId: $id) {
    __typename
    ... on ActivitySuccess { activity { id chain { id } } }
    ... on MutationError { code field message }
  }
}
"""
CHAIN = """
query Chain($id: ID!) {
  activity(id: $id) {
    id ref state hasAttachments
    linkedCounts { offers productRecords events tasks }
    linkedOffers { edges { node { id } } }
    linkedEvents(first: 1) { edges { node { id } } pageInfo { hasNextPage } }
    chain {
      steps startedAt lastAt durationSeconds
      slowestStep { gapSeconds earlier { id ref kind } later { id subject startsAt } }
      actions { edges { node { id subject } } }
    }
  }
}
"""
BY_REF = "query ByRef($ref: String!) { activityByRef(ref: $ref) { id ref kind } }"


async def make(
    client: httpx.AsyncClient,
    w: dict[str, str],
    member: Person,
    subject: str,
    day: int,
    **extra: Any,
) -> str:
    fields = meeting(
        w,
        member,
        subject=subject,
        startsAt=f"2026-03-{day:02d}T09:00:00+02:00",
        endsAt=f"2026-03-{day:02d}T10:00:00+02:00",
        **extra,
    )
    if fields["kind"] == "TASK":
        del fields["startsAt"], fields["endsAt"]
        fields["dueAt"] = f"2026-03-{day:02d}T09:00:00+02:00"
    payload = await create(client, member, fields)
    activity_id: str = payload["activity"]["id"]
    return activity_id


async def link(
    client: httpx.AsyncClient, member: Person, later: str, earlier: str
) -> dict[str, Any]:
    answer = await gql(client, LINK, {"id": later, "previous": earlier}, member)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["linkActivities"]
    return payload


async def chain_of(client: httpx.AsyncClient, member: Person, activity_id: str) -> dict[str, Any]:
    answer = await gql(client, CHAIN, {"id": activity_id}, member)
    assert "errors" not in answer, answer
    card: dict[str, Any] = answer["data"]["activity"]
    return card


async def test_numbered_kinds_get_unique_consecutive_refs_even_when_saved_at_once(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    w = await world(client, admin, member)

    # One save first: a fresh database plans each statement once, slowly.
    offers = [await make(client, w, member, "Offer", 2, kind="OFFER")]

    # when
    offers += await asyncio.gather(
        *(make(client, w, member, f"Offer {i}", 2, kind="OFFER") for i in range(32))
    )
    call = await make(client, w, member, "Call", 3, kind="CALL")
    task = await make(client, w, member, "Task", 4, kind="TASK")

    # then
    refs = [(await chain_of(client, member, offer))["ref"] for offer in offers]
    assert sorted(refs) == [f"OF-{n:06d}" for n in range(1, 34)]
    assert (await chain_of(client, member, call))["ref"] is None
    assert (await chain_of(client, member, task))["ref"] == "TS-000001"
    found = await gql(client, BY_REF, {"ref": "of-7"}, member)
    assert found["data"]["activityByRef"]["ref"] == "OF-000007"
    missing = await gql(client, BY_REF, {"ref": "OF-999"}, member)
    assert missing["data"]["activityByRef"] is None
    bad = await gql(client, BY_REF, {"ref": "XX-1"}, member)
    assert bad["errors"][0]["extensions"]["field"] == "ref"
    listed = await gql(
        client,
        'query { activities(search: "OF-000012") { edges { node { ref } } } }',
        person=member,
    )
    assert listed["data"]["activities"]["edges"] == [{"node": {"ref": "OF-000012"}}]


async def test_linking_joins_and_merges_chains_newest_first_with_their_figures(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given two chains of the same customer: first -> offer, and meeting -> product
    w = await world(client, admin, member)
    first = await make(client, w, member, "First call", 1, kind="CALL")
    offer = await make(client, w, member, "Offer", 3, kind="OFFER")
    meeting_id = await make(client, w, member, "Meeting", 10)
    product = await make(client, w, member, "Delivery", 11, kind="PRODUCT_RECORD")
    assert (await link(client, member, offer, first))["activity"]["chain"]["steps"] == 2
    assert (await link(client, member, product, meeting_id))["activity"]["chain"]["steps"] == 2

    # when the meeting follows the offer, the two chains become one
    merged = await link(client, member, meeting_id, offer)
    cypher_calls.count = 0
    card = await chain_of(client, member, offer)

    # then
    assert cypher_calls.count == 1
    assert merged["activity"]["chain"]["steps"] == 4
    chain = card["chain"]
    assert [edge["node"]["subject"] for edge in chain["actions"]["edges"]] == [
        "Delivery",
        "Meeting",
        "Offer",
        "First call",
    ]
    assert chain["startedAt"] == "2026-03-01T07:00:00+00:00"
    assert chain["lastAt"] == "2026-03-11T07:00:00+00:00"
    assert chain["durationSeconds"] == 10 * 86_400
    step = chain["slowestStep"]
    assert step["gapSeconds"] == 7 * 86_400
    assert (step["earlier"]["id"], step["later"]["id"]) == (offer, meeting_id)
    assert step["earlier"]["ref"] == "OF-000001"
    assert card["linkedCounts"] == {"offers": 0, "productRecords": 1, "events": 1, "tasks": 0}
    assert card["linkedOffers"]["edges"] == []
    assert card["linkedEvents"]["edges"] == [{"node": {"id": meeting_id}}]
    ids = {first, offer, meeting_id, product}
    chains = {(await chain_of(client, member, i))["chain"]["steps"] for i in ids}
    assert chains == {4}


async def test_every_refused_link_names_its_reason_and_changes_nothing(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w = await world(client, admin, member)
    early = await make(client, w, member, "Early", 1)
    late = await make(client, w, member, "Late", 5)
    elsewhere = await make(client, w, member, "Elsewhere", 6, customerId=w["beta"])
    same_time = await make(client, w, member, "Same time", 5)
    closed = await make(client, w, member, "Closed", 7)
    await gql(client, CLOSE, {"id": closed}, member)
    await link(client, member, late, early)
    await link(client, member, same_time, late)
    before = snapshot(clean_db)

    # when
    refusals = []
    for later, earlier in (
        (late, late),
        ("act_unknown", early),
        (late, "act_unknown"),
        (elsewhere, early),
        (early, late),
        (late, early),
        (late, same_time),
        (closed, early),
        (late, closed),
    ):
        payload = await link(client, member, later, earlier)
        refusals.append((payload["code"], payload["field"]))

    # then
    assert refusals == [
        ("INVALID_INPUT", "previousId"),
        ("NOT_FOUND", "activityId"),
        ("NOT_FOUND", "previousId"),
        ("INVALID_INPUT", "previousId"),
        ("INVALID_INPUT", "previousId"),
        ("CONFLICT", "previousId"),
        ("INVALID_INPUT", "previousId"),
        ("CLOSED", "activityId"),
        ("CLOSED", "previousId"),
    ]
    assert snapshot(clean_db) == before


async def test_unlinking_keeps_the_rest_of_the_chain_together(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given a -> b -> c, and a pair d -> e
    w = await world(client, admin, member)
    a, b, c, d, e = [
        await make(client, w, member, name, day)
        for name, day in zip("abcde", range(1, 6), strict=True)
    ]
    await link(client, member, b, a)
    await link(client, member, c, b)
    await link(client, member, e, d)

    # when
    middle = (await gql(client, UNLINK, {"id": b}, member))["data"]["unlinkActivity"]
    pair = (await gql(client, UNLINK, {"id": e}, member))["data"]["unlinkActivity"]
    again = (await gql(client, UNLINK, {"id": e}, member))["data"]["unlinkActivity"]

    # then
    assert middle["activity"]["chain"] is None
    assert pair["activity"]["chain"] is None
    assert (again["code"], again["field"]) == ("INVALID_INPUT", "activityId")
    kept = (await chain_of(client, member, c))["chain"]
    assert kept["steps"] == 2
    assert {edge["node"]["subject"] for edge in kept["actions"]["edges"]} == {"a", "c"}
    assert (await chain_of(client, member, d))["chain"] is None
    follows = clean_db.execute_query(
        "MATCH (x:Activity)-[:FOLLOWS]->(y:Activity) RETURN x.subject + '>' + y.subject AS edge",
        database_="neo4j",
    ).records
    assert [record["edge"] for record in follows] == ["c>a"]
    chains = clean_db.execute_query("MATCH (c:Chain) RETURN count(c) AS n", database_="neo4j")
    assert chains.records[0]["n"] == 1


async def test_a_list_page_shows_state_attachments_and_counts_in_one_statement(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    cypher_calls: CypherCalls,
) -> None:
    # given a chain of five (two offers, a task, two meetings) and a file on one
    w = await world(client, admin, member)
    kinds = ["EVENT", "OFFER", "TASK", "OFFER", "EVENT"]
    made = [
        await make(client, w, member, f"Step {i}", i + 1, kind=kind) for i, kind in enumerate(kinds)
    ]
    for later, earlier in zip(made[1:], made, strict=False):
        await link(client, member, later, earlier)
    alone = await make(client, w, member, "Alone", 20, kind="OFFER")
    clean_db.execute_query(
        "MATCH (a:Activity {id: $id}) "
        "CREATE (n:Note {id: 'not_1'})-[:ON]->(a) "
        "CREATE (:Attachment {id: 'att_1', name: 'plan.pdf'})-[:ATTACHED_TO]->(n)",
        id=made[2],
        database_="neo4j",
    )
    document = """
    query Page($customer: ID!) {
      activities(filter: {customerIds: [$customer]}, orderBy: STARTS_AT_ASC, first: 50) {
        edges { node { subject state hasAttachments
          linkedCounts { offers productRecords events tasks } } }
      }
    }
    """
    card = "query Card($id: ID!) { customer(id: $id) { linkedCounts { offers events tasks } } }"

    # when
    cypher_calls.count = 0
    answer = await gql(client, document, {"customer": w["acme"]}, member)
    listed = cypher_calls.count
    customer = await gql(client, card, {"id": w["acme"]}, member)

    # then
    assert "errors" not in answer, answer
    assert listed == 1
    rows = {edge["node"]["subject"]: edge["node"] for edge in answer["data"]["activities"]["edges"]}
    expected = {
        "Step 0": {"offers": 2, "productRecords": 0, "events": 1, "tasks": 1},
        "Step 1": {"offers": 1, "productRecords": 0, "events": 2, "tasks": 1},
        "Step 2": {"offers": 2, "productRecords": 0, "events": 2, "tasks": 0},
        "Alone": {"offers": 0, "productRecords": 0, "events": 0, "tasks": 0},
    }
    for subject, counts in expected.items():
        assert rows[subject]["linkedCounts"] == counts
    assert [name for name, row in rows.items() if row["hasAttachments"]] == ["Step 2"]
    assert {row["state"] for row in rows.values()} == {"LATE"}
    assert customer["data"]["customer"]["linkedCounts"] == {"offers": 3, "events": 2, "tasks": 1}
    # The counts equal what walking FOLLOWS either way finds.
    walked = clean_db.execute_query(
        "MATCH (a:Activity) "
        "RETURN a.subject AS subject, "
        "COUNT { MATCH (a)-[:FOLLOWS]-+(x:Activity {kind: 'OFFER'}) WHERE x <> a "
        "RETURN DISTINCT x } AS offers",
        database_="neo4j",
    ).records
    for record in walked:
        assert rows[record["subject"]]["linkedCounts"]["offers"] == record["offers"]
    assert re.fullmatch(r"OF-\d{6}", (await chain_of(client, member, alone))["ref"])


async def test_a_process_numbers_its_children_in_the_same_sequence(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w, parent_id = await campaign(client, admin, member)
    seed_customers(clean_db, ["PROSPECT"] * 3, member.id)
    first = await make(client, w, member, "Offer before", 2, kind="OFFER")

    # when
    ran = await run(
        client, member, parent_id, template(w, kind="OFFER"), {"statuses": ["PROSPECT"]}
    )
    after = await make(client, w, member, "Offer after", 3, kind="OFFER")

    # then
    assert ran["created"] == 3
    refs = clean_db.execute_query(
        "MATCH (a:Activity)-[:CHILD_OF]->(:Activity {id: $parent}) RETURN a.ref AS ref",
        parent=parent_id,
        database_="neo4j",
    ).records
    assert sorted(record["ref"] for record in refs) == ["OF-000002", "OF-000003", "OF-000004"]
    assert (await chain_of(client, member, first))["ref"] == "OF-000001"
    assert (await chain_of(client, member, after))["ref"] == "OF-000005"


async def test_aliases_of_one_relation_each_get_their_own_selection(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    w = await world(client, admin, member)
    activity_id = await make(client, w, member, "Aliased", 2, contactId=w["dana"])
    document = """
    query Card($id: ID!) {
      activity(id: $id) {
        boss: owner { name }
        mail: owner { email }
        customer { id }
        who: contact { id }
      }
    }
    """

    # when
    answer = await gql(client, document, {"id": activity_id}, member)

    # then
    assert "errors" not in answer, answer
    card = answer["data"]["activity"]
    assert card["boss"] == {"name": "Moshe Member"}
    assert card["mail"] == {"email": member.email}
    assert card["customer"] == {"id": w["acme"]}
    assert card["who"] == {"id": w["dana"]}
