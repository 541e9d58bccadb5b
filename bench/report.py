"""The suite's figures as a Markdown report: the machine, the graph, a table of question x
system at each concurrency with the ratios to raw Cypher and to the peer, and the
targets met or missed. Each scale's figures are also kept as JSON beside the Markdown,
so a run at one scale can set the relation map's growth against the other."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from neo4j import Driver

from bench.support import DATABASE

RESULTS = Path(__file__).resolve().parent / "results"
SYSTEMS = ("kesher", "floor", "raw", "peer")
NAMES = {
    "kesher": "Kesher",
    "floor": "floor (HTTP and driver)",
    "raw": "raw Cypher",
    "peer": "@neo4j/graphql",
}
PACKAGES = (
    "strawberry-graphql",
    "graphql-core",
    "starlette",
    "uvicorn",
    "neo4j",
    "neo4j-rust-ext",
    "aiohttp",
)
# The relation map's p50 at the large scale over the small one's.
GROWTH = 1.3
SMALL, LARGE = 10_000, 1_000_000
MAP_KEYS = ("map2", "map3")


@dataclass(frozen=True)
class Figure:
    """One system answering one question at one concurrency, in milliseconds."""

    question: str
    system: str
    concurrency: int
    p50: float
    p95: float
    p99: float
    per_second: float
    client_cpu_ms: float
    requests: int


@dataclass
class Results:
    """Everything one run at one scale found, as kept in `results/<scale>.json`."""

    scale: int
    date: str
    machine: dict[str, str]
    graph: dict[str, dict[str, int]]
    seeding_seconds: float | None
    seeded_now: bool
    measuring_seconds: float
    questions: dict[str, dict[str, Any]]
    figures: list[Figure]

    def of(self, question: str, system: str, concurrency: int) -> Figure | None:
        for figure in self.figures:
            if (figure.question, figure.system, figure.concurrency) == (
                question,
                system,
                concurrency,
            ):
                return figure
        return None

    def ratio(self, question: str, system: str, other: str, concurrency: int) -> float | None:
        mine, theirs = self.of(question, system, concurrency), self.of(question, other, concurrency)
        if mine is None or theirs is None:
            return None
        return mine.p50 / theirs.p50

    @property
    def concurrencies(self) -> list[int]:
        return sorted({figure.concurrency for figure in self.figures})

    def save(self) -> None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        data = asdict(self)
        (RESULTS / f"{self.scale}.json").write_text(json.dumps(data, indent=1) + "\n")

    @classmethod
    def load(cls, scale: int) -> Results | None:
        path = RESULTS / f"{scale}.json"
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        data["figures"] = [Figure(**figure) for figure in data["figures"]]
        return cls(**data)


def machine(driver: Driver, heap: str, pagecache: str, workers: int, peer: str) -> dict[str, str]:
    """What the figures were measured on."""
    record = driver.execute_query(
        "CALL dbms.components() YIELD name, versions, edition "
        "RETURN versions[0] AS version, edition",
        database_=DATABASE,
    ).records[0]
    versions = ", ".join(f"{name} {_version(name)}" for name in PACKAGES)
    return {
        "CPU": f"{_cpu_model()}, {os.cpu_count()} cores",
        "RAM": f"{_memory_gib():.1f} GiB",
        "OS": platform.platform(),
        "Neo4j": f"{record['version']} {record['edition']}, heap {heap}, page cache {pagecache}",
        "Kesher": f"uvicorn, {workers} worker processes, production settings",
        "Python": f"{platform.python_version()} ({versions})",
        "Peer": f"{peer} on {_node_version()}, over the same database",
        "Load generator": (
            "aiohttp on uvloop in one Python process on the same machine; the Python "
            "driver (async) for raw Cypher"
        ),
    }


def census(driver: Driver) -> dict[str, dict[str, int]]:
    """Node counts by label and relationship counts by type, with the totals."""
    labels = [r["label"] for r in driver.execute_query("CALL db.labels()").records]
    types = [
        r["relationshipType"] for r in driver.execute_query("CALL db.relationshipTypes()").records
    ]
    nodes = ", ".join(f"COUNT {{ (:`{label}`) }} AS `{label}`" for label in labels)
    links = ", ".join(f"COUNT {{ ()-[:`{kind}`]->() }} AS `{kind}`" for kind in types)
    text = (
        "RETURN COUNT { () } AS nodes, COUNT { ()-->() } AS relationships"
        + (", " + nodes if nodes else "")
        + (", " + links if links else "")
    )
    record = driver.execute_query(text, database_=DATABASE).records[0]
    return {
        "total": {"nodes": record["nodes"], "relationships": record["relationships"]},
        "nodes": {label: record[label] for label in sorted(labels, key=lambda k: -record[k])},
        "relationships": {kind: record[kind] for kind in sorted(types, key=lambda k: -record[k])},
    }


def markdown(results: Results) -> str:
    """The whole report of one run."""
    total = results.graph["total"]
    if results.seeded_now and results.seeding_seconds is not None:
        seeding = f"graph seeded in {results.seeding_seconds / 60:.1f} min, "
    elif results.seeding_seconds is not None:
        seeding = f"graph reused (seeding it took {results.seeding_seconds / 60:.1f} min), "
    else:
        seeding = "graph reused, "
    lines = [
        f"# Benchmark suite: {results.scale:,} customers",
        "",
        f"Run {results.date}; {seeding}measured in {results.measuring_seconds / 60:.1f} min "
        "(`make bench SCALE=" + str(results.scale) + "`).",
        "",
        "## Machine",
        "",
        *(f"- {key}: {value}" for key, value in results.machine.items()),
        "",
        "## Graph",
        "",
        f"{total['nodes']:,} nodes and {total['relationships']:,} relationships.",
        "",
        "- Nodes: " + _counts(results.graph["nodes"]),
        "- Relationships: " + _counts(results.graph["relationships"]),
        "",
        *table(results),
        "",
        *targets(results),
        "",
        *client_cost(results),
    ]
    return "\n".join(lines) + "\n"


def table(results: Results) -> list[str]:
    """Question x system: latency quantiles and throughput at each concurrency, and p50
    over raw Cypher's and over the peer's."""
    levels = results.concurrencies
    head = ["question", "system", "rows"]
    for c in levels:
        head += [f"c={c} p50", "p95", "p99", "req/s"]
    head += ["p50 / raw", "p50 / peer"]
    lines = [
        "## Latency (ms) and throughput",
        "",
        "Each figure is of the same sampled requests; req/s is completed requests over the "
        "wall time of the run; the ratios are of p50 at "
        + " / ".join(f"c={c}" for c in levels)
        + ".",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * 2 + "---:|" * (len(head) - 2),
    ]
    for key, question in results.questions.items():
        for system in SYSTEMS:
            cells = [question["title"], NAMES[system], f"{question['rows']:.1f}"]
            for c in levels:
                f = results.of(key, system, c)
                cells += (
                    [f"{f.p50:.2f}", f"{f.p95:.2f}", f"{f.p99:.2f}", f"{f.per_second:.0f}"]
                    if f
                    else ["-"] * 4
                )
            for other in ("raw", "peer"):
                ratios = [results.ratio(key, system, other, c) for c in levels]
                cells.append(
                    "" if system == other else " / ".join(_ratio(ratio) for ratio in ratios)
                )
            lines.append("| " + " | ".join(cells) + " |")
    return lines


@dataclass(frozen=True)
class Target:
    """A bound on Kesher over another system for some questions: its p50 at most `bound`
    times the other's, or (`throughput`) its requests per second at least `bound` times
    the other's, at `concurrency` only when given."""

    other: str
    bound: float
    questions: tuple[str, ...]
    throughput: bool = False
    concurrency: int | None = None

    @property
    def name(self) -> str:
        if self.throughput:
            return f"Kesher req/s ≥ {self.bound} x {NAMES[self.other]}"
        return f"Kesher p50 ≤ {self.bound} x {NAMES[self.other]}"

    def verdict(self, results: Results, question: str, concurrency: int) -> str:
        if self.concurrency is not None and concurrency != self.concurrency:
            return ""
        mine = self.ratio(results, question, "kesher", concurrency)
        if mine is None:
            return "-"
        met = mine >= self.bound if self.throughput else mine <= self.bound
        verdict = f"{mine:.2f} {'met' if met else 'MISSED'}"
        floor = self.ratio(results, question, "floor", concurrency)
        if self.other != "raw" or floor is None:
            return verdict
        reachable = floor >= self.bound if self.throughput else floor <= self.bound
        return verdict + f" (floor {floor:.2f}{'' if reachable else ', out of reach'})"

    def ratio(self, results: Results, question: str, system: str, concurrency: int) -> float | None:
        """The system's p50 (or requests per second) over the other system's."""
        mine = results.of(question, system, concurrency)
        theirs = results.of(question, self.other, concurrency)
        if mine is None or theirs is None:
            return None
        if self.throughput:
            return mine.per_second / theirs.per_second
        return mine.p50 / theirs.p50


