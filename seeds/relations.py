"""Typed relationships in the generated CRM: the relationship-type catalog, and the links
each new account makes with the records generated just before it.

Links reach only into a window of recent records. That keeps memory bounded however
many accounts stream past, lets links close into cycles, and makes the neighbourhood
of a typical customer as large in a graph of ten thousand customers as in one of a
million: how many links a record has depends on the rates below, never on the scale.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Literal, TypedDict

from kesher.seeds.draws import EpochSeconds, Recent, below, moment, new_id, pick, poisson

if TYPE_CHECKING:
    from kesher.graph.kinds import Kind
    from kesher.seeds.generator import ContactRow, CustomerRow, ProjectRow
    from kesher.seeds.vocabulary import Vocabulary

# Records of each kind that new links may reach: those of about the last 2,000 accounts
# (an account has two contacts and one project on average).
WINDOW: dict[Kind, int] = {"Customer": 2_000, "Contact": 4_000, "Project": 2_000}
EXTERNAL_SHARE = 0.05
STARTS_SHARE = 0.2
ENDS_SHARE = 0.1
NOTE_SHARE = 0.03
# How far before it was recorded a link with a start date may have started.
STARTED_BEFORE_DAYS = 10 * 365
HEBREW_SHARE = 0.5
NOTES = (
    "הכרות מכנס הייצוא",
    "לפי המלצה של רואה החשבון",
    "קשר משפחתי, לא לשתף בפגישות",
    "עובדים יחד מאז הפרויקט בחיפה",
    "Met at the Tel Aviv trade fair",
    "Introduced by the previous account manager",
    "Agreement renewed every January",
    "Prefers to be contacted by phone",
)

NewEnd = Literal["from", "to", "either"]


class RelationshipTypeRow(TypedDict):
    id: str
    key: str
    label: str
    reciprocalLabel: str
    symmetric: bool
    colour: str
    sortOrder: int
    fromKind: Kind
    toKind: Kind
    limitPerSource: int | None
    limitPerTarget: int | None
    createdAt: EpochSeconds
    updatedAt: EpochSeconds


class ExternalPartyRow(TypedDict):
    id: str
    name: str
    createdAt: EpochSeconds
    updatedAt: EpochSeconds


class LinkRow(TypedDict):
    """One typed edge, from `fromId` to `toId`; `type` is its catalog key.

    `party`, when set, is a free-text party created with the link; it stands at the end
    whose id is its own. Dates are ISO strings (`2024-03-01`).
    """

    id: str
    type: str
    fromId: str
    toId: str
    startsOn: str | None
    endsOn: str | None
    note: str | None
    createdAt: EpochSeconds
    createdBy: str
    party: ExternalPartyRow | None


@dataclass(frozen=True, slots=True, kw_only=True)
class LinkPlan:
    """A catalog entry, and how often the records of a new account take part in its links.

    Each new record at the `new_end` of the type starts `rate` links on average (a
    Poisson draw), the other end found among the recent records, in the record's own
    account for a `same_account` share of them (when it has a candidate). A limit must
    be on the new end: then every link that counts towards it is made while that
    record's account is generated, and the limit is checked without remembering older
    accounts.
    """

    key: str
    label: str
    reciprocal_label: str
    colour: str
    from_kind: Kind
    to_kind: Kind
    rate: float
    new_end: NewEnd
    symmetric: bool = False
    limit_per_source: int | None = None
    limit_per_target: int | None = None
    same_account: float = 0.0

    def __post_init__(self) -> None:
        if self.symmetric and self.reciprocal_label != self.label:
            raise ValueError(f"{self.key}: a symmetric type reads the same both ways")
        if self.new_end == "either" and self.from_kind != self.to_kind:
            raise ValueError(f"{self.key}: only a type joining one kind may start at either end")
        if self.limit_per_source is not None and self.new_end != "from":
            raise ValueError(f"{self.key}: a source limit needs new records at the source")
        if self.limit_per_target is not None and self.new_end != "to":
            raise ValueError(f"{self.key}: a target limit needs new records at the target")

    @property
    def new_kind(self) -> Kind:
        return self.to_kind if self.new_end == "to" else self.from_kind

    @property
    def other_kind(self) -> Kind:
        return self.from_kind if self.new_end == "to" else self.to_kind

    @property
    def limit(self) -> int | None:
        """The limit on the new end's links of this type."""
        return self.limit_per_target if self.new_end == "to" else self.limit_per_source


