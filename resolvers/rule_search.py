"""Bounded walks through a recurrence rule's occurrences.

dateutil looks for a rule's next occurrence period by period, up to the year 9999, and
only checks UNTIL when it finds a candidate: a rule that can never match (30 February) or
a window centuries after the series' start kept it busy for seconds. A walk here has a
`Search`: the periods it may look through, the last year it may reach and the occurrences
it may pass. dateutil starts over in a new period through its `_iterinfo.rebuild` (once a
month, or once a year for a yearly rule); a subclass of that class, put in dateutil's place
once, charges each new period to the walk's search and ends the walk when the search is
spent. Rules of other callers have no search and are walked as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import dateutil.rrule as rrule_module
from dateutil.rrule import DAILY, HOURLY, MINUTELY, MONTHLY, SECONDLY, WEEKLY, YEARLY, rrule

# Months a walk may look through (years, for a yearly rule): a century of a daily rule
# costs dateutil about 80 ms.
SEARCH_PERIODS = 1200
# Occurrences a walk may pass before it stops, whatever they are for.
SEARCH_OCCURRENCES = 5000
_SEARCH = "_kesher_search"


class SearchSpent(Exception):
    """A walk looked through all the periods or years its search allows."""


@dataclass
class Search:
    """What one walk may spend, and whether it stopped for that reason (`spent`)."""

    last_year: int = 9999
    periods: int = SEARCH_PERIODS
    occurrences: int = SEARCH_OCCURRENCES
    spent: bool = False

    def enter(self, year: int) -> None:
        if year > self.last_year:
            raise SearchSpent
        self.periods -= 1
        if self.periods < 0:
            self.spent = True
            raise SearchSpent


@dataclass(frozen=True)
class Parts:
    """The parts of a parsed rule these walks need (dateutil keeps them private)."""

    freq: int
    interval: int
    count: int | None
    until: datetime | None
    starts: datetime
    given: dict[str, Any]


def parts_of(rule: rrule) -> Parts:
    found = vars(rule)
    return Parts(
        found["_freq"],
        found["_interval"],
        found["_count"],
        found["_until"],
        found["_dtstart"],
        found["_original_rule"],
    )


class _SearchedIterinfo(rrule_module._iterinfo):
    # No __slots__ of its own: dateutil sets up an instance from `self.__slots__`.

    def rebuild(self, year: int, month: int) -> None:
        search: Search | None = getattr(self.rrule, _SEARCH, None)
        if search is not None:
            search.enter(year)
        super().rebuild(year, month)


rrule_module._iterinfo = _SearchedIterinfo  # type: ignore[misc]


def walk(rule: rrule, search: Search) -> Iterator[datetime]:
    """The rule's occurrences, in order, as far as `search` allows."""
    setattr(rule, _SEARCH, search)
    occurrences = iter(rule)
    while True:
        try:
            found: datetime = next(occurrences)
        except (StopIteration, SearchSpent):
            return
        except ValueError:  # dateutil's "resulting in empty rule"
            return
        search.occurrences -= 1
        if search.occurrences < 0:
            search.spent = True
            return
        yield found


_STEPS = {
    SECONDLY: timedelta(seconds=1),
    MINUTELY: timedelta(minutes=1),
    HOURLY: timedelta(hours=1),
    DAILY: timedelta(days=1),
    WEEKLY: timedelta(weeks=1),
}


def moved_near(rule: rrule, earliest: datetime) -> rrule:
    """The same rule started whole repetitions later, a repetition or two before
    `earliest`, so a walk to a window far from the series' start does not look through
    every period in between. A rule with COUNT counts from its own start and is kept."""
    parts = parts_of(rule)
    starts, interval, freq = parts.starts, parts.interval, parts.freq
    if parts.count is not None or earliest <= starts:
        return rule
    if freq in _STEPS:
        step = _STEPS[freq] * interval
        skipped = (earliest - starts) // step - 1
        if skipped <= 0:
            return rule
        return rule.replace(dtstart=starts + step * skipped)
    months = 12 * interval if freq == YEARLY else interval
    apart = (earliest.year - starts.year) * 12 + earliest.month - starts.month
    skipped = apart // months - 1
    if skipped <= 0:
        return rule
    month_index = starts.year * 12 + starts.month - 1 + skipped * months
    moved = starts.replace(year=month_index // 12, month=month_index % 12 + 1, day=1)
    return rule.replace(dtstart=moved, **_pinned(parts))


def _pinned(parts: Parts) -> dict[str, Any]:
    """The parts dateutil takes from the start when a rule does not give them: the month
    and day of a yearly rule, the day of a monthly one. The moved start is the first of a
    month, so they are given from the old start."""
    given, starts = parts.given, parts.starts
    days = ("byweekno", "byyearday", "bymonthday", "byweekday", "byeaster")
    if any(given.get(part) for part in days):
        return {}
    if parts.freq == YEARLY:
        return {"bymonth": given.get("bymonth") or starts.month, "bymonthday": starts.day}
    if parts.freq == MONTHLY:
        return {"bymonthday": starts.day}
    return {}
