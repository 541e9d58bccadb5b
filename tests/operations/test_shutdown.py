"""`kesher run` without NEO4J_URI starts its own Neo4j; however the command ends (SIGTERM as
systemd, Docker and `kill` send it, Ctrl-C, an error at startup) that Neo4j is stopped,
so the next run finds its ports free."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from kesher.graph.launcher import free_port

WAIT = 120.0  # seconds: Neo4j starts in 10-20 s on a busy machine


@dataclass(frozen=True)
class Run:
    """A `kesher run` subprocess and where it keeps its Neo4j."""

    process: subprocess.Popen[bytes]
    neo4j_home: Path
    api_port: int
    bolt_port: int
    http_port: int
    output: Path

    def text(self) -> str:
        return self.output.read_text(errors="replace")

    def neo4j_pids(self) -> list[int]:
        """The live processes started with this run's Neo4j home."""
        home = f"--home-dir={self.neo4j_home.resolve()}".encode()
        found = []
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            try:
                arguments = cmdline.read_bytes().split(b"\0")
            except OSError:
                continue
            if home in arguments and _alive(int(cmdline.parent.name)):
                found.append(int(cmdline.parent.name))
        return found


def _environment(tmp_path: Path, bolt_port: int, http_port: int) -> dict[str, str]:
    kept = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NEO4J_", "KESHER_")) and key not in ("PORT",)
    }
    return {
        **kept,
        "KESHER_NEO4J_HOME": str(tmp_path / "neo4j"),
        "KESHER_NEO4J_BOLT_PORT": str(bolt_port),
        "KESHER_NEO4J_HTTP_PORT": str(http_port),
        "KESHER_NEO4J_HEAP": "512m",
        "KESHER_NEO4J_PAGECACHE": "64m",
        "KESHER_REMINDER_INTERVAL_SECONDS": "0",
    }


def _start(tmp_path: Path, api_port: int | None = None) -> Run:
    bolt_port, http_port = free_port(), free_port()
    api_port = api_port or free_port()
    output = tmp_path / "kesher-run.log"
    kesher = Path(sys.executable).parent / "kesher"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [str(kesher), "run", "--no-demo", "--port", str(api_port)],
            cwd=tmp_path,  # no project .env
            env=_environment(tmp_path, bolt_port, http_port),
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    return Run(process, tmp_path / "neo4j", api_port, bolt_port, http_port, output)


@pytest.fixture
def started(tmp_path: Path) -> Iterator[Run]:
    """`kesher run`, ready to serve."""
    run = _start(tmp_path)
    try:
        _wait_until_ready(run)
        yield run
    finally:
        _kill_leftovers(run)


def _wait_until_ready(run: Run) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if run.process.poll() is not None:
            pytest.fail(f"kesher run exited with {run.process.returncode}:\n{run.text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{run.api_port}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    pytest.fail(f"kesher run was not ready within {WAIT:.0f} s:\n{run.text()}")


def _kill_leftovers(run: Run) -> None:
    """Whatever a failed test left running is killed, so it cannot hold the machine."""
    if run.process.poll() is None:
        run.process.kill()
        run.process.wait()
    for pid in run.neo4j_pids():
        os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _assert_neo4j_gone(run: Run) -> None:
    assert run.neo4j_pids() == [], run.text()
    assert not _listening(run.bolt_port)
    assert not _listening(run.http_port)


@pytest.mark.parametrize(
    ("signum", "exit_code"),
    [(signal.SIGTERM, 128 + signal.SIGTERM), (signal.SIGINT, None)],
    ids=["SIGTERM", "SIGINT"],
)
def test_a_signal_stops_the_api_and_the_local_neo4j_it_started(
    started: Run, signum: int, exit_code: int | None
) -> None:
    # given
    assert started.neo4j_pids()

    # when
    started.process.send_signal(signum)
    returncode = started.process.wait(timeout=WAIT)

    # then
    if exit_code is not None:
        assert returncode == exit_code, started.text()
    assert "Stopping the local Neo4j." in started.text()
    _assert_neo4j_gone(started)


def test_an_error_at_startup_stops_the_local_neo4j(tmp_path: Path) -> None:
    # given: the API's port is taken, so uvicorn cannot start once Neo4j has
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        run = _start(tmp_path, api_port=taken.getsockname()[1])
        try:
            # when
            returncode = run.process.wait(timeout=WAIT)

            # then
            assert returncode != 0
            assert "Stopping the local Neo4j." in run.text()
            _assert_neo4j_gone(run)
        finally:
            _kill_leftovers(run)
