"""One local Neo4j per test session, a clean database per test, the real app over ASGI."""

from __future__ import annotations

import os
import secrets
import signal
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import httpx
import neo4j
import pytest
from neo4j import AsyncDriver, Driver, GraphDatabase

from kesher.app import create_app
from kesher.graph.launcher import LocalNeo4j, free_port
from kesher.passwords import hash_password
from kesher.resolvers.context import Role, Viewer
from kesher.resolvers.tokens import issue
from kesher.settings import Settings

if TYPE_CHECKING:
    from tests.mail_support import MailServer

# The test SMTP server and each test's inbox (`mail_server`, `inbox`); the app served on a
# port (`live`); headless Chromium (`browser`, `page`).
pytest_plugins = ["tests.mail_support", "tests.live", "tests.browser"]

TEST_SECRET = "test-secret-key-" + "x" * 32
TEST_PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(TEST_PASSWORD)


@dataclass(frozen=True)
class Server:
    uri: str
    user: str
    password: str


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A Neo4j for the session: KESHER_TEST_NEO4J_URI if set (it gets wiped), else our own."""
    external = os.environ.get("KESHER_TEST_NEO4J_URI")
    if external:
        yield Server(
            external,
            os.environ.get("KESHER_TEST_NEO4J_USER", "neo4j"),
            os.environ.get("KESHER_TEST_NEO4J_PASSWORD", ""),
        )
        return
    defaults = Settings(_env_file=None)
    # The heap holds Neo4j's cache of query plans: the widest documents of
    # tests/schema/test_widest_selection.py once planned statements of over 100 KB, which a
    # 1 GB heap shared with the rest of the suite's plans could not always hold.
    server = LocalNeo4j(
        home=tmp_path_factory.mktemp("neo4j"),
        cache_dir=defaults.cache_dir,
        version=defaults.neo4j_version,
        bolt_port=free_port(),
        http_port=free_port(),
        heap="2g",
        pagecache="512m",
    )
    server.start()
    try:
        yield Server(server.bolt_uri, server.user, server.password)
    finally:
        if not server.is_running():
            _stopped.append(server.log_tail(lines=40))
        server.stop()


# The end of the logs of the session's Neo4j when it had stopped before the tests ended.
_stopped: list[str] = []


def pytest_sessionstart(session: pytest.Session) -> None:
    """A run stopped by SIGTERM (a CI timeout, `kill`) ends as one stopped by Ctrl-C does:
    the session's fixtures are torn down, so its Neo4j does not outlive it."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """When the session's Neo4j stopped before the tests did, every later test fails to
    connect; the end of its logs says why (an OutOfMemoryError, a kill)."""
    for tail in _stopped:
        terminalreporter.section("Neo4j stopped while the tests ran", red=True)
        terminalreporter.write_line(tail)


@pytest.fixture(scope="session")
def sync_driver(neo4j_server: Server) -> Iterator[Driver]:
    auth = neo4j.basic_auth(neo4j_server.user, neo4j_server.password)
    with GraphDatabase.driver(neo4j_server.uri, auth=auth) as driver:
        yield driver


@pytest.fixture
def clean_db(sync_driver: Driver) -> Driver:
    """Empties the database before a test; constraints and indexes stay."""
    with sync_driver.session(database="neo4j") as session:
        session.run(
            "MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS"
        ).consume()
    return sync_driver


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(neo4j_server: Server, tmp_path: Path, mail_server: MailServer) -> Settings:
    return Settings(
        _env_file=None,
        neo4j_uri=neo4j_server.uri,
        neo4j_user=neo4j_server.user,
        neo4j_password=neo4j_server.password,
        secret_key=TEST_SECRET,
        neo4j_home=tmp_path / "neo4j",
        attachments_dir=tmp_path / "attachments",
        # No background reminders unless a test asks for them.
        reminder_interval_seconds=0,
        # A request's first run plans each of its statements in Neo4j; on a shared, busy
        # test machine a wide request's planning alone can pass the production deadline.
        # tests/security/test_request_deadline.py sets its own.
        request_deadline_seconds=60.0,
        # Mail goes to the session's test SMTP server.
        smtp_host=mail_server.host,
        smtp_port=mail_server.port,
    )


@pytest.fixture
async def driver(neo4j_server: Server, clean_db: Driver) -> AsyncIterator[AsyncDriver]:
    auth = neo4j.basic_auth(neo4j_server.user, neo4j_server.password)
    async with neo4j.AsyncGraphDatabase.driver(neo4j_server.uri, auth=auth) as async_driver:
        yield async_driver


@pytest.fixture
def database() -> str:
    return "neo4j"


@pytest.fixture
async def client(settings: Settings, clean_db: Driver) -> AsyncIterator[httpx.AsyncClient]:
    """The real ASGI app, lifespan included, behind httpx."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http


@dataclass(frozen=True)
class Person:
    id: str
    email: str
    role: Role
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_user(
    driver: Driver, role: Role = Role.MEMBER, *, name: str = "Test User", active: bool = True
) -> Person:
    """Writes a user straight into the graph and signs a token for them."""
    user_id = f"usr_{secrets.token_hex(12)}"
    email = f"{user_id}@example.com"
    now = datetime.now(UTC)
    driver.execute_query(
        "CREATE (u:User {id: $id, email: $email, name: $name, handle: $id, role: $role, "
        "active: $active, passwordHash: $hash, createdAt: $now, updatedAt: $now})",
        id=user_id,
        email=email,
        name=name,
        role=role.value,
        active=active,
        hash=_PASSWORD_HASH,
        now=now,
        database_="neo4j",
    )
    token, _ = issue(Viewer(user_id, role), TEST_SECRET, 3600)
    return Person(user_id, email, role, token)


@pytest.fixture
def admin(clean_db: Driver) -> Person:
    return make_user(clean_db, Role.ADMIN, name="Ada Admin")


@pytest.fixture
def member(clean_db: Driver) -> Person:
    return make_user(clean_db, Role.MEMBER, name="Moshe Member")


@pytest.fixture
def manager(clean_db: Driver) -> Person:
    return make_user(clean_db, Role.MANAGER, name="Miriam Manager")


async def gql(
    client: httpx.AsyncClient,
    document: str,
    variables: dict[str, Any] | None = None,
    person: Person | None = None,
) -> dict[str, Any]:
    """Posts one GraphQL operation and returns the JSON answer."""
    response = await client.post(
        "/graphql",
        json={"query": document, "variables": variables or {}},
        headers=person.headers if person else {},
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


@dataclass
class CypherCalls:
    count: int = 0


@pytest.fixture
def cypher_calls(monkeypatch: pytest.MonkeyPatch) -> CypherCalls:
    """Counts Cypher statements the app sends through the async driver."""
    calls = CypherCalls()
    # Reads run in auto-commit transactions (`AsyncSession.run`), writes in managed ones.
    for kind in (neo4j.AsyncManagedTransaction, neo4j.AsyncSession):
        original = kind.run

        async def counted(
            self: Any, query: Any, parameters: Any = None, *, _run: Any = original, **kwargs: Any
        ) -> Any:
            calls.count += 1
            return await _run(self, query, parameters, **kwargs)

        monkeypatch.setattr(kind, "run", counted)
    return calls
