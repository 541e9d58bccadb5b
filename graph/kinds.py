"""The kinds of party a relationship joins, declared once: each kind's graph label, the
name the API gives it, the prefix of its ids, and which pairs of record kinds a
relationship type may join. Every other list of kinds (the GraphQL enums, the Cypher that
tells kinds apart, the checks on a type's kinds) is derived from here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, LiteralString

# A kind of record a relationship type can name at either end (its graph label).
Kind = Literal["Customer", "Contact", "Project"]
PartyLabel = Literal["Customer", "Contact", "Project", "ExternalParty"]


@dataclass(frozen=True)
class PartyKind:
    """One kind of party: `record` is False for a free-text party, a name that is not
    (yet) a record, which can stand at the far end of a link of any type. `description`
    is what the API says of the kind, when its name does not say enough."""

    label: PartyLabel
    name: LiteralString
    prefix: str
    record: bool = True
    description: str | None = None


CUSTOMER = PartyKind("Customer", "CUSTOMER", "cus")
CONTACT = PartyKind("Contact", "CONTACT", "con")
PROJECT = PartyKind("Project", "PROJECT", "prj")
EXTERNAL = PartyKind(
    "ExternalParty",
    "EXTERNAL",
    "ext",
    record=False,
    description="A free-text party: a name not (yet) in the database.",
)

# In the order the API lists them.
RECORD_KINDS: tuple[PartyKind, ...] = (CUSTOMER, CONTACT, PROJECT)
PARTY_KINDS: tuple[PartyKind, ...] = (*RECORD_KINDS, EXTERNAL)

RECORD_LABELS: tuple[LiteralString, ...] = tuple(kind.label for kind in RECORD_KINDS)
PARTY_LABELS: tuple[LiteralString, ...] = tuple(kind.label for kind in PARTY_KINDS)
EXTERNAL_LABEL: LiteralString = EXTERNAL.label

BY_LABEL: Mapping[str, PartyKind] = {kind.label: kind for kind in PARTY_KINDS}
BY_NAME: Mapping[str, PartyKind] = {kind.name: kind for kind in PARTY_KINDS}

# The pairs of record kinds a relationship type may join, in the direction its edges point,
# in the order the API lists them.
KIND_PAIRS: tuple[tuple[Kind, Kind], ...] = (
    ("Customer", "Customer"),
    ("Customer", "Contact"),
    ("Contact", "Contact"),
    ("Project", "Customer"),
    ("Project", "Contact"),
)


def pair_name(from_label: str, to_label: str) -> str:
    """The API's name for a pair of kinds, start side first: `PROJECT_CUSTOMER`."""
    return f"{BY_LABEL[from_label].name}_{BY_LABEL[to_label].name}"


PAIRS_BY_NAME: Mapping[str, tuple[Kind, Kind]] = {pair_name(*pair): pair for pair in KIND_PAIRS}
