"""Cypher text is built from literals only, as `LiteralString` says (which mypy does not check).

The rule the code follows: the text handed to the driver (`Graph.rows`, `Graph.stream`,
`tx_rows`, a session's or transaction's `run`, `execute_query`, `Query`, `query`) is made
of string literals, names bound to them (in the function, the module, or the module they
are imported from), the elements of containers of them, str methods of them, and what a
function typed `-> LiteralString` returns (the statement builder and the Cypher fragments
of graph/: they take values only as parameters). Parameters and attributes are trusted
where they are annotated `LiteralString`; anything else (a `str` parameter, a value read
from a request or a row, a call of anything else) may not reach Cypher text, whether
pasted by an f-string, `+`, `%`, `.format` or `.join`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = {"kesher": "kesher", "graph": "kesher.graph", "schema": "kesher.schema"}
FOLDERS |= {"resolvers": "kesher.resolvers", "seeds": "kesher.seeds"}

# Calls whose argument at this position is Cypher text.
_FUNCTION_SINKS = {"tx_rows": 1, "Query": 0, "query": 0}
_METHOD_SINKS = {"rows": 0, "stream": 0, "run": 0, "execute_query": 0}
# Receivers of `rows`/`stream` (a Graph) and of `run` (a session or transaction).
_GRAPHS = ("graph", "_graph")
_RUNNERS = ("session", "tx")
# str methods whose result is literal when the string and the arguments are.
_STR_METHODS = frozenset(
    {"lower", "upper", "strip", "lstrip", "rstrip", "title", "capitalize", "replace"}
    | {"removeprefix", "removesuffix", "format", "join", "values", "keys", "items"}
)
# Methods that put their arguments into the container they are called on.
_MUTATIONS = frozenset({"append", "extend", "insert", "add", "update", "setdefault"})
_CONTAINERS = frozenset({"sorted", "tuple", "list", "reversed", "set", "frozenset"})


def _literal_annotation(annotation: ast.expr | None, aliases: frozenset[str] = frozenset()) -> bool:
    """Whether a type annotation holds `LiteralString` (directly or through a type alias of
    the module)."""
    if annotation is None:
        return False
    names = {node.id for node in ast.walk(annotation) if isinstance(node, ast.Name)}
    return "LiteralString" in ast.unparse(annotation) or bool(names & aliases)


@dataclass
class Scope:
    """The names a module or function binds, each to the expressions it may hold (None for
    a name trusted by its annotation, or one that is not a string at all)."""

    module: Module
    parent: Scope | None
    names: dict[str, list[ast.expr | None]] = field(default_factory=dict)
    unsafe: set[str] = field(default_factory=set)

    def bind(self, target: ast.expr, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            self.names.setdefault(target.id, []).append(value)
        elif isinstance(target, ast.Tuple | ast.List):
            for element in target.elts:
                self.bind(element.value if isinstance(element, ast.Starred) else element, value)

    def lookup(self, name: str) -> tuple[Scope, list[ast.expr | None]] | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.unsafe:
                return None
            if name in scope.names:
                return scope, scope.names[name]
            scope = scope.parent
        return None


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    aliases: frozenset[str] = frozenset()
    scope: Scope = field(init=False)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)


def _project_files() -> Iterator[tuple[str, Path, str]]:
    """Each module of the package: its name, its file and its text."""
    for folder, package in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            name = ".".join((package, *parts)).removesuffix(".__init__")
            yield name, path, path.read_text(encoding="utf-8")


class Project:
    def __init__(self, files: Iterable[tuple[str, Path, str]]) -> None:
        self.modules: dict[str, Module] = {}
        self.literal_functions: set[str] = set()
        self.literal_attributes: set[str] = set()
        for name, path, text in files:
            tree = ast.parse(text, str(path))
            module = Module(name, path, tree, _aliases(tree))
            module.scope = self._scope(module, tree.body, None)
            self.modules[name] = module
            self._collect(module)
        # A module-level name bound to such a function (`source = _source`) is one too.
        for module in self.modules.values():
            for statement in module.tree.body:
                if (
                    isinstance(statement, ast.Assign)
                    and isinstance(statement.value, ast.Name)
                    and statement.value.id in self.literal_functions
                ):
                    for target in statement.targets:
                        if isinstance(target, ast.Name):
                            self.literal_functions.add(target.id)

    def _collect(self, module: Module) -> None:
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                if _literal_annotation(node.returns):
                    self.literal_functions.add(node.name)
            elif isinstance(node, ast.ClassDef):
                for item in node.body:
                    if (
                        isinstance(item, ast.AnnAssign)
                        and isinstance(item.target, ast.Name)
                        and _literal_annotation(item.annotation)
                    ):
                        self.literal_attributes.add(item.target.id)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    module.imports[alias.asname or alias.name] = (node.module, alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    module.imports[alias.asname or alias.name] = (alias.name, None)

    def _scope(self, module: Module, body: list[ast.stmt], parent: Scope | None) -> Scope:
        scope = Scope(module, parent)
        for statement in body:
            for node in _walk_scope(statement):
                if isinstance(node, ast.Assign):
                    for target in node.targets:
                        scope.bind(target, node.value)
                elif isinstance(node, ast.AnnAssign) and _literal_annotation(
                    node.annotation, module.aliases
                ):
                    # Trusted by its annotation, as a parameter or a class attribute is.
                    scope.bind(node.target, None)
                elif isinstance(node, ast.AugAssign | ast.AnnAssign) and node.value is not None:
                    scope.bind(node.target, node.value)
                elif isinstance(node, ast.For | ast.AsyncFor):
                    scope.bind(node.target, node.iter)
                elif isinstance(node, ast.NamedExpr):
                    scope.bind(node.target, node.value)
                elif isinstance(node, ast.With | ast.AsyncWith):
                    for item in node.items:
                        # What a context manager gives is not known to be literal.
                        if isinstance(item.optional_vars, ast.Name):
                            scope.unsafe.add(item.optional_vars.id)
                elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    scope.names.setdefault(node.name, []).append(None)
                elif isinstance(node, ast.ExceptHandler) and node.name:
                    scope.unsafe.add(node.name)
                elif (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in _MUTATIONS
                    and isinstance(node.func.value, ast.Name)
                ):
                    for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
                        scope.bind(node.func.value, argument)
        return scope

    def function_scope(
        self, module: Module, function: ast.FunctionDef | ast.AsyncFunctionDef, parent: Scope
    ) -> Scope:
        scope = self._scope(module, function.body, parent)
        arguments = function.args
        for argument in [
            *arguments.posonlyargs,
            *arguments.args,
            *arguments.kwonlyargs,
            *[a for a in (arguments.vararg, arguments.kwarg) if a is not None],
        ]:
            if _literal_annotation(argument.annotation, module.aliases):
                scope.names[argument.arg] = [None]
            else:
                scope.unsafe.add(argument.arg)
        return scope

    def literal(self, expr: ast.expr, scope: Scope, seen: frozenset[int] = frozenset()) -> bool:
        """Whether every string `expr` gives (or holds, for a container) is literal."""
        if id(expr) in seen:
            return True
        seen = seen | {id(expr)}

        def each(*parts: ast.expr | None) -> bool:
            return all(part is None or self.literal(part, scope, seen) for part in parts)

        match expr:
            case ast.Constant():
                return True
            case ast.JoinedStr(values=values):
                return each(*values)
            case ast.FormattedValue(value=value, format_spec=spec):
                return each(value, spec)
            case ast.BinOp(left=left, right=right, op=ast.Add() | ast.Mod()):
                return each(left, right)
            case ast.IfExp(body=body, orelse=orelse):
                return each(body, orelse)
            case ast.BoolOp(values=values):
                return each(*values)
            case ast.Tuple(elts=elements) | ast.List(elts=elements) | ast.Set(elts=elements):
                return each(*elements)
            case ast.Starred(value=value):
                return each(value)
            case ast.Dict(keys=keys, values=values):
                return each(*keys, *values)
            case ast.Subscript(value=value):
                return each(value)
            case (
                ast.ListComp(elt=element, generators=generators)
                | ast.GeneratorExp(elt=element, generators=generators)
                | ast.SetComp(elt=element, generators=generators)
            ):
                inner = self._comprehension(generators, scope)
                return self.literal(element, inner, seen) and all(
                    self.literal(generator.iter, inner, seen) for generator in generators
                )
            case ast.DictComp(key=key, value=value, generators=generators):
                inner = self._comprehension(generators, scope)
                return all(self.literal(part, inner, seen) for part in (key, value)) and all(
                    self.literal(generator.iter, inner, seen) for generator in generators
                )
            case ast.Name(id=name):
                return self._name(name, scope, seen)
            case ast.Attribute(value=ast.Name(id=owner), attr=attr) if self._module_of(
                owner, scope
            ):
                module = self.modules[self._module_of(owner, scope) or ""]
                return self._name(attr, module.scope, seen)
            case ast.Attribute(attr=attr):
                return attr in self.literal_attributes
            case ast.Call(func=function, args=args, keywords=keywords):
                if _called(function) in self.literal_functions:
                    return True
                if isinstance(function, ast.Name) and function.id in _FUNCTION_SINKS:
                    text = _text(expr)
                    return text is not None and self.literal(text, scope, seen)
                arguments = [*args, *(keyword.value for keyword in keywords)]
                if isinstance(function, ast.Attribute) and function.attr in _STR_METHODS:
                    return each(function.value, *arguments)
                if isinstance(function, ast.Name) and function.id in _CONTAINERS:
                    return each(*arguments)
                return False
        return False

    def _comprehension(self, generators: list[ast.comprehension], scope: Scope) -> Scope:
        inner = Scope(scope.module, scope)
        for generator in generators:
            inner.bind(generator.target, generator.iter)
        return inner

    def _module_of(self, name: str, scope: Scope) -> str | None:
        imported = scope.module.imports.get(name)
        if imported is None or scope.lookup(name) is not None:
            return None
        module, attr = imported
        full = module if attr is None else f"{module}.{attr}"
        return full if full in self.modules else None

    def _name(self, name: str, scope: Scope, seen: frozenset[int]) -> bool:
        found = scope.lookup(name)
        if found is not None:
            owner, values = found
            return all(value is None or self.literal(value, owner, seen) for value in values)
        imported = scope.module.imports.get(name)
        if imported is not None and imported[1] is not None and imported[0] in self.modules:
            return self._name(imported[1], self.modules[imported[0]].scope, seen)
        return False

    def sinks(self) -> Iterator[tuple[Module, ast.expr, Scope]]:
        """Each Cypher text handed to the driver, with the scope it is read in."""
        for module in self.modules.values():
            yield from self._sinks(module, module.tree.body, module.scope)

    def _sinks(
        self, module: Module, body: list[ast.stmt], scope: Scope
    ) -> Iterator[tuple[Module, ast.expr, Scope]]:
        for statement in body:
            for node in _walk_scope(statement):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    inner = self.function_scope(module, node, scope)
                    yield from self._sinks(module, node.body, inner)
                elif isinstance(node, ast.ClassDef):
                    yield from self._sinks(module, node.body, scope)
                elif isinstance(node, ast.Call) and (text := _text(node)) is not None:
                    yield module, text, scope


def _aliases(tree: ast.Module) -> frozenset[str]:
    """The module's type aliases that hold `LiteralString`."""
    return frozenset(
        target.id
        for statement in tree.body
        if isinstance(statement, ast.Assign) and _literal_annotation(statement.value)
        for target in statement.targets
        if isinstance(target, ast.Name)
    )


