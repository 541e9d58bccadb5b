"""The lock file: exact versions of everything installed, and the bounds the fast path needs."""

from __future__ import annotations

import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _locked() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"requirements.lock: {line!r} is not an exact pin"
            pins[canonicalize_name(name)] = version
    return pins


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    listed = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    return [Requirement(line) for line in listed]


def test_every_declared_dependency_is_locked_within_its_bounds() -> None:
    pins = _locked()
    for requirement in _declared():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is not in requirements.lock"
        assert requirement.specifier.contains(pins[name]), f"{name}=={pins[name]}"


def test_the_environment_is_the_locked_one() -> None:
    for name, version in _locked().items():
        assert metadata.version(name) == version, name


def test_graphql_core_and_strawberry_are_bound_to_one_minor() -> None:
    # schema/execution.py subclasses graphql-core's executor, resolvers/selected.py reads
    # its resolve infos: a new minor of either may move what they use.
    bounds: dict[str, SpecifierSet] = {canonicalize_name(r.name): r.specifier for r in _declared()}
    for name, inside, outside in [
        ("graphql-core", "3.3.9", "3.4.0"),
        ("strawberry-graphql", "0.341.9", "0.342.0"),
    ]:
        assert name in bounds, f"{name} is not declared in pyproject.toml"
        assert bounds[name].contains(Version(inside))
        assert not bounds[name].contains(Version(outside))
