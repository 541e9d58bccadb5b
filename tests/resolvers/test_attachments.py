"""Attaching files to records and downloading them, through the real app."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from neo4j import Driver

from kesher.app import create_app
from kesher.settings import Settings
from tests.conftest import Person, gql
from tests.resolvers.relationships_support import customer, snapshot
from tests.resolvers.test_activities import CLOSE, create, meeting, world

pytestmark = pytest.mark.anyio

LIMIT = 1000

UPLOAD = """
mutation Upload($recordId: ID!, $file: Upload!) {
  uploadAttachment(recordId: $recordId, file: $file) {
    __typename
    ... on AttachmentSuccess {
      attachment { id name contentType size sha256 createdAt url uploadedBy { id } }
    }
    ... on MutationError { code field message }
  }
}
"""

CUSTOMER_CARD = """
query Card($id: ID!) {
  customer(id: $id) { attachments(first: 10) { edges { node { id name } } } }
}
"""

ACTIVITY_CARD = """
query Card($id: ID!) {
  activity(id: $id) { hasAttachments attachments { edges { node { id contentType } } } }
}
"""

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HEBREW_NAME = "הצעת מחיר 2026.pdf"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "attachments"


@pytest.fixture
async def client(
    settings: Settings, clean_db: Driver, folder: Path
) -> AsyncIterator[httpx.AsyncClient]:
    """The app keeping attachments in a temporary folder, with a limit of 1,000 bytes."""
    changed = settings.model_copy(update={"attachments_dir": folder, "max_attachment_bytes": LIMIT})
    app = create_app(changed)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kesher.test") as http:
            yield http


async def upload(
    client: httpx.AsyncClient,
    person: Person,
    record_id: str,
    content: bytes,
    name: str = HEBREW_NAME,
    claimed: str = "text/plain",
) -> dict[str, Any]:
    """Sends a GraphQL multipart request (operations, map, then the file part)."""
    operations = {"query": UPLOAD, "variables": {"recordId": record_id, "file": None}}
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (name, content, claimed)},
        headers=person.headers,
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["uploadAttachment"]
    return payload


def stored_files(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()) if folder.exists() else []


async def test_an_upload_is_attached_to_its_record_and_kept_by_its_hash(
    client: httpx.AsyncClient, member: Person, clean_db: Driver, folder: Path
) -> None:
    # given
    acme = await customer(client, member, "Acme")
    sha256 = hashlib.sha256(PDF).hexdigest()

    # when
    payload = await upload(client, member, acme, PDF, claimed="image/png")
    card = await gql(client, CUSTOMER_CARD, {"id": acme}, member)

    # then
    attachment = payload["attachment"]
    assert payload["__typename"] == "AttachmentSuccess"
    assert attachment["id"].startswith("att_")
    assert attachment["name"] == HEBREW_NAME
    assert attachment["contentType"] == "application/pdf"
    assert (attachment["size"], attachment["sha256"]) == (len(PDF), sha256)
    assert attachment["url"] == f"/attachments/{attachment['id']}"
    assert attachment["uploadedBy"] == {"id": member.id}
    assert stored_files(folder) == [folder / sha256[:2] / sha256]
    assert (folder / sha256[:2] / sha256).read_bytes() == PDF
    rows, _, _ = clean_db.execute_query(
        "MATCH (u:User)<-[:UPLOADED_BY]-(a:Attachment)-[:ATTACHED_TO]->(c:Customer) "
        "RETURN a.id AS id, c.id AS customer, u.id AS user, a.sha256 AS sha256",
        database_="neo4j",
    )
    assert [dict(row) for row in rows] == [
        {"id": attachment["id"], "customer": acme, "user": member.id, "sha256": sha256}
    ]
    edges = card["data"]["customer"]["attachments"]["edges"]
    assert edges == [{"node": {"id": attachment["id"], "name": HEBREW_NAME}}]


async def test_a_download_returns_the_exact_bytes_to_any_signed_in_user(
    client: httpx.AsyncClient, member: Person, admin: Person
) -> None:
    # given
    acme = await customer(client, member, "Acme")
    attachment = (await upload(client, member, acme, PDF))["attachment"]

    # when
    downloaded = await client.get(attachment["url"], headers=admin.headers)
    anonymous = await client.get(attachment["url"])
    forged = await client.get(attachment["url"], headers={"Authorization": "Bearer forged"})
    unknown = await client.get("/attachments/att_000000000000000000000000", headers=admin.headers)

    # then
    assert downloaded.status_code == 200
    assert downloaded.content == PDF
    assert downloaded.headers["content-type"] == "application/pdf"
    assert downloaded.headers["content-disposition"].endswith(
        "filename*=UTF-8''" + quote(HEBREW_NAME, safe="")
    )
    assert downloaded.headers["x-content-type-options"] == "nosniff"
    assert (anonymous.status_code, forged.status_code) == (401, 401)
    assert unknown.status_code == 404


async def test_the_same_content_twice_is_stored_once(
    client: httpx.AsyncClient, member: Person, folder: Path
) -> None:
    # given
    acme = await customer(client, member, "Acme")
    beta = await customer(client, member, "Beta")

    # when
    first = await upload(client, member, acme, PDF, name="a.pdf")
    second = await upload(client, member, beta, PDF, name="b.pdf")

    # then
    assert first["attachment"]["id"] != second["attachment"]["id"]
    assert first["attachment"]["sha256"] == second["attachment"]["sha256"]
    assert len(stored_files(folder)) == 1


async def test_a_file_over_the_limit_or_empty_is_refused_leaving_nothing(
    client: httpx.AsyncClient, member: Person, clean_db: Driver, folder: Path
) -> None:
    # given
    acme = await customer(client, member, "Acme")
    before = snapshot(clean_db)

    # when
    too_large = await upload(client, member, acme, PDF + b"\0" * LIMIT)
    empty = await upload(client, member, acme, b"")
    at_the_limit = await upload(client, member, acme, PDF + b"\0" * (LIMIT - len(PDF)))

    # then
    assert (too_large["code"], too_large["field"]) == ("INVALID_INPUT", "file")
    assert (empty["code"], empty["field"]) == ("INVALID_INPUT", "file")
    assert at_the_limit["attachment"]["size"] == LIMIT
    assert len(stored_files(folder)) == 1
    assert snapshot(clean_db) != before
    clean_db.execute_query("MATCH (a:Attachment) DETACH DELETE a", database_="neo4j")
    assert snapshot(clean_db) == before


async def test_a_closed_activity_refuses_attachments_and_an_open_one_shows_them(
    client: httpx.AsyncClient, admin: Person, member: Person, clean_db: Driver, folder: Path
) -> None:
    # given
    w = await world(client, admin, member)
    closed = (await create(client, member, meeting(w, member)))["activity"]["id"]
    open_one = (await create(client, member, meeting(w, member)))["activity"]["id"]
    await gql(client, CLOSE, {"id": closed}, member)
    before = snapshot(clean_db)
    card_before = await gql(client, ACTIVITY_CARD, {"id": open_one}, member)

    # when
    refused = await upload(client, member, closed, PDF)
    left = snapshot(clean_db), stored_files(folder)
    attached = await upload(client, member, open_one, PDF)
    card = await gql(client, ACTIVITY_CARD, {"id": open_one}, member)

    # then
    assert (refused["code"], refused["field"]) == ("CLOSED", "recordId")
    assert left == (before, [])
    assert card_before["data"]["activity"]["hasAttachments"] is False
    assert card["data"]["activity"] == {
        "hasAttachments": True,
        "attachments": {
            "edges": [
                {"node": {"id": attached["attachment"]["id"], "contentType": "application/pdf"}}
            ]
        },
    }


async def test_an_unknown_or_archived_record_is_refused_and_only_new_content_is_removed(
    client: httpx.AsyncClient, member: Person, clean_db: Driver, folder: Path
) -> None:
    # given
    acme = await customer(client, member, "Acme")
    gone = await customer(client, member, "Gone")
    clean_db.execute_query(
        "MATCH (c:Customer {id: $id}) SET c.archivedAt = datetime()", id=gone, database_="neo4j"
    )
    kept = await upload(client, member, acme, PDF)
    before = snapshot(clean_db)

    # when
    known_content = await upload(client, member, "cus_unknown", PDF)
    new_content = await upload(client, member, "act_unknown", b"other bytes")
    archived = await upload(client, member, gone, b"more bytes")

    # then
    assert (known_content["code"], known_content["field"]) == ("NOT_FOUND", "recordId")
    assert (new_content["code"], new_content["field"]) == ("NOT_FOUND", "recordId")
    assert (archived["code"], archived["field"]) == ("ARCHIVED", "recordId")
    assert snapshot(clean_db) == before
    sha256 = kept["attachment"]["sha256"]
    assert stored_files(folder) == [folder / sha256[:2] / sha256]


NOTE_WITH_FILES = """
mutation AddNote($recordId: ID!, $text: String!, $attachmentIds: [ID!]) {
  addNote(recordId: $recordId, text: $text, attachmentIds: $attachmentIds) {
    __typename
    ... on NoteSuccess { note { id attachments { edges { node { id name } } } } }
    ... on MutationError { code field message }
  }
}
"""

STREAM_AND_FILES = """
query Card($id: ID!) {
  customer(id: $id) {
    attachments { edges { node { id } } }
    stream { edges { node { kind note { attachments { edges { node { id } } } } } } }
  }
}
"""


async def test_files_uploaded_to_a_record_can_be_put_on_a_note(
    client: httpx.AsyncClient, member: Person
) -> None:
    # given
    acme = await customer(client, member, "Acme")
    offer = (await upload(client, member, acme, PDF, name="offer.pdf"))["attachment"]["id"]
    other = (await upload(client, member, acme, b"terms", name="terms.txt"))["attachment"]["id"]

    # when
    answer = await gql(
        client,
        NOTE_WITH_FILES,
        {"recordId": acme, "text": "The offer, as sent", "attachmentIds": [offer, offer]},
        member,
    )
    card = await gql(client, STREAM_AND_FILES, {"id": acme}, member)

    # then
    note = answer["data"]["addNote"]["note"]
    assert [edge["node"]["name"] for edge in note["attachments"]["edges"]] == ["offer.pdf"]
    shown = card["data"]["customer"]
    assert [edge["node"]["id"] for edge in shown["attachments"]["edges"]] == [other]
    entries = [edge["node"] for edge in shown["stream"]["edges"]]
    assert [entry["kind"] for entry in entries] == ["NOTE", "ATTACHMENT"]
    assert entries[0]["note"]["attachments"]["edges"] == [{"node": {"id": offer}}]


async def test_a_file_not_on_the_record_itself_is_refused_changing_nothing(
    client: httpx.AsyncClient, member: Person, clean_db: Driver
) -> None:
    # given
    acme = await customer(client, member, "Acme")
    beta = await customer(client, member, "Beta")
    on_beta = (await upload(client, member, beta, PDF))["attachment"]["id"]
    on_acme = (await upload(client, member, acme, b"terms"))["attachment"]["id"]
    first = await gql(
        client,
        NOTE_WITH_FILES,
        {"recordId": acme, "text": "Terms", "attachmentIds": [on_acme]},
        member,
    )
    assert first["data"]["addNote"]["__typename"] == "NoteSuccess", first
    before = snapshot(clean_db)

    # when
    refused = [
        (
            await gql(
                client,
                NOTE_WITH_FILES,
                {"recordId": acme, "text": "x", "attachmentIds": ids},
                member,
            )
        )["data"]["addNote"]
        for ids in (["att_unknown"], [on_beta], [on_acme], [f"f{i}" for i in range(21)])
    ]

    # then
    assert [(r["code"], r["field"]) for r in refused] == [
        ("NOT_FOUND", "attachmentIds"),
        ("CONFLICT", "attachmentIds"),
        ("CONFLICT", "attachmentIds"),
        ("INVALID_INPUT", "attachmentIds"),
    ]
    assert snapshot(clean_db) == before
