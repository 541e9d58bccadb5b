"""IANA time zone names, checked one way for every `timeZone` the API takes."""

from __future__ import annotations

from functools import cache
from zoneinfo import available_timezones

# Files of the zone database that are not places: a placeholder zone and links to the
# machine's own zone and to the POSIX default rules.
_NOT_PLACES = frozenset({"Factory", "localtime", "posixrules"})


@cache
def zone_names() -> frozenset[str]:
    return frozenset(available_timezones()) - _NOT_PLACES


def zone_problem(name: str) -> str | None:
    """Why `name` is not an IANA time zone the API accepts, or None when it is one."""
    if name in zone_names():
        return None
    shown = name if len(name) <= 60 else name[:57] + "…"
    return f"{shown!r} is not an IANA time zone name, such as 'Asia/Jerusalem' or 'UTC'."