# The targets, each for the questions it names.
TARGETS = (
    Target("raw", 1.25, ("calendar", "activity_list", "map3")),
    Target("raw", 1.5, ("card", "map2", "path")),
    Target("peer", 0.5, ("card", "activity_list", "calendar")),
    Target("raw", 0.7, ("map2", "map3", "card", "calendar", "activity_list", "path"), True, 16),
)


def targets(results: Results) -> list[str]:
    """Each target, met or missed, per question it names and concurrency."""
    levels = results.concurrencies
    lines = [
        "## Targets",
        "",
        "Beside each target against raw Cypher, the floor's figure: the same ratio for a bare "
        "Python app that runs the same statement with the same driver and answers its records "
        "as JSON (`bench/floor_app.py`). Where the floor itself misses the bound, the target "
        "is out of reach of any service on uvicorn and the official Python driver on this "
        "machine.",
        "",
        "| target | question | " + " | ".join(f"c={c}" for c in levels) + " |",
        "|---|---|" + "---:|" * len(levels),
    ]
    for target in TARGETS:
        for key in target.questions:
            question = results.questions.get(key)
            if question is None:
                continue
            cells = [target.verdict(results, key, c) for c in levels]
            lines.append(f"| {target.name} | {question['title']} | " + " | ".join(cells) + " |")
    lines += ["", *growth()]
    return lines