# Rates are per new record: per customer, per contact (two per customer on average) and
# per project (one per customer). Per customer that makes about 1.5 links between
# customers, 0.5 between a customer and a contact, 0.5 between contacts, 0.3 between a
# project and a customer and 0.2 between a project and a contact.
LINK_PLANS: tuple[LinkPlan, ...] = (
    LinkPlan(
        key="PARENT_COMPANY_OF",
        label="parent company",
        reciprocal_label="subsidiary",
        colour="#1F6FEB",
        from_kind="Customer",
        to_kind="Customer",
        limit_per_target=1,
        rate=0.32,
        new_end="to",
    ),
    LinkPlan(
        key="PARTNER_OF",
        label="partner",
        reciprocal_label="partner",
        symmetric=True,
        colour="#2DA44E",
        from_kind="Customer",
        to_kind="Customer",
        rate=0.6,
        new_end="either",
    ),
    LinkPlan(
        key="SUPPLIER_OF",
        label="ספק",
        reciprocal_label="לקוח",
        colour="#BF8700",
        from_kind="Customer",
        to_kind="Customer",
        rate=0.62,
        new_end="either",
    ),
    LinkPlan(
        key="DECISION_MAKER",
        label="decision maker at",
        reciprocal_label="decision maker",
        colour="#CF222E",
        from_kind="Customer",
        to_kind="Contact",
        limit_per_source=1,
        rate=0.36,
        new_end="from",
        same_account=0.8,
    ),
    LinkPlan(
        key="ADVISOR",
        label="לקוח ייעוץ",
        reciprocal_label="יועץ",
        colour="#8250DF",
        from_kind="Customer",
        to_kind="Contact",
        rate=0.2,
        new_end="from",
    ),
    LinkPlan(
        key="FATHER_OF",
        label="אב",
        reciprocal_label="בן",
        colour="#0A3069",
        from_kind="Contact",
        to_kind="Contact",
        rate=0.06,
        new_end="to",
    ),
    LinkPlan(
        key="COLLEAGUE_OF",
        label="colleague",
        reciprocal_label="colleague",
        symmetric=True,
        colour="#57606A",
        from_kind="Contact",
        to_kind="Contact",
        rate=0.19,
        new_end="either",
        same_account=0.5,
    ),
    LinkPlan(
        key="SUBCONTRACTOR",
        label="subcontracted project",
        reciprocal_label="subcontractor",
        colour="#E16F24",
        from_kind="Project",
        to_kind="Customer",
        rate=0.3,
        new_end="from",
    ),
    LinkPlan(
        key="PROJECT_LEAD",
        label="פרויקט בהובלה",
        reciprocal_label="מוביל פרויקט",
        colour="#BF3989",
        from_kind="Project",
        to_kind="Contact",
        rate=0.2,
        new_end="from",
        same_account=0.7,
    ),
)


def relationship_types(rng: random.Random, created: EpochSeconds) -> list[RelationshipTypeRow]:
    """The catalog of `LINK_PLANS` as stored, sorted as listed."""
    return [
        RelationshipTypeRow(
            id=new_id(rng, "rty"),
            key=plan.key,
            label=plan.label,
            reciprocalLabel=plan.reciprocal_label,
            symmetric=plan.symmetric,
            colour=plan.colour,
            sortOrder=order,
            fromKind=plan.from_kind,
            toKind=plan.to_kind,
            limitPerSource=plan.limit_per_source,
            limitPerTarget=plan.limit_per_target,
            createdAt=created,
            updatedAt=created,
        )
        for order, plan in enumerate(LINK_PLANS, start=1)
    ]


# A party at either end of a link: its id and when it was created.
Party = tuple[str, EpochSeconds]


