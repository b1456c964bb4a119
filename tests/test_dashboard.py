"""The dashboard in a real browser (Debian's headless Chromium, driven by Selenium through chromedriver): the
page loads, a queue's count changes after a send, a message is peeked, a message is sent from the page, and a
redrive started from the page completes, with a screenshot taken on the way (the README's,
server/admin/ui/dashboard.png, was taken so). Skipped where Chromium is not installed (.ci/run installs it)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conformance.clients import sqs_client
from tests.harness import ServerProcess
from tests.test_wire import call

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(CHROMIUM is None or DRIVER is None, reason="needs chromium and chromedriver")


@pytest.fixture
def browser() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="posthouse-chromium-")
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _wait(browser: Any, condition: Any, timeout: float = 15) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(browser, timeout, poll_frequency=0.1).until(condition)


_ROW = "document.querySelector(`tr[data-queue='${arguments[0]}']`)"


def _cells(browser: Any, queue: str) -> list[str]:
    """A queue's row as the page shows it now (read in one go: the page redraws its tables every second)."""
    cells: list[str] = browser.execute_script(
        f"const row = {_ROW}; return row ? [...row.cells].map(c => c.textContent) : ['', '']", queue
    )
    return cells


def _click_queue(browser: Any, queue: str) -> None:
    browser.execute_script(f"{_ROW}.click()", queue)


def test_counts_peek_send_and_redrive_in_a_browser(
    server: ServerProcess, browser: Any, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    sqs = sqs_client(server.url, "json")
    dead = sqs.create_queue(QueueName="ui-dead")["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    policy = f'{{"deadLetterTargetArn": "{dead_arn}", "maxReceiveCount": 1}}'
    work = sqs.create_queue(QueueName="ui-work", Attributes={"RedrivePolicy": policy})["QueueUrl"]
    browser.get(server.url + "/admin/ui")
    _wait(browser, lambda b: _cells(b, "ui-work")[1] == "0")
    sqs.send_message(QueueUrl=work, MessageBody="failing order")
    _wait(browser, lambda b: _cells(b, "ui-work")[1] == "1")  # the count follows the send
    for _ in range(2):  # received twice, never deleted: the second receive moves it to the dead-letter queue
        sqs.receive_message(QueueUrl=work, VisibilityTimeout=0)
    _wait(browser, lambda b: _cells(b, "ui-dead")[1] == "1")
    _click_queue(browser, "ui-dead")
    _wait(browser, lambda b: "failing order" in b.find_element(By.ID, "messages").text)  # peeked
    browser.find_element(By.ID, "send-body").send_keys("sent from the page")
    browser.find_element(By.CSS_SELECTOR, '[data-testid="send"]').click()
    _wait(browser, lambda b: _cells(b, "ui-dead")[1] == "2")
    assert browser.save_screenshot(str(tmp_path / "dashboard.png"))
    sqs.purge_queue(QueueUrl=dead)
    sqs.send_message(QueueUrl=work, MessageBody="second failure")
    for _ in range(2):
        sqs.receive_message(QueueUrl=work, VisibilityTimeout=0)
    _wait(browser, lambda b: _cells(b, "ui-dead")[1] == "1")
    _wait(browser, lambda b: b.find_element(By.ID, "redrive-start").is_displayed())
    browser.find_element(By.ID, "redrive-start").click()
    _wait(
        browser, lambda b: b.find_element(By.ID, "redrive-status").text.startswith("COMPLETED: 1 of 1 moved")
    )
    _wait(browser, lambda b: _cells(b, "ui-work")[1] == "1" and _cells(b, "ui-dead")[1] == "0")


def test_the_page_may_write_only_as_itself(server: ServerProcess) -> None:
    """The dashboard's own POSTs carry its Origin; another page's are refused as before."""
    own = server.url
    status, _, _ = call(
        server, "POST", "/admin/reset/sns", b"{}", Content_Type="application/json", Origin=own
    )
    assert status == 200
    other = own.rsplit(":", 1)[0] + ":1"
    status, _, _ = call(
        server, "POST", "/admin/reset/sns", b"{}", Content_Type="application/json", Origin=other
    )
    assert status == 403


def test_functions_and_their_invocations_show(server: ServerProcess, browser: Any) -> None:
    from selenium.webdriver.common.by import By

    from conformance.clients import lambda_client
    from tests.test_lambda_functions import python_function

    lambda_ = lambda_client(server.url)
    name = python_function(lambda_, "def handler(event, context):\n    return 1\n", {}, prefix="ui")
    lambda_.invoke(FunctionName=name, Payload=b"{}")
    browser.get(server.url + "/admin/ui")

    def shown(b: Any) -> bool:
        return f"{name} python3.12 1 0 0 0" in b.find_element(By.ID, "functions").text

    _wait(browser, shown)
