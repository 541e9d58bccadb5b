"""What a normalising client cache (Apollo's InMemoryCache, Relay's store) would make of
answers: every object with `__typename` and `id` is one entry, so two answers that give it
different values for a field of the same name and arguments overwrite each other."""

from __future__ import annotations

from typing import Any

Entry = tuple[str, str]


def conflicts(*answers: Any) -> list[str]:
    """Each field of a cached entity that two places of the answers disagree on."""
    seen: dict[Entry, dict[str, Any]] = {}
    found: list[str] = []

    def visit(value: Any) -> None:
        if isinstance(value, list):
            for item in value:
                visit(item)
            return
        if not isinstance(value, dict):
            return
        if "__typename" in value and "id" in value:
            fields = seen.setdefault((value["__typename"], value["id"]), {})
            for name, field in value.items():
                if isinstance(field, dict) and "__typename" in field and "id" in field:
                    field = (field["__typename"], field["id"])
                elif isinstance(field, dict | list):
                    continue
                if name in fields and fields[name] != field:
                    found.append(
                        f"{value['__typename']}:{value['id']}.{name}: {fields[name]!r} and "
                        f"{field!r}"
                    )
                fields[name] = field
        for field in value.values():
            visit(field)

    for answer in answers:
        visit(answer)
    return found
