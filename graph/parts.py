"""The statement builder's extension points: what a feature adds to the statements the
builder makes, declared in the feature's own module.

- A `Part` is something a shape holds besides its node's properties, relations, facets and
  degree counts (a record's relationships, say). The feature renders it over the node.
- A visibility rule keeps out of a list the nodes of a label the audience may not see (an
  activity, a note on one). The feature that defines the label registers the rule with it
  (`keep_visible`); the builder applies it wherever a statement reaches that label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, LiteralString, Protocol

if TYPE_CHECKING:
    from kesher.graph.statement import Statement


class Part(Protocol):
    """A piece of a node's answer that its feature renders: the subqueries it needs, run
    with node `n` in scope, and its entry (`name: value`) in the node's map projection."""

    def render(
        self, statement: Statement, n: LiteralString
    ) -> tuple[list[LiteralString], LiteralString]: ...


VisibilityRule = Callable[["Statement", LiteralString], LiteralString]
"""A predicate over node `n`: the statement's audience may see it. Asked only for an
audience that is not an ADMIN (who sees everything)."""

_RULES: dict[str, VisibilityRule] = {}


def keep_visible(labels: Iterable[str], rule: VisibilityRule) -> None:
    """Registers the rule that decides which nodes of these labels an audience sees."""
    for label in labels:
        if label in _RULES and _RULES[label] is not rule:
            raise ValueError(f"{label} already has a visibility rule")
        _RULES[label] = rule


def visibility_rule(label: str) -> VisibilityRule | None:
    """The rule registered for nodes of `label`, if any."""
    return _RULES.get(label)
