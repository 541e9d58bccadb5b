"""The benchmark's peer, @neo4j/graphql under Apollo Server on Node (`bench/peer`):
installing its packages, giving the benchmark's Neo4j the APOC core library the peer
needs, and running the peer over that Neo4j."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from kesher.graph.launcher import LocalNeo4j, free_port
from kesher.graph.provision import (
    _maven,  # `mvn` from PATH, or Maven downloaded into the cache as Neo4j's jars are.
    file_lock,
    find_java,
    jars_dir,
    provision_jars,
)
from kesher.settings import Settings

PEER_DIR = Path(__file__).resolve().parent / "peer"
READY_SECONDS = 90
PROBE = {"query": "{ __typename }"}
# APOC core for Neo4j 5.26: @neo4j/graphql calls apoc.date.convertFormat to write every
# DateTime it reads, and checks for apoc.util.validatePredicate.
APOC_VERSION = "5.26.19"
APOC_POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kesher.bench</groupId>
  <artifactId>apoc</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j.procedure</groupId>
      <artifactId>apoc-core</artifactId>
      <version>{version}</version>
    </dependency>
    <dependency>
      <groupId>org.neo4j.procedure</groupId>
      <artifactId>apoc-common</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""
_VERSIONED_JAR = re.compile(r"^(?P<artifact>.+?)-\d[^-]*(?:-[A-Za-z]+)?\.jar$")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise RuntimeError(
            f"the peer needs Node.js 20 or later with npm, and `{name}` is not on the PATH: "
            "install Node.js (https://nodejs.org) and run the benchmark again"
        )
    return found


def ensure_installed() -> None:
    """Runs `npm ci` in bench/peer when its packages are missing or older than its
    package-lock.json."""
    npm = _tool("npm")
    _tool("node")
    lock = PEER_DIR / "package-lock.json"
    # npm writes this file last when it installs; it is as old as the installed tree.
    installed = PEER_DIR / "node_modules" / ".package-lock.json"
    if installed.exists() and installed.stat().st_mtime >= lock.stat().st_mtime:
        return
    print("   installing the peer's packages (npm ci)", flush=True)
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel", "error"], cwd=PEER_DIR, check=True
    )


def with_apoc(server: LocalNeo4j, settings: Settings) -> LocalNeo4j:
    """The server (before it starts) with APOC core, fetched from Maven Central on first
    use: the library @neo4j/graphql needs, installed as its users install it. Kesher does
    not use it.

    The local Neo4j runs from a folder of jars rather than an installation, and APOC
    needs its jars both on the class path (for its extensions) and in the server's
    plugins folder (for its functions): the server is pointed at a cache holding links
    to Neo4j's jars beside APOC's, and APOC's are linked into `<home>/plugins`. Libraries
    Neo4j already has are left out of APOC's, so that one version of each is loaded."""
    cache = settings.cache_dir / f"apoc-{APOC_VERSION}"
    jars, apoc = jars_dir(cache, settings.neo4j_version), cache / "plugins"
    if not jars.is_dir():
        java = find_java(settings.java_home)
        neo4j_jars = provision_jars(
            settings.cache_dir, settings.neo4j_version, java_home=java.resolve().parent.parent
        )
        with file_lock(cache / ".lock"):
            if not jars.is_dir():
                _fetch_apoc(neo4j_jars, apoc, jars, settings.cache_dir, java)
    plugins = server.home / "plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    for jar in apoc.glob("*.jar"):
        if not (plugins / jar.name).exists():
            (plugins / jar.name).symlink_to(jar)
    server.cache_dir = cache
    return server


def _fetch_apoc(neo4j_jars: Path, apoc: Path, jars: Path, cache_dir: Path, java: Path) -> None:
    """APOC's jars into `apoc`, and links to them and to Neo4j's jars into `jars`."""
    print(f"   fetching APOC core {APOC_VERSION} from Maven Central (first run only)", flush=True)
    mvn, _ = _maven(cache_dir)
    jars.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".tmp-", dir=jars.parent) as tmp:
        work = Path(tmp)
        (work / "pom.xml").write_text(APOC_POM.format(version=APOC_VERSION))
        result = subprocess.run(
            [
                str(mvn),
                "-q",
                "-B",
                "-f",
                str(work / "pom.xml"),
                f"-Dmaven.repo.local={work / 'repository'}",
                "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
                "-DincludeScope=runtime",
                f"-DoutputDirectory={work / 'fetched'}",
            ],
            env={**os.environ, "JAVA_HOME": str(java.resolve().parent.parent)},
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            output = "\n".join((result.stdout + result.stderr).strip().splitlines()[-20:])
            raise RuntimeError(f"Maven could not fetch APOC {APOC_VERSION}:\n{output}")
        present = {_artifact(jar.name) for jar in neo4j_jars.glob("*.jar")}
        shutil.rmtree(apoc, ignore_errors=True)
        apoc.mkdir(parents=True)
        for jar in (work / "fetched").glob("*.jar"):
            if _artifact(jar.name) not in present:
                shutil.copy2(jar, apoc / jar.name)
        lib = work / "lib"
        lib.mkdir()
        for jar in [*neo4j_jars.glob("*.jar"), *apoc.glob("*.jar")]:
            (lib / jar.name).symlink_to(jar)
        os.rename(lib, jars)


def _artifact(jar: str) -> str:
    """A jar's artifact name, without its version."""
    found = _VERSIONED_JAR.match(jar)
    return found["artifact"] if found else jar


@contextmanager
def peer_server(
    neo4j_uri: str,
    user: str,
    password: str,
    database: str = "neo4j",
    workers: int | None = None,
) -> Iterator[str]:
    """The peer serving POST /graphql over this database, on a free port: yields its base
    URL once it answers, and stops it after. It runs `workers` Node processes sharing the
    port (node:cluster; default one per core), in production mode, as a user would
    deploy it."""
    ensure_installed()
    port = free_port()
    env = {
        **os.environ,
        "NODE_ENV": "production",
        "NEO4J_URI": neo4j_uri,
        "NEO4J_USER": user,
        "NEO4J_PASSWORD": password,
        "NEO4J_DATABASE": database,
        "PORT": str(port),
    }
    if workers is not None:
        env["WORKERS"] = str(workers)
    process = subprocess.Popen(
        [_tool("node"), "server.mjs"],
        cwd=PEER_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    ready = threading.Event()
    threading.Thread(target=_relay, args=(process, ready), daemon=True).start()
    url = f"http://127.0.0.1:{port}"
    try:
        # Every worker listens once the server says it is ready; until then requests would
        # go to the first ones while the others still build their schema.
        deadline = time.monotonic() + READY_SECONDS
        while not ready.wait(0.2):
            if process.poll() is not None:
                raise RuntimeError(f"the peer stopped while starting (exit {process.returncode})")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the peer was not ready within {READY_SECONDS} s")
        response = httpx.post(url + "/graphql", json=PROBE)
        if response.status_code != 200:
            raise RuntimeError(f"the peer answers {response.status_code}: {response.text[:200]}")
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _relay(process: subprocess.Popen[str], ready: threading.Event) -> None:
    """Passes the server's output on, and notes its ready line."""
    assert process.stdout is not None
    for line in process.stdout:
        print("   " + line.rstrip(), flush=True)
        if line.startswith("peer ready"):
            ready.set()
