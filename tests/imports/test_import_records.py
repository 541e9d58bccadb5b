"""Importing customers, contacts and projects from CSV through the API: the dry run's report,
the two writing modes, updates by id and external key, and files that cannot be read."""

from __future__ import annotations

import httpx
import pytest
from neo4j import Driver

from kesher.resolvers.context import Role
from tests.conftest import Person, gql, make_user
from tests.imports.support import JOB, count, import_file, import_text

pytestmark = pytest.mark.anyio

CUSTOMERS = (
    "externalKey,name,status,email,website\n"
    "K-1,כהן ובניו,ACTIVE,office@cohen.example,https://cohen.example\n"
    "K-2,,LEAD,,\n"
    "K-3,Levi Ltd,ASLEEP,,\n"
    "K-4,Mizrahi,PROSPECT,not-an-address,\n"
    "K-5,Green,LEAD,,ftp://green.example\n"
    "K-1,Again,LEAD,,\n"
)


async def test_a_dry_run_reports_every_refused_row_with_its_line_column_and_reason(
    client: httpx.AsyncClient, manager: Person, clean_db: Driver
) -> None:
    # given a file with one good row and five bad ones
    # when it is imported as a dry run
    job = await import_text(client, manager, "CUSTOMERS", "DRY_RUN", CUSTOMERS)

    # then every bad row is reported, in line order, as the single mutation would say it
    assert job["state"] == "DONE"
    assert job["rowsRead"] == 6
    assert job["created"] == 1
    assert job["written"] is False
    assert job["rejected"] == 5
    assert job["rejects"] == [
        {"line": 3, "column": "name", "reason": "name: is required.", "code": "INVALID_INPUT"},
        {
            "line": 4,
            "column": "status",
            "reason": "status: must be one of 'LEAD', 'PROSPECT', 'ACTIVE' or 'FORMER'.",
            "code": "INVALID_INPUT",
        },
        {
            "line": 5,
            "column": "email",
            "reason": "email: must be an e-mail address such as name@example.com.",
            "code": "INVALID_INPUT",
        },
        {
            "line": 6,
            "column": "website",
            "reason": "website: must be an http:// or https:// address without spaces.",
            "code": "INVALID_INPUT",
        },
        {
            "line": 7,
            "column": "externalKey",
            "reason": "externalKey: repeats line 2.",
            "code": "CONFLICT",
        },
    ]
    # and nothing was written
    assert count(clean_db, "Customer") == 0


async def test_all_or_nothing_writes_nothing_when_a_row_is_refused_and_everything_when_none_is(
    client: httpx.AsyncClient, manager: Person, clean_db: Driver
) -> None:
    # given a file with a refused row
    # when it is imported all or nothing
    refused = await import_text(client, manager, "CUSTOMERS", "ALL_OR_NOTHING", CUSTOMERS)

    # then nothing is written
    assert (refused["written"], refused["rejected"], refused["rowsWritten"]) == (False, 5, 0)
    assert count(clean_db, "Customer") == 0

    # when the good rows alone are imported
    good = "externalKey,name,status\nK-1,כהן ובניו,ACTIVE\nK-2,Levi,LEAD\n"
    job = await import_text(client, manager, "CUSTOMERS", "ALL_OR_NOTHING", good)

    # then both are written, Hebrew kept
    assert (job["written"], job["created"], job["rowsWritten"]) == (True, 2, 2)
    records, _, _ = clean_db.execute_query(
        "MATCH (c:Customer) RETURN c.externalKey AS key, c.name AS name, c.status AS status "
        "ORDER BY key",
        database_="neo4j",
    )
    assert [tuple(record.values()) for record in records] == [
        ("K-1", "כהן ובניו", "ACTIVE"),
        ("K-2", "Levi", "LEAD"),
    ]


async def test_per_row_writes_the_good_rows_and_reports_the_others(
    client: httpx.AsyncClient, manager: Person, clean_db: Driver
) -> None:
    # when the mixed file is imported row by row
    job = await import_text(client, manager, "CUSTOMERS", "PER_ROW", CUSTOMERS)

    # then the good row is written and the bad ones reported
    assert (job["written"], job["created"], job["rejected"]) == (True, 1, 5)
    assert count(clean_db, "Customer") == 1


