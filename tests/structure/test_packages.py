"""The package layout: graph/, schema/, resolvers/ and seeds/ load once, as kesher.*."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOLDERS = ("graph", "schema", "resolvers", "seeds")

# Runs in a fresh interpreter from the project root, which puts the root on sys.path as
# pytest and `python -m` do: it imports the app, the command line and every module of the
# four folders, then tries each folder's top-level name. Module files are
# kept as Python names them (symlinks not followed): the paths tracebacks show.
_PROBE = """
import importlib, json, os, pathlib, sys
import kesher.app, kesher.cli
for folder in FOLDERS:
    for path in sorted(pathlib.Path(folder).glob("*.py")):
        if path.stem != "__init__":
            importlib.import_module(f"kesher.{folder}.{path.stem}")
refused = {}
for folder in FOLDERS:
    try:
        importlib.import_module(folder)
    except ImportError as error:
        refused[folder] = str(error)
files = {
    name: os.path.abspath(module.__file__)
    for name, module in list(sys.modules.items())
    if getattr(module, "__file__", None)
}
print(json.dumps({"files": files, "refused": refused}))
"""


@functools.cache
def _probe() -> dict[str, dict[str, str]]:
    code = f"FOLDERS = {FOLDERS!r}\n{_PROBE}"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded: dict[str, dict[str, str]] = json.loads(done.stdout)
    return loaded


def test_each_module_of_the_project_is_loaded_once_under_its_kesher_name() -> None:
    # when
    loaded = _probe()

    # then no file of the project is loaded under two names
    names_by_file: dict[str, list[str]] = {}
    for name, file in loaded["files"].items():
        if file.startswith(f"{ROOT}/"):
            names_by_file.setdefault(file, []).append(name)
    twice = {file: names for file, names in names_by_file.items() if len(names) > 1}
    assert twice == {}
    # and every module of the four folders is loaded from its folder, as kesher.<folder>.*
    for folder in FOLDERS:
        for path in (ROOT / folder).glob("*.py"):
            names = names_by_file.get(str(path))
            expected = f"kesher.{folder}" + ("" if path.stem == "__init__" else f".{path.stem}")
            assert names == [expected], path


def test_the_folders_cannot_be_imported_under_their_own_names() -> None:
    # when
    loaded = _probe()

    # then
    assert sorted(loaded["refused"]) == sorted(FOLDERS)
    assert not any(name.split(".")[0] in FOLDERS for name in loaded["files"])


def test_the_package_holds_no_symlinks() -> None:
    # Windows checkouts turn symlinks into small text files.
    links = [path for path in (ROOT / "kesher").rglob("*") if path.is_symlink()]
    assert links == []


def test_the_build_lists_every_folder_of_the_package() -> None:
    # A folder the build does not list is left out of the wheel (and the image).
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    inside = {
        ".".join(path.relative_to(ROOT).parts)
        for path in [ROOT / "kesher", *(ROOT / "kesher").rglob("*")]
        if path.is_dir() and path.name != "__pycache__"
    }
    mapped = {f"kesher.{folder}": folder for folder in FOLDERS}
    assert set(config["packages"]) == inside | set(mapped)
    assert config["package-dir"] == mapped
