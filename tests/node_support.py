"""Node.js clients in the tests: each lives in a folder of `tests/clients/` with its own
`package.json` and `package-lock.json`, installed with `npm ci` the first time it is needed
and again when its lock file changes."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

CLIENTS = Path(__file__).parent / "clients"
LIMIT = 300.0  # seconds a client script may run; generous, nothing is timed against it


@dataclass(frozen=True)
class NodeRun:
    returncode: int
    stdout: str
    stderr: str


def installed(folder: Path) -> Path:
    """The client folder with its packages installed as its lock file says."""
    lock = folder / "package-lock.json"
    marker = folder / "node_modules" / ".package-lock.json"
    if not marker.exists() or marker.stat().st_mtime < lock.stat().st_mtime:
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is not on the PATH; install Node.js 20 or later.")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=folder,
            check=True,
            timeout=600,
        )
    return folder


async def run_node(folder: Path, script: str, *args: str) -> NodeRun:
    """Runs `node <script> <args>` in an installed client folder without blocking the event
    loop, so that an app served in this loop can answer it."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on the PATH; install Node.js 20 or later.")
    process = await asyncio.create_subprocess_exec(
        node,
        script,
        *args,
        cwd=installed(folder),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(LIMIT):
            out, err = await process.communicate()
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    return NodeRun(process.returncode or 0, out.decode(), err.decode())
