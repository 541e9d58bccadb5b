"""CSV exports over HTTP: the lists with their filters, a relation map's two files, Hebrew
kept for spreadsheet programs, formulas defused, and only what the viewer may see."""

from __future__ import annotations

import csv
import io

import httpx
import pytest
from neo4j import Driver

from kesher.resolvers.context import Role
from tests.conftest import Person, gql, make_user
from tests.imports.support import import_file, import_text
from tests.resolvers.relationships_support import PARENT_COMPANY, catalog
from tests.resolvers.test_activities import create, meeting, world

pytestmark = pytest.mark.anyio

CUSTOMERS = (
    "externalKey,name,status,phone,city\n"
    "K-1,כהן ובניו,ACTIVE,+972-3-5551234,תל אביב\n"
    'K-2,"=HYPERLINK(""http://evil.example"",""click"")",LEAD,,@SUM(A1)\n'
    "K-3,Levi,ACTIVE,,-1+1\n"
)


def rows_of(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


async def test_a_list_exports_with_its_filter_hebrew_kept_and_formulas_defused(
    client: httpx.AsyncClient, manager: Person
) -> None:
    # given three customers, two active, one whose name and city a spreadsheet would run
    await import_text(client, manager, "CUSTOMERS", "ALL_OR_NOTHING", CUSTOMERS)

    # when the whole list is exported
    response = await client.get("/export/customers.csv", headers=manager.headers)

    # then it is UTF-8 with a byte-order mark, Hebrew kept, formulas after a quote
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="customers-')
    assert response.content.startswith(b"\xef\xbb\xbfid,externalKey,name,status,")
    rows = rows_of(response.content)
    assert [row["name"] for row in rows] == [
        '\'=HYPERLINK("http://evil.example","click")',
        "Levi",
        "כהן ובניו",
    ]
    assert [row["city"] for row in rows] == ["'@SUM(A1)", "'-1+1", "תל אביב"]
    assert rows[2]["phone"] == "'+972-3-5551234"

    # when the active ones are asked for
    response = await client.get(
        "/export/customers.csv", params={"statuses": "ACTIVE"}, headers=manager.headers
    )

    # then only they come
    assert [row["externalKey"] for row in rows_of(response.content)] == ["K-3", "K-1"]


async def test_an_exported_list_imports_back_without_a_refused_row(
    client: httpx.AsyncClient, manager: Person
) -> None:
    # given customers, and contacts at them
    await import_text(client, manager, "CUSTOMERS", "ALL_OR_NOTHING", CUSTOMERS)
    contacts = "customerKey,firstName,lastName,phone,title\nK-1,דנה,לוי,+972-50-1234567,=מנהלת\n"
    await import_text(client, manager, "CONTACTS", "ALL_OR_NOTHING", contacts)

    for kind in ("customers", "contacts"):
        # when a list is exported and its file imported back as a dry run
        exported = await client.get(f"/export/{kind}.csv", headers=manager.headers)
        job = await import_file(client, manager, kind.upper(), "DRY_RUN", exported.content)

        # then every row would update its record, none refused
        assert (job["rejected"], job["created"], job["updated"]) == (0, 0, job["rowsRead"])
        assert job["rowsRead"] == len(rows_of(exported.content))


async def test_a_member_exports_only_the_activities_they_may_see(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver
) -> None:
    # given a member's meeting and another member's
    w = await world(client, admin, member)
    other = make_user(clean_db, name="Other Member")
    await create(client, member, meeting(w, member, subject="Mine"))
    await create(client, other, meeting(w, other, subject="Not yours"))

    # when each exports the activities
    mine = await client.get("/export/activities.csv", headers=member.headers)
    everything = await client.get("/export/activities.csv", headers=admin.headers)

    # then the member gets their own only, and the ADMIN both
    assert [row["subject"] for row in rows_of(mine.content)] == ["Mine"]
    assert sorted(row["subject"] for row in rows_of(everything.content)) == ["Mine", "Not yours"]
    assert rows_of(mine.content)[0]["customer"] == "Acme"


async def test_an_export_refuses_a_stranger_a_bad_filter_and_an_unknown_list(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    anonymous = await client.get("/export/customers.csv")
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["code"] == "UNAUTHENTICATED"

    bad = await client.get(
        "/export/customers.csv", params={"statuses": "ASLEEP"}, headers=member.headers
    )
    assert bad.status_code == 400
    assert bad.json()["error"] == {
        "code": "INVALID_INPUT",
        "field": "statuses",
        "message": "statuses: must be one of 'LEAD', 'PROSPECT', 'ACTIVE' or 'FORMER'.",
    }

    unknown = await client.get(
        "/export/customers.csv", params={"orderBy": "name"}, headers=member.headers
    )
    assert (unknown.status_code, unknown.json()["error"]["field"]) == (400, "orderBy")

    assert (await client.get("/export/users.csv", headers=member.headers)).status_code == 404

    # a deactivated member's token no longer exports
    clean_db.execute_query(
        "MATCH (u:User {id: $id}) SET u.active = false", id=member.id, database_="neo4j"
    )
    gone = await client.get("/export/customers.csv", headers=member.headers)
    assert gone.status_code == 401


async def test_a_relation_map_exports_as_a_nodes_file_and_an_edges_file(
    client: httpx.AsyncClient, admin: Person, manager: Person
) -> None:
    # given a holding with a subsidiary
    await catalog(client, admin, PARENT_COMPANY)
    customers = "externalKey,name\nHOLD,החזקות\nSUB,בת\n"
    await import_text(client, manager, "CUSTOMERS", "ALL_OR_NOTHING", customers)
    links = "typeKey,fromKey,toKey\nPARENT_COMPANY_OF,HOLD,SUB\n"
    await import_text(client, manager, "RELATIONSHIPS", "ALL_OR_NOTHING", links)
    exported = await client.get("/export/customers.csv", headers=manager.headers)
    ids = {row["externalKey"]: row["id"] for row in rows_of(exported.content)}

    # when its map is exported
    params = {"rootIds": ids["HOLD"], "depth": "2"}
    nodes = await client.get(
        "/export/relation-map-nodes.csv", params=params, headers=manager.headers
    )
    edges = await client.get(
        "/export/relation-map-edges.csv", params=params, headers=manager.headers
    )

    # then the nodes file holds both parties and the edges file the link
    assert [(row["name"], row["kind"], row["depth"]) for row in rows_of(nodes.content)] == [
        ("החזקות", "CUSTOMER", "0"),
        ("בת", "CUSTOMER", "1"),
    ]
    edge = rows_of(edges.content)
    assert [(row["typeKey"], row["source"], row["target"], row["label"]) for row in edge] == [
        ("PARENT_COMPANY_OF", ids["HOLD"], ids["SUB"], "חברת אם")
    ]

    # and a map without a root is refused as the GraphQL field refuses it
    refused = await client.get("/export/relation-map-nodes.csv", headers=manager.headers)
    assert (refused.status_code, refused.json()["error"]["field"]) == (400, "rootIds")


LINK = """
query Link($list: ExportList!, $parameters: [ExportParameter!]) {
  exportLink(list: $list, parameters: $parameters) { url expiresAt }
}
"""


async def test_a_link_from_graphql_downloads_the_filtered_list_with_no_header(
    client: httpx.AsyncClient, manager: Person
) -> None:
    # given three customers, two active
    await import_text(client, manager, "CUSTOMERS", "ALL_OR_NOTHING", CUSTOMERS)

    # when a link to the active ones is asked for through GraphQL
    answer = await gql(
        client,
        LINK,
        {"list": "CUSTOMERS", "parameters": [{"name": "statuses", "value": "ACTIVE"}]},
        manager,
    )
    link = answer["data"]["exportLink"]

    # then the link alone downloads them, as a browser would open it
    assert link["expiresAt"]
    response = await client.get(link["url"])
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert sorted(row["name"] for row in rows_of(response.content)) == ["Levi", "כהן ובניו"]


async def test_a_link_opens_only_its_own_export_and_a_bad_filter_gets_no_link(
    client: httpx.AsyncClient, manager: Person
) -> None:
    # given a link to the customers
    answer = await gql(client, LINK, {"list": "CUSTOMERS"}, manager)
    url = httpx.URL(answer["data"]["exportLink"]["url"])
    token = url.params["access"]

    # then its token opens no other export, and is no bearer token for the API
    other = await client.get("/export/contacts.csv", params={"access": token})
    assert other.status_code == 401
    assert other.json()["error"]["code"] == "UNAUTHENTICATED"
    as_bearer = await client.post(
        "/graphql",
        json={"query": "{ me { id } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert as_bearer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # and a session token in a link is refused
    session = await client.get("/export/customers.csv", params={"access": manager.token})
    assert session.status_code == 401

    # when a link with a filter the list does not know is asked for
    refused = await gql(
        client,
        LINK,
        {"list": "CUSTOMERS", "parameters": [{"name": "statuses", "value": "SLEEPING"}]},
        manager,
    )

    # then no link is made, and the error names the parameters
    assert refused["data"] is None
    [error] = refused["errors"]
    assert error["extensions"]["code"] == "INVALID_INPUT"
    assert error["extensions"]["field"] == "parameters"
    assert error["message"].startswith("parameters: statuses")


async def test_a_link_stops_working_when_its_user_is_deactivated(
    client: httpx.AsyncClient, clean_db: Driver
) -> None:
    # given a link a user asked for
    person = make_user(clean_db, Role.MANAGER)
    answer = await gql(client, LINK, {"list": "CONTACTS"}, person)
    url = answer["data"]["exportLink"]["url"]

    # when the user is deactivated (their tokens' version moves on)
    clean_db.execute_query(
        "MATCH (u:User {id: $id}) "
        "SET u.active = false, u.tokenVersion = coalesce(u.tokenVersion, 0) + 1",
        id=person.id,
    )

    # then the link downloads nothing, and no new link is made
    response = await client.get(url)
    assert response.status_code == 401
    again = await gql(client, LINK, {"list": "CONTACTS"}, person)
    assert again["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
