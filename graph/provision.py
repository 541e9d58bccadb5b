"""What the local Neo4j needs to run: Java 17 or 21, and Neo4j's jars from Maven Central.

The jars are fetched once into a cache outside the project that every checkout shares.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MAVEN_CENTRAL = "https://repo1.maven.org/maven2"
SUPPORTED_JAVA = (21, 17)
BROWSER_VERSION = "5.24.0"
MAVEN_VERSION = "3.9.9"
DEPENDENCY_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.8.1"

POM = """<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kesher.local</groupId>
  <artifactId>neo4j-server</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>neo4j</artifactId>
      <version>{version}</version>
    </dependency>
    <dependency>
      <groupId>org.neo4j.client</groupId>
      <artifactId>neo4j-browser</artifactId>
      <version>{browser_version}</version>
    </dependency>
  </dependencies>
</project>
"""


class Neo4jStartError(Exception):
    """The local Neo4j could not be started; the message says why and what to do."""


def find_java(java_home: Path | None = None) -> Path:
    """A java binary Neo4j 5.26 runs on: version 17 or 21.

    An explicit `java_home` (KESHER_JAVA_HOME) must hold one of those; otherwise the first
    supported one of JAVA_HOME, the installed JDKs and `java` on PATH is taken.
    """
    if java_home is not None:
        java = java_home / "bin" / "java"
        version = _java_version(java)
        if version not in SUPPORTED_JAVA:
            raise Neo4jStartError(
                f"The configured Java home {java_home} has {_describe(version)} "
                f"({java}); Neo4j 5.26 needs Java 17 or 21. "
                "Point KESHER_JAVA_HOME at a JDK 17 or 21, or unset it to search."
            )
        return java
    found: dict[Path, int | None] = {}
    for java in _java_candidates():
        real = java.resolve()
        if real in found:
            continue
        found[real] = _java_version(java)
        if found[real] in SUPPORTED_JAVA:
            return java
    tried = ", ".join(f"{path} ({_describe(version)})" for path, version in found.items())
    raise Neo4jStartError(
        "Neo4j 5.26 needs Java 17 or 21, and none was found "
        f"(found: {tried or 'no java at all'}). Install one, e.g. "
        "`apt install openjdk-17-jre-headless` or `brew install openjdk@21`, "
        "or set KESHER_JAVA_HOME to its folder."
    )


def jars_dir(cache_dir: Path, version: str) -> Path:
    return cache_dir / f"neo4j-{version}" / "lib"


def provision_jars(cache_dir: Path, version: str, java_home: Path) -> Path:
    """Returns the folder of Neo4j `version`'s jars, downloading them on first use.

    Maven resolves the dependencies into a private repository inside a temporary folder,
    which is renamed into place at the end: an interrupted download leaves no half cache,
    and a second process waits on a file lock instead of downloading again.
    """
    target = jars_dir(cache_dir, version)
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(target.parent / ".lock"):
        if target.is_dir():
            return target
        for leftover in target.parent.glob(".tmp-*"):
            shutil.rmtree(leftover, ignore_errors=True)
        began = time.monotonic()
        work = Path(tempfile.mkdtemp(prefix=".tmp-", dir=target.parent))
        try:
            mvn, maven_bytes = _maven(cache_dir)
            _say(
                f"Downloading Neo4j {version} from Maven Central into {target.parent} "
                "(first run only, about 165 MB)..."
            )
            _copy_dependencies(mvn, version, work, java_home)
            downloaded = maven_bytes + _size(work / "repository")
            os.rename(work / "lib", target)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    jars = list(target.glob("*.jar"))
    _say(
        f"Neo4j {version} provisioned in {time.monotonic() - began:.1f} s: "
        f"{_megabytes(downloaded)} downloaded, {len(jars)} jars "
        f"({_megabytes(sum(jar.stat().st_size for jar in jars))}) cached."
    )
    return target


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """Holds an exclusive lock on `path` (created if missing) across processes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _copy_dependencies(mvn: Path, version: str, work: Path, java_home: Path) -> None:
    (work / "pom.xml").write_text(POM.format(version=version, browser_version=BROWSER_VERSION))
    command = [
        str(mvn),
        "-q",
        "-B",
        "-f",
        str(work / "pom.xml"),
        f"-Dmaven.repo.local={work / 'repository'}",
        f"{DEPENDENCY_PLUGIN}:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={work / 'lib'}",
    ]
    env = {**os.environ, "JAVA_HOME": str(java_home)}
    result = subprocess.run(command, cwd=work, env=env, capture_output=True, text=True)
    if result.returncode != 0 or not (work / "lib").is_dir():
        output = "\n".join((result.stdout + result.stderr).strip().splitlines()[-30:])
        raise Neo4jStartError(
            f"Maven could not fetch Neo4j {version} (exit code {result.returncode}). "
            f"Check the network or the proxy settings in ~/.m2/settings.xml.\n{output}"
        )


