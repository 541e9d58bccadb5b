"""The custom scalars, each pointing to the specification it follows (`@specifiedBy`).

Times must carry their UTC offset: a time without one means a different instant in every
zone, so it is refused rather than guessed. Dates and times are kept within years that
mean something to a CRM, so that nothing stored defeats a calendar or a report later.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import dateutil.parser
from starlette.datastructures import UploadFile
from strawberry.file_uploads import Upload
from strawberry.types.scalar import ScalarDefinition, scalar

FIRST_YEAR = 1900
LAST_YEAR = 2999
_YEARS = f"between the years {FIRST_YEAR} and {LAST_YEAR}"


def _text(value: object, name: str, example: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"A {name} is written as a string, such as {example!r}; got {value!r}.")
    return value


def parse_datetime(value: object) -> dt.datetime:
    """An RFC 3339 time with its offset, within the years kept."""
    text = _text(value, "DateTime", "2025-03-01T09:30:00+02:00")
    try:
        parsed = dateutil.parser.isoparse(text)
    except (ValueError, OverflowError):
        raise ValueError(
            f"{text[:60]!r} is not a date and time such as '2025-03-01T09:30:00+02:00'."
        ) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValueError(f"{text[:60]!r} has no UTC offset; add one, such as 'Z' or '+02:00'.")
    try:
        year = parsed.astimezone(dt.UTC).year
    except (ValueError, OverflowError):
        year = parsed.year
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{text[:60]!r} is not {_YEARS}.")
    return parsed


def parse_date(value: object) -> dt.date:
    """An ISO 8601 calendar date (YYYY-MM-DD), within the years kept."""
    text = _text(value, "Date", "2025-03-01")
    try:
        parsed = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text[:60]!r} is not a date such as '2025-03-01'.") from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ValueError(f"{text[:60]!r} is not {_YEARS}.")
    return parsed


def isoformat(value: Any) -> str:
    text: str = value.isoformat()
    return text


def parse_upload(value: object) -> object:
    """A file sent as a part of a multipart request, as the spec maps it to a variable."""
    if not isinstance(value, UploadFile):
        raise ValueError(
            "An Upload is a file sent in a multipart request (the GraphQL multipart request "
            "spec), mapped to this variable; it cannot be written in the document or as JSON."
        )
    return value


DateTime: ScalarDefinition = ScalarDefinition(
    name="DateTime",
    description="A date and time with its UTC offset (RFC 3339), such as "
    "2025-03-01T09:30:00+02:00; answers are in UTC. Years 1900 to 2999.",
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
    serialize=isoformat,
    parse_value=parse_datetime,
    parse_literal=None,
    origin=dt.datetime,
)

Date: ScalarDefinition = ScalarDefinition(
    name="Date",
    description="A calendar date, YYYY-MM-DD (ISO 8601 / RFC 3339 full-date). Years 1900 to 2999.",
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
    serialize=isoformat,
    parse_value=parse_date,
    parse_literal=None,
    origin=dt.date,
)

UploadScalar = scalar(
    name="Upload",
    description="A file sent in a multipart request.",
    specified_by_url="https://github.com/jaydenseric/graphql-multipart-request-spec",
    serialize=lambda value: value,
    parse_value=parse_upload,
)

OVERRIDES: dict[object, Any] = {dt.datetime: DateTime, dt.date: Date, Upload: UploadScalar}
