"""What a record's card shows of its relationships, as parts the statement builder
renders (`kesher.graph.parts`): the relationships in catalog order, whether the record is
linked to customers, and the customers it is linked to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import LiteralString

from kesher.graph.parties import party, seen_from
from kesher.graph.shapes import Page, SortKey
from kesher.graph.statement import Statement, sort_term


@dataclass(frozen=True)
class RelationshipList:
    """A record's relationships as its card lists them: in catalog order, then by the
    other party's name. The answer goes under `key` (the response alias)."""

    key: str
    page: Page
    type_keys: frozenset[str] | None = None
    in_effect_on: date | None = None

    def render(
        self, statement: Statement, n: LiteralString
    ) -> tuple[list[LiteralString], LiteralString]:
        value, subquery = self._relationships(statement, n)
        return ([subquery] if subquery else []), f"`{self.key}`: {value}"

    def _relationships(
        self, statement: Statement, n: LiteralString
    ) -> tuple[LiteralString, LiteralString]:
        """The value of the list, and the subquery that makes it."""
        types = statement.relationship_types(self.type_keys)
        if not types:
            return "{rows: []" + (", total: 0}" if self.page.total else "}"), ""
        r, o, t = statement.variable(), statement.variable(), statement.variable()
        value = statement.variable()
        page = self.page
        conditions: list[LiteralString] = []
        if self.in_effect_on is not None:
            conditions.append(_in_effect(statement, r, self.in_effect_on))
        extra: LiteralString = ""
        if page.total:
            extra = f", total: COUNT {{ ({n})-[{r}:{types}]-() {_where(conditions)} }}"
        keys = (SortKey(f"{t}.sortOrder"), SortKey(f"{o}.name"), SortKey(f"{r}.id"))
        source: LiteralString = (
            f"MATCH ({n})-[{r}:{types}]-({o})\nMATCH ({t}:RelationshipType {{key: type({r})}})"
        )
        if page.behind and page.cursor is not None:
            extra += ", behind: " + statement.behind(r, page, source, conditions, keys)
        if page.cursor is not None:
            conditions.append(statement.keyset(n, keys, page.cursor, page.backward))
        cursor = ", ".join(key.expression for key in keys)
        order = ", ".join(sort_term(n, key, page.backward) for key in keys)
        row = seen_from(n, r, o, t, extra=f"_cursor: [{cursor}]")
        lines: list[LiteralString] = [
            f"CALL ({n}) {{",
            source,
            _where(conditions),
            f"WITH {n}, {r}, {o}, {t} ORDER BY {order} LIMIT {statement.param(page.size + 1)}",
            f"RETURN collect({row}) AS {value}",
            "}",
        ]
        return f"{{rows: {value}{extra}}}", "\n".join(line for line in lines if line)


@dataclass(frozen=True)
class LinkedToCustomers:
    """Whether the record has a link not yet ended to a live customer."""

    def render(
        self, statement: Statement, n: LiteralString
    ) -> tuple[list[LiteralString], LiteralString]:
        return [], f"is_linked_to_customers: {linked_to_customers(statement, n)}"


@dataclass(frozen=True)
class LinkedCustomers:
    """The first live customers the record has a link not yet ended to, by name."""

    first: int

    def render(
        self, statement: Statement, n: LiteralString
    ) -> tuple[list[LiteralString], LiteralString]:
        return [], f"linked_customers: {self._customers(statement, n)}"

    def _customers(self, statement: Statement, n: LiteralString) -> LiteralString:
        types = statement.relationship_types()
        if not types:
            return "[]"
        r, c = statement.variable(), statement.variable()
        return (
            f"COLLECT {{ MATCH ({n})-[{r}:{types}]-({c}:Customer) "
            f"WHERE {c}.archivedAt IS NULL AND {_not_ended(statement, r)} "
            f"WITH DISTINCT {c} ORDER BY {c}.name, {c}.id LIMIT {statement.param(self.first)} "
            f"RETURN {party(c)} }}"
        )


def linked_to_customers(
    statement: Statement, n: LiteralString, ids: list[str] | None = None
) -> LiteralString:
    """A predicate: `n` has a link not yet ended to a live customer (one of `ids`)."""
    types = statement.relationship_types()
    if not types:
        return "false"
    r, c = statement.variable(), statement.variable()
    among = f" AND {c}.id IN {statement.param(ids)}" if ids is not None else ""
    return (
        f"EXISTS {{ ({n})-[{r}:{types}]-({c}:Customer) WHERE {c}.archivedAt IS NULL"
        f"{among} AND {_not_ended(statement, r)} }}"
    )


def _not_ended(statement: Statement, r: LiteralString) -> LiteralString:
    """A predicate: relationship `r` has not ended before the statement's day."""
    return f"({r}.endsOn IS NULL OR {r}.endsOn >= {statement.param(statement.today)})"


def _in_effect(statement: Statement, r: LiteralString, day: date) -> LiteralString:
    d = statement.param(day)
    return (
        f"({r}.startsOn IS NULL OR {r}.startsOn <= {d}) AND "
        f"({r}.endsOn IS NULL OR {r}.endsOn >= {d})"
    )


def _where(conditions: list[LiteralString]) -> LiteralString:
    return "WHERE " + " AND ".join(conditions) if conditions else ""