async def test_rows_naming_an_existing_record_by_id_or_external_key_update_it(
    client: httpx.AsyncClient, manager: Person, clean_db: Driver
) -> None:
    # given two customers, one imported with an external key
    await import_text(client, manager, "CUSTOMERS", "PER_ROW", "externalKey,name\nK-1,Old\n")
    created = await gql(
        client,
        'mutation { createCustomer(input: {name: "Plain", city: "Haifa"}) '
        "{ ... on CustomerSuccess { customer { id } } } }",
        person=manager,
    )
    plain = created["data"]["createCustomer"]["customer"]["id"]

    # when a file names one by key and one by id, and a third not at all
    text = f"id,externalKey,name,city\n,K-1,New,Tel Aviv\n{plain},,Plain Renamed,\n,,Third,\n"
    job = await import_text(client, manager, "CUSTOMERS", "ALL_OR_NOTHING", text)

    # then two are updated (an empty cell clears an optional field) and one created
    assert (job["created"], job["updated"], job["rejected"]) == (1, 2, 0)
    records, _, _ = clean_db.execute_query(
        "MATCH (c:Customer) RETURN c.name AS name, c.city AS city ORDER BY name",
        database_="neo4j",
    )
    assert [tuple(record.values()) for record in records] == [
        ("New", "Tel Aviv"),
        ("Plain Renamed", None),
        ("Third", None),
    ]


async def test_contacts_and_projects_find_their_customer_by_id_or_key_and_refuse_unknown_ones(
    client: httpx.AsyncClient, manager: Person, clean_db: Driver
) -> None:
    # given a customer with a key, which its card shows
    await import_text(client, manager, "CUSTOMERS", "PER_ROW", "externalKey,name\nK-1,Acme\n")
    listed = await gql(
        client, "{ customers { edges { node { name externalKey } } } }", None, manager
    )
    assert listed["data"]["customers"]["edges"] == [
        {"node": {"name": "Acme", "externalKey": "K-1"}}
    ]

    # when contacts name it by key, and one names a customer nobody has
    contacts = "customerKey,firstName,lastName\nK-1,Dana,Levi\nK-9,Avi,Cohen\n"
    job = await import_text(client, manager, "CONTACTS", "PER_ROW", contacts)

    # then the first is written at that customer and the second refused
    assert (job["created"], job["rejected"]) == (1, 1)
    assert job["rejects"] == [
        {
            "line": 3,
            "column": "customerKey",
            "reason": "customerKey: no customer has the key 'K-9'.",
            "code": "NOT_FOUND",
        }
    ]
    records, _, _ = clean_db.execute_query(
        "MATCH (k:Contact)-[:WORKS_AT]->(c:Customer) RETURN k.name AS name, c.name AS at",
        database_="neo4j",
    )
    assert [tuple(record.values()) for record in records] == [("Dana Levi", "Acme")]

    # and projects the same way, their status checked
    projects = "customerKey,name,status\nK-1,Roof,ACTIVE\nK-1,Walls,SOMEDAY\n"
    job = await import_text(client, manager, "PROJECTS", "PER_ROW", projects)
    assert (job["created"], job["rejected"]) == (1, 1)
    assert job["rejects"][0]["column"] == "status"


async def test_an_owner_must_be_an_active_user(
    client: httpx.AsyncClient, manager: Person, clean_db: Driver
) -> None:
    gone = make_user(clean_db, active=False)
    text = f"name,ownerId\nMine,{manager.id}\nTheirs,{gone.id}\nNobody's,usr_missing\n"

    job = await import_text(client, manager, "CUSTOMERS", "DRY_RUN", text)

    assert [(r["line"], r["column"], r["code"]) for r in job["rejects"]] == [
        (3, "ownerId", "FORBIDDEN"),
        (4, "ownerId", "NOT_FOUND"),
    ]


