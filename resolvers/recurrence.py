"""Recurring events: RFC 5545 rules (python-dateutil) expanded into occurrences.

A rule repeats in the event's own time zone, so a weekly 09:00 meeting in Jerusalem stays
at 09:00 local time on both sides of a daylight-saving change. An occurrence is named by
its original start; one can be cancelled or moved without touching the rest. Its id joins
the series' id and that start, so it stays the same when the occurrence is moved.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import DAILY, rrule, rrulestr

from kesher.graph.driver import Row
from kesher.graph.errors import GraphError
from kesher.resolvers.rule_search import Search, moved_near, parts_of, walk

MAX_OCCURRENCES = 1000
# Occurrences of one series shown in one window (a secondly rule stored before such rules
# were refused would give millions).
MAX_PER_WINDOW = 1000
FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY", "SECONDLY")
OCCURRENCE_PREFIX = "occ"
_ORIGINAL = re.compile(r"_(\d{8}T\d{6}Z)$")
_STAMP = "%Y%m%dT%H%M%SZ"


def occurrence_id(activity_id: str, original: datetime | None) -> str:
    """An occurrence's own id: the series' id and the occurrence's original start (UTC),
    or the activity's id alone for the one occurrence of an activity that does not repeat."""
    if original is None:
        return f"{OCCURRENCE_PREFIX}_{activity_id}"
    return f"{OCCURRENCE_PREFIX}_{activity_id}_{original.astimezone(UTC).strftime(_STAMP)}"


def parse_occurrence_id(value: str) -> tuple[str, datetime | None] | None:
    """The activity id and original start an occurrence id names; None when it is not one."""
    rest = value.removeprefix(f"{OCCURRENCE_PREFIX}_")
    if rest == value or not rest:
        return None
    found = _ORIGINAL.search(rest)
    if found is None:
        return rest, None
    try:
        original = datetime.strptime(found.group(1), _STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None
    return rest[: found.start()], original


def parse(rule: str, starts: datetime, zone_name: str) -> rrule:
    """The rule as dateutil reads it, starting at `starts` in the event's time zone."""
    text = rule.strip().removeprefix("RRULE:")
    if not text or "\n" in text or "DTSTART" in text.upper():
        raise GraphError(
            "recurrence: one RRULE line, e.g. FREQ=WEEKLY;BYDAY=MO.", field="recurrence"
        )
    local = starts.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)
    try:
        parsed = rrulestr(text, dtstart=local)
    except (ValueError, TypeError, OverflowError) as error:
        raise GraphError(f"recurrence: {error}.", field="recurrence") from error
    if not isinstance(parsed, rrule):
        raise GraphError("recurrence: one RRULE line.", field="recurrence")
    return parsed


def last_end(rule: str, starts: datetime, ends: datetime, zone_name: str) -> datetime | None:
    """When the series' last occurrence ends (UTC), or None when it never ends. The check
    of a rule before it is stored: a rule that repeats more often than daily, that gives no
    occurrence, that has more than MAX_OCCURRENCES, or whose occurrences are too far apart
    to find within a bounded search is refused."""
    parsed = parse(rule, starts, zone_name)
    parts = parts_of(parsed)
    if parts.freq > DAILY:
        raise GraphError(
            f"recurrence: FREQ={FREQUENCIES[parts.freq]} repeats too often; "
            "a series repeats at most daily (FREQ=DAILY, WEEKLY, MONTHLY or YEARLY).",
            field="recurrence",
        )
    search = Search()
    last: datetime | None = None
    for number, occurrence in enumerate(walk(parsed, search), start=1):
        if number > MAX_OCCURRENCES:
            raise GraphError(
                f"recurrence: at most {MAX_OCCURRENCES} occurrences, or no end.",
                field="recurrence",
            )
        last = occurrence
        if parts.count is None and parts.until is None:
            return None
    if last is None:
        raise GraphError(
            "recurrence: the rule gives no occurrence; check its BY parts "
            "(e.g. BYMONTH=2;BYMONTHDAY=30 never happens).",
            field="recurrence",
        )
    if search.spent:
        raise GraphError(
            "recurrence: the series' occurrences are too far apart to find; "
            "end it sooner (COUNT or UNTIL) or give it no end.",
            field="recurrence",
        )
    return _utc(last, zone_name) + (ends - starts)