def growth() -> list[str]:
    """The relation map's p50 at the large scale over the small one's, when both scales
    have results."""
    small, large = Results.load(SMALL), Results.load(LARGE)
    if small is None or large is None:
        return [
            f"Relation map p50 at {LARGE:,} ≤ {GROWTH} x at {SMALL:,}: not known yet "
            f"(needs results at both scales: `make bench SCALE={SMALL}` and `SCALE={LARGE}`)."
        ]
    lines = [
        f"Relation map p50 at {LARGE:,} customers over at {SMALL:,} "
        f"(target ≤ {GROWTH}; runs of {small.date} and {large.date}):",
        "",
    ]
    for key in MAP_KEYS:
        for c in sorted(set(small.concurrencies) & set(large.concurrencies)):
            mine = [run.of(key, "kesher", c) for run in (small, large)]
            raw = [run.of(key, "raw", c) for run in (small, large)]
            if mine[0] is None or mine[1] is None or raw[0] is None or raw[1] is None:
                continue
            ratio = mine[1].p50 / mine[0].p50
            lines.append(
                f"- {key}, c={c}: Kesher {_verdict(ratio, GROWTH)} "
                f"(raw Cypher {raw[1].p50 / raw[0].p50:.2f})"
            )
    return lines


def client_cost(results: Results) -> list[str]:
    """The load generator's own CPU time per request, by system and concurrency."""
    lines = [
        "## What the load generator costs",
        "",
        "CPU time of the load-generating process per request (ms), the mean over the "
        "questions; it runs on the same cores as the servers. For raw Cypher it is the "
        "Python driver's own work.",
        "",
    ]
    for system in SYSTEMS:
        per_level = []
        for c in results.concurrencies:
            costs = [
                f.client_cpu_ms
                for f in results.figures
                if f.system == system and f.concurrency == c
            ]
            if costs:
                per_level.append(f"c={c} {sum(costs) / len(costs):.2f}")
        lines.append(f"- {NAMES[system]}: " + ", ".join(per_level))
    return lines


def write(results: Results) -> str:
    """Saves the figures and the Markdown of this scale, and the Markdown as the latest."""
    results.save()
    text = markdown(results)
    (RESULTS / f"{results.scale}.md").write_text(text)
    (RESULTS / "latest.md").write_text(text)
    return text


def _verdict(ratio: float | None, bound: float) -> str:
    if ratio is None:
        return "-"
    return f"{ratio:.2f} {'met' if ratio <= bound else 'MISSED'}"


def _ratio(ratio: float | None) -> str:
    return "-" if ratio is None else f"{ratio:.2f}"


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{name} {count:,}" for name, count in counts.items())


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.partition(":")[2].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024**2
    except OSError:
        pass
    return float("nan")


def _node_version() -> str:
    try:
        found = subprocess.run(["node", "--version"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return "Node not found"
    return "Node " + found.stdout.strip()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "absent"
