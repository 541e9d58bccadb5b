"""Activities in the generated CRM: the type and status catalogs, each account's history
of meetings, tasks, calls, e-mails, offers and product records, and who manages or
shares whose calendar.

Like the links, an account's activities are drawn while the account is generated and
reach back only into a window of recent customers, so a customer has as many
activities in a graph of ten thousand customers as in one of a million. A few key
accounts are several times busier than the rest, which is where long chains come from
(`kesher.seeds.chains`). Events, tasks, offers and product records get reference
numbers per kind (EV-000001, …) in the order they are generated; calls and e-mails
have none.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import TYPE_CHECKING, Literal, TypedDict
from zoneinfo import ZoneInfo

from kesher.graph.chains import REF_PREFIXES, ref_of
from kesher.resolvers.recurrence import last_end
from kesher.seeds.chains import join_chains
from kesher.seeds.draws import EpochSeconds, Recent, below, moment, new_id, pick, poisson

if TYPE_CHECKING:
    from kesher.seeds.generator import ContactRow, CustomerRow

Kind = Literal["EVENT", "TASK", "CALL", "EMAIL", "OFFER", "PRODUCT_RECORD"]
Category = Literal["OPEN", "DONE", "CANCELLED"]

ACTIVITIES_PER_CUSTOMER = 10.5
# Key accounts have KEY_ACCOUNT_FACTOR times the average number of activities, the others
# a little fewer, so the average stays ACTIVITIES_PER_CUSTOMER.
KEY_ACCOUNT_SHARE = 0.02
KEY_ACCOUNT_FACTOR = 6.0
# Activities reach this far past the end of history: the calendar has a future.
FUTURE_SECONDS = 60 * 86_400
# Activities that started this long before the end of history are mostly done.
RECENT_SECONDS = 14 * 86_400
KINDS: tuple[Kind, ...] = (
    *("EVENT",) * 5,
    *("TASK",) * 5,
    *("CALL",) * 4,
    *("EMAIL",) * 3,
    *("OFFER",) * 2,
    "PRODUCT_RECORD",
)
# Minutes an activity of each kind lasts, drawn in quarter hours up to the bound.
MAX_QUARTERS: dict[Kind, int] = {
    "EVENT": 8,
    "TASK": 0,
    "CALL": 2,
    "EMAIL": 0,
    "OFFER": 0,
    "PRODUCT_RECORD": 0,
}
ALL_DAY_SHARE = 0.08
RECURRING_SHARE = 0.03
EXTERNAL_URL_SHARE = 0.1
PARTICIPANTS_SHARE: dict[Kind, float] = {"EVENT": 0.6, "CALL": 0.1}
CONTACT_SHARE = 0.6
DESCRIPTION_SHARE = 0.5
OTHER_CUSTOMERS_SHARE = 0.05
OWNER_IS_CUSTOMER_OWNER = 0.7
DONE_SHARE = 0.8
CANCELLED_SHARE = 0.07
CLOSED_SHARE = 0.6
# Customers other customers' activities may also be about: about the last 2,000.
CUSTOMER_WINDOW = 2_000
MANAGED_PER_MANAGER = 9
SHARING_SHARE = 0.15
ZONES = {True: "Asia/Jerusalem", False: "America/New_York"}

# Each type, with its colour and the kinds it is used for.
TYPES: tuple[tuple[str, str, tuple[Kind, ...]], ...] = (
    ("פגישת היכרות", "#2E7D32", ("EVENT",)),
    ("Sales meeting", "#1565C0", ("EVENT",)),
    ("הדרכה", "#6A1B9A", ("EVENT", "TASK")),
    ("Follow-up", "#EF6C00", ("TASK", "CALL", "EMAIL")),
    ("שיחת שירות", "#00838F", ("CALL",)),
    ("Newsletter", "#5D4037", ("EMAIL",)),
    ("הצעת מחיר", "#C62828", ("OFFER",)),
    ("Renewal", "#AD1457", ("OFFER", "TASK")),
    ("אספקה", "#283593", ("PRODUCT_RECORD",)),
)
STATUSES: tuple[tuple[str, str, Category], ...] = (
    ("פתוח", "#1E88E5", "OPEN"),
    ("In progress", "#FDD835", "OPEN"),
    ("Waiting for customer", "#FB8C00", "OPEN"),
    ("בוצע", "#43A047", "DONE"),
    ("Won", "#2E7D32", "DONE"),
    ("Cancelled", "#757575", "CANCELLED"),
)
SUBJECTS: dict[bool, dict[Kind, tuple[str, ...]]] = {
    True: {
        "EVENT": ("פגישה עם {c}", "הדגמת מערכת ב{c}", "סיור במפעל {c}", "ישיבת עדכון {c}"),
        "TASK": ("להכין מצגת ל{c}", "לשלוח חוזה ל{c}", "לעדכן מחירון {c}", "לתאם פגישה"),
        "CALL": ("שיחת מעקב עם {c}", "שיחה על חידוש החוזה", "בירור תקלה ב{c}"),
        "EMAIL": ("סיכום פגישה עם {c}", "עדכון לוחות זמנים", "הזמנה לכנס"),
        "OFFER": ("הצעת מחיר ל{c}", "הצעה לשדרוג שירות", "הצעה לחידוש רישיונות"),
        "PRODUCT_RECORD": ("אספקת ציוד ל{c}", "רישיונות תוכנה ל{c}", "החלפת ציוד"),
    },
    False: {
        "EVENT": ("Meeting with {c}", "Product demo at {c}", "Quarterly review {c}"),
        "TASK": ("Prepare proposal for {c}", "Send contract to {c}", "Update price list"),
        "CALL": ("Follow-up call with {c}", "Support call", "Renewal call with {c}"),
        "EMAIL": ("Meeting summary for {c}", "Schedule update", "Conference invitation"),
        "OFFER": ("Quote for {c}", "Service upgrade offer", "License renewal offer"),
        "PRODUCT_RECORD": ("Hardware delivered to {c}", "Software licences for {c}"),
    },
}
RULES = ("FREQ=WEEKLY;COUNT={n}", "FREQ=WEEKLY;INTERVAL=2;COUNT={n}", "FREQ=MONTHLY;COUNT={n}")


class ActivityTypeRow(TypedDict):
    id: str
    name: str
    colour: str
    sortOrder: int
    createdAt: EpochSeconds
    updatedAt: EpochSeconds


class ActivityStatusRow(ActivityTypeRow):
    category: Category


class ActivityRow(TypedDict):
    """One activity and the ids of what it links to; times are seconds since the epoch
    (a task's start and end are its due time, as the API stores them). A member of a
    chain names it and the activity it follows (None for the chain's first)."""

    id: str
    ref: str | None
    kind: Kind
    subject: str
    description: str | None
    startAt: EpochSeconds
    endAt: EpochSeconds
    dueAt: EpochSeconds | None
    allDay: bool
    timeZone: str
    externalUrl: str | None
    recurrence: str | None
    recurrenceEndsAt: EpochSeconds | None
    closedAt: EpochSeconds | None
    createdAt: EpochSeconds
    updatedAt: EpochSeconds
    ownerId: str
    participantIds: list[str]
    customerId: str
    otherCustomerIds: list[str]
    contactId: str | None
    typeId: str
    statusId: str
    chainId: str | None
    followsId: str | None


class AccessRow(TypedDict):
    """A user who manages, or shares their calendar with, another."""

    fromId: str
    toId: str


class Catalogs:
    """The activity-type and status catalogs, defined when history begins."""

    def __init__(self, rng: random.Random, created: EpochSeconds) -> None:
        def entry(prefix: str, name: str, colour: str, order: int) -> ActivityTypeRow:
            return ActivityTypeRow(
                id=new_id(rng, prefix),
                name=name,
                colour=colour,
                sortOrder=order,
                createdAt=created,
                updatedAt=created,
            )

        self.types = [
            entry("aty", name, colour, order)
            for order, (name, colour, _) in enumerate(TYPES, start=1)
        ]
        self.statuses = [
            ActivityStatusRow(**entry("ast", name, colour, order), category=category)
            for order, (name, colour, category) in enumerate(STATUSES, start=1)
        ]
        self.types_of: dict[Kind, list[str]] = {}
        for row, (_, _, kinds) in zip(self.types, TYPES, strict=True):
            for kind in kinds:
                self.types_of.setdefault(kind, []).append(row["id"])
        self.statuses_in: dict[Category, list[str]] = {}
        for status in self.statuses:
            self.statuses_in.setdefault(status["category"], []).append(status["id"])


def calendar_access(
    rng: random.Random, users: Sequence[tuple[str, str]]
) -> tuple[list[AccessRow], list[AccessRow]]:
    """Who manages whom, and who shares their calendar with whom, among `users` (id and
    role, in order): each MANAGER manages the users that follow it, up to nine, and a
    few users share their calendar with one or two others."""
    manages: list[AccessRow] = []
    for index, (manager, role) in enumerate(users):
        if role != "MANAGER":
            continue
        following = users[index + 1 : index + 1 + MANAGED_PER_MANAGER]
        manages += [AccessRow(fromId=manager, toId=user) for user, _ in following]
    shares: list[AccessRow] = []
    for owner, _ in users:
        if rng.random() >= SHARING_SHARE:
            continue
        others = {pick(rng, users)[0] for _ in range(1 + below(rng, 2))} - {owner}
        shares += [AccessRow(fromId=owner, toId=other) for other in sorted(others)]
    return manages, shares


class Agenda:
    """Draws each new account's activities, in the order accounts are generated."""

    def __init__(
        self,
        rng: random.Random,
        catalogs: Catalogs,
        users: Sequence[str],
        until: EpochSeconds,
        per_customer: float = ACTIVITIES_PER_CUSTOMER,
        earlier: Sequence[EpochSeconds] = (),
    ) -> None:
        self._rng = rng
        self._catalogs = catalogs
        self._users = users
        self._until = until
        self._per_customer = per_customer
        self._earlier = earlier
        self._recent = Recent[str](CUSTOMER_WINDOW)
        self._refs = dict.fromkeys(REF_PREFIXES, 0)

    def activities(
        self, customer: CustomerRow, contacts: Sequence[ContactRow], hebrew: bool
    ) -> list[ActivityRow]:
        """The customer's history in time order (startAt, then id), chains joined."""
        rng = self._rng
        mean = self._per_customer
        if rng.random() < KEY_ACCOUNT_SHARE:
            mean *= KEY_ACCOUNT_FACTOR
        else:
            mean *= (1 - KEY_ACCOUNT_SHARE * KEY_ACCOUNT_FACTOR) / (1 - KEY_ACCOUNT_SHARE)
        rows = [
            self._activity(customer, contacts, hebrew, 0)
            for _ in range(poisson(rng, mean) if mean else 0)
        ]
        # A longer history: the same customer's history again, as many times as asked,
        # each time moved back by a whole period.
        for shift in self._earlier:
            rows += [
                self._activity(customer, contacts, hebrew, shift)
                for _ in range(poisson(rng, mean) if mean else 0)
            ]
        rows.sort(key=lambda row: (row["startAt"], row["id"]))
        for row in rows:
            row["ref"] = self._ref(row["kind"])
        join_chains(rng, rows)
        self._recent.add(customer["id"])
        return rows

    def _ref(self, kind: Kind) -> str | None:
        if kind not in self._refs:
            return None
        self._refs[kind] += 1
        return ref_of(kind, self._refs[kind])

    def _activity(
        self,
        customer: CustomerRow,
        contacts: Sequence[ContactRow],
        hebrew: bool,
        shift: EpochSeconds,
    ) -> ActivityRow:
        """One activity of the customer's history, drawn as if history ended `shift`
        seconds earlier."""
        rng = self._rng
        until = self._until - shift
        kind = pick(rng, KINDS)
        zone = ZONES[hebrew]
        starts = moment(rng, customer["createdAt"] - shift, until + FUTURE_SECONDS)
        starts -= starts % 900
        ends = starts + 900 * below(rng, MAX_QUARTERS[kind] + 1)
        all_day = kind == "EVENT" and rng.random() < ALL_DAY_SHARE
        if all_day:
            starts, ends = _local_days(starts, 1 + below(rng, 2), zone)
        rule = ends_series = None
        if kind == "EVENT" and not all_day and rng.random() < RECURRING_SHARE:
            rule = pick(rng, RULES).format(n=4 + below(rng, 9))
            ends_series = _series_end(rule, starts, ends, zone)
        created = max(customer["createdAt"] - shift, min(starts, until) - below(rng, 10 * 86_400))
        category = self._category(starts, until)
        closed = None
        settled = category != "OPEN" and starts < until - 2 * RECENT_SECONDS
        if settled and rng.random() < CLOSED_SHARE:
            closed = min(until, ends + below(rng, 7 * 86_400))
        words = SUBJECTS[hebrew][kind]
        owner = customer["ownerId"]
        if owner is None or rng.random() >= OWNER_IS_CUSTOMER_OWNER:
            owner = pick(rng, self._users)
        return ActivityRow(
            id=new_id(rng, "act"),
            ref=None,
            kind=kind,
            subject=pick(rng, words).format(c=customer["name"]),
            description=None if rng.random() >= DESCRIPTION_SHARE else customer["city"],
            startAt=starts,
            endAt=ends,
            dueAt=starts if kind == "TASK" else None,
            allDay=all_day,
            timeZone=zone,
            externalUrl=(
                f"https://meet.example.com/{below(rng, 10**9):09d}"
                if kind == "EVENT" and rng.random() < EXTERNAL_URL_SHARE
                else None
            ),
            recurrence=rule,
            recurrenceEndsAt=ends_series,
            closedAt=closed,
            createdAt=created,
            updatedAt=closed or moment(rng, created, until),
            ownerId=owner,
            participantIds=self._participants(kind, owner),
            customerId=customer["id"],
            otherCustomerIds=self._other_customers(),
            contactId=(
                pick(rng, contacts)["id"] if contacts and rng.random() < CONTACT_SHARE else None
            ),
            typeId=pick(rng, self._catalogs.types_of[kind]),
            statusId=pick(rng, self._catalogs.statuses_in[category]),
            chainId=None,
            followsId=None,
        )

    def _category(self, starts: EpochSeconds, until: EpochSeconds) -> Category:
        if starts >= until - RECENT_SECONDS:
            return "OPEN"
        draw = self._rng.random()
        return (
            "DONE"
            if draw < DONE_SHARE
            else "CANCELLED"
            if draw < DONE_SHARE + CANCELLED_SHARE
            else "OPEN"
        )

    def _participants(self, kind: Kind, owner: str) -> list[str]:
        rng = self._rng
        if rng.random() >= PARTICIPANTS_SHARE.get(kind, 0.0):
            return []
        return sorted({pick(rng, self._users) for _ in range(1 + below(rng, 3))} - {owner})

    def _other_customers(self) -> list[str]:
        rng = self._rng
        if rng.random() >= OTHER_CUSTOMERS_SHARE:
            return []
        drawn = {self._recent.pick(rng) for _ in range(1 + below(rng, 2))}
        return sorted(customer for customer in drawn if customer is not None)


def _local_days(starts: EpochSeconds, days: int, zone_name: str) -> tuple[int, int]:
    """Whole local days from the one `starts` falls in, as the API stores all-day times."""
    zone = ZoneInfo(zone_name)
    day = datetime.fromtimestamp(starts, zone).date()
    first = datetime.combine(day, time(), zone)
    return int(first.timestamp()), int(
        datetime.combine(day + timedelta(days=days), time(), zone).timestamp()
    )


def _series_end(rule: str, starts: EpochSeconds, ends: EpochSeconds, zone: str) -> int:
    last = last_end(
        rule, datetime.fromtimestamp(starts, UTC), datetime.fromtimestamp(ends, UTC), zone
    )
    assert last is not None, "every generated rule has a count"
    return int(last.timestamp())
