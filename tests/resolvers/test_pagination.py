"""Backward pages (`last`/`before`) on every kind of connection: they join up with the
forward pages, say truthfully what lies beyond them, and refuse what makes no sense."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from neo4j import AsyncDriver, Driver

from kesher.resolvers.context import Role
from kesher.seeds.demo import seed_demo
from tests.conftest import CypherCalls, Person, gql, make_user
from tests.resolvers.test_notes import ADD_NOTE

pytestmark = pytest.mark.anyio

ARGUMENTS = "first: $first, after: $after, last: $last, before: $before"
VARIABLES = "$first: Int, $after: String, $last: Int, $before: String"
PAGE = """
    totalCount
    edges { cursor node { NODE } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
"""
# A card's relationships are edges without an id of their own, each holding its link.
LINK = "relationship { id }"
ID_PAGE = PAGE.replace("NODE", "id")


def listed(field: str, extra: str = "") -> str:
    """A root list with the page arguments (and `extra` ones)."""
    return f"query List({VARIABLES}) {{ list: {field}({extra} {ARGUMENTS}) {{ {ID_PAGE} }} }}"


def on_card(card: str, field: str, extra: str = "", inner: str = "", node: str = "id") -> str:
    """A connection of the card `card(id: $id)`, inside `inner` (e.g. `chain`) if given."""
    page = PAGE.replace("NODE", node)
    connection = f"list: {field}({extra} {ARGUMENTS}) {{ {page} }}"
    if inner:
        connection = f"{inner} {{ {connection} }}"
    return f"query Card($id: ID!, {VARIABLES}) {{ card: {card}(id: $id) {{ {connection} }} }}"


async def page(
    client: httpx.AsyncClient,
    person: Person,
    document: str,
    variables: dict[str, Any],
    **arguments: Any,
) -> dict[str, Any]:
    answer = await gql(client, document, {**variables, **arguments}, person)
    assert "errors" not in answer, answer
    data = answer["data"]
    if "card" in data:
        data = data["card"]
        data = data.get("chain", data)
    found: dict[str, Any] = data["list"]
    return found


def ids(found: dict[str, Any]) -> list[str]:
    return [edge["node"].get("id") or edge["node"]["relationship"]["id"] for edge in found["edges"]]


async def both_ways(
    client: httpx.AsyncClient,
    person: Person,
    document: str,
    variables: dict[str, Any] | None = None,
    size: int = 3,
) -> list[str]:
    """Pages through the list forward, then backward from its end; checks that the pages
    join without gaps or repeats, agree, and say what lies on either side. Returns the
    list's ids in order."""
    variables = variables or {}
    forward: list[str] = []
    after = None
    while True:
        found = await page(client, person, document, variables, first=size, after=after)
        total = found["totalCount"]
        assert found["pageInfo"]["hasPreviousPage"] is bool(forward)
        forward += ids(found)
        if not found["pageInfo"]["hasNextPage"]:
            break
        assert len(found["edges"]) == size
        after = found["pageInfo"]["endCursor"]
    assert len(forward) == total
    assert len(set(forward)) == total
    if total <= 100:
        assert ids(await page(client, person, document, variables, first=100)) == forward

    backward: list[str] = []
    before = None
    while True:
        found = await page(client, person, document, variables, last=size, before=before)
        assert found["totalCount"] == total
        assert found["pageInfo"]["hasNextPage"] is (before is not None)
        backward = ids(found) + backward
        if found["edges"]:
            assert found["pageInfo"]["startCursor"] == found["edges"][0]["cursor"]
            assert found["pageInfo"]["endCursor"] == found["edges"][-1]["cursor"]
        if not found["pageInfo"]["hasPreviousPage"]:
            break
        assert len(found["edges"]) == size
        before = found["pageInfo"]["startCursor"]

    assert backward == forward
    return forward


@pytest.fixture
async def demo(driver: AsyncDriver, database: str, clean_db: Driver) -> dict[str, Any]:
    """The demo set, a reader and a writer, and the records with the longest lists."""
    assert await seed_demo(driver, database, customers=30)
    reader = make_user(clean_db, Role.ADMIN, name="Rina Reader")
    writer = make_user(clean_db, Role.MEMBER, name="Wolf Writer")

    def one(cypher: str) -> Any:
        records, _, _ = clean_db.execute_query(cypher, database_="neo4j")
        return records[0][0]

    customer = one(
        "MATCH (c:Customer) WHERE c.archivedAt IS NULL "
        "RETURN c.id ORDER BY COUNT { (c)<-[:ABOUT]-() } DESC, c.id LIMIT 1"
    )
    chained = one(
        "MATCH (a:Activity)-[:IN_CHAIN]->(ch) "
        "RETURN a.id ORDER BY COUNT { (ch)<-[:IN_CHAIN]-() } DESC, a.id LIMIT 1"
    )
    staffed = one(
        "MATCH (c:Customer) WHERE c.archivedAt IS NULL RETURN c.id "
        "ORDER BY COUNT { (c)<-[:WORKS_AT|FOR]-() } DESC, c.id LIMIT 1"
    )
    owner = one(
        "MATCH (u:User) RETURN u.id ORDER BY COUNT { (u)<-[:OWNED_BY]-(:Customer) } DESC LIMIT 1"
    )
    related = one(
        "MATCH (t:RelationshipType) WITH collect(t.key) AS keys "
        "MATCH (c:Customer)-[r]-() WHERE type(r) IN keys "
        "RETURN c.id AS id, count(r) AS links ORDER BY links DESC, id LIMIT 1"
    )
    return {
        "reader": reader,
        "writer": writer,
        "customer": customer,
        "staffed": staffed,
        "chained": chained,
        "owner": owner,
        "related": related,
    }


async def test_every_root_list_pages_back_the_way_it_came(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    reader = demo["reader"]
    for document, size in (
        (listed("customers"), 4),
        (listed("customers", "orderBy: CREATED_AT_DESC"), 4),
        (listed("customers", 'search: "a"'), 4),
        (listed("contacts", "orderBy: NAME_DESC"), 4),
        (listed("projects"), 4),
        (listed("users"), 4),
        (listed("activities", "includeClosed: true"), 40),
        (listed("activities", "orderBy: STARTS_AT_ASC"), 40),
    ):
        assert len(await both_ways(client, reader, document, size=size)) > size, document


async def test_every_card_list_pages_back_the_way_it_came(
    client: httpx.AsyncClient, demo: dict[str, Any]
) -> None:
    # given: notes on the customer, each mentioning the reader
    reader, customer = demo["reader"], demo["customer"]
    for number in range(5):
        text = f"Call {number} with @{reader.email}"
        added = await gql(client, ADD_NOTE, {"recordId": customer, "text": text}, demo["writer"])
        assert added["data"]["addNote"]["__typename"] == "NoteSuccess", added

    # then
    card = {"id": customer}
    for document, variables, size in (
        (on_card("customer", "contacts"), {"id": demo["staffed"]}, 1),
        (on_card("customer", "projects"), {"id": demo["staffed"]}, 1),
        (on_card("customer", "activities"), card, 2),
        (on_card("customer", "stream"), card, 2),
        (on_card("customer", "stream", "kinds: [NOTE]"), card, 2),
        (on_card("customer", "notes"), card, 2),
        (on_card("customer", "relationships", node=LINK), {"id": demo["related"]}, 1),
        (on_card("user", "ownedCustomers"), {"id": demo["owner"]}, 2),
        (on_card("activity", "actions", inner="chain"), {"id": demo["chained"]}, 1),
        (listed("notifications"), {}, 2),
    ):
        found = await both_ways(client, reader, document, variables, size=size)
        assert len(found) > size, document


CUSTOMERS = listed("customers")
NAMES = f"""
query List({VARIABLES}) {{
  list: customers({ARGUMENTS}) {{
    edges {{ cursor node {{ name }} }}
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
  }}
}}
"""
CREATE = """
mutation($name: String!) {
  createCustomer(input: {name: $name}) { ... on CustomerSuccess { customer { id } } }
}
"""
ARCHIVE = "mutation($id: ID!) { archiveCustomer(id: $id) { __typename } }"


async def names(client: httpx.AsyncClient, person: Person, **arguments: Any) -> dict[str, Any]:
    found = await page(client, person, NAMES, {}, **arguments)
    return {
        "names": [edge["node"]["name"] for edge in found["edges"]],
        "previous": found["pageInfo"]["hasPreviousPage"],
        "next": found["pageInfo"]["hasNextPage"],
        "start": found["pageInfo"]["startCursor"],
        "end": found["pageInfo"]["endCursor"],
        "cursors": [edge["cursor"] for edge in found["edges"]],
    }


async def test_the_last_rows_and_the_rows_before_a_cursor_come_in_list_order(
    client: httpx.AsyncClient, member: Person, manager: Person
) -> None:
    # given: an empty list
    empty = await names(client, member, last=3)
    assert empty == {
        "names": [],
        "previous": False,
        "next": False,
        "start": None,
        "end": None,
        "cursors": [],
    }

    # given: exactly three customers
    for name in ("Carmel", "Arava", "Bashan"):
        await gql(client, CREATE, {"name": name}, member)

    # then: the last three are all of them, nothing before or after
    three = await names(client, member, last=3)
    assert (three["names"], three["previous"], three["next"]) == (
        ["Arava", "Bashan", "Carmel"],
        False,
        False,
    )
    assert (await names(client, member, first=3))["next"] is False

    # the last two; `last` alone has nothing after it
    two = await names(client, member, last=2)
    assert (two["names"], two["previous"], two["next"]) == (["Bashan", "Carmel"], True, False)

    # before the second row: the first alone, with the rest still after it
    before = await names(client, member, last=2, before=two["start"])
    assert (before["names"], before["previous"], before["next"]) == (["Arava"], False, True)

    # a cursor at the first row: nothing before it
    at_first = await names(client, member, last=2, before=three["cursors"][0])
    assert (at_first["names"], at_first["previous"], at_first["next"]) == ([], False, True)

    # after the last row: nothing, with rows before
    at_end = await names(client, member, first=2, after=three["cursors"][-1])
    assert (at_end["names"], at_end["previous"], at_end["next"]) == ([], True, False)

    # `last: 0` still says whether rows come before
    none = await names(client, member, last=0)
    assert (none["names"], none["previous"], none["next"]) == ([], True, False)

    # when the cursor's row has left the list and nothing else lies behind it, the page
    # does not claim there is
    arava = (await page(client, member, CUSTOMERS, {}, first=1))["edges"][0]["node"]["id"]
    await gql(client, ARCHIVE, {"id": arava}, manager)
    forward = await names(client, member, first=5, after=three["cursors"][0])
    assert (forward["names"], forward["previous"], forward["next"]) == (
        ["Bashan", "Carmel"],
        False,
        False,
    )
    carmel = await names(client, member, last=1)
    backward = await names(client, member, last=5, before=carmel["start"])
    assert (backward["names"], backward["previous"], backward["next"]) == (["Bashan"], False, True)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"first": 2, "last": 2}, "last"),
        ({"after": "CURSOR", "before": "CURSOR"}, "before"),
        ({"first": 2, "before": "CURSOR"}, "before"),
        ({"last": 2, "after": "CURSOR"}, "after"),
        ({"last": 101}, "last"),
        ({"last": -1}, "last"),
        ({"last": 2, "before": "not-a-cursor"}, "before"),
        ({"last": 2, "before": "OTHER_ORDER"}, "before"),
    ],
)
async def test_paging_arguments_that_do_not_fit_are_refused_by_name(
    client: httpx.AsyncClient, member: Person, arguments: dict[str, Any], field: str
) -> None:
    # given
    for name in ("Arava", "Bashan"):
        await gql(client, CREATE, {"name": name}, member)
    cursor = (await page(client, member, CUSTOMERS, {}, first=1))["pageInfo"]["endCursor"]
    other = await gql(
        client, "{ customers(orderBy: NAME_DESC, first: 1) { pageInfo { endCursor } } }", {}, member
    )
    other_cursor = other["data"]["customers"]["pageInfo"]["endCursor"]
    replaced = {"CURSOR": cursor, "OTHER_ORDER": other_cursor}
    arguments = {key: replaced.get(value, value) for key, value in arguments.items()}
    card = await gql(client, "{ customers(first: 1) { edges { node { id } } } }", {}, member)
    card_id = card["data"]["customers"]["edges"][0]["node"]["id"]

    # when: on a root list and on a card's list
    for document, variables in (
        (CUSTOMERS, {}),
        (on_card("customer", "contacts"), {"id": card_id}),
        (on_card("customer", "relationships", node=LINK), {"id": card_id}),
    ):
        answer = await gql(client, document, {**variables, **arguments}, member)

        # then
        assert answer["data"] is None or answer["data"].get("list") is None, answer
        error = answer["errors"][0]
        assert error["extensions"] == {"code": "INVALID_INPUT", "field": field}, answer
        assert error["message"].startswith(f"{field}: "), answer


async def test_a_backward_page_of_a_card_is_still_one_statement(
    client: httpx.AsyncClient, demo: dict[str, Any], cypher_calls: CypherCalls
) -> None:
    reader, customer = demo["reader"], demo["customer"]
    document = f"""
    query Card($id: ID!, $before: String) {{
      customer(id: $id) {{
        activities(last: 2, before: $before) {{ {ID_PAGE} }}
        contacts(last: 1) {{ {ID_PAGE} }}
        stream(last: 2) {{ {ID_PAGE} }}
      }}
      activities(last: 3) {{ {ID_PAGE} }}
    }}
    """
    first = await gql(client, document, {"id": customer}, reader)
    cursor = first["data"]["customer"]["activities"]["pageInfo"]["startCursor"]

    # when
    cypher_calls.count = 0
    answer = await gql(client, document, {"id": customer, "before": cursor}, reader)

    # then: one statement per root field
    assert "errors" not in answer, answer
    assert cypher_calls.count == 2
    assert answer["data"]["customer"]["activities"]["pageInfo"]["hasNextPage"] is True
