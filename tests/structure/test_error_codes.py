"""One error-code enum (`kesher.codes.Code`) for every layer, and pydantic's text kept from
clients."""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from kesher.codes import Code
from kesher.resolvers.errors import ClientError, Refusal, validate
from kesher.resolvers.exports import QUERIES, checked_query
from kesher.resolvers.inputs import Input
from kesher.schema.common import ErrorCode

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("graph", "resolvers", "schema", "seeds", "kesher")
CODES = {code.value for code in Code}
_UPPER_SNAKE = re.compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$|^[A-Z]{4,}$")
# Callables that take a code among their arguments (positionally too).
_TAKE_A_CODE = frozenset({"Refusal", "ClientError", "refuse", "_refused", "_request_error"})


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for folder in FOLDERS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path != ROOT / "kesher" / "codes.py":
                yield path, ast.parse(path.read_text(encoding="utf-8"), str(path))


def _named(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _code_places(tree: ast.Module) -> Iterator[ast.expr]:
    """The expressions that give an error code: `code=…`, `{"code": …}`, what is assigned
    to a `code`, and the arguments of the callables that take one."""
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "code":
            yield node.value
        elif isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == "code":
                    yield value
        elif isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if _named(target) == "code":
                    yield node.value
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    for part, value in zip(target.elts, node.value.elts, strict=False):
                        if _named(part) == "code":
                            yield value
        elif isinstance(node, ast.Call) and _named(node.func) in _TAKE_A_CODE:
            yield from node.args


def _alternatives(expr: ast.expr) -> Iterator[ast.expr]:
    """The values an expression may give: both sides of `a if c else b` and `a or b`."""
    if isinstance(expr, ast.IfExp):
        yield from _alternatives(expr.body)
        yield from _alternatives(expr.orelse)
    elif isinstance(expr, ast.BoolOp):
        for value in expr.values:
            yield from _alternatives(value)
    else:
        yield expr


def test_every_code_is_written_as_a_member_of_the_enum() -> None:
    # given every module of the package
    literal_codes: list[str] = []
    unknown_codes: list[str] = []

    # when
    for path, tree in _modules():
        where = path.relative_to(ROOT)
        # the schema's GraphQL enum of mutation codes declares each by its value
        declared = {
            id(node.args[0])
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _named(node.func) == "enum_value" and node.args
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and node.value in CODES
                and id(node) not in declared
                and not (isinstance(node.value, str) and node.value in _NOT_CODES.get(where, ()))
            ):
                literal_codes.append(f"{where}:{node.lineno}: {node.value}")
        for place in _code_places(tree):
            for node in _alternatives(place):
                if (
                    isinstance(node, ast.Constant)
                    and isinstance(node.value, str)
                    and _UPPER_SNAKE.match(node.value)
                ):
                    unknown_codes.append(f"{where}:{node.lineno}: {node.value}")

    # then
    assert literal_codes == []
    assert unknown_codes == []


# Strings that are spelled as a code but are something else: an activity's audit event.
_NOT_CODES: dict[Path, tuple[str, ...]] = {Path("graph/activities.py"): ("CLOSED",)}


def test_the_members_are_the_strings_clients_receive() -> None:
    # An enum member hashes as its name: a name other than its value would not match the
    # string it stands for in a set or a dict.
    assert all(code.name == code.value for code in Code)
    # The schema's codes of a refused mutation are members too.
    assert {code.value for code in ErrorCode} <= CODES
    assert Code.NOT_FOUND == "NOT_FOUND"
    assert {"NOT_FOUND": 1}[Code.NOT_FOUND] == 1


def _input_models() -> list[type[Input]]:
    for path in sorted((ROOT / "resolvers").glob("*.py")):
        importlib.import_module(f"kesher.resolvers.{path.stem}".removesuffix(".__init__"))
    found: list[type[Input]] = []
    pending: list[type[Input]] = [Input]
    while pending:
        for model in pending.pop().__subclasses__():
            found.append(model)
            pending.append(model)
    return found


# Values that no field accepts all of: wrong types, empty, too long, malformed.
_BAD: list[Any] = [
    None,
    7,
    2.5,
    True,
    "",
    "   ",
    "x" * 6000,
    "not a date",
    "2025-13-45",
    "2025-03-01T09:30:00",
    "@@",
    "ftp://example.com",
    -1,
    10**30,
    "a\nb",
    [],
    [7],
    ["x"] * 500,
    {},
    {"unknown": 1},
]


def _pydantic_words(model: type[BaseModel], data: dict[str, Any]) -> list[str]:
    try:
        model.model_validate(data)
    except ValidationError as error:
        return [str(error), *(detail["msg"] for detail in error.errors())]
    return []


@pytest.mark.parametrize("model", _input_models(), ids=lambda model: model.__name__)
def test_bad_mutation_input_is_refused_in_the_projects_words(model: type[Input]) -> None:
    for name, field in model.model_fields.items():
        for value in _BAD:
            # given
            data = {field.alias or name: value}

            # when
            refusal = validate(model, data)

            # then
            if not isinstance(refusal, Refusal):
                continue
            assert refusal.code == Code.INVALID_INPUT
            assert refusal.field is not None
            assert refusal.message.startswith(f"{refusal.field}: ")
            words = _pydantic_words(model, data)
            leaked = [text for text in words if text in refusal.message]
            assert leaked == [], (data, refusal.message)
            assert "Input should" not in refusal.message
            assert "validation error" not in refusal.message


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_bad_export_parameters_are_refused_in_the_projects_words(name: str) -> None:
    model = QUERIES[name]
    for key, field in model.model_fields.items():
        for value in ("", "x" * 300, "not a date", "maybe", "-5", "2025-03-01T09:30:00"):
            # given
            given = field.alias or key

            # when
            try:
                checked_query(name, [(given, value)])
            except ClientError as error:
                refused = error
            else:
                continue

            # then
            assert (refused.extensions or {})["code"] == Code.INVALID_INPUT
            field_name = (refused.extensions or {})["field"]
            assert refused.message.startswith(f"{field_name}: ")
            words = _pydantic_words(model, {given: value})
            assert [text for text in words if text in refused.message] == []
            assert "Input should" not in refused.message