def _maven(cache_dir: Path) -> tuple[Path, int]:
    """`mvn` from PATH, or Apache Maven downloaded into the cache; and the bytes downloaded."""
    found = shutil.which("mvn")
    if found is not None:
        return Path(found), 0
    home = cache_dir / f"apache-maven-{MAVEN_VERSION}"
    mvn = home / "bin" / "mvn"
    with file_lock(cache_dir / ".maven.lock"):
        if mvn.is_file():
            return mvn, 0
        url = (
            f"{MAVEN_CENTRAL}/org/apache/maven/apache-maven/{MAVEN_VERSION}/"
            f"apache-maven-{MAVEN_VERSION}-bin.tar.gz"
        )
        _say(f"No mvn on PATH; downloading Apache Maven {MAVEN_VERSION} into {cache_dir}...")
        with tempfile.TemporaryDirectory(prefix=".tmp-", dir=cache_dir) as tmp:
            archive = Path(tmp) / "maven.tar.gz"
            _download(url, archive)
            expected = _fetch(url + ".sha512").decode().split()[0].lower()
            actual = hashlib.sha512(archive.read_bytes()).hexdigest()
            if actual != expected:
                raise Neo4jStartError(
                    f"The Maven download from {url} does not match its published SHA-512 "
                    f"checksum (expected {expected}, got {actual}); try again."
                )
            with tarfile.open(archive) as tar:
                tar.extractall(tmp, filter="data")
            os.rename(Path(tmp) / f"apache-maven-{MAVEN_VERSION}", home)
            return mvn, archive.stat().st_size


def _download(url: str, path: Path) -> None:
    try:
        with urllib.request.urlopen(url, timeout=60) as response, path.open("wb") as out:
            shutil.copyfileobj(response, out)
    except OSError as error:
        raise Neo4jStartError(f"Could not download {url}: {error}") from error


def _fetch(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            body: bytes = response.read()
            return body
    except OSError as error:
        raise Neo4jStartError(f"Could not download {url}: {error}") from error


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.0f} MB"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _java_candidates() -> Iterator[Path]:
    """JAVA_HOME, then the JDKs in the usual install folders, then `java` on PATH."""
    if java_home := os.environ.get("JAVA_HOME"):
        yield Path(java_home) / "bin" / "java"
    for root in (Path("/usr/lib/jvm"), Path("/Library/Java/JavaVirtualMachines")):
        if root.is_dir():
            for home in sorted(root.iterdir(), reverse=True):
                for java in (home / "bin" / "java", home / "Contents" / "Home" / "bin" / "java"):
                    if java.is_file():
                        yield java
    if on_path := shutil.which("java"):
        yield Path(on_path)


def _java_version(java: Path) -> int | None:
    """The major version `java -version` reports (8 for "1.8.0"), or None if it fails."""
    try:
        result = subprocess.run([str(java), "-version"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "(\d+)(?:\.(\d+))?', result.stderr + result.stdout)
    if match is None:
        return None
    major = int(match[1])
    return int(match[2]) if major == 1 and match[2] else major


def _describe(version: int | None) -> str:
    return "no working java" if version is None else f"Java {version}"
