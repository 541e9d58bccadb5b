"""Turns the shape of an answer into one Cypher statement.

A `Shape` says which properties of a node to return, which relations to follow (each
with its own shape and page) and which degree counts to add. The builder renders every
followed relation as a `CALL (n) { … }` subquery with its `LIMIT` inside, so a whole
record card or list page is one statement and a field nobody asked for costs nothing.
Values only ever travel as parameters.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, LiteralString

from kesher.graph.catalog import CATALOG_KEYS, cypher_types
from kesher.graph.labels import Label
from kesher.graph.parts import visibility_rule
from kesher.graph.shapes import Link, Page, Search, Shape, SortKey
from kesher.graph.visibility import (
    Audience,
    changes_activity,
    sees_activity,
    sees_calendar,
    sees_chain,
    sees_item,
)


@dataclass
class Statement:
    """Collects parameters and fresh variable names while a statement is built."""

    audience: Audience | None = field(kw_only=True)
    """Who the statement answers; every activity it reaches is one they may see. None only
    for the system's own reads (reminders, seeds), which see everything."""
    params: dict[str, Any] = field(default_factory=dict)
    keys: frozenset[str] = frozenset()
    """The relationship-type keys of the catalog, spliced into relationship patterns."""
    today: date = field(default_factory=lambda: datetime.now(UTC).date())
    uses_catalog: bool = False
    _variables: int = 0
    _viewer: LiteralString | None = None

    def param(self, value: Any) -> LiteralString:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return "$" + name

    def variable(self) -> LiteralString:
        self._variables += 1
        return f"n{self._variables}"

    def visible(self, a: LiteralString) -> LiteralString:
        """A predicate: the audience may see activity `a` (see `kesher.graph.visibility`)."""
        if self.audience is None or self.audience.admin:
            return "true"
        return sees_activity(a, self._viewer_param(), self.variable())

    def sees_calendar(self, u: LiteralString) -> LiteralString:
        """A predicate: the audience may see the calendar of user `u`."""
        if self.audience is None or self.audience.admin:
            return "true"
        return sees_calendar(u, self._viewer_param())

    def changeable(self, a: LiteralString) -> LiteralString:
        """A predicate: the audience may change activity `a`."""
        if self.audience is None or self.audience.admin:
            return "true"
        return changes_activity(a, self._viewer_param(), self.variable())

    def _viewer_param(self) -> LiteralString:
        assert self.audience is not None
        if self._viewer is None:
            self._viewer = self.param(self.audience.viewer_id)
        return self._viewer

    def visibility_conditions(self, n: LiteralString, label: Label) -> list[LiteralString]:
        """The condition that keeps out of a list of `label` what the audience may not
        see, by the rule the label's feature registered (`kesher.graph.parts`): the
        activities, and the notes, files, calls, e-mails, audit lines and chains seen only
        with them. None when the label has no rule."""
        if self.audience is None or self.audience.admin:
            return []
        rule = visibility_rule(label.name)
        return [rule(self, n)] if rule is not None else []

    def visible_item(self, n: LiteralString) -> LiteralString:
        """A predicate: the audience may see note, file, call log, e-mail or audit line
        `n` (see `kesher.graph.visibility`)."""
        if self.audience is None or self.audience.admin:
            return "true"
        return sees_item(n, self._viewer_param(), self.variable(), self.variable())

    def visible_chain(self, n: LiteralString) -> LiteralString:
        """A predicate: the audience may see chain `n`, one of whose steps they may see."""
        if self.audience is None or self.audience.admin:
            return "true"
        return sees_chain(n, self._viewer_param(), self.variable(), self.variable())

    def card(
        self, shape: Shape, record_id: str, key: LiteralString = "id", checked: bool = True
    ) -> LiteralString:
        """One record by id (or by another unique property, `key`); no row when there is
        none, or when it is an activity the audience may not see (unless not `checked`:
        its author reading back what they wrote)."""
        n = self.variable()
        subqueries, projection = self._projection(n, shape)
        label = shape.label.name
        return _lines(
            f"MATCH ({n}:{label} {{{key}: {self.param(record_id)}}})",
            _where(self.visibility_conditions(n, shape.label) if checked else []),
            *subqueries,
            f"RETURN {projection} AS row" + self.catalog(),
        )

    def page(
        self,
        shape: Shape,
        page: Page,
        conditions: list[LiteralString],
        search: Search | None = None,
        n: LiteralString | None = None,
        anchor: LiteralString | None = None,
    ) -> LiteralString:
        """A list page: one row with `rows` (page size + 1, to tell if more follow) and,
        when asked, `total` and `behind`.

        `conditions` are Cypher predicates over `n`, which the caller takes from
        `variable()` beforehand. An `anchor` is a MATCH that binds `n` from a few known
        nodes (a customer's contacts), used instead of reading the whole label.
        """
        n = n or self.variable()
        label = shape.label.name
        conditions = [*conditions, *self.visibility_conditions(n, shape.label)]
        if anchor is not None:
            source = anchor
            where = list(conditions)
        elif search is None:
            source = f"MATCH ({n}:{label})"
            where = list(conditions)
        else:
            source = (
                f"CALL db.index.fulltext.queryNodes({self.param(search.index)}, "
                f"{self.param(search.text)}) YIELD node AS {n}, score"
            )
            where = [f"{n}:{label}", *conditions]
        total: LiteralString = ""
        if page.total:
            total = _lines(
                "CALL () {",
                source,
                _where(where),
                f"RETURN count({n}) AS total",
                "}",
            )
        rows = self._rows(n, shape, page, source, where, carried=("score",) if search else ())
        returned: LiteralString = "RETURN rows" + (", total" if page.total else "")
        if page.behind and page.cursor is not None:
            returned += ", " + self.behind(n, page, source, where) + " AS behind"
        return _lines(total, rows, returned + self.catalog())

    def catalog(self) -> LiteralString:
        """`, catalogKeys` to end a RETURN with, when the statement used the catalog's keys
        (so that a caller with stale keys builds it again)."""
        return ", " + CATALOG_KEYS if self.uses_catalog else ""

    def relationship_types(self, keys: frozenset[str] | None = None) -> LiteralString:
        """`A|B` for the catalog's keys (or these of them); empty when none is known."""
        self.uses_catalog = True
        return cypher_types(self.keys if keys is None else keys)

    def _rows(
        self,
        n: LiteralString,
        shape: Shape,
        page: Page,
        source: LiteralString,
        where: list[LiteralString],
        carried: tuple[LiteralString, ...] = (),
        outer: LiteralString = "",
        into: LiteralString = "rows",
    ) -> LiteralString:
        keys = page.keys
        conditions = list(where)
        if page.cursor is not None:
            conditions.append(self.keyset(n, keys, page.cursor, page.backward))
        order = ", ".join(sort_term(n, key, page.backward) for key in keys)
        cursor = ", ".join(key.expression.format(n=n) for key in keys)
        subqueries, projection = self._projection(n, shape, extra=f"_cursor: [{cursor}]")
        kept = ", ".join((n, *carried))
        return _lines(
            f"CALL ({outer}) {{",
            source,
            _where(conditions),
            f"WITH {kept} ORDER BY {order} LIMIT {self.param(page.size + 1)}",
            *subqueries,
            f"WITH * ORDER BY {order}" if subqueries else "",
            f"RETURN collect({projection}) AS {into}",
            "}",
        )

    def keyset(
        self,
        n: LiteralString,
        keys: tuple[SortKey, ...],
        cursor: tuple[Any, ...],
        backward: bool = False,
        inclusive: bool = False,
    ) -> str:
        """The keyset predicate: the row sorts after the cursor's values (before them when
        `backward`), or, when `inclusive`, is the cursor's row itself."""
        if len(cursor) != len(keys):
            raise ValueError("cursor does not fit this ordering")
        alternatives: list[str] = []
        for i, key in enumerate(keys):
            terms = [
                f"{keys[j].expression.format(n=n)} = {self.param(cursor[j])}" for j in range(i)
            ]
            op = "<" if key.descending != backward else ">"
            terms.append(f"{key.expression.format(n=n)} {op} {self.param(cursor[i])}")
            alternatives.append("(" + " AND ".join(terms) + ")")
        if inclusive:
            same = [
                f"{key.expression.format(n=n)} = {self.param(cursor[i])}"
                for i, key in enumerate(keys)
            ]
            alternatives.append("(" + " AND ".join(same) + ")")
        return "(" + " OR ".join(alternatives) + ")"

    def behind(
        self,
        n: LiteralString,
        page: Page,
        source: LiteralString,
        where: list[LiteralString],
        keys: tuple[SortKey, ...] | None = None,
    ) -> LiteralString:
        """Whether a row lies behind the page's cursor (its own row, or one on the far side
        of it): an EXISTS that stops at the first one found."""
        assert page.cursor is not None
        beyond = self.keyset(
            n, keys or page.keys, page.cursor, backward=not page.backward, inclusive=True
        )
        # The RETURN keeps a full-text search's CALL from standing alone, which WHERE may not.
        return f"EXISTS {{ {source} {_where([*where, beyond])} RETURN {n} }}"

    def projection(
        self, n: LiteralString, shape: Shape, extra: LiteralString = ""
    ) -> tuple[list[LiteralString], LiteralString]:
        """The subqueries and the map projection that give node `n` in this shape, for a
        statement written elsewhere (a calendar's lanes)."""
        return self._projection(n, shape, extra)

    def _projection(
        self, n: LiteralString, shape: Shape, extra: LiteralString = ""
    ) -> tuple[list[LiteralString], LiteralString]:
        label = shape.label
        entries = ["id: " + n + ".id", *([extra] if extra else [])]
        entries += [f"{key}: {self._read(label, key, n)}" for key in sorted(shape.fields)]
        subqueries: list[LiteralString] = []
        for link in shape.links:
            value, subquery = self._link(n, link)
            subqueries.append(subquery)
            entries.append(f"`{link.key}`: {value}")
        for facet in shape.facets:
            inner, value = self._projection(n, facet.shape)
            subqueries += inner
            entries.append(
                f"`{facet.key}`: CASE WHEN {n}:{facet.shape.label.name} THEN {value} END"
            )
        for part in shape.parts:
            inner, entry = part.render(self, n)
            subqueries += inner
            entries.append(entry)
        if shape.counts is not None:
            counts = ", ".join(
                f"{name}: COUNT {{ {self._count(label.counts[name], n)} }}"
                for name in sorted(shape.counts)
            )
            entries.append(f"linked_counts: {{{counts}}}")
        return subqueries, f"{n} {{{', '.join(entries)}}}"

    def _read(self, label: Label, key: str, n: LiteralString) -> LiteralString:
        """`read`, with `{visible}` in an expression standing for the audience's view of
        the activity `chain_step` (a chain's summaries read only the steps they may see)."""
        value = label.properties[key]
        if "{visible}" in value:
            return value.format(n=n, visible=self.visible("chain_step"))
        return read(label, key, n)

    def _count(self, template: LiteralString, a: LiteralString) -> LiteralString:
        """A degree count's pattern from node `a`; an activity it counts is `{b}`, and
        `{visible}` is the audience's view of it."""
        if "{visible}" not in template:
            return template.format(a=a)
        b = self.variable()
        return template.format(a=a, b=b, visible=self.visible(b))

    def _link(self, a: LiteralString, link: Link) -> tuple[LiteralString, LiteralString]:
        relation = link.relation
        b = self.variable()
        pattern = relation.pattern.format(a=a, b=b)
        where: list[LiteralString] = [f"{b}.archivedAt IS NULL"] if relation.live_only else []
        where += [template.format(n=b, v=self.param(value)) for template, value in link.conditions]
        if not relation.seen_with_source:
            where += self.visibility_conditions(b, link.shape.label)
        if not relation.many:
            subqueries, projection = self._projection(b, link.shape)
            value = self.variable()
            return value, _lines(
                f"CALL ({a}) {{",
                f"OPTIONAL MATCH {pattern}{_where(where, prefix=' WHERE ')}",
                *subqueries,
                f"RETURN head(collect({projection})) AS {value}",
                "}",
            )
        page = link.page or Page(
            size=20, order=tuple(SortKey(k if "{n}" in k else "{n}." + k) for k in relation.order)
        )
        value = self.variable()
        rows = self._rows(b, link.shape, page, f"MATCH {pattern}", where, outer=a, into=value)
        # What the answer carries beside its rows, when asked.
        extra: LiteralString = ""
        if page.total:
            extra = f", total: COUNT {{ MATCH {pattern}{_where(where, prefix=' WHERE ')} }}"
        if page.behind and page.cursor is not None:
            extra += ", behind: " + self.behind(b, page, f"MATCH {pattern}", where)
        return f"{{rows: {value}{extra}}}", rows


def sort_term(n: LiteralString, key: SortKey, backward: bool = False) -> LiteralString:
    """An ORDER BY term; a backward page reads its list the other way round."""
    return key.expression.format(n=n) + (" DESC" if key.descending != backward else "")


def _where(conditions: list[LiteralString], prefix: LiteralString = "WHERE ") -> LiteralString:
    return prefix + " AND ".join(conditions) if conditions else ""


def _lines(*parts: LiteralString) -> LiteralString:
    return "\n".join(part for part in parts if part)


def read(label: Label, key: str, n: LiteralString) -> LiteralString:
    """The Cypher that reads property `key` of node `n`: the stored property, or the
    label's expression for it."""
    value = label.properties[key]
    return value.format(n=n) if "{n}" in value else f"{n}.{value}"
