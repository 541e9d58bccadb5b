"""Deterministic CRM data for demos and benchmarks, generated as a stream.

The same seed (and the same Faker version) gives the same rows, ids included. Faker is
only asked once per seed, for pools of names, cities, companies and phrases in Hebrew
and English; every record is then combined from those pools with one seeded RNG, which
is what makes a million customers cheap to produce.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import cached_property
from typing import Literal, TypedDict

from kesher.seeds.activities import (
    ACTIVITIES_PER_CUSTOMER,
    AccessRow,
    ActivityRow,
    Agenda,
    Catalogs,
    calendar_access,
)
from kesher.seeds.draws import EpochSeconds, below, moment, new_id, pick
from kesher.seeds.relations import (
    LinkRow,
    Neighbourhood,
    RelationshipTypeRow,
    relationship_types,
)
from kesher.seeds.vocabulary import Vocabulary, languages, other

Role = Literal["ADMIN", "MANAGER", "MEMBER"]
CustomerStatus = Literal["LEAD", "PROSPECT", "ACTIVE", "FORMER"]
ProjectStatus = Literal["PLANNED", "ACTIVE", "ON_HOLD", "DONE", "CANCELLED"]

CUSTOMERS_PER_USER = 200
MIN_USERS = 5
MAX_CONTACTS = 4
MAX_PROJECTS = 2
USER_DOMAIN = "example.com"
# A fixed end of history keeps the output a function of the seed alone.
DEFAULT_UNTIL = datetime(2026, 1, 1, tzinfo=UTC)
HISTORY_SECONDS = 3 * 365 * 86_400


class UserRow(TypedDict):
    id: str
    email: str
    name: str
    handle: str
    role: Role
    active: bool
    passwordHash: str
    createdAt: EpochSeconds
    updatedAt: EpochSeconds


class CustomerRow(TypedDict):
    id: str
    name: str
    status: CustomerStatus
    email: str
    phone: str
    website: str
    city: str
    createdAt: EpochSeconds
    updatedAt: EpochSeconds
    archivedAt: EpochSeconds | None
    ownerId: str | None


class ContactRow(TypedDict):
    id: str
    customerId: str
    firstName: str
    lastName: str
    name: str
    email: str
    phone: str
    title: str
    createdAt: EpochSeconds
    updatedAt: EpochSeconds


class ProjectRow(TypedDict):
    id: str
    customerId: str
    name: str
    status: ProjectStatus
    description: str
    createdAt: EpochSeconds
    updatedAt: EpochSeconds


class Account(TypedDict):
    """A customer with the contacts who work there and the projects done for it, the
    typed links these records make with the ones generated before them, and the
    customer's activities. Without `links` and `activities` it is also the parameter row
    of the loader's create statement."""

    customer: CustomerRow
    contacts: list[ContactRow]
    projects: list[ProjectRow]
    links: list[LinkRow]
    activities: list[ActivityRow]


