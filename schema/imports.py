"""CSV import of customers, contacts, projects and relationships, as jobs to poll."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Annotated

import strawberry
from strawberry.file_uploads import Upload

from kesher.resolvers import import_jobs
from kesher.resolvers.errors import Refusal
from kesher.schema.common import ErrorCode, Info, Row, error_of
from kesher.schema.payloads import Payload, payload_union
from kesher.schema.permissions import IsAuthenticated, IsManager

COLUMNS = (
    "Columns are the API's field names; the first line names them. CUSTOMERS: id, "
    "externalKey, name, status, email, phone, website, city, ownerId. CONTACTS: id, "
    "externalKey, customerId or customerKey, firstName, lastName, email, phone, title. "
    "PROJECTS: id, externalKey, customerId or customerKey, name, status, description. "
    "RELATIONSHIPS: typeKey, fromId or fromKey (the type's first kind, e.g. the father), "
    "toId or toKey (a key is looked up among records of the kind the type joins there), "
    "startsOn, endsOn, note. A record row updates the record its `id` or `externalKey` "
    "names, else creates one (keeping its `externalKey`, unique per kind). The createdAt and "
    "updatedAt columns of an export are left alone, and a cell an export wrote after a "
    "single quote (so a spreadsheet would not run it as a formula) is read without it: an "
    "exported file imports back."
)


@strawberry.enum(description="What a CSV file holds, one kind per file.")
class ImportKind(Enum):
    CUSTOMERS = "CUSTOMERS"
    CONTACTS = "CONTACTS"
    PROJECTS = "PROJECTS"
    RELATIONSHIPS = "RELATIONSHIPS"


@strawberry.enum(description="What an import writes.")
class ImportMode(Enum):
    DRY_RUN = strawberry.enum_value(
        "DRY_RUN", description="Checks every row and reports the refused ones; writes nothing."
    )
    ALL_OR_NOTHING = strawberry.enum_value(
        "ALL_OR_NOTHING",
        description="Writes every row in one transaction, or nothing when any row is refused.",
    )
    PER_ROW = strawberry.enum_value(
        "PER_ROW",
        description="Writes the accepted rows in one transaction and reports the refused ones.",
    )


@strawberry.enum(description="Where an import job stands.")
class ImportState(Enum):
    RUNNING = strawberry.enum_value("RUNNING", description="Checking or writing rows.")
    DONE = strawberry.enum_value("DONE", description="Finished; see `written` and `rejects`.")
    FAILED = strawberry.enum_value(
        "FAILED", description="Stopped by an error (see `problem`); nothing was written."
    )


@strawberry.type(description="A row the import refused, and why.")
class RejectedRow:
    line: int = strawberry.field(
        description="The row's first line in the file (the header is line 1)."
    )
    column: str | None = strawberry.field(description="The column at fault, when one is.")
    reason: str = strawberry.field(
        description="Why, as the single-record mutation would say it, starting with the column."
    )
    code: ErrorCode = strawberry.field(description="The code the mutation would refuse it with.")


@strawberry.type(description="A CSV import: how far it has come and, once done, its report.")
class ImportJob:
    id: strawberry.ID = strawberry.field(description="Opaque identifier; poll `importJob(id)`.")
    kind: ImportKind = strawberry.field(description="What the file holds.")
    mode: ImportMode = strawberry.field(description="What the import writes.")
    state: ImportState = strawberry.field(description="Running, done or failed.")
    rows_read: int = strawberry.field(description="Rows in the file (blank lines not counted).")
    rows_written: int = strawberry.field(
        description="Rows written so far, in the import's one transaction (seen by others "
        "only once it commits, when the job is DONE)."
    )
    created: int | None = strawberry.field(
        description="Records or links the import creates (a dry run: would create)."
    )
    updated: int | None = strawberry.field(
        description="Records it updates, named by id or external key (a dry run: would update)."
    )
    rejected: int | None = strawberry.field(description="How many rows were refused.")
    written: bool | None = strawberry.field(
        description="Whether the import wrote anything: false for a dry run and for an "
        "all-or-nothing import with a refused row."
    )
    problem: str | None = strawberry.field(description="Why a FAILED job stopped.")
    started_at: datetime = strawberry.field(description="When the import started.")
    finished_at: datetime | None = strawberry.field(description="When it ended.")

    rejects: list[RejectedRow] = strawberry.field(
        description="The refused rows in line order (at most the service's cap, 10,000 by "
        "default; `rejected` counts them all)."
    )


def _job(row: Row) -> ImportJob:
    return ImportJob(
        id=strawberry.ID(row["id"]),
        kind=ImportKind[row["kind"]],
        mode=ImportMode[row["mode"]],
        state=ImportState[row["state"]],
        rows_read=row["rowsRead"],
        rows_written=row["rowsWritten"],
        created=row.get("created"),
        updated=row.get("updated"),
        rejected=row.get("rejected"),
        written=row.get("written"),
        problem=row.get("problem"),
        started_at=row["started_at"],
        finished_at=row.get("finished_at"),
        rejects=[
            RejectedRow(
                line=item["line"],
                column=item["column"],
                reason=item["reason"],
                code=ErrorCode(item["code"]),
            )
            for item in import_jobs.rejects_of(row)
        ],
    )


@payload_union("The import job, or why none started.")
@strawberry.type(description="The import job, finished or still running.")
class ImportSuccess:
    job: ImportJob = strawberry.field(description="The job; poll `importJob` while RUNNING.")


ImportPayload = Payload[ImportSuccess]


@strawberry.type(description="CSV imports.")
class ImportMutations:
    @strawberry.mutation(
        description="Imports a CSV file (UTF-8, comma, semicolon or tab separated) of one kind "
        "of row, given as an upload (a GraphQL multipart request) or as text. The header and "
        "encoding are checked first: a file that cannot be read is refused with nothing "
        "started. Then every row is checked by the rules of the single-record mutations and "
        "the import runs as `mode` says, in one transaction; the answer is the job, DONE "
        "when it finished within a few seconds, else RUNNING. " + COLUMNS + " MANAGER or ADMIN.",
        permission_classes=[IsManager],
    )
    async def import_csv(
        self,
        info: Info,
        kind: ImportKind,
        mode: ImportMode,
        file: Upload | None = None,
        text: Annotated[
            str | None, strawberry.argument(description="The file's text, instead of a file.")
        ] = None,
    ) -> ImportPayload:
        outcome = await import_jobs.import_csv(
            info.context,
            kind.value,
            mode.name,
            file,  # type: ignore[arg-type]  # Starlette's UploadFile, whatever Upload says
            text,
        )
        if isinstance(outcome, Refusal):
            return error_of(outcome)
        return ImportSuccess(job=_job(outcome))


@strawberry.type(description="CSV import jobs.")
class ImportQueries:
    @strawberry.field(
        description="An import job, to the user who started it or an ADMIN; null otherwise.",
        permission_classes=[IsAuthenticated],
    )
    async def import_job(self, info: Info, id: strawberry.ID) -> ImportJob | None:
        row = await import_jobs.job(info.context, str(id))
        return None if row is None else _job(row)
