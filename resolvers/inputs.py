"""What mutation input must look like, checked before anything is written."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
)
from pydantic.alias_generators import to_camel

from kesher.graph.kinds import PAIRS_BY_NAME, PARTY_KINDS
from kesher.resolvers.time_zones import zone_problem

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^[0-9+()\-.\s/]*$")
]
Website = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500, pattern=r"^https?://\S+$")
]
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Handle = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_lower=True, pattern=r"^[a-z0-9][a-z0-9._-]{1,39}$"),
]
Password = Annotated[str, StringConstraints(min_length=10, max_length=200)]

# What each pattern above asks for, in words, for refusals.
PATTERN_MEANINGS = {
    r"^[0-9+()\-.\s/]*$": "must hold only digits, spaces and + ( ) - . /",
    r"^https?://\S+$": "must be an http:// or https:// address without spaces",
    r"^https://\S+$": "must be an https:// address without spaces",
    r"^[a-z0-9][a-z0-9._-]{1,39}$": "must be 2 to 40 letters a-z, digits, '.', '_' or '-', "
    "starting with a letter or digit",
    r"^#[0-9A-Fa-f]{6}$": "must be a colour written #RRGGBB",
}

CustomerStatus = Literal["LEAD", "PROSPECT", "ACTIVE", "FORMER"]
ProjectStatus = Literal["PLANNED", "ACTIVE", "ON_HOLD", "DONE", "CANCELLED"]
Role = Literal["ADMIN", "MANAGER", "MEMBER"]


class Input(BaseModel):
    """Input as the API names it (camelCase); unknown fields are refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")

    def graph_values(self, names: Iterable[str]) -> dict[str, Any]:
        """These fields as graph properties (camel case, as the API names them)."""
        return {to_camel(name): getattr(self, name) for name in names}


class Update(Input):
    """An update changes only the fields it names; `required` ones may not be cleared."""

    required: ClassVar[frozenset[str]] = frozenset()

    def cleared_required(self) -> str | None:
        """The API name of a required field this update would clear, if any."""
        for name in sorted(self.model_fields_set & self.required):
            if getattr(self, name) is None:
                return to_camel(name)
        return None


class CustomerCreate(Input):
    name: Name
    status: CustomerStatus = "LEAD"
    email: EmailStr | None = None
    phone: Phone | None = None
    website: Website | None = None
    city: Short | None = None
    owner_id: Id | None = None


class CustomerUpdate(Update):
    required: ClassVar[frozenset[str]] = frozenset({"name", "status"})
    name: Name | None = None
    status: CustomerStatus | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    website: Website | None = None
    city: Short | None = None
    owner_id: Id | None = None


class ContactCreate(Input):
    customer_id: Id
    first_name: Name
    last_name: Short = ""
    email: EmailStr | None = None
    phone: Phone | None = None
    title: Short | None = None


class ContactUpdate(Update):
    required: ClassVar[frozenset[str]] = frozenset({"customer_id", "first_name", "last_name"})
    customer_id: Id | None = None
    first_name: Name | None = None
    last_name: Short | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    title: Short | None = None


class ProjectCreate(Input):
    customer_id: Id
    name: Name
    status: ProjectStatus = "PLANNED"
    description: Text | None = None


class ProjectUpdate(Update):
    required: ClassVar[frozenset[str]] = frozenset({"customer_id", "name", "status"})
    customer_id: Id | None = None
    name: Name | None = None
    status: ProjectStatus | None = None
    description: Text | None = None


class UserCreate(Input):
    email: EmailStr
    name: Name
    handle: Handle | None = None
    role: Role = "MEMBER"
    password: Password


class UserUpdate(Update):
    required: ClassVar[frozenset[str]] = frozenset(
        {"email", "name", "handle", "role", "password", "active"}
    )
    email: EmailStr | None = None
    name: Name | None = None
    handle: Handle | None = None
    role: Role | None = None
    password: Password | None = None
    active: bool | None = None


# Relationships.

Colour = Annotated[
    str, StringConstraints(strip_whitespace=True, to_upper=True, pattern=r"^#[0-9A-Fa-f]{6}$")
]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
TypeKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
Limit = Annotated[int, Field(ge=1, le=10_000)]
SortOrder = Annotated[int, Field(ge=1, le=1_000_000)]