class Neighbourhood:
    """The recently generated records, and the links each new account makes with them.

    Every link has an end in the account being generated, so two links between the same
    two records can only come from the same account: one account's pairs are all that
    must be remembered to never store a link twice.
    """

    def __init__(
        self,
        rng: random.Random,
        users: Sequence[str],
        languages: tuple[Vocabulary, Vocabulary],
        until: EpochSeconds,
    ) -> None:
        self._rng = rng
        self._users = users
        self._languages = languages
        self._until = until
        self._until_day = until // 86_400
        self._recent = {kind: Recent[Party](size) for kind, size in WINDOW.items()}

    def links(
        self, customer: CustomerRow, contacts: Sequence[ContactRow], projects: Sequence[ProjectRow]
    ) -> list[LinkRow]:
        """The links of a new account, which joins the recent records first."""
        new: dict[Kind, list[Party]] = {
            "Customer": [(customer["id"], customer["createdAt"])],
            "Contact": [(row["id"], row["createdAt"]) for row in contacts],
            "Project": [(row["id"], row["createdAt"]) for row in projects],
        }
        for kind, parties in new.items():
            for party in parties:
                self._recent[kind].add(party)
        rng = self._rng
        owner = customer["ownerId"]
        pairs: set[tuple[str, str, str]] = set()
        links: list[LinkRow] = []
        for plan in LINK_PLANS:
            for record in new[plan.new_kind]:
                made = 0
                for _ in range(poisson(rng, plan.rate)):
                    if plan.limit is not None and made >= plan.limit:
                        break
                    link = self._link(plan, record, new[plan.other_kind], pairs, owner)
                    if link is not None:
                        links.append(link)
                        made += 1
        return links

    def _link(
        self,
        plan: LinkPlan,
        record: Party,
        account: Sequence[Party],
        pairs: set[tuple[str, str, str]],
        owner: str | None,
    ) -> LinkRow | None:
        """A link of `record`, or None when the draw found no other end, the record itself
        or a pair of records already linked this way. The owner of the account records it."""
        rng = self._rng
        party: ExternalPartyRow | None = None
        if rng.random() < EXTERNAL_SHARE:
            party = self._external(plan.other_kind, record[1])
            other: Party | None = (party["id"], party["createdAt"])
        else:
            others = [c for c in account if c is not record] if plan.same_account else []
            if others and rng.random() < plan.same_account:
                other = pick(rng, others)
            else:
                other = self._recent[plan.other_kind].pick(rng)
        if other is None or other[0] == record[0]:
            return None
        pair = (plan.key, min(record[0], other[0]), max(record[0], other[0]))
        if pair in pairs:
            return None
        pairs.add(pair)
        at_start = plan.new_end == "from" or (plan.new_end == "either" and rng.random() < 0.5)
        source, target = (record, other) if at_start else (other, record)
        after = max(record[1], other[1])
        created = party["createdAt"] if party else moment(rng, after, self._until)
        starts_on, ends_on = self._period(created)
        return LinkRow(
            id=f"{source[0]}:{rng.getrandbits(48):012x}",
            type=plan.key,
            fromId=source[0],
            toId=target[0],
            startsOn=starts_on,
            endsOn=ends_on,
            note=pick(rng, NOTES) if rng.random() < NOTE_SHARE else None,
            createdAt=created,
            createdBy=owner or pick(rng, self._users),
            party=party,
        )

    def _external(self, kind: Kind, after: EpochSeconds) -> ExternalPartyRow:
        """A free-text party standing in for a record of `kind`, named like one."""
        rng = self._rng
        hebrew, english = self._languages
        words = hebrew if rng.random() < HEBREW_SHARE else english
        if kind == "Customer":
            name = words.company(rng)[0]
        elif kind == "Contact":
            name = f"{pick(rng, words.first_names).text} {pick(rng, words.last_names).text}"
        else:
            name = pick(rng, words.project_names)
        created = moment(rng, after, self._until)
        return ExternalPartyRow(
            id=new_id(rng, "ext"), name=name, createdAt=created, updatedAt=created
        )

    def _period(self, created: EpochSeconds) -> tuple[str | None, str | None]:
        """Start and end dates: some links say when they started, a few have ended."""
        rng = self._rng
        starts: int | None = None
        ends: int | None = None
        if rng.random() < STARTS_SHARE:
            starts = created // 86_400 - below(rng, STARTED_BEFORE_DAYS)
        if rng.random() < ENDS_SHARE:
            # Ended before the end of history, and not before it started.
            first = starts if starts is not None else created // 86_400
            last = self._until_day - 1
            ends = first + below(rng, last - first + 1) if first <= last else last
            if starts is not None and starts > ends:
                starts = ends
        return _iso(starts), _iso(ends)


_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def _iso(epoch_day: int | None) -> str | None:
    return None if epoch_day is None else date.fromordinal(_EPOCH_ORDINAL + epoch_day).isoformat()