async def test_a_file_that_cannot_be_read_is_refused_naming_the_field_and_starting_nothing(
    client: httpx.AsyncClient, manager: Person, clean_db: Driver
) -> None:
    # a file in Windows-1255, not UTF-8
    hebrew = "name\n\u05db\u05d4\u05df\n".encode("cp1255")
    refused = await import_file(client, manager, "CUSTOMERS", "DRY_RUN", hebrew)
    assert refused["code"] == "INVALID_INPUT"
    assert refused["field"] == "file"
    assert "not UTF-8" in refused["message"]

    # a header without a required column
    refused = await import_text(client, manager, "CONTACTS", "DRY_RUN", "firstName\nDana\n")
    assert refused == {
        "__typename": "MutationError",
        "code": "INVALID_INPUT",
        "field": "customerId",
        "message": "customerId: the header must have a customerId or customerKey column.",
    }

    # a column no import has
    refused = await import_text(client, manager, "CUSTOMERS", "DRY_RUN", "name,=cmd\nA,B\n")
    assert refused["field"] == "=cmd"

    # a cell past the reader's limit
    huge = "name,city\nA," + "x" * 200_000 + "\n"
    refused = await import_text(client, manager, "CUSTOMERS", "DRY_RUN", huge)
    assert refused["message"] == "file: line 2 has a cell longer than 100000 characters."

    # and no job was started
    assert count(clean_db, "ImportJob") == 0


async def test_a_long_cell_under_the_reader_limit_is_refused_as_its_field_is(
    client: httpx.AsyncClient, manager: Person
) -> None:
    text = "name,city\n" + "n" * 201 + ",Haifa\n"

    job = await import_text(client, manager, "CUSTOMERS", "DRY_RUN", text)

    assert job["rejects"] == [
        {
            "line": 2,
            "column": "name",
            "reason": "name: must be at most 200 characters long.",
            "code": "INVALID_INPUT",
        }
    ]


async def test_a_spreadsheet_file_with_a_byte_order_mark_and_semicolons_reads_as_any(
    client: httpx.AsyncClient, manager: Person, clean_db: Driver
) -> None:
    content = '\ufeffname;city\r\n"לוי; שות\'";ירושלים\r\n'.encode()

    job = await import_file(client, manager, "CUSTOMERS", "PER_ROW", content)

    assert (job["created"], job["rejected"]) == (1, 0)
    records, _, _ = clean_db.execute_query(
        "MATCH (c:Customer) RETURN c.name AS name, c.city AS city", database_="neo4j"
    )
    assert tuple(records[0].values()) == ("לוי; שות'", "ירושלים")


async def test_a_member_may_not_import_and_a_job_is_read_only_by_its_starter(
    client: httpx.AsyncClient, manager: Person, member: Person, admin: Person, clean_db: Driver
) -> None:
    # a member is refused
    refused = await gql(
        client,
        'mutation { importCsv(kind: CUSTOMERS, mode: DRY_RUN, text: "name\\nA\\n") '
        "{ ... on MutationError { code } } }",
        person=member,
    )
    assert refused["data"]["importCsv"]["code"] == "FORBIDDEN"

    # a manager's job is theirs and an ADMIN's to read, no other manager's
    job = await import_text(client, manager, "CUSTOMERS", "DRY_RUN", "name\nA\n")
    other = make_user(clean_db, Role.MANAGER)
    for person, seen in ((manager, True), (admin, True), (other, False)):
        answer = await gql(client, JOB, {"id": job["id"]}, person)
        assert (answer["data"]["importJob"] is not None) is seen


async def test_imported_records_are_found_as_likely_duplicates_of_existing_ones(
    client: httpx.AsyncClient, manager: Person, clean_db: Driver
) -> None:
    # given a customer made through the API
    made = await gql(
        client,
        'mutation { createCustomer(input: {name: "Acme Ltd.", email: "office@acme.example"}) '
        "{ ... on CustomerSuccess { customer { id } } } }",
        person=manager,
    )
    assert made["data"]["createCustomer"]["customer"]["id"]

    # when a file brings the same company again under another spelling
    job = await import_text(
        client, manager, "CUSTOMERS", "ALL_OR_NOTHING", "name,email\nACME,Office@Acme.example\n"
    )
    assert (job["state"], job["created"], job["rejected"]) == ("DONE", 1, 0)

    # then the two are suggested as duplicates, by name and by e-mail
    answer = await gql(
        client,
        "{ duplicateCandidates(kind: CUSTOMER) { edges { node { "
        "first { name } second { name } reasons } } } }",
        person=manager,
    )
    [edge] = answer["data"]["duplicateCandidates"]["edges"]
    assert {edge["node"]["first"]["name"], edge["node"]["second"]["name"]} == {"Acme Ltd.", "ACME"}
    assert set(edge["node"]["reasons"]) == {"NAME", "EMAIL"}
