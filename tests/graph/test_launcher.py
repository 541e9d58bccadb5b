from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import neo4j
import pytest

from kesher.graph.launcher import LocalNeo4j, Neo4jStartError, find_java, free_port
from kesher.settings import Settings


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LocalNeo4j]:
    local = _local_neo4j(tmp_path / "neo4j")
    yield local
    local.stop()


def test_start_serves_cypher_restarts_as_a_no_op_and_stop_cleans_up(server: LocalNeo4j) -> None:
    # when
    server.start()

    # then
    auth = neo4j.basic_auth(server.user, server.password)
    with neo4j.GraphDatabase.driver(server.bolt_uri, auth=auth) as driver:
        records, _, _ = driver.execute_query("RETURN 1 AS one", database_="neo4j")
    assert records[0]["one"] == 1
    assert server.is_running()
    assert "running" in server.status()
    assert server.bolt_uri in server.status()
    with urllib.request.urlopen(server.browser_url, timeout=10) as response:
        assert response.status == 200

    # when
    pid = server.pid_file.read_text()
    same_home = _local_neo4j(server.home, bolt_port=server.bolt_port, http_port=server.http_port)
    same_home.start(timeout=1.0)

    # then
    assert server.pid_file.read_text() == pid
    assert same_home.is_running()

    # when
    server.stop()

    # then
    assert not server.is_running()
    assert "stopped" in server.status()
    assert not server.pid_file.exists()
    assert not _listening(server.bolt_port)
    assert not _listening(server.http_port)


def test_start_refuses_a_data_folder_made_with_another_password(server: LocalNeo4j) -> None:
    # given
    server.start()
    server.stop()
    other = _local_neo4j(server.home, password="another-password")

    # when
    with pytest.raises(Neo4jStartError, match="different one"):
        other.start()

    # then (the port may be anyone's by now; what matters is that no server runs from here)
    assert not other.is_running()
    assert not _servers_running_from(other.home)


def test_start_refuses_a_port_in_use(tmp_path: Path) -> None:
    # given
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        local = _local_neo4j(tmp_path / "neo4j", bolt_port=taken.getsockname()[1])

        # when / then
        with pytest.raises(Neo4jStartError, match="already in use"):
            local.start()
    assert not local.pid_file.exists()


def test_find_java_refuses_a_java_home_with_an_unsupported_version(tmp_path: Path) -> None:
    # given
    java_home = _fake_java_home(tmp_path, 'openjdk version "25" 2025-09-16')

    # when / then
    with pytest.raises(Neo4jStartError, match=r"has Java 25 .*needs Java 17 or 21"):
        find_java(java_home)


def test_find_java_accepts_java_21(tmp_path: Path) -> None:
    # given
    java_home = _fake_java_home(tmp_path, 'openjdk version "21.0.4" 2024-07-16')

    # when / then
    assert find_java(java_home) == java_home / "bin" / "java"


def _local_neo4j(
    home: Path, *, bolt_port: int = 0, http_port: int = 0, password: str = "kesher-local"
) -> LocalNeo4j:
    return LocalNeo4j(
        home=home,
        cache_dir=Settings(_env_file=None).cache_dir,
        bolt_port=bolt_port or free_port(),
        http_port=http_port or free_port(),
        heap="512m",
        pagecache="64m",
        password=password,
    )


def _fake_java_home(tmp_path: Path, banner: str) -> Path:
    java = tmp_path / "jdk" / "bin" / "java"
    java.parent.mkdir(parents=True)
    java.write_text(f"#!/bin/sh\necho '{banner}' >&2\n")
    java.chmod(0o755)
    return java.parent.parent


def _servers_running_from(home: Path) -> list[int]:
    """The pids of processes started with this Neo4j home."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            arguments = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if f"--home-dir={home}".encode() in arguments:
            found.append(int(cmdline.parent.name))
    return found


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0