def _walk_scope(node: ast.AST) -> Iterator[ast.AST]:
    """The nodes of one scope: nested functions and classes are yielded, not entered."""
    yield node
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return
    for child in ast.iter_child_nodes(node):
        yield from _walk_scope(child)


def _called(function: ast.expr) -> str | None:
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return None


def _receiver(function: ast.Attribute) -> str:
    value = function.value
    if isinstance(value, ast.Attribute):
        return value.attr
    return value.id if isinstance(value, ast.Name) else ""


def _text(call: ast.Call) -> ast.expr | None:
    """The Cypher text of a driver call; None for any other call."""
    function = call.func
    position: int | None = None
    if isinstance(function, ast.Name):
        position = _FUNCTION_SINKS.get(function.id)
    elif isinstance(function, ast.Attribute) and function.attr in _METHOD_SINKS:
        receiver = _receiver(function)
        if function.attr == "execute_query" or (
            receiver in (_RUNNERS if function.attr == "run" else _GRAPHS)
        ):
            position = _METHOD_SINKS[function.attr]
    if position is None or len(call.args) <= position:
        return None
    return call.args[position]


def _violations(project: Project) -> list[str]:
    found = []
    for module, text, scope in project.sinks():
        if not project.literal(text, scope):
            found.append(f"{module.path}:{text.lineno}: {ast.unparse(text)}")
    return found


