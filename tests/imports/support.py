"""GraphQL documents and helpers shared by the import and export tests."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx

from tests.conftest import Person, gql

JOB_FIELDS = """
  id state rowsRead rowsWritten created updated rejected written problem
  rejects { line column reason code }
"""

IMPORT = (
    """
mutation Import($kind: ImportKind!, $mode: ImportMode!, $text: String) {
  importCsv(kind: $kind, mode: $mode, text: $text) {
    __typename
    ... on ImportSuccess { job { """
    + JOB_FIELDS
    + """ } }
    ... on MutationError { code field message }
  }
}
"""
)

JOB = "query Job($id: ID!) { importJob(id: $id) { " + JOB_FIELDS + " } }"


async def finished(
    client: httpx.AsyncClient, person: Person, job: dict[str, Any]
) -> dict[str, Any]:
    """The job once it is no longer running (an import answers RUNNING when it takes longer
    than the service waits for it), polled as a client would."""
    for _ in range(600):
        if job.get("state") != "RUNNING":
            return job
        await asyncio.sleep(0.1)
        answer = await gql(client, JOB, {"id": job["id"]}, person)
        job = answer["data"]["importJob"]
    raise AssertionError(f"the import job {job['id']} did not finish in a minute")


async def import_text(
    client: httpx.AsyncClient, person: Person, kind: str, mode: str, text: str
) -> dict[str, Any]:
    """Imports `text`, and answers the job (or the refusal)."""
    answer = await gql(client, IMPORT, {"kind": kind, "mode": mode, "text": text}, person)
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["importCsv"]
    return await finished(client, person, payload.get("job", payload))


async def import_file(
    client: httpx.AsyncClient,
    person: Person,
    kind: str,
    mode: str,
    content: bytes,
    name: str = "rows.csv",
) -> dict[str, Any]:
    """Imports `content` as an uploaded file (a GraphQL multipart request)."""
    document = IMPORT.replace("$text: String", "$file: Upload").replace(
        "text: $text", "file: $file"
    )
    operations = {"query": document, "variables": {"kind": kind, "mode": mode, "file": None}}
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (name, content, "text/csv")},
        headers=person.headers,
    )
    assert response.status_code == 200, response.text
    answer = response.json()
    assert "errors" not in answer, answer
    payload: dict[str, Any] = answer["data"]["importCsv"]
    return await finished(client, person, payload.get("job", payload))


def count(driver: Any, label: str) -> int:
    records, _, _ = driver.execute_query(
        f"MATCH (n:{label}) RETURN count(n) AS n", database_="neo4j"
    )
    return int(records[0]["n"])
