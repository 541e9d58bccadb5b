"""Orphan uploads: files in the attachment store no attachment refers to (a temporary file of
an upload whose process was killed, content placed by an upload that never committed) are
removed once older than the setting, at startup; attached and recent files stay."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from neo4j import AsyncDriver, Driver

from kesher.app import create_app
from kesher.graph.driver import Graph
from kesher.resolvers.attachments import content_path
from kesher.resolvers.orphan_uploads import remove_orphans
from kesher.settings import Settings
from tests.conftest import Person, gql
from tests.resolvers.test_attachments import PDF, upload

pytestmark = pytest.mark.anyio

CREATE_CUSTOMER = """
mutation($name: String!) {
  createCustomer(input: {name: $name}) { ... on CustomerSuccess { customer { id } } }
}
"""

HOUR = 3600.0
TWENTY_MB = 20 * 1024 * 1024


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def _orphan(folder: Path, content: bytes, age: float) -> Path:
    """Content placed in the store as an upload does, with no attachment for it."""
    path = content_path(folder, hashlib.sha256(content).hexdigest())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    _age(path, age)
    return path


def _interrupted_upload(folder: Path, age: float) -> Path:
    """The temporary file of an upload whose process was killed mid-way."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".upload-k1ll3d"
    with path.open("wb") as sink:
        sink.truncate(TWENTY_MB)
    _age(path, age)
    return path


async def test_old_orphans_are_removed_and_attached_or_recent_files_stay(
    client: httpx.AsyncClient,
    member: Person,
    settings: Settings,
    clean_db: Driver,
    driver: AsyncDriver,
) -> None:
    # given
    folder = settings.attachments_dir
    created = await gql(client, CREATE_CUSTOMER, {"name": "Acme"}, member)
    acme = created["data"]["createCustomer"]["customer"]["id"]
    attached = await upload(client, member, acme, PDF, name="offer.pdf")
    attachment = attached["attachment"]
    kept = content_path(folder, attachment["sha256"])
    _age(kept, 2 * HOUR)
    old_orphan = _orphan(folder, b"placed, then the process was killed", 2 * HOUR)
    new_orphan = _orphan(folder, b"placed a moment ago, committing now", 60)
    interrupted = _interrupted_upload(folder, 2 * HOUR)
    graph = Graph(driver, "neo4j", 10.0)

    # when
    removed = await remove_orphans(graph, folder, older_than=HOUR)

    # then
    assert removed == 2
    assert not old_orphan.exists()
    assert not interrupted.exists()
    assert new_orphan.exists()
    download = await client.get(attachment["url"], headers=member.headers)
    assert download.status_code == 200
    assert download.content == PDF


async def test_uploading_content_already_kept_renews_it_so_a_sweep_leaves_it(
    client: httpx.AsyncClient,
    member: Person,
    settings: Settings,
    clean_db: Driver,
    driver: AsyncDriver,
) -> None:
    # given: the same bytes as an old orphan arrive again
    folder = settings.attachments_dir
    created = await gql(client, CREATE_CUSTOMER, {"name": "Acme"}, member)
    acme = created["data"]["createCustomer"]["customer"]["id"]
    orphan = _orphan(folder, PDF, 2 * HOUR)
    await upload(client, member, acme, PDF, name="again.pdf")
    clean_db.execute_query("MATCH (a:Attachment) DETACH DELETE a", database_="neo4j")
    graph = Graph(driver, "neo4j", 10.0)

    # when
    removed = await remove_orphans(graph, folder, older_than=HOUR)

    # then: renewed by the upload, it is too young to be taken
    assert removed == 0
    assert orphan.exists()


@pytest.fixture
def stale_store(settings: Settings) -> tuple[Path, Path]:
    folder = settings.attachments_dir
    return _orphan(folder, b"left by a killed process", 2 * HOUR), _interrupted_upload(
        folder, 2 * HOUR
    )


@pytest.fixture
async def started(
    settings: Settings, clean_db: Driver, stale_store: tuple[Path, Path]
) -> AsyncIterator[None]:
    app = create_app(settings.model_copy(update={"orphan_upload_age_seconds": HOUR}))
    async with app.router.lifespan_context(app):
        yield


@pytest.mark.usefixtures("started")
async def test_the_api_removes_old_orphans_when_it_starts(stale_store: tuple[Path, Path]) -> None:
    # when
    for _ in range(300):  # 30 s at most
        left = await asyncio.to_thread(lambda: [path for path in stale_store if path.exists()])
        if not left:
            break
        await asyncio.sleep(0.1)

    # then
    assert [path for path in stale_store if path.exists()] == []
