"""Processes (R4.3): children made under a parent for a segment, and the process tree."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import httpx
import neo4j
import pytest
from neo4j import Driver

from kesher.app import create_app
from kesher.resolvers import processes as process_resolvers
from kesher.resolvers.context import Role
from kesher.settings import Settings
from tests.conftest import CypherCalls, Person, gql, make_user
from tests.resolvers.relationships_support import snapshot
from tests.resolvers.test_activities import CLOSE, create, meeting, world

pytestmark = pytest.mark.anyio

RUN = """
mutation Run($parentId: ID!, $segment: CustomerFilter, $template: ProcessTemplateInput!) {
  runProcess(parentId: $parentId, segment: $segment, template: $template) {
    __typename
    ... on ProcessSuccess {
      created
      parent { id subject children(first: 100) { totalCount edges { node { id } } } }
    }
    ... on MutationError { code field message }
  }
}
"""

PROCESS = """
query Process($id: ID!) {
  process(activityId: $id) {
    root { id subject }
    nodes { parentId depth activity { id subject startsAt owner { id } customer { id } } }
    truncated
  }
}
"""

CARD = """
query Card($id: ID!, $first: Int, $after: String) {
  activity(id: $id) {
    id
    parent { id subject }
    children(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id startsAt parent { id } customer { id } } }
    }
  }
}
"""


def template(w: dict[str, str], **fields: Any) -> dict[str, Any]:
    return {
        "kind": "EMAIL",
        "typeId": w["type"],
        "statusId": w["status"],
        "subject": "Spring campaign",
        "startsAt": "2026-04-01T09:00:00+03:00",
        "timeZone": "Asia/Jerusalem",
        **fields,
    }


def seed_customers(
    driver: Driver, statuses: list[str], owner_id: str | None, archived: bool = False
) -> list[str]:
    """Customers written straight into the graph, as createCustomer leaves them."""
    rows = [
        {"id": f"cus_{secrets.token_hex(12)}", "name": f"Customer {i:03}", "status": status}
        for i, status in enumerate(statuses)
    ]
    driver.execute_query(
        "UNWIND $rows AS row "
        "CREATE (c:Customer {id: row.id, name: row.name, status: row.status, "
        "createdAt: datetime(), updatedAt: datetime()}) "
        "SET c.archivedAt = CASE WHEN $archived THEN datetime() END "
        "WITH c CALL (c) { MATCH (u:User {id: $owner}) CREATE (c)-[:OWNED_BY]->(u) }",
        rows=rows,
        owner=owner_id,
        archived=archived,
        database_="neo4j",
    )
    return [row["id"] for row in rows]


async def run(
    client: httpx.AsyncClient,
    person: Person,
    parent_id: str,
    fields: dict[str, Any],
    segment: dict[str, Any] | None = None,
) -> dict[str, Any]:
    variables = {"parentId": parent_id, "segment": segment, "template": fields}
    answer = await gql(client, RUN, variables, person)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["runProcess"]
    return payload


async def process(client: httpx.AsyncClient, person: Person, activity_id: str) -> Any:
    answer = await gql(client, PROCESS, {"id": activity_id}, person)
    assert "errors" not in answer, answer
    return answer["data"]["process"]


async def campaign(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> tuple[dict[str, str], str]:
    """The catalogs and customers of `world`, and a parent activity."""
    w = await world(client, admin, member)
    parent = await create(client, member, meeting(w, member, subject="Campaign"))
    return w, str(parent["activity"]["id"])


@pytest.fixture
def writes(monkeypatch: pytest.MonkeyPatch) -> CypherCalls:
    """Counts write transactions the app opens."""
    calls = CypherCalls()
    original = neo4j.AsyncSession.execute_write

    async def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.count += 1
        return await original(self, *args, **kwargs)

    monkeypatch.setattr(neo4j.AsyncSession, "execute_write", counted)
    return calls


async def test_a_process_makes_a_child_for_each_customer_of_the_segment_in_one_transaction(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    writes: CypherCalls,
) -> None:
    # given
    w, parent_id = await campaign(client, admin, member)
    prospects = seed_customers(clean_db, ["PROSPECT"] * 50, member.id)
    seed_customers(clean_db, ["LEAD"] * 15 + ["ACTIVE"] * 5, member.id)
    seed_customers(clean_db, ["PROSPECT"] * 3, member.id, archived=True)
    writes.count = 0

    # when
    ran = await run(client, member, parent_id, template(w), {"statuses": ["PROSPECT"]})

    # then
    assert writes.count == 1
    assert ran["__typename"] == "ProcessSuccess", ran
    assert ran["created"] == 50
    assert ran["parent"]["id"] == parent_id
    assert ran["parent"]["children"]["totalCount"] == 50
    records, _, _ = clean_db.execute_query(
        "MATCH (a:Activity)-[:CHILD_OF]->(:Activity {id: $parent}) "
        "MATCH (a)-[:ABOUT {primary: true}]->(c:Customer) "
        "RETURN c.id AS customer, a.subject AS subject, a.kind AS kind, "
        "a.createdAt IS NOT NULL AND a.updatedAt IS NOT NULL AS stamped, "
        "COUNT { (a)-[:ABOUT]->() } AS about, COUNT { (a)-[:OWNED_BY]->() } AS owners, "
        "COUNT { (a)-[:HAS_TYPE]->({id: $type}) } + COUNT { (a)-[:HAS_STATUS]->({id: $status}) } "
        "AS catalog",
        parent=parent_id,
        type=w["type"],
        status=w["status"],
        database_="neo4j",
    )
    assert sorted(r["customer"] for r in records) == sorted(prospects)
    assert {(r["subject"], r["kind"], r["stamped"]) for r in records} == {
        ("Spring campaign", "EMAIL", True)
    }
    assert {(r["about"], r["owners"], r["catalog"]) for r in records} == {(1, 1, 2)}


async def test_a_process_that_fails_part_way_leaves_nothing(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given: the 25th child would take the parent's id, which the graph refuses
    w, parent_id = await campaign(client, admin, member)
    seed_customers(clean_db, ["PROSPECT"] * 50, member.id)
    made: list[str] = []

    def token_hex(size: int) -> str:
        made.append(secrets.token_hex(size))
        return parent_id.removeprefix("act_") if len(made) == 25 else made[-1]

    monkeypatch.setattr(process_resolvers, "secrets", SimpleNamespace(token_hex=token_hex))
    before = snapshot(clean_db)

    # when
    answer = await gql(
        client,
        RUN,
        {"parentId": parent_id, "segment": {"statuses": ["PROSPECT"]}, "template": template(w)},
        member,
    )

    # then
    assert answer["errors"][0]["extensions"]["code"] == "INTERNAL"
    assert len(made) == 50
    assert snapshot(clean_db) == before


async def test_the_process_tree_reads_the_same_from_every_node(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    cypher_calls: CypherCalls,
) -> None:
    # given: three children under the campaign, two grandchildren under one child
    w, root_id = await campaign(client, admin, member)
    seed_customers(clean_db, ["PROSPECT"] * 3, member.id)
    first = await run(client, member, root_id, template(w), {"statuses": ["PROSPECT"]})
    children = [e["node"]["id"] for e in first["parent"]["children"]["edges"]]
    later = template(w, subject="Follow-up", startsAt="2026-04-08T09:00:00+03:00")
    second = await run(client, member, children[0], later, {"statuses": ["PROSPECT"]})
    grandchildren = [e["node"]["id"] for e in second["parent"]["children"]["edges"]]
    assert (len(children), len(grandchildren)) == (3, 3)

    # when
    trees = []
    for activity_id in (root_id, children[1], grandchildren[2]):
        cypher_calls.count = 0
        trees.append(await process(client, member, activity_id))
        assert cypher_calls.count == 1

    # then
    tree = trees[0]
    assert trees[1] == tree
    assert trees[2] == tree
    assert tree["root"] == {"id": root_id, "subject": "Campaign"}
    assert tree["truncated"] is False
    shape = [(n["activity"]["id"], n["parentId"], n["depth"]) for n in tree["nodes"]]
    assert shape == [
        (root_id, None, 0),
        *((child, root_id, 1) for child in sorted(children)),
        *((grandchild, children[0], 2) for grandchild in sorted(grandchildren)),
    ]
    assert {n["activity"]["subject"] for n in tree["nodes"] if n["depth"] == 2} == {"Follow-up"}


async def test_a_process_of_an_unknown_activity_is_null(
    client: httpx.AsyncClient, member: Person, cypher_calls: CypherCalls
) -> None:
    assert await process(client, member, "act_unknown") is None
    assert cypher_calls.count == 1


async def test_a_lone_activity_is_a_tree_of_one(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    _, parent_id = await campaign(client, admin, member)
    tree = await process(client, member, parent_id)
    assert [(n["activity"]["id"], n["parentId"], n["depth"]) for n in tree["nodes"]] == [
        (parent_id, None, 0)
    ]


async def test_the_parent_card_lists_its_children_and_each_child_shows_its_parent(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    cypher_calls: CypherCalls,
) -> None:
    # given
    w, parent_id = await campaign(client, admin, member)
    seed_customers(clean_db, ["PROSPECT"] * 5, member.id)
    await run(client, member, parent_id, template(w), {"statuses": ["PROSPECT"]})

    # when
    cypher_calls.count = 0
    card = (await gql(client, CARD, {"id": parent_id, "first": 3}, member))["data"]["activity"]
    calls = cypher_calls.count
    after = card["children"]["pageInfo"]["endCursor"]
    rest = (await gql(client, CARD, {"id": parent_id, "first": 3, "after": after}, member))["data"][
        "activity"
    ]

    # then
    assert calls == 1
    assert card["parent"] is None
    assert card["children"]["totalCount"] == 5
    assert card["children"]["pageInfo"]["hasNextPage"] is True
    nodes = [e["node"] for e in card["children"]["edges"] + rest["children"]["edges"]]
    assert [n["id"] for n in nodes] == sorted(n["id"] for n in nodes)
    assert len(nodes) == 5
    assert {n["parent"]["id"] for n in nodes} == {parent_id}
    cypher_calls.count = 0
    child = (await gql(client, CARD, {"id": nodes[0]["id"]}, member))["data"]["activity"]
    assert cypher_calls.count == 1
    assert child["parent"] == {"id": parent_id, "subject": "Campaign"}
    assert child["children"]["totalCount"] == 0


async def test_each_child_is_owned_by_its_customers_owner_else_by_the_caller(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w, parent_id = await campaign(client, admin, member)
    seller = make_user(clean_db, Role.MEMBER, name="Sara Seller")
    gone = make_user(clean_db, Role.MEMBER, name="Gone", active=False)
    [by_seller] = seed_customers(clean_db, ["PROSPECT"], seller.id)
    [by_gone] = seed_customers(clean_db, ["PROSPECT"], gone.id)
    [unowned] = seed_customers(clean_db, ["PROSPECT"], None)
    segment = {"statuses": ["PROSPECT"]}

    # when
    await run(client, admin, parent_id, template(w), segment)
    named = await run(client, admin, parent_id, template(w, ownerId=member.id), segment)

    # then
    assert named["created"] == 3
    records, _, _ = clean_db.execute_query(
        "MATCH (:Activity {id: $parent})<-[:CHILD_OF]-(a)-[:ABOUT]->(c), (a)-[:OWNED_BY]->(u) "
        "RETURN c.id AS customer, collect(u.id) AS owners",
        parent=parent_id,
        database_="neo4j",
    )
    owners = {r["customer"]: sorted(r["owners"]) for r in records}
    assert owners == {
        by_seller: sorted([seller.id, member.id]),
        by_gone: sorted([admin.id, member.id]),
        unowned: sorted([admin.id, member.id]),
    }


async def test_the_segment_filters_as_the_customer_list_does(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    w, parent_id = await campaign(client, admin, member)
    seller = make_user(clean_db, Role.MEMBER, name="Sara Seller")
    mine = seed_customers(clean_db, ["PROSPECT", "LEAD"], seller.id)
    seed_customers(clean_db, ["PROSPECT"], member.id)
    # an ADMIN runs it, so that the parent's card shows the child, which is the seller's
    ran = await run(
        client, admin, parent_id, template(w), {"ownerIds": [seller.id], "statuses": ["PROSPECT"]}
    )
    assert ran["created"] == 1
    assert ran["parent"]["children"]["edges"][0]["node"]["id"]
    records, _, _ = clean_db.execute_query(
        "MATCH (:Activity {id: $parent})<-[:CHILD_OF]-()-[:ABOUT]->(c) RETURN c.id AS id",
        parent=parent_id,
        database_="neo4j",
    )
    assert [r["id"] for r in records] == [mine[0]]


REFUSALS = [
    ({"parent": "act_unknown"}, "NOT_FOUND", "parentId"),
    ({"parent": "closed"}, "CLOSED", "parentId"),
    ({"segment": {"statuses": ["FORMER"]}}, "INVALID_INPUT", "segment"),
    ({"segment": {"includeArchived": True}}, "INVALID_INPUT", "segment.includeArchived"),
    ({"template": {"subject": ""}}, "INVALID_INPUT", "template.subject"),
    ({"template": {"typeId": "aty_unknown"}}, "NOT_FOUND", "template.typeId"),
    ({"template": {"statusId": "ast_unknown"}}, "NOT_FOUND", "template.statusId"),
    ({"template": {"ownerId": "usr_unknown"}}, "NOT_FOUND", "template.ownerId"),
    ({"template": {"ownerId": "gone"}}, "FORBIDDEN", "template.ownerId"),
    ({"template": {"kind": "TASK"}}, "INVALID_INPUT", "template.dueAt"),
    ({"template": {"endsAt": "2026-04-01T08:00:00+03:00"}}, "INVALID_INPUT", "template.endsAt"),
    ({"template": {"timeZone": "Mars/Olympus"}}, "INVALID_INPUT", "template.timeZone"),
]


@pytest.mark.parametrize(("case", "code", "field"), REFUSALS)
async def test_a_refused_process_changes_nothing(
    client: httpx.AsyncClient,
    admin: Person,
    member: Person,
    clean_db: Driver,
    case: dict[str, Any],
    code: str,
    field: str,
) -> None:
    # given
    w, parent_id = await campaign(client, admin, member)
    seed_customers(clean_db, ["PROSPECT"] * 3, member.id)
    if case.get("parent") == "closed":
        await gql(client, CLOSE, {"id": parent_id}, member)
    elif "parent" in case:
        parent_id = case["parent"]
    fields = template(w, **case.get("template", {}))
    if fields.get("ownerId") == "gone":
        fields["ownerId"] = make_user(clean_db, Role.MEMBER, name="Gone", active=False).id
    before = snapshot(clean_db)

    # when
    refused = await run(client, member, parent_id, fields, case.get("segment"))

    # then
    assert (refused.get("code"), refused.get("field")) == (code, field), refused
    assert refused["message"].startswith(field), refused
    assert snapshot(clean_db) == before


@pytest.fixture
async def capped(settings: Settings, clean_db: Driver) -> AsyncIterator[httpx.AsyncClient]:
    """The app with small process caps: 4 children a run, 3 nodes a tree."""
    small = settings.model_copy(update={"process_max_children": 4, "process_max_nodes": 3})
    app = create_app(small)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http


async def test_a_segment_over_the_cap_is_refused_and_a_big_tree_is_truncated(
    capped: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given
    w, parent_id = await campaign(capped, admin, member)
    seed_customers(clean_db, ["PROSPECT"] * 5, member.id)
    before = snapshot(clean_db)

    # when
    refused = await run(capped, member, parent_id, template(w), {"statuses": ["PROSPECT"]})
    narrowed = await run(capped, member, parent_id, template(w), {"statuses": ["LEAD"]})
    tree = await process(capped, member, parent_id)

    # then
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", "segment")
    assert "4" in refused["message"]
    assert narrowed["created"] == 3  # world's three customers are leads
    assert len(tree["nodes"]) == 3
    assert tree["truncated"] is True
    assert [n["depth"] for n in tree["nodes"]] == [0, 1, 1]
    assert before != snapshot(clean_db)
