"""Where the API listens: KESHER_HOST, KESHER_PORT and the conventional PORT, honoured by
`kesher run` and by the Docker image and compose file that start it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml  # type: ignore[import-untyped]  # PyYAML comes with uvicorn[standard]

from kesher.graph.launcher import free_port
from kesher.settings import PROJECT_DIR, Settings
from tests.conftest import Server

WAIT = 60.0


def test_settings_read_kesher_port_before_the_conventional_port(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # given
    monkeypatch.setenv("PORT", "5000")
    monkeypatch.setenv("KESHER_HOST", "0.0.0.0")

    # when / then
    assert Settings(_env_file=None).port == 5000
    assert Settings(_env_file=None).host == "0.0.0.0"
    monkeypatch.setenv("KESHER_PORT", "6000")
    assert Settings(_env_file=None).port == 6000


def test_kesher_run_serves_on_the_port_given_by_port(tmp_path: Path, neo4j_server: Server) -> None:
    # given
    port = free_port()
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("NEO4J_", "KESHER_"))},
        "PORT": str(port),
        "KESHER_HOST": "127.0.0.1",
        "NEO4J_URI": neo4j_server.uri,
        "NEO4J_USER": neo4j_server.user,
        "NEO4J_PASSWORD": neo4j_server.password,
        "KESHER_NEO4J_HOME": str(tmp_path / "neo4j"),
        "KESHER_REMINDER_INTERVAL_SECONDS": "0",
    }
    kesher = Path(sys.executable).parent / "kesher"
    output = tmp_path / "kesher-run.log"
    with output.open("wb") as sink:
        process = subprocess.Popen(
            [str(kesher), "run", "--no-demo"],
            cwd=tmp_path,
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        # when
        status = _healthz(f"http://127.0.0.1:{port}/healthz", process, output)

        # then
        assert status == 200
        assert f"GraphQL: http://127.0.0.1:{port}/graphql" in output.read_text()
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=WAIT)


def _healthz(url: str, process: subprocess.Popen[bytes], output: Path) -> int:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"kesher run exited with {process.returncode}:\n{output.read_text()}")
        try:
            return httpx.get(url, timeout=2).status_code
        except httpx.HTTPError:
            time.sleep(0.25)
    pytest.fail(f"nothing answered on {url} within {WAIT:.0f} s:\n{output.read_text()}")


def _dockerfile() -> tuple[dict[str, str], list[str]]:
    """The Dockerfile's ENV settings and its CMD (exec form)."""
    env: dict[str, str] = {}
    command: list[str] = []
    for line in (PROJECT_DIR / "Dockerfile").read_text().splitlines():
        if line.startswith("ENV "):
            for pair in line.removeprefix("ENV ").rstrip("\\ ").split():
                key, _, value = pair.partition("=")
                env[key] = value
        if line.startswith("CMD "):
            command = json.loads(line.removeprefix("CMD "))
    return env, command


def test_the_docker_image_runs_kesher_on_all_addresses_and_leaves_the_port_to_port() -> None:
    # when
    env, command = _dockerfile()

    # then: `kesher run` reads the host and port from the environment
    assert command[:2] == ["kesher", "run"]
    assert "--host" not in command
    assert "--port" not in command
    assert env["KESHER_HOST"] == "0.0.0.0"
    assert "KESHER_PORT" not in env  # it would hide a PORT given to the container


def test_compose_publishes_and_checks_the_port_the_api_listens_on() -> None:
    # given
    compose: dict[str, Any] = yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text())
    api = compose["services"]["api"]

    # then
    listening = api["environment"]["KESHER_PORT"]
    assert listening == "${KESHER_PORT:-8000}"
    assert f"{listening}:{listening}" in api["ports"]
    assert "os.environ['KESHER_PORT']" in " ".join(api["healthcheck"]["test"])
