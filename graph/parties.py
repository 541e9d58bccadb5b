"""Cypher pieces for the parties a relationship joins: customers, contacts, projects and
free-text parties (`:ExternalParty`)."""

from __future__ import annotations

from typing import LiteralString

from kesher.graph.kinds import PARTY_KINDS, PARTY_LABELS

__all__ = ["PARTY_LABELS", "find_party", "kind_of", "link", "party", "seen_from", "type_map"]


def kind_of(x: LiteralString) -> LiteralString:
    """The kind of party `x` is, as the API names it."""
    cases = " ".join(f"WHEN {x}:{kind.label} THEN '{kind.name}'" for kind in PARTY_KINDS)
    return f"CASE {cases} END"


def find_party(
    x: LiteralString, party_id: LiteralString, labels: tuple[LiteralString, ...] = PARTY_LABELS
) -> LiteralString:
    """A subquery binding `x` to the party with this id, whatever its label: one unique-index
    seek per label, never a scan. `party_id` is a parameter or a variable in scope."""
    branches = " UNION ".join(
        f"MATCH ({x}:{label} {{id: {party_id}}}) RETURN {x}" for label in labels
    )
    imported = party_id if not party_id.startswith("$") else ""
    return f"CALL ({imported}) {{ {branches} }}"


def party(x: LiteralString) -> LiteralString:
    """The reference to a party a relationship row carries."""
    return f"{x} {{.id, .name, kind: {kind_of(x)}, archived: {x}.archivedAt IS NOT NULL}}"


def type_map(t: LiteralString) -> LiteralString:
    """A catalog entry as rows carry it (keys in the API's snake case)."""
    return (
        f"{{id: {t}.id, key: {t}.key, label: {t}.label, reciprocal_label: {t}.reciprocalLabel, "
        f"symmetric: {t}.symmetric, colour: {t}.colour, sort_order: {t}.sortOrder, "
        f"from_kind: {t}.fromKind, to_kind: {t}.toKind, limit_per_source: {t}.limitPerSource, "
        f"limit_per_target: {t}.limitPerTarget, description: {t}.description, "
        f"created_at: {t}.createdAt, updated_at: {t}.updatedAt}}"
    )


def seen_from(
    n: LiteralString,
    r: LiteralString,
    o: LiteralString,
    t: LiteralString,
    extra: LiteralString = "",
) -> LiteralString:
    """A relationship `r` of type `t` as the card of `n` shows it: the label is the role
    the other party `o` plays (on the father's card, "son: X"). The link itself, the same
    from either end, goes under `relationship`."""
    return (
        f"{{outgoing: startNode({r}) = {n}, "
        f"label: CASE WHEN startNode({r}) = {n} THEN {t}.reciprocalLabel ELSE {t}.label END, "
        f"other: {party(o)}, relationship: {link(r, t, n, o)}"
        + (", " + extra if extra else "")
        + "}"
    )


def link(r: LiteralString, t: LiteralString, a: LiteralString, b: LiteralString) -> LiteralString:
    """A relationship `r` of type `t` between `a` and `b` as itself, from neither end."""
    return (
        f"{{id: {r}.id, type_key: type({r}), colour: {t}.colour, starts_on: {r}.startsOn, "
        f"ends_on: {r}.endsOn, note: {r}.note, created_at: {r}.createdAt, type: {type_map(t)}, "
        f"source: CASE WHEN startNode({r}) = {a} THEN {party(a)} ELSE {party(b)} END, "
        f"target: CASE WHEN startNode({r}) = {a} THEN {party(b)} ELSE {party(a)} END}}"
    )
