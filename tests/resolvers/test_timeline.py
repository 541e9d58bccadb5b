"""A customer's neighbourhood timeline: order, paging, the links each entry came through,
and activity visibility."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import CypherCalls, Person, gql
from tests.resolvers.relationships_support import PARENT_COMPANY, catalog, link
from tests.resolvers.test_activities import create, meeting, world
from tests.resolvers.test_notes import ADD_NOTE

pytestmark = pytest.mark.anyio

TIMELINE = """
query Timeline($id: ID!, $hops: Int, $first: Int, $after: String) {
  timeline(customerId: $id, hops: $hops, first: $first, after: $after) {
    edges {
      cursor
      node {
        id kind at summary hops record { id name }
        path { typeKey role party { name } }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def note(client: httpx.AsyncClient, person: Person, record_id: str, text: str) -> None:
    answer = await gql(client, ADD_NOTE, {"recordId": record_id, "text": text}, person)
    assert answer["data"]["addNote"]["__typename"] == "NoteSuccess", answer


async def neighbourhood(client: httpx.AsyncClient, admin: Person, member: Person) -> dict[str, str]:
    """Acme is Beta's parent company and Beta Gamma's. Each has a meeting (Acme in March,
    Beta in April, Gamma in May), Dana of Acme one in February, Beta a note; and the
    admin's own meeting about Beta in June, with a note, which the member may not see."""
    w = await world(client, admin, member)
    await catalog(client, admin, PARENT_COMPANY)
    await link(client, member, w["acme"], "PARENT_COMPANY_OF", {"id": w["beta"]})
    await link(client, member, w["beta"], "PARENT_COMPANY_OF", {"id": w["gamma"]})
    for subject, customer, day in (
        ("Acme March", "acme", "2026-03-01"),
        ("Beta April", "beta", "2026-04-01"),
        ("Gamma May", "gamma", "2026-05-01"),
    ):
        await create(
            client,
            member,
            meeting(
                w,
                member,
                subject=subject,
                customerId=w[customer],
                startsAt=f"{day}T09:00:00Z",
                endsAt=f"{day}T10:00:00Z",
            ),
        )
    await create(
        client,
        member,
        meeting(
            w,
            member,
            subject="Dana February",
            contactId=w["dana"],
            startsAt="2026-02-01T09:00:00Z",
            endsAt="2026-02-01T10:00:00Z",
        ),
    )
    await note(client, member, w["beta"], "Beta note")
    secret = await create(
        client,
        admin,
        meeting(
            w,
            admin,
            subject="Secret June",
            customerId=w["beta"],
            startsAt="2026-06-01T09:00:00Z",
            endsAt="2026-06-01T10:00:00Z",
        ),
    )
    await note(client, admin, secret["activity"]["id"], "Secret note")
    return w


def entries(answer: dict[str, Any]) -> list[dict[str, Any]]:
    assert "errors" not in answer, answer
    return [edge["node"] for edge in answer["data"]["timeline"]["edges"]]


async def test_the_timeline_mixes_the_neighbourhood_newest_first_with_its_links(
    client: httpx.AsyncClient, admin: Person, member: Person, cypher_calls: CypherCalls
) -> None:
    # given
    w = await neighbourhood(client, admin, member)

    # when
    cypher_calls.count = 0
    one = entries(await gql(client, TIMELINE, {"id": w["acme"]}, member))
    calls = cypher_calls.count
    two = entries(await gql(client, TIMELINE, {"id": w["acme"], "hops": 2}, member))

    # then
    assert calls == 1
    assert [(e["summary"], e["kind"], e["record"]["name"], e["hops"]) for e in one] == [
        ("Beta note", "NOTE", "Beta", 1),
        ("Beta April", "ACTIVITY", "Beta", 1),
        ("Acme March", "ACTIVITY", "Acme", 0),
        ("Dana February", "ACTIVITY", "Acme", 0),
    ]
    assert one[1]["path"] == [
        {"typeKey": "PARENT_COMPANY_OF", "role": "חברת בת", "party": {"name": "Beta"}}
    ]
    assert [e["summary"] for e in two] == [
        "Beta note",
        "Gamma May",
        "Beta April",
        "Acme March",
        "Dana February",
    ]
    assert [step["party"]["name"] for step in two[1]["path"]] == ["Beta", "Gamma"]


async def test_a_member_never_sees_a_hidden_activity_nor_its_notes(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    w = await neighbourhood(client, admin, member)

    # when
    seen_by_member = entries(await gql(client, TIMELINE, {"id": w["beta"]}, member))
    seen_by_admin = entries(await gql(client, TIMELINE, {"id": w["beta"]}, admin))

    # then
    assert "Secret June" not in [e["summary"] for e in seen_by_member]
    assert "Secret note" not in [e["summary"] for e in seen_by_member]
    assert [e["summary"] for e in seen_by_admin][:2] == ["Secret note", "Beta note"]
    assert "Secret June" in [e["summary"] for e in seen_by_admin]


async def test_the_timeline_pages_by_cursor_without_gaps_or_repeats(
    client: httpx.AsyncClient, admin: Person, member: Person
) -> None:
    # given
    w = await neighbourhood(client, admin, member)
    whole = entries(await gql(client, TIMELINE, {"id": w["acme"], "hops": 2}, member))

    # when
    paged: list[str] = []
    after = None
    while True:
        variables = {"id": w["acme"], "hops": 2, "first": 2, "after": after}
        answer = await gql(client, TIMELINE, variables, member)
        paged += [e["id"] for e in entries(answer)]
        info = answer["data"]["timeline"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]

    # then
    assert paged == [e["id"] for e in whole]
    assert len(paged) == 5


async def test_bad_arguments_are_refused_and_an_unknown_customer_is_null(
    client: httpx.AsyncClient, member: Person
) -> None:
    unknown = await gql(client, TIMELINE, {"id": "cus_nobody"}, member)
    assert unknown["data"]["timeline"] is None
    for variables, field in (
        ({"id": "cus_nobody", "hops": 0}, "hops"),
        ({"id": "cus_nobody", "hops": 4}, "hops"),
        ({"id": "cus_nobody", "first": 1000}, "first"),
        ({"id": "cus_nobody", "after": "nonsense"}, "after"),
    ):
        answer = await gql(client, TIMELINE, variables, member)
        assert answer["errors"][0]["extensions"] == {"code": "INVALID_INPUT", "field": field}
