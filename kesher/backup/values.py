"""Property values as JSON: the types Neo4j stores, kept exactly through a backup.

JSON holds strings, booleans, integers, finite floats and lists as they are. Every other
property type becomes a one-key object naming the type, which cannot be mistaken for a
value: a Neo4j property is never a map. Temporal values keep their nanoseconds and a
date-time its named zone (or its offset), as the driver itself sends them back.
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, TypeVar

import pytz
from neo4j.spatial import CartesianPoint, Point, WGS84Point
from neo4j.time import Date, DateTime, Duration, Time

T = TypeVar("T")

_FINER_THAN_MICROSECONDS = re.compile(r"\.\d{7}")
_ZONED = re.compile(r"^(?P<base>[^.]+?)(?:\.(?P<fraction>\d{1,9}))?(?P<offset>[+-]\d\d:\d\d)$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)

# Spatial reference ids Neo4j uses: 2D and 3D Cartesian, 2D and 3D WGS-84.
_POINT_TYPES: dict[int, type[Point]] = {
    7203: CartesianPoint,
    9157: CartesianPoint,
    4326: WGS84Point,
    4979: WGS84Point,
}


class UnknownValue(ValueError):
    """A value of a type a backup does not hold (or an encoded one it does not know)."""


def encode(value: Any) -> Any:
    """A property value (as the driver returns it) in the JSON this module reads back."""
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": str(value)}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, DateTime) and value.nanosecond % 1000 == 0:
        value = _as_python(value)
    if isinstance(value, DateTime | datetime):
        # The service's driver reads a date-time with an offset as Python's `datetime`
        # (see `kesher.graph.driver`), any other as the driver's `DateTime`.
        text = value.isoformat() if isinstance(value, datetime) else value.iso_format()
        if value.tzinfo is None:
            return {"localdatetime": text}
        zone = _zone_name(value.tzinfo)
        return {"datetime": text, "zone": zone} if zone else {"datetime": text}
    if isinstance(value, Date):
        return {"date": value.iso_format()}
    if isinstance(value, Time):
        return {"time" if value.tzinfo else "localtime": value.iso_format()}
    if isinstance(value, Duration):
        return {"duration": [value.months, value.days, value.seconds, value.nanoseconds]}
    if isinstance(value, Point):
        return {"point": [value.srid, *value]}
    if isinstance(value, bytes | bytearray):
        return {"bytes": base64.b64encode(value).decode("ascii")}
    raise UnknownValue(f"cannot back up a value of type {type(value).__name__}")


def as_instant(value: Any) -> tuple[int, int, str] | None:
    """An encoded date-time with a zone or an offset as the seconds since the epoch, the
    nanoseconds and the zone (or offset), from which Cypher builds it exactly; None for
    any other value. The driver takes some 0.7 ms to send one date-time, Cypher next to
    nothing to build it from these."""
    if not isinstance(value, dict) or "datetime" not in value:
        return None
    match = _ZONED.match(value["datetime"])
    if match is None:
        return None
    try:
        moment = datetime.fromisoformat(match["base"] + match["offset"])
    except ValueError:
        return None
    nanoseconds = int((match["fraction"] or "").ljust(9, "0"))
    return (moment - _EPOCH) // _SECOND, nanoseconds, value.get("zone") or match["offset"]


def decode(value: Any) -> Any:
    """The property value `encode` was given, as the driver sends it to Neo4j."""
    if isinstance(value, list):
        return [decode(item) for item in value]
    if not isinstance(value, dict):
        return value
    kind, text = next(iter(value.items()))
    if kind == "datetime":
        zone = value.get("zone")
        if isinstance(zone, str):
            # In pytz's zone, as the driver reads one: it sends that back unchanged.
            return DateTime.from_iso_format(text).as_timezone(pytz.timezone(zone))
        return _offset_datetime(text)
    if kind == "localdatetime":
        return _python(datetime.fromisoformat, text) or DateTime.from_iso_format(text)
    if kind == "date":
        return _python(date.fromisoformat, text) or Date.from_iso_format(text)
    if kind in ("time", "localtime"):
        return Time.from_iso_format(text)
    if kind == "duration":
        months, days, seconds, nanoseconds = text
        return Duration(months=months, days=days, seconds=seconds, nanoseconds=nanoseconds)
    if kind == "point":
        srid, *coordinates = text
        point_type = _POINT_TYPES.get(srid)
        if point_type is None:
            raise UnknownValue(f"unknown spatial reference id {srid}")
        return point_type(coordinates)
    if kind == "bytes":
        return base64.b64decode(text)
    if kind == "float":
        return float(text)
    raise UnknownValue(f"unknown value type {kind!r}")


def _as_python(value: DateTime) -> DateTime | datetime:
    """A date-time Python's `datetime` holds exactly as one (a shorter text, read back
    faster), else as it is."""
    try:
        return value.to_native()
    except (ValueError, OverflowError):
        return value


def _offset_datetime(text: str) -> datetime | DateTime:
    moment = _python(datetime.fromisoformat, text)
    if moment is not None:
        return moment
    moment = DateTime.from_iso_format(text)
    offset = moment.utcoffset()
    if offset is None:
        raise UnknownValue(f"the date-time {text} has neither zone nor offset")
    # A plain offset, which the driver sends as one (pytz's UTC it would send as the zone
    # named UTC).
    return moment.replace(tzinfo=timezone(offset))


def _python(parse: Callable[[str], T], text: str) -> T | None:
    """The value as Python's own type, which the driver sends several times faster than
    its own; None when Python's cannot hold it exactly (a fraction finer than a
    microsecond, a year beyond 9999)."""
    if _FINER_THAN_MICROSECONDS.search(text):
        return None
    try:
        return parse(text)
    except ValueError:
        return None


def _zone_name(zone: Any) -> str | None:
    """The named zone of a date-time's tzinfo (pytz or zoneinfo), None for a fixed offset:
    the same test the driver makes when it sends one. The driver reads both the offset `Z`
    and the zone `UTC` as pytz's UTC, which cannot tell them apart; it is kept as `Z`, the
    offset `datetime()` gives and the one Kesher writes."""
    for attribute in ("zone", "key"):
        name = getattr(zone, attribute, None)
        if isinstance(name, str) and name and name != "UTC":
            return name
    return None
