"""What the page tests share: signing in through a page's form, and reading what it shows."""

from __future__ import annotations

from typing import Any

from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement

from tests.browser import Page
from tests.conftest import TEST_PASSWORD, Person
from tests.live import Live


def shown(driver: WebDriver, selector: str) -> list[WebElement]:
    """The elements matching `selector` that a person can see."""
    return [
        found for found in driver.find_elements(By.CSS_SELECTOR, selector) if found.is_displayed()
    ]


def texts(driver: WebDriver, selector: str) -> list[str]:
    return [found.text for found in shown(driver, selector)]


async def sign_in(live: Live, page: Page, person: Person, path: str) -> None:
    """Opens `path` and signs in with the person's e-mail and password, as typed."""
    await page.open(live.url + path)

    def fill(driver: WebDriver) -> None:
        form = driver.find_element(By.ID, "sign-in")
        form.find_element(By.NAME, "email").send_keys(person.email)
        form.find_element(By.NAME, "password").send_keys(TEST_PASSWORD)
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()

    await page.until(lambda driver: shown(driver, "#sign-in input[name=email]"), "no sign-in form")
    await page.run(fill)
    await page.until(
        lambda driver: (
            "signed-in" in (driver.find_element(By.TAG_NAME, "body").get_attribute("class") or "")
        ),
        "the page did not sign in",
    )


async def click(page: Page, selector: str) -> None:
    await page.run(lambda driver: driver.find_element(By.CSS_SELECTOR, selector).click())


async def errors_in_console(page: Page) -> list[str]:
    """The page's own errors written to the console (a refused request logs one too)."""
    return [line for line in await page.console() if line.startswith("SEVERE")]


def rgb(hex_colour: str) -> str:
    """`#RRGGBB` as the browser and Cytoscape report a colour: `rgb(r,g,b)`."""
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({red},{green},{blue})"


def as_dict(value: Any) -> dict[str, Any]:
    assert isinstance(value, dict), value
    return value
