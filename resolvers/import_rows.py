"""What the rows of a CSV import come to: a row that passed its own checks, a refused row
with its line, column and reason, and the report of the whole file."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from neo4j import AsyncManagedTransaction
from pydantic import BaseModel

from kesher.codes import Code
from kesher.resolvers import inputs
from kesher.resolvers.errors import Refusal

# Called with the number of rows written so far, after each chunk.
Progress = Callable[[int], Awaitable[None]]


@dataclass(frozen=True)
class Reject:
    """A refused row: its first line in the file, the column at fault (when one is), why,
    and the code a single mutation would have refused it with."""

    line: int
    column: str | None
    reason: str
    code: Code = Code.INVALID_INPUT


@dataclass
class Report:
    rows_read: int
    created: int = 0
    updated: int = 0
    rejects: list[Reject] = field(default_factory=list)
    written: bool = False


class RowKeys(inputs.Input):
    """The columns a record row has beside its kind's input."""

    id: inputs.Id | None = None
    external_key: inputs.Id | None = None
    customer_key: inputs.Id | None = None


@dataclass(frozen=True)
class Checked:
    """A row that passed the checks that need no database."""

    line: int
    model: BaseModel
    keys: RowKeys | None = None
    # The input's fields (snake case) whose columns the header names: what an update sets.
    columns: frozenset[str] = frozenset()


def rejected(line: int, refusal: Refusal) -> Reject:
    return Reject(line, refusal.field, refusal.message, refusal.code)


class Plan(Protocol):
    """The writes an import's checked rows come to, made in the caller's transaction."""

    async def write(
        self, tx: AsyncManagedTransaction, actor: str, progress: Progress | None
    ) -> None: ...
