"""The least a Python HTTP service can do to answer a benchmark request: the floor under
Kesher, measured by the suite (`bench.suite`) beside it.

A bare ASGI app, served by uvicorn as Kesher is. `POST /` with `{"i": n}` runs recorded
statement `n` (modulo their number; the file `FLOOR_STATEMENTS` names, pickled by
`floor_server`) through the same async driver, the same way Kesher runs a read (one
auto-commit transaction, all records fetched), and answers the records as JSON. No
GraphQL, no authentication, no middleware, no metrics: what is left is HTTP, the
driver and encoding the answer. What the floor adds to raw Cypher any service on
uvicorn and the official driver pays on this machine; what Kesher adds to the floor is its own.
"""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import neo4j
import orjson
from neo4j import AsyncDriver, Query

from bench.support import DATABASE, Statement, uvicorn_process
from kesher.graph.launcher import LocalNeo4j

Scope = dict[str, Any]
Receive = Any
Send = Any

_JSON = [(b"content-type", b"application/json")]


def _encoded(value: Any) -> Any:
    """What orjson cannot write itself: Neo4j's temporal values, as ISO 8601 text."""
    if isinstance(value, neo4j.time.DateTime | neo4j.time.Date | neo4j.time.Time):
        return value.iso_format()
    raise TypeError(f"cannot encode {type(value).__name__}")


class Floor:
    def __init__(self) -> None:
        with Path(os.environ["FLOOR_STATEMENTS"]).open("rb") as kept:
            # Written by floor_server for this run.
            self.statements: list[Statement] = pickle.load(kept)
        self.driver: AsyncDriver | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["path"] == "/readyz":
            await _answer(send, 200, b"{}")
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        index = orjson.loads(body)["i"]
        text, params = self.statements[index % len(self.statements)]
        assert self.driver is not None
        async with self.driver.session(
            database=DATABASE, default_access_mode=neo4j.READ_ACCESS
        ) as session:
            records = await (await session.run(Query(text), params)).fetch(2**31 - 1)
        rows = [dict(zip(record.keys(), record.values(), strict=True)) for record in records]
        await _answer(send, 200, orjson.dumps({"data": rows}, default=_encoded))

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.driver = neo4j.AsyncGraphDatabase.driver(
                    os.environ["NEO4J_URI"],
                    auth=(os.environ["NEO4J_USER"], os.environ["NEO4J_PASSWORD"]),
                    notifications_min_severity="OFF",
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.driver is not None:
                    await self.driver.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _answer(send: Send, status: int, body: bytes) -> None:
    await send({"type": "http.response.start", "status": status, "headers": _JSON})
    await send({"type": "http.response.body", "body": body})


def create_app() -> Floor:
    return Floor()


@contextmanager
def floor_server(neo: LocalNeo4j, statements: Sequence[Statement], workers: int) -> Iterator[str]:
    """The floor under uvicorn with `workers` workers, answering these statements: its URL
    to post `{"i": n}` to."""
    with tempfile.TemporaryDirectory() as folder:
        kept = Path(folder) / "statements.pickle"
        kept.write_bytes(pickle.dumps(list(statements)))
        env = {
            "FLOOR_STATEMENTS": str(kept),
            "NEO4J_URI": neo.bolt_uri,
            "NEO4J_USER": neo.user,
            "NEO4J_PASSWORD": neo.password,
        }
        with uvicorn_process("bench.floor_app:create_app", env, workers) as (url, _):
            yield url + "/"
