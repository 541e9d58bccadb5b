"""Import jobs: an `(:ImportJob)-[:BY]->(:User)` node saying how far an import has come, so
that any replica of the API can answer a poll for it. Its rejected rows are kept as one
JSON text, at most as many as the settings allow."""

from __future__ import annotations

from typing import Any

from neo4j import AsyncManagedTransaction

from kesher.graph.driver import Graph, Row, tx_rows

_FIELDS = (
    "j {.id, .kind, .mode, .state, .rowsRead, .rowsWritten, .created, .updated, .rejected, "
    ".rejectsJson, .written, .problem, started_at: j.startedAt, finished_at: j.finishedAt, "
    "by: u.id}"
)


async def start(graph: Graph, job_id: str, actor_id: str, values: dict[str, Any]) -> None:
    async def work(tx: AsyncManagedTransaction) -> None:
        await tx_rows(
            tx,
            "MATCH (u:User {id: $actor}) "
            "CREATE (j:ImportJob {id: $id, state: 'RUNNING', rowsWritten: 0, "
            "startedAt: datetime()})-[:BY]->(u) SET j += $values",
            {"id": job_id, "actor": actor_id, "values": values},
        )

    await graph.write(work)


async def note(graph: Graph, job_id: str, values: dict[str, Any], finished: bool = False) -> None:
    """Records how far the job has come, or (`finished`) how it ended."""

    async def work(tx: AsyncManagedTransaction) -> None:
        await tx_rows(
            tx,
            "MATCH (j:ImportJob {id: $id}) SET j += $values "
            "SET j.finishedAt = CASE WHEN $finished THEN datetime() END",
            {"id": job_id, "values": values, "finished": finished},
        )

    await graph.write(work)


async def job(graph: Graph, job_id: str, viewer_id: str, admin: bool) -> Row | None:
    """The job, to the user who started it or an ADMIN; None to anyone else."""
    rows = await graph.rows(
        "MATCH (j:ImportJob {id: $id})-[:BY]->(u:User) "
        f"WHERE u.id = $viewer OR $admin RETURN {_FIELDS} AS job",
        {"id": job_id, "viewer": viewer_id, "admin": admin},
    )
    return rows[0]["job"] if rows else None