def user_count(customers: int) -> int:
    return max(MIN_USERS, customers // CUSTOMERS_PER_USER)


# Weights are spelled out as repeated entries, so a weighted pick is a plain pick.
CUSTOMER_STATUSES: tuple[CustomerStatus, ...] = (
    *("LEAD",) * 5,
    *("PROSPECT",) * 4,
    *("ACTIVE",) * 9,
    *("FORMER",) * 2,
)
PROJECT_STATUSES: tuple[ProjectStatus, ...] = (
    *("PLANNED",) * 3,
    *("ACTIVE",) * 7,
    *("ON_HOLD",) * 2,
    *("DONE",) * 6,
    *("CANCELLED",) * 2,
)
ARCHIVED_SHARE_OF_FORMER = 0.3
OWNED_SHARE = 0.9
INACTIVE_USER_SHARE = 0.05
HEBREW_SHARE = 0.5
# A contact usually shares the language of the company they work at.
CONTACT_SAME_LANGUAGE = 0.85

MAILBOXES = ("info", "office", "sales", "contact", "hello")


class Dataset:
    """A reproducible CRM: users and who manages or shares whose calendar, the
    relationship-type and activity catalogs, and customers with their contacts, projects,
    typed links and activities (`activities_per_customer` on average). With `history`
    k above 1, every customer's history is k times longer: its activities of the last
    three years, and k - 1 more periods of three years drawn the same way before them, so
    the users have k times the activities at the same customers.

    `accounts()` streams; only the users (one per 200 customers), the word pools and the
    window of recent records that links reach are held in memory, so the size is
    limited by patience, not RAM.
    """

    def __init__(
        self,
        customers: int,
        *,
        seed: int = 0,
        until: datetime = DEFAULT_UNTIL,
        activities_per_customer: float = ACTIVITIES_PER_CUSTOMER,
        history: int = 1,
    ) -> None:
        if customers < 0 or activities_per_customer < 0:
            raise ValueError("customers and activities_per_customer must not be negative")
        if history < 1:
            raise ValueError("history must be at least 1")
        self.customers = customers
        self.seed = seed
        self.until = int(until.timestamp())
        self.activities_per_customer = activities_per_customer
        self.history = history

    @property
    def languages(self) -> tuple[Vocabulary, Vocabulary]:
        """Hebrew and English, in that order."""
        return languages(self.seed)

    @cached_property
    def _people(self) -> list[UserRow]:
        rng = random.Random(f"{self.seed}:users")
        hebrew, english = self.languages
        handles: set[str] = set()
        rows: list[UserRow] = []
        for index in range(user_count(self.customers)):
            words = hebrew if rng.random() < HEBREW_SHARE else english
            first, last = pick(rng, words.first_names), pick(rng, words.last_names)
            handle = base = f"{first.slug}.{last.slug}"
            number = 1
            while handle in handles:
                number += 1
                handle = f"{base}{number}"
            handles.add(handle)
            role: Role = "ADMIN" if index == 0 else "MANAGER" if index % 10 == 1 else "MEMBER"
            created = self._moment(rng, self.until - HISTORY_SECONDS)
            rows.append(
                UserRow(
                    id=new_id(rng, "usr"),
                    email=f"{handle}@{USER_DOMAIN}",
                    name=f"{first.text} {last.text}",
                    handle=handle,
                    role=role,
                    active=index < MIN_USERS or rng.random() >= INACTIVE_USER_SHARE,
                    passwordHash="",
                    createdAt=created,
                    updatedAt=self._moment(rng, created),
                )
            )
        return rows

    def users(self, password_hash: str) -> Iterator[UserRow]:
        """The users, every one with `password_hash` (hashing is slow, so it is shared)."""
        for person in self._people:
            row = person.copy()
            row["passwordHash"] = password_hash
            yield row

    def relationship_types(self) -> list[RelationshipTypeRow]:
        """The catalog the links of `accounts()` follow, defined when history begins."""
        rng = random.Random(f"{self.seed}:relationship-types")
        return relationship_types(rng, self.until - HISTORY_SECONDS)

    @cached_property
    def activity_catalogs(self) -> Catalogs:
        """The activity types and statuses, defined when history begins."""
        rng = random.Random(f"{self.seed}:activity-catalogs")
        return Catalogs(rng, self.until - HISTORY_SECONDS)

    def calendar_access(self) -> tuple[list[AccessRow], list[AccessRow]]:
        """Who manages whom, and who shares their calendar with whom."""
        rng = random.Random(f"{self.seed}:calendar-access")
        return calendar_access(rng, [(row["id"], row["role"]) for row in self._people])

    def accounts(self) -> Iterator[Account]:
        rng = random.Random(f"{self.seed}:customers")
        hebrew, english = self.languages
        owners = [row["id"] for row in self._people]
        # Links and activities draw from generators of their own: the records stay put.
        neighbourhood = Neighbourhood(
            random.Random(f"{self.seed}:links"), owners, self.languages, self.until
        )
        agenda = Agenda(
            random.Random(f"{self.seed}:activities"),
            self.activity_catalogs,
            owners,
            self.until,
            self.activities_per_customer,
            [HISTORY_SECONDS * period for period in range(1, self.history)],
        )
        for _ in range(self.customers):
            words = hebrew if rng.random() < HEBREW_SHARE else english
            customer = self._customer(rng, words, owners)
            contacts = [
                self._contact(
                    rng,
                    words
                    if rng.random() < CONTACT_SAME_LANGUAGE
                    else other(words, hebrew, english),
                    customer,
                )
                for _ in range(below(rng, MAX_CONTACTS + 1))
            ]
            projects = [
                self._project(rng, words, customer) for _ in range(below(rng, MAX_PROJECTS + 1))
            ]
            yield Account(
                customer=customer,
                contacts=contacts,
                projects=projects,
                links=neighbourhood.links(customer, contacts, projects),
                activities=agenda.activities(customer, contacts, words.hebrew),
            )

    def _moment(self, rng: random.Random, after: EpochSeconds) -> EpochSeconds:
        """A second between `after` and the end of history."""
        return moment(rng, after, self.until)

    def _customer(self, rng: random.Random, words: Vocabulary, owners: list[str]) -> CustomerRow:
        name, domain = words.company(rng)
        created = self._moment(rng, self.until - HISTORY_SECONDS)
        updated = self._moment(rng, created)
        status = pick(rng, CUSTOMER_STATUSES)
        archived = status == "FORMER" and rng.random() < ARCHIVED_SHARE_OF_FORMER
        return CustomerRow(
            id=new_id(rng, "cus"),
            name=name,
            status=status,
            email=f"{pick(rng, MAILBOXES)}@{domain}",
            phone=words.office_phone(rng),
            website=f"https://www.{domain}",
            city=pick(rng, words.cities),
            createdAt=created,
            updatedAt=updated,
            archivedAt=updated if archived else None,
            ownerId=pick(rng, owners) if rng.random() < OWNED_SHARE else None,
        )

    def _contact(self, rng: random.Random, words: Vocabulary, customer: CustomerRow) -> ContactRow:
        first, last = pick(rng, words.first_names), pick(rng, words.last_names)
        created = self._moment(rng, customer["createdAt"])
        return ContactRow(
            id=new_id(rng, "con"),
            customerId=customer["id"],
            firstName=first.text,
            lastName=last.text,
            name=f"{first.text} {last.text}",
            email=f"{first.slug}.{last.slug}@{customer['email'].partition('@')[2]}",
            phone=words.mobile_phone(rng),
            title=pick(rng, words.titles),
            createdAt=created,
            updatedAt=self._moment(rng, created),
        )

    def _project(self, rng: random.Random, words: Vocabulary, customer: CustomerRow) -> ProjectRow:
        created = self._moment(rng, customer["createdAt"])
        return ProjectRow(
            id=new_id(rng, "prj"),
            customerId=customer["id"],
            name=pick(rng, words.project_names),
            status=pick(rng, PROJECT_STATUSES),
            description=pick(rng, words.descriptions),
            createdAt=created,
            updatedAt=self._moment(rng, created),
        )
