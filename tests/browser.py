"""Headless Chromium for tests of pages (a pytest plugin): Debian's `chromium`, driven by
Selenium through Debian's `chromedriver`; no test tool downloads a browser.

`browser` is one Chromium for the session; `page` is that browser for one test, used from
async tests (each call runs in a worker thread, so that an app served in the test's event
loop by `live` can answer), and leaves a screenshot of the test's last view in the test
output folder (`KESHER_TEST_OUTPUT`, by default `.kesher/test-output`)."""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.support.wait import WebDriverWait

from kesher.settings import PROJECT_DIR

CHROMIUM = Path(os.environ.get("KESHER_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("KESHER_CHROMEDRIVER", "/usr/bin/chromedriver"))
OUTPUT = Path(os.environ.get("KESHER_TEST_OUTPUT", PROJECT_DIR / ".kesher" / "test-output"))
WAIT = 60.0  # seconds: generous, for a busy machine; nothing is timed against it

# Without the background-networking flags Chromium reaches out to Google's services, and on
# a closed network those connections are refused; a page test must not depend on them.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,900",
)

T = TypeVar("T")


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    for program, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not program.is_file():
            pytest.fail(f"{program} is missing: install it with `apt-get install -y {package}`.")
    options = Options()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    # The performance log lists every request a page makes, WebSockets included.
    options.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


@dataclass
class Page:
    """The session's browser for one test, with async calls and a record of its requests."""

    driver: WebDriver
    requested: list[str] = field(default_factory=list)

    async def run(self, action: Callable[[WebDriver], T]) -> T:
        """Runs a Selenium action in a worker thread."""
        return await asyncio.to_thread(action, self.driver)

    async def open(self, url: str) -> None:
        await self.run(lambda driver: driver.get(url))

    async def until(self, condition: Callable[[WebDriver], T | None], message: str = "") -> T:
        """Waits until `condition` answers something true, and returns that answer."""
        wait: WebDriverWait[WebDriver] = WebDriverWait(self.driver, WAIT, poll_frequency=0.1)
        return cast("T", await self.run(lambda _: wait.until(condition, message)))

    async def script(self, source: str, *args: object) -> Any:
        return await self.run(lambda driver: driver.execute_script(source, *args))

    async def requests(self) -> list[str]:
        """Every URL the browser has asked for since the test began (pages, scripts, styles,
        fonts, fetches, WebSockets)."""
        entries = await self.run(lambda driver: log(driver, "performance"))
        for entry in entries:
            event = json.loads(entry["message"])["message"]
            if event["method"] == "Network.requestWillBeSent":
                self.requested.append(event["params"]["request"]["url"])
            elif event["method"] == "Network.webSocketCreated":
                self.requested.append(event["params"]["url"])
        return list(self.requested)

    async def console(self) -> list[str]:
        """The messages the page wrote to the browser's console."""
        entries = await self.run(lambda driver: log(driver, "browser"))
        return [f"{entry['level']} {entry['message']}" for entry in entries]

    def screenshot(self, name: str) -> Path:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        path = OUTPUT / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
        self.driver.save_screenshot(str(path))
        return path


def log(driver: WebDriver, kind: str) -> list[dict[str, Any]]:
    """The entries of one of the browser's logs since it was last read."""
    entries: list[dict[str, Any]] = driver.get_log(kind)  # type: ignore[no-untyped-call]
    return entries


def off_host(urls: list[str], host: str = "127.0.0.1") -> list[str]:
    """The URLs among `urls` that leave `host` (inline `data:` and `blob:` URLs stay)."""
    return [
        url
        for url in urls
        if urlsplit(url).scheme not in ("data", "blob", "about") and urlsplit(url).hostname != host
    ]


@pytest.fixture
def page(browser: WebDriver, request: pytest.FixtureRequest) -> Iterator[Page]:
    browser.get("about:blank")
    log(browser, "performance")  # what earlier tests left
    log(browser, "browser")
    tab = Page(browser)
    try:
        yield tab
    finally:
        tab.screenshot(request.node.name)
        # Leaving the page closes its connections before the served app stops.
        browser.delete_all_cookies()
        browser.get("about:blank")