def is_occurrence(row: Row, original: datetime) -> bool:
    local = original.astimezone(ZoneInfo(row["time_zone"])).replace(tzinfo=None)
    parsed = moved_near(parse(row["recurrence"], row["starts_at"], row["time_zone"]), local)
    for found in walk(parsed, Search(last_year=local.year + 1)):
        if found >= local:
            return found == local
    return False


def occurrences(row: Row, window_from: datetime, window_to: datetime) -> tuple[list[Row], bool]:
    """The series' occurrences overlapping [window_from, window_to): their own times, their
    original start and whether they were moved; cancelled ones are left out and moved ones
    take their new times. At most MAX_PER_WINDOW; the flag says whether some were left
    out, by that cap or because the search for them was spent."""
    zone_name = row["time_zone"]
    duration: timedelta = row["ends_at"] - row["starts_at"]
    zone = ZoneInfo(zone_name)
    earliest = (window_from - duration).astimezone(zone).replace(tzinfo=None)
    latest = window_to.astimezone(zone).replace(tzinfo=None)
    parsed = moved_near(parse(row["recurrence"], row["starts_at"], zone_name), earliest)
    search = Search(last_year=latest.year + 1)
    cancelled = set(row.get("cancelled_starts") or ())
    moved = dict(
        zip(
            row.get("moved_starts") or (),
            zip(row.get("moved_to") or (), row.get("moved_to_end") or (), strict=True),
            strict=True,
        )
    )
    found: list[Row] = []
    cut = False
    for local in walk(parsed, search):
        if local > latest:
            break
        if local < earliest:
            continue
        if len(found) == MAX_PER_WINDOW:
            cut = True
            break
        original = _utc(local, zone_name)
        if original in cancelled:
            continue
        starts, ends = moved.get(original, (original, original + duration))
        if _overlaps(starts, ends, window_from, window_to):
            found.append(_occurrence(row, starts, ends, original, original in moved))
    # An occurrence moved from outside the window into it shows too.
    shown = {occurrence["original_start"] for occurrence in found}
    for original, (starts, ends) in moved.items():
        fresh = original not in shown and original not in cancelled
        if fresh and _overlaps(starts, ends, window_from, window_to):
            found.append(_occurrence(row, starts, ends, original, True))
    return found, cut or search.spent


def _occurrence(row: Row, starts: datetime, ends: datetime, original: datetime, moved: bool) -> Row:
    return {
        "id": occurrence_id(row["id"], original),
        "starts_at": starts,
        "ends_at": ends,
        "original_start": original,
        "moved": moved,
        "activity": row,
    }


def occurrence_at(row: Row, original: datetime | None) -> Row | None:
    """The occurrence of the activity `row` that starts at `original` by its rule (None: the
    one occurrence of an activity that does not repeat), or None when there is no such
    occurrence or it was cancelled."""
    if original is None:
        return None if row.get("recurrence") else single(row)
    if not row.get("recurrence") or not is_occurrence(row, original):
        return None
    if original in set(row.get("cancelled_starts") or ()):
        return None
    moved = dict(
        zip(
            row.get("moved_starts") or (),
            zip(row.get("moved_to") or (), row.get("moved_to_end") or (), strict=True),
            strict=True,
        )
    )
    duration: timedelta = row["ends_at"] - row["starts_at"]
    starts, ends = moved.get(original, (original, original + duration))
    return _occurrence(row, starts, ends, original, original in moved)


def single(row: Row) -> Row:
    """The one occurrence of an activity that does not repeat."""
    return {
        "id": occurrence_id(row["id"], None),
        "starts_at": row["starts_at"],
        "ends_at": row["ends_at"],
        "original_start": None,
        "moved": False,
        "activity": row,
    }


def _overlaps(starts: datetime, ends: datetime, window_from: datetime, window_to: datetime) -> bool:
    if starts == ends:
        return window_from <= starts < window_to
    return starts < window_to and ends > window_from


def _utc(local: datetime, zone_name: str) -> datetime:
    return local.replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC)