def one_of(names: Iterable[str]) -> AfterValidator:
    """A check that text is one of `names`, refused in the words of a literal's check."""
    allowed = tuple(names)
    expected = ", ".join(repr(name) for name in allowed[:-1]) + f" or {allowed[-1]!r}"

    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(f"must be one of {expected}")
        return value

    return AfterValidator(check)


KindPair = Annotated[str, one_of(PAIRS_BY_NAME)]
PartyKindName = Annotated[str, one_of(kind.name for kind in PARTY_KINDS)]


class RelationshipTypeDefine(Input):
    key: TypeKey
    label: Label
    reciprocal_label: Label | None = None
    symmetric: bool = False
    colour: Colour
    sort_order: SortOrder | None = None
    kinds: KindPair
    limit_per_source: Limit | None = None
    limit_per_target: Limit | None = None
    description: Text | None = None


class RelationshipTypeUpdate(Update):
    required: ClassVar[frozenset[str]] = frozenset(
        {"label", "reciprocal_label", "symmetric", "colour", "sort_order"}
    )
    label: Label | None = None
    reciprocal_label: Label | None = None
    symmetric: bool | None = None
    colour: Colour | None = None
    sort_order: SortOrder | None = None
    limit_per_source: Limit | None = None
    limit_per_target: Limit | None = None
    description: Text | None = None


class PartyChoice(Input):
    """The other party of a new link: exactly one of the three."""

    id: Id | None = None
    free_text: Name | None = None
    new_customer: CustomerCreate | None = None


class RelationshipAdd(Input):
    from_id: Id
    type_key: TypeKey
    to: PartyChoice
    reverse: bool = False
    starts_on: date | None = None
    ends_on: date | None = None
    note: Note | None = None


class RelationshipUpdate(Update):
    starts_on: date | None = None
    ends_on: date | None = None
    note: Note | None = None


# Activity catalogs.

StatusCategory = Literal["OPEN", "DONE", "CANCELLED"]


class ActivityTypeDefine(Input):
    name: Label
    colour: Colour
    sort_order: SortOrder | None = None


class ActivityTypeUpdate(Update):
    required: ClassVar[frozenset[str]] = frozenset({"name", "colour", "sort_order"})
    name: Label | None = None
    colour: Colour | None = None
    sort_order: SortOrder | None = None


class ActivityStatusDefine(ActivityTypeDefine):
    category: StatusCategory


class ActivityStatusUpdate(ActivityTypeUpdate):
    required: ClassVar[frozenset[str]] = frozenset({"name", "colour", "sort_order", "category"})
    category: StatusCategory | None = None


# Activities.

ActivityKind = Literal["EVENT", "TASK", "CALL", "EMAIL", "OFFER", "PRODUCT_RECORD"]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


def _zone(name: str) -> str:
    problem = zone_problem(name)
    if problem is not None:
        raise ValueError(problem)
    return name


TimeZone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64),
    AfterValidator(_zone),
]
Https = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000, pattern=r"^https://\S+$")
]
Ids = Annotated[list[Id], Field(max_length=100)]
Rule = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class ActivityCreate(Input):
    kind: ActivityKind
    type_id: Id
    status_id: Id
    subject: Subject
    description: Text | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    due_at: AwareDatetime | None = None
    all_day: bool = False
    time_zone: TimeZone = "UTC"
    owner_id: Id
    participant_ids: Ids = []
    customer_id: Id
    contact_id: Id | None = None
    other_customer_ids: Ids = []
    external_url: Https | None = None
    recurrence: Rule | None = None


class ActivityUpdate(Update):
    required: ClassVar[frozenset[str]] = frozenset(
        {"type_id", "status_id", "subject", "all_day", "time_zone", "owner_id", "customer_id"}
    )
    type_id: Id | None = None
    status_id: Id | None = None
    subject: Subject | None = None
    description: Text | None = None
    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    due_at: AwareDatetime | None = None
    all_day: bool | None = None
    time_zone: TimeZone | None = None
    owner_id: Id | None = None
    participant_ids: Ids | None = None
    customer_id: Id | None = None
    contact_id: Id | None = None
    other_customer_ids: Ids | None = None
    external_url: Https | None = None
    recurrence: Rule | None = None
