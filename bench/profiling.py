"""Where Kesher spends a question's time: py-spy samples the uvicorn workers while
sixteen requests at a time ask that question, and the stacks are summed up by function
and by package into `bench/results/profile-<key>.txt`."""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from neo4j import Driver

from bench import load
from bench.questions import Question
from bench.report import RESULTS
from bench.support import api_process
from kesher.graph.launcher import LocalNeo4j

CONCURRENCY = 16
RATE = 250
TOP = 30
CALLED = 5
NATIVE = ("(native code, no Python frame)", "native")
# A frame as py-spy writes it with --nolineno --full-filenames: `function (path)`.
FRAME = re.compile(r"^(?P<function>.*) \((?P<path>[^()]*)\)$")
# The processes a stack is in, parent first, each with its command line (which may hold
# a `;`).
PROCESSES = re.compile(r'^(process \d+:".*?"(;|$))+')


def profile(
    server: LocalNeo4j,
    driver: Driver,
    question: Question,
    headers: dict[str, str],
    args: argparse.Namespace,
) -> Path:
    """Profiles Kesher answering `question` for `args.seconds` and writes the summary."""
    samples = question.samples(driver, args.samples, random.Random("profile"))
    bodies = [load.encoded(question.kesher, variables) for variables in samples]
    output = RESULTS / f"profile-{question.key}.txt"
    with (
        api_process(server, args.workers) as (url, process),
        load.runner() as loop,
        tempfile.TemporaryDirectory() as folder,
    ):
        stacks = Path(folder) / "stacks.txt"

        async def ask() -> load.Run:
            async with load.session(CONCURRENCY) as http:
                call = load.http_call(http, url + "/graphql", bodies, headers)
                await load.each_once(call, 2 * len(bodies), CONCURRENCY)
                spy = _spy(process.pid, stacks, args.seconds)
                run, offset = None, 0
                # Asks until py-spy has sampled for its whole duration.
                while spy.poll() is None:
                    step = await load.drive(call, 200, CONCURRENCY, 0, offset)
                    run = step if run is None else run + step
                    offset += 200
                    await asyncio.sleep(0)
                if spy.returncode != 0:
                    raise RuntimeError(f"py-spy failed: {spy.stderr.read() if spy.stderr else ''}")
                assert run is not None
                return run

        run = loop.run(ask())
        text = summary(stacks.read_text(), question, run, args)
    RESULTS.mkdir(parents=True, exist_ok=True)
    output.write_text(text)
    print(text)
    print(f"   written to {output}")
    return output


def _spy(pid: int, output: Path, seconds: int) -> subprocess.Popen[str]:
    """py-spy recording the uvicorn process and its workers for `seconds`."""
    here = Path(sys.executable).with_name("py-spy")
    binary = str(here) if here.exists() else shutil.which("py-spy")
    if binary is None:
        raise SystemExit("py-spy is not installed: pip install -e '.[dev]'")
    spy = subprocess.Popen(
        [
            binary,
            "record",
            "--pid",
            str(pid),
            "--subprocesses",
            "--nonblocking",
            "--gil",
            "--nolineno",
            "--full-filenames",
            "--rate",
            str(RATE),
            "--duration",
            str(seconds),
            "--format",
            "raw",
            "--output",
            str(output),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(1)
    return spy


def summary(raw: str, question: Question, run: load.Run, args: argparse.Namespace) -> str:
    """The top functions by own time and by time including what they call, and the
    share of each package, of the samples taken while the workers were busy."""
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    callers: Counter[tuple[str, str]] = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        stack = PROCESSES.sub("", stack)
        # A sample in native code with no Python frame above the process.
        frames = [_frame(frame) for frame in stack.split(";")] if stack else [NATIVE]
        total += count
        own[frames[-1][0]] += count
        packages[frames[-1][1]] += count
        if len(frames) > 1:
            callers[frames[-1][0], frames[-2][0]] += count
        # What runs the event loop (process start, uvicorn, the loop) is under every
        # sample: the time including callees starts below it.
        entries = [i for i, (name, _) in enumerate(frames) if name.startswith("Runner.run ")]
        below = frames[entries[-1] + 1 :] if entries else frames
        for name in {name for name, _ in below}:
            inclusive[name] += count
    if total == 0:
        raise RuntimeError("py-spy took no samples of busy workers")
    lines = [
        f"Profile of Kesher answering {question.key} ({question.title})",
        f"{args.customers:,} customers, {args.workers} uvicorn workers, {CONCURRENCY} requests "
        f"at a time for {args.seconds} s, py-spy at {RATE} Hz (non-blocking; only samples "
        "holding the GIL, that is Python at work)",
        f"while profiled: {len(run.latencies)} requests, p50 {run.p(0.5):.2f} ms, "
        f"p95 {run.p(0.95):.2f} ms, {run.per_second:.0f}/s",
        f"{total} samples",
        "",
        "Own time by package",
        *_top(packages, total),
        "",
        "Own time by function (the function on top of the stack)",
        *_top(own, total),
        "",
        f"Who calls the top {CALLED} by own time",
        *_callers(own, callers, total),
        "",
        "Time including callees by function (below the event loop; Runner.run on top "
        "of the stack is the loop's own native work)",
        *_top(inclusive, total),
    ]
    return "\n".join(lines) + "\n"


def _callers(own: Counter[str], callers: Counter[tuple[str, str]], total: int) -> list[str]:
    lines = []
    for name, _ in own.most_common(CALLED):
        lines.append(f"  {name}")
        mine = Counter({caller: n for (callee, caller), n in callers.items() if callee == name})
        lines += [
            f"  {count / total:7.1%}  from {caller}"
            for caller, count in mine.most_common(3)
            if count / total >= 0.001
        ]
    return lines


def _frame(frame: str) -> tuple[str, str]:
    """A frame's `function (short path)` and the package it belongs to."""
    match = FRAME.match(frame)
    if match is None:
        return frame, frame
    path = match["path"]
    package = _package(path)
    short = path.split("site-packages/")[-1] if "site-packages/" in path else _local(path)
    return f"{match['function']} ({short})", package


def _package(path: str) -> str:
    if "site-packages/" in path:
        return path.split("site-packages/")[1].split("/")[0].removesuffix(".py")
    local = _local(path)
    if local != path:
        return "kesher/" + local.split("/")[0] if "/" in local else "kesher"
    match = re.search(r"/lib/python3\.\d+/(?P<module>[^/]+)", path)
    if match:
        return "stdlib " + match["module"].removesuffix(".py")
    return path


def _local(path: str) -> str:
    """A path inside this checkout, relative to it; others as they are."""
    root = str(Path(__file__).resolve().parent.parent) + "/"
    return path.removeprefix(root) if path.startswith(root) else path


def _top(counter: Counter[str], total: int) -> list[str]:
    return [f"{count / total:7.1%}  {name}" for name, count in counter.most_common(TOP)]
