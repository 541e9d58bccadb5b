"""How long does the relation-map page take to lay out and draw 1,000 parties? In headless
Chromium (Debian's `chromium` and `chromedriver`), on the page the app serves.

It serves the pages alone (no database: the map is handed to the page, shaped as the API's
`relationMap` answers it), opens `/map`, and for each round draws a generated map of
`--nodes` parties with the page's own code: the parties and links added, laid out by fcose,
and the next frame painted. It prints each round and the median, against the target of
under one second.

    python -m bench.map_render --nodes 1000 --rounds 5
"""

from __future__ import annotations

import argparse
import random
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from starlette.applications import Starlette

from kesher import pages
from kesher.graph.launcher import free_port

TARGET_SECONDS = 1.0
KINDS = ("CUSTOMER", "CONTACT", "PROJECT", "EXTERNAL")
TYPES = (
    ("PARENT_COMPANY_OF", "parent company", "subsidiary", "#AA3300"),
    ("ADVISED_BY", "client", "advisor", "#00AA00"),
    ("FATHER_OF", "father", "son", "#0000FF"),
    ("SUPPLIES", "supplier", "customer", "#CC00CC"),
)

# Draws the map, then waits for two animation frames: the first runs Cytoscape's render,
# the second starts only once that frame has been painted.
DRAW = """
const [map, done] = arguments;
const started = performance.now();
window.kesherMap.draw([map]);
const laidOut = performance.now();
requestAnimationFrame(() => requestAnimationFrame(() => done({
  total: performance.now() - started, layout: laidOut - started,
  nodes: window.kesherMap.cy.nodes().length, edges: window.kesherMap.cy.edges().length,
})));
"""


def generated_map(nodes: int, seed: int) -> dict[str, Any]:
    """A connected map of `nodes` parties: a tree grown breadth-first from one root, as a
    map around a record is, plus a fifth as many links across it."""
    chance = random.Random(seed)
    parties: list[dict[str, Any]] = [
        {
            "depth": 0,
            "party": {"id": "p0", "kind": "CUSTOMER", "name": "Root 0", "archived": False},
        }
    ]
    edges: list[dict[str, Any]] = []

    def link(source: int, target: int) -> None:
        key, label, reciprocal, colour = chance.choice(TYPES)
        edges.append(
            {
                "id": f"e{len(edges)}",
                "source": f"p{source}",
                "target": f"p{target}",
                "typeKey": key,
                "label": label,
                "reciprocalLabel": reciprocal,
                "colour": colour,
                "structural": False,
                "startsOn": None,
                "endsOn": None,
                "current": chance.random() > 0.1,
            }
        )

    for number in range(1, nodes):
        parent = chance.randrange(max(1, number // 3), number) if number > 3 else 0
        kind = chance.choice(KINDS)
        parties.append(
            {
                "depth": parties[parent]["depth"] + 1,
                "party": {
                    "id": f"p{number}",
                    "kind": kind,
                    "name": f"{kind.title()} {number}",
                    "archived": chance.random() < 0.05,
                },
            }
        )
        link(parent, number)
    for _ in range(nodes // 5):
        source, target = chance.sample(range(nodes), 2)
        link(source, target)
    return {"nodes": parties, "edges": edges, "truncated": False}


@contextmanager
def serving_pages() -> Iterator[str]:
    """The pages alone, served by uvicorn in a thread on a free port."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            Starlette(routes=pages.routes()), host="127.0.0.1", port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join()


def chromium() -> webdriver.Chrome:
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--window-size=1400,900",
    ):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service("/usr/bin/chromedriver"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()

    with serving_pages() as address:
        browser = chromium()
        try:
            browser.set_script_timeout(120)
            browser.get(address + "/map")
            # The drawing area as a signed-in person sees it; nothing asks the API.
            browser.execute_script("document.body.className = 'map-page signed-in';")
            totals = []
            for round_number in range(arguments.rounds):
                found = browser.execute_async_script(
                    DRAW, generated_map(arguments.nodes, seed=round_number)
                )
                totals.append(found["total"] / 1000)
                print(
                    f"round {round_number + 1}: {found['nodes']} parties, {found['edges']} links: "
                    f"laid out in {found['layout'] / 1000:.3f} s, "
                    f"drawn in {found['total'] / 1000:.3f} s"
                )
        finally:
            browser.quit()
    median = statistics.median(totals)
    verdict = "under" if median < TARGET_SECONDS else "OVER"
    print(
        f"median {median:.3f} s for {arguments.nodes} parties: "
        f"{verdict} the {TARGET_SECONDS:g} s target"
    )


if __name__ == "__main__":
    main()
