"""Golden statements: a GraphQL document in, the exact Cypher and parameters out.

Each `golden/<name>.graphql` is run through the real schema and resolvers, with a graph
that records the statements it is given instead of sending them to Neo4j, and the one
statement its root field builds is compared with `golden/<name>.cypher`. A change to the
statement builder that changes any statement shows here as a diff, statement by statement.

The head of a `.graphql` file says who asks and with what variables:

    # viewer: MEMBER
    # variables: {"id": "cus_1"}

To accept changed statements deliberately, run with `GOLDEN_UPDATE=1`; the `.cypher` files
are written anew, and the diff is then reviewed in version control.
"""

from __future__ import annotations

import difflib
import json
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, LiteralString

import pytest
from starlette.requests import Request
from strawberry.types import ExecutionResult

from kesher.graph.driver import Graph, Params, Row
from kesher.resolvers.context import Context, Role, Viewer
from kesher.schema.schema import KesherSchema, build_schema
from kesher.settings import Settings
from tests.conftest import TEST_SECRET

pytestmark = pytest.mark.anyio

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("GOLDEN_UPDATE") == "1"

# The relationship types the catalog holds while the documents run.
CATALOG_KEYS = frozenset({"PARTNER_OF", "PARENT_COMPANY_OF", "ADVISED_BY"})

VIEWERS = {
    "ADMIN": Viewer("usr_admin", Role.ADMIN),
    "MANAGER": Viewer("usr_manager", Role.MANAGER),
    "MEMBER": Viewer("usr_member", Role.MEMBER),
}


class NoWrites(Exception):
    """A golden document ran a write: it is not a query."""


class RecordingGraph(Graph):
    """A graph that keeps the statements it is asked to run and answers none of them."""

    def __init__(self) -> None:
        # Deliberately not Graph.__init__: there is no driver behind this graph.
        self.database = "neo4j"
        self.timeout = 60.0
        self.bookmarks = None
        self.relation_keys = CATALOG_KEYS
        self.on_commit = None
        self.timed = None
        self.statements: list[tuple[str, Params]] = []

    async def rows(self, text: LiteralString, params: Params) -> list[Row]:
        self.statements.append((text, dict(params)))
        return []

    async def stream(self, text: LiteralString, params: Params) -> AsyncIterator[Row]:
        self.statements.append((text, dict(params)))
        return
        yield

    async def write(self, work: Any, *args: Any, **kwargs: Any) -> Any:
        raise NoWrites("a golden document is a query")


@dataclass(frozen=True)
class Case:
    name: str
    document: str
    viewer: Viewer
    variables: dict[str, Any]

    @classmethod
    def read(cls, path: Path) -> Case:
        document = path.read_text()
        head = {}
        for line in document.splitlines():
            if not line.startswith("# "):
                break
            key, _, value = line[2:].partition(":")
            head[key.strip()] = value.strip()
        return cls(
            name=path.stem,
            document=document,
            viewer=VIEWERS[head["viewer"]],
            variables=json.loads(head.get("variables", "{}")),
        )


CASES = sorted(GOLDEN.glob("*.graphql"))


@pytest.fixture(scope="module")
def settings() -> Settings:
    return Settings(
        _env_file=None,
        secret_key=TEST_SECRET,
        default_page_size=20,
        max_page_size=100,
        request_deadline_seconds=60.0,
    )


@pytest.fixture(scope="module")
def schema(settings: Settings) -> KesherSchema:
    return build_schema(settings)


def request() -> Request:
    return Request(
        {
            "type": "http",
            "method": "POST",
            "path": "/graphql",
            "headers": [],
            "query_string": b"",
            "server": ("testserver", 80),
            "client": ("127.0.0.1", 1234),
            "scheme": "http",
        }
    )


async def statements_of(
    schema: KesherSchema, settings: Settings, case: Case
) -> tuple[RecordingGraph, ExecutionResult]:
    graph = RecordingGraph()
    context = Context(
        request=request(),
        response=None,
        graph=graph,
        settings=settings,
        request_id="golden",
        viewer=case.viewer,
    )
    result = await schema.execute(case.document, case.variables, context)
    return graph, result


def rendered(statements: list[tuple[str, Params]]) -> str:
    """The statements as a `.cypher` file holds them: each text, then its parameters in
    order, one `// $name = value` line each, temporal values written as Cypher writes them
    (today's date as `date(today)`)."""
    today = datetime.now(UTC).date()

    def value(v: Any) -> str:
        if isinstance(v, datetime):
            return f'datetime("{v.isoformat()}")'
        if isinstance(v, date):
            return "date(today)" if v == today else f'date("{v.isoformat()}")'
        if isinstance(v, list | tuple):
            return "[" + ", ".join(value(item) for item in v) + "]"
        if isinstance(v, dict):
            return "{" + ", ".join(f"{key}: {value(item)}" for key, item in v.items()) + "}"
        return json.dumps(v, ensure_ascii=False)

    parts = []
    for text, params in statements:
        lines = [text, ""]
        lines += [f"// ${name} = {value(v)}" for name, v in params.items()]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
async def test_statement_is_the_golden_one(
    path: Path, schema: KesherSchema, settings: Settings
) -> None:
    # given
    case = Case.read(path)

    # when
    graph, result = await statements_of(schema, settings, case)

    # then
    assert len(graph.statements) == 1, (
        f"a query root field is answered by one statement; got {len(graph.statements)} "
        f"and errors {result.errors}"
    )
    actual = rendered(graph.statements)
    golden = path.with_suffix(".cypher")
    if UPDATE:
        golden.write_text(actual)
        return
    assert golden.exists(), f"no {golden.name}: run with GOLDEN_UPDATE=1 to write it"
    expected = golden.read_text()
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(keepends=True),
            actual.splitlines(keepends=True),
            fromfile=f"golden/{golden.name}",
            tofile="built now",
        )
        pytest.fail(
            f"{case.name}: the statement differs from the golden one "
            "(GOLDEN_UPDATE=1 accepts it):\n" + "".join(diff),
            pytrace=False,
        )


def test_every_golden_document_has_its_statement() -> None:
    documents = {path.stem for path in CASES}
    statements = {path.stem for path in GOLDEN.glob("*.cypher")}
    assert documents, "no golden documents"
    assert statements == documents
