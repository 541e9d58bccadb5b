"""What the root fields of every feature share: the selection they answer and the payload a
mutation's outcome becomes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from strawberry.types.nodes import SelectedField, Selection

from kesher.resolvers.errors import Refusal
from kesher.resolvers.selected import selected
from kesher.resolvers.selection import child
from kesher.schema.common import Info, MutationError, Row, error_of

S = TypeVar("S")


def single_field(info: Info) -> SelectedField:
    """The root field being answered, as the client selected it."""
    field = selected(info)
    assert isinstance(field, SelectedField)
    return field


def selections(info: Info) -> list[Selection]:
    """What the client selected of the root field's answer."""
    return single_field(info).selections


def saved_record(info: Info, name: str) -> list[Selection]:
    """What the client asked to see of the saved record in the success payload."""
    return child(selected(info).selections, name)


def payload(outcome: Row | Refusal, success: Callable[[Row], S]) -> S | MutationError:
    """A mutation's outcome as its payload: the success made from the saved row, or the
    refusal."""
    return error_of(outcome) if isinstance(outcome, Refusal) else success(outcome)
