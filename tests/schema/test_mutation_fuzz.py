"""Every mutation, called with arguments Hypothesis draws from its argument types (real
ids of every kind, junk and other users' ids; Hebrew, empty, very long and control-character
text; times with and without offsets, extremes), answers without an INTERNAL error and
without an HTTP 5xx. Bounded: a few examples per mutation and a total time budget."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
)
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from neo4j import AsyncDriver, Driver

from kesher.resolvers.context import Role
from kesher.schema.schema import build_schema
from kesher.seeds.demo import seed_demo
from kesher.settings import Settings
from tests.conftest import Person, make_user
from tests.live import Live

EXAMPLES_PER_MUTATION = 12
BUDGET_SECONDS = 150.0

JUNK_IDS = ["", " ", "cus_nothing", "usr_nothing", "act_' OR 1=1 //", "x" * 300, "../etc", "0"]
TEXTS = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "שלום עולם",
            "לקוח חדש בע״מ",
            "a" * 6000,
            "\x00\x01\x1f\x7f",
            "line\nbreak\ttab",
            "#FF00AA",
            "https://example.com/x",
            "name@example.com",
            "Asia/Jerusalem",
            "America",
            "FREQ=WEEKLY;COUNT=3",
            "FREQ=SECONDLY",
            "@everyone",
            "`) MATCH (n) DETACH DELETE n //",
        ]
    ),
    st.text(max_size=40),
)
TIMES = st.sampled_from(
    [
        "2026-03-01T09:30:00Z",
        "2026-03-01T09:30:00+02:00",
        "2026-03-01T09:30:00",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59+14:00",
        "1900-01-01T00:00:00-12:00",
        "2999-12-31T23:59:59Z",
        "2026-02-30T00:00:00Z",
        "yesterday",
    ]
)
DATES = st.sampled_from(["2026-03-01", "0001-01-01", "9999-12-31", "2026-02-30", "soon"])


@dataclass
class Tally:
    requests: int = 0
    internal: list[str] = field(default_factory=list)


def _ids(driver: Driver) -> list[str]:
    nodes = driver.execute_query(
        "MATCH (n) WHERE n.id IS NOT NULL AND NOT n:User "
        "WITH labels(n)[0] AS label, collect(n.id)[..4] AS ids RETURN ids",
        database_="neo4j",
    ).records
    links = driver.execute_query(
        "MATCH ()-[r]->() WHERE r.id IS NOT NULL RETURN collect(r.id)[..4] AS ids",
        database_="neo4j",
    ).records
    return [i for row in [*nodes, *links] for i in row["ids"]]


def _words(driver: Driver) -> list[str]:
    rows = driver.execute_query(
        "MATCH (n) WHERE n:RelationshipType OR n:Activity "
        "RETURN collect(DISTINCT coalesce(n.key, n.ref))[..10] AS words",
        database_="neo4j",
    ).records
    return [word for word in rows[0]["words"] if word]


def value_of(kind: GraphQLInputType, ids: st.SearchStrategy[str], words: list[str]) -> Any:
    """A strategy for a value of `kind`; a nullable one is sometimes null."""
    if isinstance(kind, GraphQLNonNull):
        return _inner(kind.of_type, ids, words)
    return st.one_of(st.none(), _inner(kind, ids, words))


def _inner(kind: GraphQLInputType, ids: st.SearchStrategy[str], words: list[str]) -> Any:
    if isinstance(kind, GraphQLList):
        return st.lists(value_of(kind.of_type, ids, words), max_size=3)
    if isinstance(kind, GraphQLEnumType):
        return st.sampled_from(list(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        required = {
            name: value_of(f.type, ids, words)
            for name, f in kind.fields.items()
            if isinstance(f.type, GraphQLNonNull)
        }
        optional = {
            name: value_of(f.type, ids, words)
            for name, f in kind.fields.items()
            if not isinstance(f.type, GraphQLNonNull)
        }
        return st.fixed_dictionaries(required, optional=optional)
    assert isinstance(kind, GraphQLScalarType)
    scalars: dict[str, Any] = {
        "ID": ids,
        "String": st.one_of(TEXTS, st.sampled_from(words or ["x"])),
        "Int": st.one_of(st.integers(-5, 5000), st.sampled_from([-(2**31), 2**31 - 1])),
        "Float": st.floats(allow_nan=False, allow_infinity=False, width=32),
        "Boolean": st.booleans(),
        "DateTime": TIMES,
        "Date": DATES,
        "Upload": TEXTS,
    }
    return scalars[kind.name]


def operations(schema: GraphQLSchema) -> Iterator[tuple[str, str, dict[str, GraphQLInputType]]]:
    """Each mutation with every argument as a variable, selecting only `__typename`."""
    assert schema.mutation_type is not None
    for name, mutation in schema.mutation_type.fields.items():
        arguments = {a: argument.type for a, argument in mutation.args.items()}
        signature = ", ".join(f"${a}: {kind}" for a, kind in arguments.items())
        passed = ", ".join(f"{a}: ${a}" for a in arguments)
        document = (
            f"mutation Fuzz{('(' + signature + ')') if signature else ''} "
            f"{{ {name}{('(' + passed + ')') if passed else ''} {{ __typename }} }}"
        )
        yield name, document, arguments


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """Many requests on a busy machine: a statement is not cut short while it runs."""
    return settings.model_copy(
        update={"cypher_timeout_seconds": 120.0, "request_deadline_seconds": 120.0}
    )


@pytest.mark.anyio
async def test_no_mutation_answers_internal(
    live: Live, driver: AsyncDriver, database: str, settings: Settings, clean_db: Driver
) -> None:
    # given
    await seed_demo(driver, database, customers=3)
    admin = make_user(clean_db, Role.ADMIN, name="Ada Admin")
    member = make_user(clean_db, Role.MEMBER, name="Moshe Member")
    stranger = make_user(clean_db, Role.MANAGER, name="Sara Stranger")
    pool = [*_ids(clean_db), member.id, stranger.id, *JUNK_IDS]
    schema: GraphQLSchema = build_schema(settings)._schema
    # when: Hypothesis runs in a worker thread while this loop serves the app
    tally = await anyio.to_thread.run_sync(
        fuzz, live.url, schema, pool, _words(clean_db), [admin, member, None]
    )
    # then
    print(f"\nmutation fuzz: {tally.requests} requests, {len(tally.internal)} INTERNAL answers")
    assert not tally.internal, "\n".join(tally.internal)


def fuzz(
    url: str, schema: GraphQLSchema, pool: list[str], words: list[str], people: list[Person | None]
) -> Tally:
    ids = st.sampled_from(pool)
    tally = Tally()
    started = time.monotonic()
    with httpx.Client(base_url=url, timeout=120.0) as client:
        for name, document, arguments in operations(schema):
            if time.monotonic() - started > BUDGET_SECONDS:
                break
            variables = st.fixed_dictionaries(
                {a: value_of(kind, ids, words) for a, kind in arguments.items()}
            )
            _property(client, name, document, variables, people, tally)()
    return tally


def _property(
    client: httpx.Client,
    name: str,
    document: str,
    variables: st.SearchStrategy[dict[str, Any]],
    people: list[Person | None],
    tally: Tally,
) -> Any:
    @settings_for_fuzz
    @given(variables=variables, who=st.sampled_from(people))
    def call(variables: dict[str, Any], who: Person | None) -> None:
        response = client.post(
            "/graphql",
            json={"query": document, "variables": variables},
            headers=who.headers if who else {},
        )
        tally.requests += 1
        # Recorded, so that one finding does not stop the rest.
        if response.status_code >= 500:
            tally.internal.append(f"{name}: HTTP {response.status_code} {variables!r}")
            return
        errors = response.json().get("errors") or []
        if any((e.get("extensions") or {}).get("code") == "INTERNAL" for e in errors):
            tally.internal.append(f"{name}: INTERNAL {str(variables)[:300]}")

    return call


settings_for_fuzz = hypothesis_settings(
    max_examples=EXAMPLES_PER_MUTATION,
    deadline=None,
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
