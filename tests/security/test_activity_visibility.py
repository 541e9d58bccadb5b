"""Reserved relationship types: a catalog key may not take a type the graph model uses."""

from __future__ import annotations

import re
from pathlib import Path

from kesher.graph.catalog import STRUCTURAL

# A relationship type in a Cypher pattern: `-[:T]`, `-[r:A|B]`, `<-[:T {…}]`.
_PATTERN_TYPES = re.compile(r"<?-\[[a-z_0-9]*:([A-Z][A-Z_0-9]*(?:\|[A-Z][A-Z_0-9]*)*)")
# Examples in documentation, between backticks, are not the code's own statements.
_QUOTED = re.compile(r"`[^`\n]*`")
_SOURCES = ("graph", "resolvers", "seeds", "schema", "kesher")


def test_every_relationship_type_the_code_uses_is_reserved() -> None:
    # given the Cypher in every source file
    root = Path(__file__).resolve().parents[2]
    files = [path for folder in _SOURCES for path in (root / folder).glob("*.py")]
    assert len(files) > 50

    # when
    used: set[str] = set()
    for path in files:
        text = _QUOTED.sub("", path.read_text(encoding="utf-8"))
        for found in _PATTERN_TYPES.findall(text):
            used.update(found.split("|"))

    # then
    assert {"OWNED_BY", "ASSIGNED_TO", "IN_CHAIN"} <= used
    assert used - STRUCTURAL == set()
