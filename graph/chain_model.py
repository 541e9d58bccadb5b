"""A chain of activities as the statement builder reads it: the `:Chain` label with its
summaries, and what an activity reaches through its chain (its linked offers, product
records, events and tasks, and their counts). Patterns use `{a}` and `{b}` as in
`kesher.graph.model`."""

from __future__ import annotations

from typing import LiteralString

from kesher.graph.labels import Label, Relation
from kesher.graph.parts import keep_visible

# The other activities of the chain `{a}` belongs to.
_IN_SAME_CHAIN: LiteralString = "({a})-[:IN_CHAIN]->(:Chain)<-[:IN_CHAIN]-"


def chained_count(kind: LiteralString) -> LiteralString:
    """The other activities of one kind in the activity's chain, for a count."""
    return (
        _IN_SAME_CHAIN
        + f"({{b}}:Activity {{{{kind: '{kind}'}}}}) WHERE {{b}} <> {{a}} AND {{visible}}"
    )


def chained_list(kind: LiteralString) -> Relation:
    """The other activities of one kind in the activity's chain, newest first."""
    return Relation(
        target="Activity",
        pattern=_IN_SAME_CHAIN + f"({{b}}:Activity {{{{kind: '{kind}'}}}} WHERE {{b}} <> {{a}})",
        many=True,
        order=("startAt",),
        descending=True,
        live_only=False,
    )


# The steps of chain `{n}`, for the expressions below. Names are prefixed so that they
# cannot meet the enclosing statement's variables. None aggregates: a card projects its
# chain inside collect(), where Cypher refuses an aggregate in a subquery.
_STEPS: LiteralString = "COLLECT {{ MATCH ({n})<-[:IN_CHAIN]-(chain_step:Activity) WHERE {visible} "
_FIRST_START: LiteralString = _STEPS + "RETURN chain_step.startAt AS at ORDER BY at LIMIT 1 }}[0]"
_LAST_START: LiteralString = (
    _STEPS + "RETURN chain_step.startAt AS at ORDER BY at DESC LIMIT 1 }}[0]"
)


def _action(step: LiteralString) -> LiteralString:
    """A chain step's summary, `step` being an expression for its node."""
    return (
        f"{{{{id: {step}.id, ref: {step}.ref, kind: {step}.kind, subject: {step}.subject, "
        f"starts_at: {step}.startAt}}}}"
    )


_EARLIER: LiteralString = "chain_steps[chain_i - 1]"
_LATER: LiteralString = "chain_steps[chain_i]"
_GAP: LiteralString = f"duration.inSeconds({_EARLIER}.startAt, {_LATER}.startAt).seconds"
# The longest wait between two steps following each other in time (the earliest of equal
# ones), found by folding over the steps in order.
_SLOWEST_STEP: LiteralString = (
    "[chain_steps IN ["
    + _STEPS
    + "RETURN chain_step ORDER BY chain_step.startAt, chain_step.id }}] | "
    "reduce(chain_best = null, chain_i IN range(1, size(chain_steps) - 1) | "
    f"CASE WHEN chain_best IS NULL OR {_GAP} > chain_best.gap_seconds "
    f"THEN {{{{gap_seconds: {_GAP}, earlier: {_action(_EARLIER)}, later: {_action(_LATER)}}}}} "
    "ELSE chain_best END)][0]"
)

# A chain of activities: those joined by FOLLOWS, each with an IN_CHAIN edge to it.
CHAIN = Label(
    name="Chain",
    properties={
        "created_at": "createdAt",
        "steps": "COUNT {{ ({n})<-[:IN_CHAIN]-(chain_step:Activity) WHERE {visible} }}",
        "started_at": _FIRST_START,
        "last_at": _LAST_START,
        "duration_seconds": f"duration.inSeconds({_FIRST_START}, {_LAST_START}).seconds",
        "slowest_step": _SLOWEST_STEP,
    },
    relations={
        "actions": Relation(
            target="Activity",
            pattern="({b}:Activity)-[:IN_CHAIN]->({a})",
            many=True,
            order=("startAt",),
            descending=True,
            live_only=False,
        ),
    },
    archivable=False,
)

# A chain is seen by whoever sees one of its steps.
keep_visible([CHAIN.name], lambda statement, n: statement.visible_chain(n))
