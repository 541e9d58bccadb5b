"""Every root query field, asked for as widely as the service's limits allow (built from
the schema, so fields added later are asked for too), answers on seeded data without an
error and in one Cypher statement, for an ADMIN and for a MEMBER."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLArgument,
    GraphQLSchema,
    Undefined,
    get_named_type,
    is_enum_type,
    is_list_type,
    is_non_null_type,
)
from neo4j import AsyncDriver, Driver

from kesher.resolvers.context import Role
from kesher.schema.limits import limit_rules
from kesher.schema.schema import build_schema
from kesher.seeds.demo import seed_demo
from kesher.settings import Settings
from tests.conftest import CypherCalls, Person, gql, make_user
from tests.schema.schema_walk import Filler, Limits, first_enum_value, widest_query

pytestmark = pytest.mark.anyio

NOTE = """
mutation Note($id: ID!, $text: String!) { addNote(recordId: $id, text: $text) { __typename } }
"""
TASK = """
mutation Task($id: ID!, $due: DateTime!) {
  addTask(recordId: $id, subject: "Call back", dueAt: $due) { __typename }
}
"""
WARM_UP = """
query Warm($id: ID!) { customer(id: $id) { relationships(first: 1) { totalCount } } }
"""
IDS = """
MATCH (n) WHERE n:Customer OR n:Contact OR n:Project OR n:Activity
WITH labels(n)[0] AS label, n ORDER BY n.id
RETURN label, collect(n.id)[..3] AS ids, collect(n.ref)[..1] AS refs
"""

# The kind of record an id argument names, by the argument's name without `Id`/`Ids`, or
# for a bare `id` by the root field's name.
KINDS = {
    "activity": "Activity",
    "customer": "Customer",
    "contact": "Contact",
    "project": "Project",
    "record": "Customer",
    "root": "Customer",
    "from": "Customer",
    "to": "Customer",
}


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Wide documents on a busy machine: a statement is not cut short while it runs. The
    walk selects every field of every type under a root field, as deep as the depth, token,
    alias and breadth limits allow, far wider than a client asks; the cost limit (tested in
    tests/security) would refuse some of them. The test asks for one statement and no
    error, not for speed: Neo4j takes seconds to plan a MEMBER's statement of breadth 50
    on an idle core here, which a busy test machine can stretch past any deadline set for
    speed."""
    return settings.model_copy(
        update={
            "cypher_timeout_seconds": 600.0,
            "request_deadline_seconds": 600.0,
            "max_query_cost": 1_000_000_000,
        }
    )


@pytest.fixture
def fresh_plans(clean_db: Driver) -> Iterator[None]:
    """Neo4j's cache of query plans emptied before and after: the widest statements (up to
    about 25 KB of Cypher for a MEMBER) neither share the heap with the plans of the tests
    before nor leave their own to the tests after."""
    clean_db.execute_query("CALL db.clearQueryCaches()")
    yield
    clean_db.execute_query("CALL db.clearQueryCaches()")


def schema_of(settings: Settings) -> GraphQLSchema:
    schema: GraphQLSchema = build_schema(settings)._schema
    return schema


def limits_of(settings: Settings) -> Limits:
    return Limits(settings.max_query_depth, settings.max_tokens, limit_rules(settings))


def filler(ids: dict[str, list[str]], refs: list[str], viewer: Person) -> Filler:
    now = datetime.now(UTC)

    def fill(field_name: str, name: str, argument: GraphQLArgument) -> Any:
        kind = argument.type
        named = get_named_type(kind)
        inner = kind.of_type if is_non_null_type(kind) else kind
        many = is_list_type(inner)
        if is_enum_type(named):
            return first_enum_value(kind)
        if named.name == "DateTime":
            at = {"from": now - timedelta(days=60), "to": now + timedelta(days=60)}.get(name, now)
            return at.isoformat()
        if named.name == "Date":
            return now.date().isoformat()
        if name == "ref":
            return refs[0]
        if named.name in ("ID", "String") and (name in ("id", "ids") or name[-2:] in ("Id", "ds")):
            base = name.removesuffix("s").removesuffix("Id")
            label = KINDS.get(base or field_name, "User" if "user" in (base or field_name) else "")
            if label == "User":
                value = viewer.id
            else:
                found = ids.get(label or "Customer", [])
                value = found[1] if base == "to" and len(found) > 1 else found[0]
            return [value] if many else value
        return Undefined

    return fill


async def _seed(
    client: httpx.AsyncClient, driver: AsyncDriver, database: str, clean_db: Driver
) -> tuple[Person, Person, dict[str, list[str]], list[str]]:
    await seed_demo(driver, database, customers=3)
    admin = make_user(clean_db, Role.ADMIN, name="Ada Admin")
    member = make_user(clean_db, Role.MEMBER, name="Moshe Member")
    records = (await driver.execute_query(IDS, database_=database)).records
    ids = {row["label"]: list(row["ids"]) for row in records}
    refs = [ref for row in records for ref in row["refs"]]
    due = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    for record_id in (ids["Customer"][0], ids["Activity"][0]):
        for person in (admin, member):
            text = f"Spoke with @{member.id} and @{admin.id}"
            note = await gql(client, NOTE, {"id": record_id, "text": text}, person)
            assert "errors" not in note, note
            task = await gql(client, TASK, {"id": record_id, "due": due}, person)
            assert "errors" not in task, task
    # The app learnt the relationship-type keys at start, before the seed wrote them; the
    # first statement that lists relationships learns them again (a second statement, once).
    warm = await gql(client, WARM_UP, {"id": ids["Customer"][0]}, admin)
    assert "errors" not in warm, warm
    return admin, member, ids, refs


async def test_every_root_field_answers_its_widest_selection_in_one_statement(
    client: httpx.AsyncClient,
    driver: AsyncDriver,
    database: str,
    clean_db: Driver,
    settings: Settings,
    cypher_calls: CypherCalls,
    fresh_plans: None,
) -> None:
    # given
    admin, member, ids, refs = await _seed(client, driver, database, clean_db)
    schema = schema_of(settings)
    limits = limits_of(settings)
    assert schema.query_type is not None
    failures: list[str] = []
    for person in (admin, member):
        fill = filler(ids, refs, person)
        for root_field in schema.query_type.fields:
            document, _ = widest_query(schema, root_field, fill, limits)
            # when
            cypher_calls.count = 0
            answer = await gql(client, document, person=person)
            # then
            if "errors" in answer:
                failures.append(f"{person.role.value} {root_field}: {answer['errors'][:2]}")
            elif cypher_calls.count != 1:
                failures.append(
                    f"{person.role.value} {root_field}: {cypher_calls.count} statements"
                )
    assert not failures, "\n".join(failures)
