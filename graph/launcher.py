"""A local Neo4j Community server for development and tests, started without Docker."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import neo4j
from neo4j.exceptions import AuthError, DriverError, Neo4jError

from kesher.graph.provision import Neo4jStartError as Neo4jStartError
from kesher.graph.provision import file_lock, provision_jars
from kesher.graph.provision import find_java as find_java
from kesher.settings import Settings

DEFAULT_PASSWORD = "kesher-local"
ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"

# The flags Neo4j's own launcher passes where they matter; without the --add-opens the
# page cache and the transaction log fall back to slower code and warn in debug.log.
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dfile.encoding=UTF-8",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)

# Starts the server in the background and prints its pid. The shell exits at once, so
# the server is left to init rather than to this process: it outlives
# `kesher neo4j start`, and no subprocess object is left waiting to be reaped.
DETACH = 'log=$1; shift; "$@" >"$log" 2>&1 </dev/null & echo $!'


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LocalNeo4j:
    """One Neo4j Community server whose conf, data, logs and pid file live in `home`.

    Auth is enabled: the `neo4j` user's password is set before the first start. The
    server listens on 127.0.0.1 only.
    """

    user = "neo4j"

    def __init__(
        self,
        *,
        home: Path,
        cache_dir: Path,
        version: str = "5.26.30",
        bolt_port: int = 7687,
        http_port: int = 7474,
        heap: str = "1g",
        pagecache: str = "512m",
        java_home: Path | None = None,
        password: str = DEFAULT_PASSWORD,
    ) -> None:
        self.home = home.resolve()
        self.cache_dir = cache_dir
        self.version = version
        self.bolt_port = bolt_port
        self.http_port = http_port
        self.heap = heap
        self.pagecache = pagecache
        self.java_home = java_home
        self.password = password

    @classmethod
    def from_settings(cls, settings: Settings) -> LocalNeo4j:
        return cls(
            home=settings.neo4j_home,
            cache_dir=settings.cache_dir,
            version=settings.neo4j_version,
            bolt_port=settings.neo4j_bolt_port,
            http_port=settings.neo4j_http_port,
            heap=settings.neo4j_heap,
            pagecache=settings.neo4j_pagecache,
            java_home=settings.java_home,
            password=settings.neo4j_password.get_secret_value() or DEFAULT_PASSWORD,
        )

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    @property
    def browser_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/browser/"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    def provision(self) -> Path:
        """The folder of this version's jars in the cache, downloaded on first use."""
        return self._provision(find_java(self.java_home))

    def start(self, timeout: float = 120.0) -> None:
        """Starts the server and returns once it accepts Bolt connections.

        Returns at once when it is already running. A lock file makes two processes
        starting the same home wait for each other rather than race.
        """
        with file_lock(self.home / "run" / "start.lock"):
            if self.is_running():
                if not _listening(self.bolt_port):
                    raise Neo4jStartError(
                        f"Neo4j in {self.home} is running, but not on port {self.bolt_port}: "
                        "it was started with other settings. Stop it (`kesher neo4j stop`) "
                        "and start it again."
                    )
                return
            for port in (self.bolt_port, self.http_port):
                if _listening(port):
                    raise Neo4jStartError(
                        f"Port {port} on 127.0.0.1 is already in use, so Neo4j cannot listen "
                        "there. Stop whatever holds it (another Neo4j?) or pick other ports "
                        "with KESHER_NEO4J_BOLT_PORT / KESHER_NEO4J_HTTP_PORT."
                    )
            java = find_java(self.java_home)
            jars = self._provision(java)
            self._write_conf()
            if not (self.home / "data" / "databases" / "system").exists():
                self._set_initial_password(java, jars)
            launched = time.time()
            pid = self._launch(java, jars)
            try:
                self._wait_until_ready(pid, launched, timeout)
            except BaseException:
                self.stop()
                raise

    def stop(self, timeout: float = 60.0) -> None:
        """Stops the server: SIGTERM, then SIGKILL after `timeout` seconds."""
        pid = self._running_pid()
        if pid is not None:
            _signal(pid, signal.SIGTERM)
            if not _exited(pid, timeout):
                _signal(pid, signal.SIGKILL)
                _exited(pid, 10.0)
        self.pid_file.unlink(missing_ok=True)

    def is_running(self) -> bool:
        return self._running_pid() is not None

    def status(self) -> str:
        pid = self._running_pid()
        if pid is None:
            return f"Neo4j is stopped (home {self.home})."
        return (
            f"Neo4j {self.version} is running (pid {pid}): {self.bolt_uri}, "
            f"Browser {self.browser_url}"
        )

    def _provision(self, java: Path) -> Path:
        return provision_jars(self.cache_dir, self.version, java_home=java.resolve().parent.parent)

    def _write_conf(self) -> None:
        listen = "127.0.0.1"
        settings = {
            "server.default_listen_address": listen,
            "server.default_advertised_address": listen,
            "server.bolt.listen_address": f"{listen}:{self.bolt_port}",
            "server.bolt.advertised_address": f"{listen}:{self.bolt_port}",
            "server.http.listen_address": f"{listen}:{self.http_port}",
            "server.http.advertised_address": f"{listen}:{self.http_port}",
            "server.https.enabled": "false",
            "dbms.security.auth_enabled": "true",
            "server.memory.heap.initial_size": self.heap,
            "server.memory.heap.max_size": self.heap,
            "server.memory.pagecache.size": self.pagecache,
            "server.directories.data": str(self.home / "data"),
            "server.directories.logs": str(self.home / "logs"),
            "server.directories.run": str(self.home / "run"),
            # A developer's machine should not report usage to Neo4j.
            "dbms.usage_report.enabled": "false",
            # Bolt otherwise idles twice for 5 s on shutdown; a local server has nothing
            # in flight by then, and tests stop it often.
            "internal.dbms.bolt.netty_server_shutdown_quiet_period": "0",
        }
        conf = self.home / "conf" / "neo4j.conf"
        conf.parent.mkdir(parents=True, exist_ok=True)
        lines = [f"{key}={value}" for key, value in settings.items()]
        conf.write_text(
            "# Written by kesher on every start; edits are overwritten.\n" + "\n".join(lines) + "\n"
        )

    def _set_initial_password(self, java: Path, jars: Path) -> None:
        if len(self.password) < 8:
            raise Neo4jStartError(
                "Neo4j needs a password of at least 8 characters; set NEO4J_PASSWORD "
                "to a longer one."
            )
        env = {**os.environ, "NEO4J_HOME": str(self.home), "NEO4J_CONF": str(self.home / "conf")}
        command = [str(java), "-cp", f"{jars}/*", ADMIN_TOOL, "dbms", "set-initial-password"]
        result = subprocess.run(
            [*command, self.password], env=env, cwd=self.home, capture_output=True, text=True
        )
        if result.returncode != 0:
            raise Neo4jStartError(
                "Could not set the initial Neo4j password:\n"
                + _without_stack_traces(result.stdout + result.stderr)
            )

    def _launch(self, java: Path, jars: Path) -> int:
        command = [
            str(java),
            f"-Xms{self.heap}",
            f"-Xmx{self.heap}",
            *JVM_FLAGS,
            "-cp",
            f"{jars}/*",
            ENTRY_POINT,
            f"--home-dir={self.home}",
            f"--config-dir={self.home / 'conf'}",
        ]
        log = self.home / "logs" / "console.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        shell = subprocess.run(
            ["/bin/sh", "-c", DETACH, "sh", str(log), *command],
            cwd=self.home,
            capture_output=True,
            text=True,
            check=True,
            start_new_session=True,
        )
        pid = int(shell.stdout.strip())
        self.pid_file.write_text(f"{pid}\n")
        return pid

    def _wait_until_ready(self, pid: int, launched: float, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        auth = neo4j.basic_auth(self.user, self.password)
        with neo4j.GraphDatabase.driver(self.bolt_uri, auth=auth, connection_timeout=2.0) as driver:
            while True:
                if not _alive(pid):
                    raise Neo4jStartError(
                        f"Neo4j exited while starting (home {self.home}).\n"
                        + self.log_tail(launched)
                    )
                try:
                    driver.verify_connectivity()
                    return
                except AuthError as error:
                    raise Neo4jStartError(
                        f"Neo4j in {self.home} rejected the password: its data was created "
                        "with a different one. Set NEO4J_PASSWORD to that password, or "
                        f"delete {self.home / 'data'} to start from an empty database."
                    ) from error
                except (DriverError, Neo4jError, OSError):
                    pass
                if time.monotonic() > deadline:
                    raise Neo4jStartError(
                        f"Neo4j did not accept connections on {self.bolt_uri} within "
                        f"{timeout:.0f} s.\n{self.log_tail(launched)}"
                    )
                time.sleep(0.25)

    def log_tail(self, since: float = 0.0, lines: int = 20) -> str:
        """The last lines of the logs written since `since` (a time.time() value)."""
        parts = []
        for name in ("console.log", "neo4j.log"):
            path = self.home / "logs" / name
            if not path.is_file() or path.stat().st_mtime < since - 1:
                continue
            if text := _without_stack_traces(path.read_text(errors="replace")):
                tail = "\n".join(text.splitlines()[-lines:])
                parts.append(f"Last lines of {path}:\n{tail}")
        return "\n".join(parts) or f"No log output in {self.home / 'logs'}."

    def _running_pid(self) -> int | None:
        """The pid in the pid file, if that process is alive and is this home's server."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        if not _alive(pid):
            return None
        try:
            arguments = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
        except OSError:
            return pid
        if ENTRY_POINT in arguments and f"--home-dir={self.home}" in arguments:
            return pid
        return None


def command(action: str, settings: Settings) -> int:
    """`kesher neo4j start|stop|status`: prints what happened, returns the exit code."""
    server = LocalNeo4j.from_settings(settings)
    try:
        if action == "start":
            if server.is_running():
                print(server.status())
                return 0
            began = time.monotonic()
            server.start()
            login = DEFAULT_PASSWORD if server.password == DEFAULT_PASSWORD else "NEO4J_PASSWORD"
            print(f"Neo4j {server.version} started in {time.monotonic() - began:.1f} s.")
            print(f"  Bolt:    {server.bolt_uri}")
            print(f"  Browser: {server.browser_url}  (user {server.user}, password {login})")
            print(f"  Data:    {server.home / 'data'}")
            if settings.neo4j_uri:
                print(f"NEO4J_URI is set ({settings.neo4j_uri}): the API uses that server.")
            return 0
        if action == "stop":
            running = server.is_running()
            server.stop()
            print("Neo4j stopped." if running else "Neo4j was not running.")
            return 0
        if action == "status":
            print(server.status())
            return 0
    except Neo4jStartError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"error: unknown action {action!r}; use start, stop or status.", file=sys.stderr)
    return 2


def _without_stack_traces(output: str) -> str:
    lines = output.strip().splitlines()
    return "\n".join(line for line in lines if not re.match(r"\s+(at |\.\.\. \d+ more)", line))


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _alive(pid: int) -> bool:
    if not Path("/proc/self").exists():
        return _signal(pid, 0)
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # An exited process nobody has reaped yet (state Z) is not running.
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _signal(pid: int, signum: int) -> bool:
    try:
        os.kill(pid, signum)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _exited(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while _alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True
