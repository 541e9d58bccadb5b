"""The Python GraphQL client `gql` against the served app: it fetches the schema from the
server and checks documents against it, runs queries with fragments and variables and
mutations over HTTP (httpx), and subscriptions over WebSockets (graphql-transport-ws)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from gql import Client, GraphQLRequest, gql
from gql.client import AsyncClientSession
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport
from graphql import GraphQLError, GraphQLObjectType

from kesher.resolvers.broadcast import record_channel
from tests.conftest import Person
from tests.live import WAIT, Live
from tests.resolvers.test_subscriptions import following

pytestmark = pytest.mark.anyio

CREATE_CUSTOMER = gql("""
mutation CreateCustomer($name: String!) {
  createCustomer(input: {name: $name}) {
    __typename
    ... on CustomerSuccess { customer { ...CustomerCard } }
    ... on MutationError { code field message }
  }
}

fragment CustomerCard on Customer { id name }
""")

CUSTOMERS = gql("""
query Customers($search: String, $first: Int!) {
  customers(search: $search, first: $first) {
    totalCount
    edges { node { ...CustomerCard } }
  }
}

fragment CustomerCard on Customer { id name }
""")

NO_SUCH_FIELD = gql("{ customers(first: 5) { edges { node { name turnover } } } }")

ADD_NOTE = gql("""
mutation AddNote($recordId: ID!, $text: String!) {
  addNote(recordId: $recordId, text: $text) {
    __typename
    ... on NoteSuccess { note { id } }
  }
}
""")

RECORD_CHANGED = gql("""
subscription Follow($recordId: ID!) {
  recordChanged(recordId: $recordId) { recordId action summary actorId }
}
""")


def http_client(live: Live, person: Person) -> Client:
    transport = HTTPXAsyncTransport(url=live.url + "/graphql", headers=person.headers, timeout=WAIT)
    return Client(
        transport=transport,
        fetch_schema_from_transport=True,
        serialize_variables=True,
        execute_timeout=WAIT,
    )


@pytest.fixture
async def session(live: Live, member: Person) -> AsyncIterator[AsyncClientSession]:
    async with http_client(live, member) as connected:
        assert isinstance(connected, AsyncClientSession)
        yield connected


async def create_customer(session: AsyncClientSession, name: str) -> dict[str, Any]:
    answer = await session.execute(GraphQLRequest(CREATE_CUSTOMER, variable_values={"name": name}))
    payload: dict[str, Any] = answer["createCustomer"]
    return payload


async def test_gql_fetches_the_schema_from_the_server(session: AsyncClientSession) -> None:
    schema = session.client.schema
    assert schema is not None
    query = schema.query_type
    assert isinstance(query, GraphQLObjectType)
    assert {"customers", "customer", "relationMap", "calendar"} <= set(query.fields)
    assert schema.subscription_type is not None
    assert {"recordChanged", "myNotifications"} <= set(schema.subscription_type.fields)


async def test_gql_runs_a_query_with_a_named_fragment_and_variables(
    session: AsyncClientSession,
) -> None:
    # given
    for name in ("Kibbutz Dalia", "Kibbutz Hanita", "Moshav Nahalal"):
        assert (await create_customer(session, name))["__typename"] == "CustomerSuccess"

    # when
    answer = await session.execute(
        GraphQLRequest(CUSTOMERS, variable_values={"search": "kibbutz", "first": 5})
    )

    # then
    found = answer["customers"]
    assert found["totalCount"] == 2
    assert sorted(edge["node"]["name"] for edge in found["edges"]) == [
        "Kibbutz Dalia",
        "Kibbutz Hanita",
    ]
    assert all(edge["node"]["id"] for edge in found["edges"])


async def test_gql_checks_documents_and_variables_against_the_fetched_schema(
    session: AsyncClientSession,
) -> None:
    with pytest.raises(GraphQLError, match="Cannot query field 'turnover' on type 'Customer'"):
        await session.execute(NO_SUCH_FIELD)
    # Refused by the client itself (a server's refusal would be a TransportQueryError).
    with pytest.raises(GraphQLError, match="Int cannot represent non-integer value: 'five'"):
        await session.execute(GraphQLRequest(CUSTOMERS, variable_values={"first": "five"}))


async def test_gql_runs_a_mutation(session: AsyncClientSession) -> None:
    # when
    created = await create_customer(session, "Moshav Nahalal")
    refused = await create_customer(session, "   ")

    # then
    assert created["__typename"] == "CustomerSuccess"
    assert created["customer"]["name"] == "Moshav Nahalal"
    assert refused["__typename"] == "MutationError"
    assert refused["field"] == "name"
    answer = await session.execute(GraphQLRequest(CUSTOMERS, variable_values={"first": 10}))
    assert [edge["node"] for edge in answer["customers"]["edges"]] == [created["customer"]]


async def test_gql_subscription_receives_the_event_of_a_mutation(
    live: Live, session: AsyncClientSession, member: Person
) -> None:
    # given: a customer, and a subscription to its changes over graphql-transport-ws
    customer = (await create_customer(session, "Kibbutz Dalia"))["customer"]
    transport = WebsocketsTransport(
        url=live.ws_url,
        init_payload={"Authorization": f"Bearer {member.token}"},
        subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
        connect_timeout=WAIT,
        ack_timeout=WAIT,
    )
    # The subscription is checked against the schema the HTTP client fetched.
    async with Client(schema=session.client.schema, transport=transport) as socket:
        events = socket.subscribe(
            GraphQLRequest(RECORD_CHANGED, variable_values={"recordId": customer["id"]})
        )
        first = asyncio.ensure_future(anext(events))
        await following(live, record_channel(customer["id"]))

        # when: a note is written on the customer
        written = await session.execute(
            GraphQLRequest(
                ADD_NOTE,
                variable_values={"recordId": customer["id"], "text": "Called about the fair."},
            )
        )
        assert written["addNote"]["__typename"] == "NoteSuccess"

        # then: the subscription hears of it
        event = await asyncio.wait_for(first, WAIT)
        await events.aclose()
    assert event["recordChanged"]["recordId"] == customer["id"]
    assert event["recordChanged"]["actorId"] == member.id
    assert event["recordChanged"]["action"]
