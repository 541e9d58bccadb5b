"""A Redis server for the test session (`redis_url`), on a free local port, keeping nothing
on disk.

`redis-server` on the PATH is used when there is one. Otherwise Debian's packages are
fetched without root (`apt-get download redis-server redis-tools`, then the libraries the
binary lacks, found with `ldd`), unpacked with `dpkg -x` into a cache folder once, and the
binary is run from there with `LD_LIBRARY_PATH` pointing at the unpacked libraries. When
that is impossible the tests that need Redis fail, saying why.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from kesher.graph.launcher import free_port

CACHE = Path.home() / ".cache" / "kesher" / "redis"
PACKAGES = ("redis-server", "redis-tools")
READY_SECONDS = 30.0


class RedisUnavailable(Exception):
    """No Redis could be found or fetched; the message says why and what to do."""


@dataclass(frozen=True)
class RedisBinary:
    path: Path
    library_path: str | None = None

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        if self.library_path:
            env["LD_LIBRARY_PATH"] = os.pathsep.join(
                part for part in (self.library_path, env.get("LD_LIBRARY_PATH")) if part
            )
        return env


def redis_binary(cache: Path = CACHE) -> RedisBinary:
    """The `redis-server` on the PATH, else the one unpacked from Debian's packages."""
    found = shutil.which("redis-server")
    if found:
        return RedisBinary(Path(found))
    root = cache / "root"
    if not (cache / "ready").exists():
        cache.mkdir(parents=True, exist_ok=True)
        with (cache / "lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)  # another test session may be unpacking it
            if not (cache / "ready").exists():
                _unpack(cache, root)
    return _unpacked(root)


def _unpacked(root: Path) -> RedisBinary:
    libraries = sorted({str(path.parent) for path in root.glob("usr/lib/**/*.so*")})
    return RedisBinary(root / "usr" / "bin" / "redis-server", os.pathsep.join(libraries))


def _unpack(cache: Path, root: Path) -> None:
    """Downloads and unpacks the packages into a fresh folder, adds the libraries the
    binary still lacks, then moves the folder into place and marks it ready."""
    if shutil.which("apt-get") is None or shutil.which("dpkg") is None:
        raise RedisUnavailable(
            "redis-server is not installed and apt-get/dpkg are missing to fetch it: "
            "install Redis (e.g. the redis-server package) and run the tests again."
        )
    work = Path(tempfile.mkdtemp(prefix="unpack-", dir=cache))
    try:
        fresh = work / "root"
        _fetch(work, fresh, PACKAGES)
        tried: set[str] = set(PACKAGES)
        while missing := _missing_libraries(_unpacked(fresh)):
            wanted = {debian_package(library) for library in missing} - tried
            if not wanted:
                raise RedisUnavailable(
                    f"The unpacked redis-server still lacks {', '.join(sorted(missing))}; "
                    "install the redis-server package and run the tests again."
                )
            _fetch(work, fresh, sorted(wanted))
            tried |= wanted
        shutil.rmtree(root, ignore_errors=True)
        os.replace(fresh, root)
        (cache / "ready").write_text("unpacked from Debian's packages\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _fetch(work: Path, root: Path, packages: tuple[str, ...] | list[str]) -> None:
    downloads = work / "debs"
    downloads.mkdir(exist_ok=True)
    for old in downloads.glob("*.deb"):
        old.unlink()
    done = subprocess.run(
        ["apt-get", "download", *packages],
        cwd=downloads,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RedisUnavailable(
            f"Could not download {' '.join(packages)} with apt-get (exit {done.returncode}): "
            f"{done.stderr.strip()[-600:]} — check that Debian's package mirror is reachable "
            "and the package lists are current (apt-get update), or install redis-server."
        )
    for deb in sorted(downloads.glob("*.deb")):
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True, capture_output=True)


def _missing_libraries(binary: RedisBinary) -> set[str]:
    """The shared libraries the binary needs and cannot find, by `ldd`."""
    done = subprocess.run(
        ["ldd", str(binary.path)],
        capture_output=True,
        text=True,
        env=binary.environment(),
        check=False,
    )
    if done.returncode != 0 and "not found" not in done.stdout:
        raise RedisUnavailable(f"ldd could not read {binary.path}: {done.stderr.strip()}")
    return {line.split("=>")[0].strip() for line in done.stdout.splitlines() if "not found" in line}


def debian_package(soname: str) -> str:
    """The Debian package that ships a shared library, by Debian's naming rule:
    `liblzf.so.1` is in `liblzf1`, `libfoo2.so.3` in `libfoo2-3`."""
    name, _, version = soname.partition(".so.")
    if not version:
        return name
    return f"{name}-{version}" if name[-1].isdigit() else f"{name}{version}"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Redis for the session, without persistence; stopped after it."""
    try:
        binary = redis_binary()
    except RedisUnavailable as problem:
        pytest.fail(f"Redis is needed for this test: {problem}", pytrace=False)
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    log = folder / "redis.log"
    with log.open("w") as output:
        process = subprocess.Popen(
            [
                str(binary.path),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(folder),
            ],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=binary.environment(),
        )
    try:
        _wait_until_ready(process, port, log)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"redis-server exited at start:\n{log.read_text()}", pytrace=False)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as probe:
                probe.sendall(b"PING\r\n")
                if probe.recv(16).startswith(b"+PONG"):
                    return
        except OSError:
            pass
        time.sleep(0.05)
    pytest.fail(
        f"redis-server did not answer within {READY_SECONDS} s:\n{log.read_text()}",
        pytrace=False,
    )
