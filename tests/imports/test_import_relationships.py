"""Importing relationships from CSV: by catalog key, both ends by id or by external key, and
the refusals a single new link meets."""

from __future__ import annotations

import httpx
import pytest
from neo4j import Driver

from tests.conftest import Person, gql
from tests.imports.support import import_text
from tests.resolvers.relationships_support import (
    ADVISOR,
    PARENT_COMPANY,
    PARTNER,
    add,
    catalog,
    customer,
)

pytestmark = pytest.mark.anyio

CARD = """
query Card($id: ID!) {
  customer(id: $id) {
    relationships { edges { node { other { name } } } }
  }
}
"""


async def test_links_are_made_by_key_or_id_and_refused_rows_say_why(
    client: httpx.AsyncClient, admin: Person, manager: Person, clean_db: Driver
) -> None:
    # given a catalog, customers with keys, one with a link already, and a contact
    await catalog(client, admin, PARENT_COMPANY, PARTNER, {**ADVISOR, "limitPerSource": 1})
    customers = "externalKey,name\nHOLD,החזקות\nSUB,בת אחת\nOTHER,Other\n"
    await import_text(client, manager, "CUSTOMERS", "ALL_OR_NOTHING", customers)
    contacts = "externalKey,customerKey,firstName\nDANA,OTHER,Dana\nEREZ,OTHER,Erez\n"
    await import_text(client, manager, "CONTACTS", "ALL_OR_NOTHING", contacts)
    records, _, _ = clean_db.execute_query(
        "MATCH (n) WHERE n.externalKey IS NOT NULL RETURN n.externalKey AS key, n.id AS id",
        database_="neo4j",
    )
    ids = {record["key"]: record["id"] for record in records}
    assert (await add(client, manager, ids["HOLD"], "PARTNER_OF", {"id": ids["OTHER"]}))[
        "__typename"
    ] == "RelationshipSuccess"
    plain = await customer(client, manager, "Plain")

    # when a file links them
    text = (
        "typeKey,fromKey,fromId,toKey,toId,startsOn,endsOn,note\n"
        f"PARENT_COMPANY_OF,HOLD,,SUB,,2024-01-01,,since the merger\n"  # 2: good
        f"PARENT_COMPANY_OF,,{plain},OTHER,,,,\n"  # 3: good, by id and key
        "PARENT_COMPANY_OF,HOLD,,SUB,,,,\n"  # 4: repeats line 2
        "PARTNER_OF,OTHER,,HOLD,,,,\n"  # 5: symmetric, already linked
        "NO_SUCH_TYPE,HOLD,,SUB,,,,\n"  # 6: unknown type
        "PARENT_COMPANY_OF,HOLD,,DANA,,,,\n"  # 7: no customer has that key
        f"PARENT_COMPANY_OF,,{ids['DANA']},SUB,,,,\n"  # 8: a contact cannot be a parent
        "PARENT_COMPANY_OF,SUB,,SUB,,,,\n"  # 9: itself
        "PARENT_COMPANY_OF,OTHER,,SUB,,2025-02-01,2025-01-01,\n"  # 10: ends before it starts
        "ADVISED_BY,SUB,,DANA,,,,\n"  # 11: good
        "ADVISED_BY,SUB,,EREZ,,,,\n"  # 12: over the limit of 1
        "bad key,HOLD,,SUB,,,,\n"  # 13: not a key at all
        f"ADVISED_BY,SUB,,,{ids['DANA']},2020-01-01,2020-02-01,\n"  # 14: good, long over
    )
    job = await import_text(client, manager, "RELATIONSHIPS", "PER_ROW", text)

    # then the good rows are linked and the others refused with their reasons
    assert [(r["line"], r["column"], r["code"]) for r in job["rejects"]] == [
        (4, "toId", "CONFLICT"),
        (5, "toId", "CONFLICT"),
        (6, "typeKey", "NOT_FOUND"),
        (7, "toKey", "NOT_FOUND"),
        (8, "fromId", "KIND_MISMATCH"),
        (9, "toId", "INVALID_INPUT"),
        (10, "endsOn", "INVALID_INPUT"),
        (12, "typeKey", "LIMIT_REACHED"),
        (13, "typeKey", "INVALID_INPUT"),
    ]
    reasons = {r["line"]: r["reason"] for r in job["rejects"]}
    assert reasons[4] == (
        "toId: these two already have a PARENT_COMPANY_OF link over the same time (line 2)."
    )
    assert reasons[7] == "toKey: no customer has the key 'DANA'."
    assert reasons[10] == "endsOn: a link cannot end before it starts."
    assert (job["created"], job["written"]) == (4, True)

    # and the card shows them, each with an audit line on each end, as adding one link writes
    card = await gql(client, CARD, {"id": ids["SUB"]}, manager)
    others = card["data"]["customer"]["relationships"]["edges"]
    assert sorted(edge["node"]["other"]["name"] for edge in others) == ["Dana", "Dana", "החזקות"]
    records, _, _ = clean_db.execute_query(
        "MATCH (l:AuditLine {action: 'LINK_ADDED'})-[:ON]->({id: $id}) "
        "MATCH (l)-[:BY]->(u:User) RETURN l.summary AS summary, u.id AS actor ORDER BY summary",
        id=ids["HOLD"],
        database_="neo4j",
    )
    assert [tuple(record.values()) for record in records] == [
        ("Linked as חברת אם בת אחת", manager.id),
        ("Linked as שותף Other", manager.id),
    ]


async def test_a_dry_run_of_links_writes_nothing(
    client: httpx.AsyncClient, admin: Person, manager: Person, clean_db: Driver
) -> None:
    await catalog(client, admin, PARENT_COMPANY)
    customers = "externalKey,name\nA,Alpha\nB,Beta\n"
    await import_text(client, manager, "CUSTOMERS", "ALL_OR_NOTHING", customers)

    job = await import_text(
        client,
        manager,
        "RELATIONSHIPS",
        "DRY_RUN",
        "typeKey,fromKey,toKey\nPARENT_COMPANY_OF,A,B\n",
    )

    assert (job["created"], job["rejected"], job["written"]) == (1, 0, False)
    records, _, _ = clean_db.execute_query(
        "MATCH ()-[r:PARENT_COMPANY_OF]->() RETURN count(r) AS n", database_="neo4j"
    )
    assert records[0]["n"] == 0
