"""The reminder scheduler: a task inside each API process that, every few seconds, tells
the assignees of tasks fallen due (R3.3).

Each round is one write transaction that locks the `:ReminderLock` node first (see
`kesher.graph.tasks`), so any number of processes may run the scheduler at once and
each task falling due is still reminded of exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

from kesher.graph import tasks as graph_tasks
from kesher.graph.driver import Graph

logger = logging.getLogger("kesher.reminders")

# Tasks taken per transaction: a backlog (after a long stop) is worked through in rounds
# of this size, each committed before the next.
BATCH = 500

# How long a shutdown waits for a round under way to finish before cancelling it.
STOP_GRACE_SECONDS = 10.0


async def run_once(graph: Graph, now: datetime | None = None, batch: int = BATCH) -> int:
    """Reminds the assignees of every open task whose due time is `now` (the present when
    not given) or earlier and that has not been reminded of; how many notifications
    were made."""
    at = now or datetime.now(UTC)
    sent = 0
    while True:
        done = await graph.write(graph_tasks.remind, at, batch)
        sent += done.sent
        if done.taken < batch:
            return sent


async def _loop(graph: Graph, interval: float, stop: asyncio.Event) -> None:
    while not stop.is_set():
        try:
            sent = await run_once(graph)
        except Exception:  # a failed round is logged; the next one tries again
            logger.exception("Task reminders failed; trying again in %s s.", interval)
        else:
            if sent:
                logger.info("Sent %d task reminder(s).", sent)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval)


@asynccontextmanager
async def scheduler(graph: Graph, interval: float) -> AsyncIterator[None]:
    """Runs a round of reminders every `interval` seconds while the block runs; on the
    way out it lets a round under way finish (or cancels it after a grace period)."""
    stop = asyncio.Event()
    task = asyncio.create_task(_loop(graph, interval, stop), name="kesher-reminders")
    try:
        yield
    finally:
        stop.set()
        try:
            await asyncio.wait_for(task, STOP_GRACE_SECONDS)
        except TimeoutError:
            logger.warning("A round of task reminders was cancelled at shutdown.")