def test_cypher_text_is_built_from_literals_only() -> None:
    # given every module of the package
    project = Project(_project_files())

    # when
    sinks = list(project.sinks())
    violations = _violations(project)

    # then
    assert len(sinks) > 140
    assert violations == []


PASTED = """
from typing import LiteralString
from kesher.graph.driver import Graph, tx_rows

LABEL = "Customer"


async def read(graph: Graph, tx, name: str, key: LiteralString, row: dict) -> None:
    await graph.rows(f"MATCH (n:{LABEL}) WHERE n.key = {key} RETURN n", {})
    await graph.rows(f"MATCH (n:{name}) RETURN n", {})
    await tx_rows(tx, "MATCH (n) WHERE n.x = '" + name + "' RETURN n", {})
    await graph.rows("MATCH (n:%s) RETURN n" % row["label"], {})
    await graph.rows("MATCH (n:{}) RETURN n".format(name.upper()), {})
    parts = ["MATCH (n)"]
    parts.append(name)
    await graph.rows(" ".join(parts), {})
    with open(name) as text:
        await graph.rows(text, {})
    ANNOTATED: LiteralString = "MATCH (n) RETURN n"
    await graph.rows(ANNOTATED, {})
"""


def test_text_pasted_from_a_value_is_found() -> None:
    # given a module that pastes a str parameter, and a row's value, into Cypher text
    project = Project([("kesher.graph.pasted", Path("pasted.py"), PASTED)])

    # when
    violations = _violations(project)

    # then every pasting and the text a context manager gives are found, and the literal
    # and annotated statements are not
    assert [line.split(":")[1] for line in violations] == ["10", "11", "12", "13", "16", "18"]
