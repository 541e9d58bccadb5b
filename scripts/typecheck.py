"""mypy over the project, with graph/, schema/, resolvers/ and seeds/ read as kesher.graph,
kesher.schema, kesher.resolvers and kesher.seeds.

mypy finds a module on disk by its name, and nothing on disk says that graph/ is
kesher.graph (the build maps it, an editable install maps it with an import hook mypy does
not run). So this hands mypy each file of those folders with its module name, beside the
packages pyproject.toml lists, and otherwise runs as `mypy` does; arguments go to mypy.

mypy also asks the file system whether a name is a module (`from kesher.graph import
labels` imports a module or a name), even for a module among its sources: a tree of empty
files in the cache folder, one at each module's kesher.* place, on mypy's search path,
answers that. mypy reads every module from the file handed to it, never from that tree.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from mypy import util
from mypy.fscache import FileSystemCache
from mypy.main import process_options, run_build
from mypy.modulefinder import BuildSource

ROOT = Path(__file__).resolve().parent.parent
MAPPED = {
    "graph": "kesher.graph",
    "resolvers": "kesher.resolvers",
    "schema": "kesher.schema",
    "seeds": "kesher.seeds",
}


def mapped_sources() -> list[BuildSource]:
    sources = []
    for folder, package in MAPPED.items():
        for path in sorted((ROOT / folder).glob("*.py")):
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            sources.append(BuildSource(str(path.relative_to(ROOT)), name))
    return sources


def marker_tree(cache: Path) -> Path:
    tree = cache / "kesher-modules"
    for folder, package in MAPPED.items():
        place = tree.joinpath(*package.split("."))
        place.mkdir(parents=True, exist_ok=True)
        modules = {path.name for path in (ROOT / folder).glob("*.py")}
        for stale in set(path.name for path in place.glob("*.py")) - modules:
            (place / stale).unlink()
        for name in modules:
            (place / name).touch()
    return tree


def main() -> int:
    started = time.time()
    fscache = FileSystemCache()
    sources, options = process_options(sys.argv[1:], fscache=fscache)
    sources += mapped_sources()
    options.mypy_path.append(str(marker_tree(ROOT / options.cache_dir)))
    _, messages, blockers = run_build(sources, options, fscache, started, sys.stdout, sys.stderr)
    formatter = util.FancyFormatter(sys.stdout, sys.stderr, options.hide_error_codes)
    errors, notes, files = util.count_stats(messages)
    if errors:
        print(formatter.format_error(errors, files, len(sources), blockers=blockers))
    else:
        print(formatter.format_success(len(sources)))
    if messages and notes < len(messages):
        return 2 if blockers else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
