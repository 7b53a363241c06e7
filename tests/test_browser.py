"""A stage notebook in JupyterLab in a real (headless) browser: what a learner sees.

`make lab`'s JupyterLab is started on a copy of the stage 1 notebook (the
learner's own is never touched) with KIT_IMPL_DIR=solutions and KIT_QUICK=1.
Chromium, driven by Selenium through Debian's chromedriver, runs the cells up
to the score, as a learner pressing Shift+Enter would. The test then reads
the rendered page: the story, the training's progress bar, the digits image,
the report table, and no nbgrader menu. Skipped where Chromium or
chromedriver is not installed (.ci/run installs both).
"""
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.request

import pytest

from autograder.learner import lab
from autograder.metadata import REPO_ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
CELLS_TO_SCORE = 11  # the stage 1 notebook's cells up to and including `kit.run_checks(1)`

if os.environ.get("CI") and not (CHROMIUM and CHROMEDRIVER):
    raise RuntimeError("CI must run the browser test: .ci/run installs chromium and chromium-driver")

pytestmark = [
    pytest.mark.notebooks,
    pytest.mark.skipif(not (CHROMIUM and CHROMEDRIVER),
                       reason="no browser here: install Debian's chromium and chromium-driver "
                              "(.ci/run does) to open a notebook in JupyterLab"),
]


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_server(url, process, timeout=90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"JupyterLab exited with status {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"JupyterLab did not answer at {url} within {timeout} s")


@pytest.fixture
def lab_url(tmp_path):
    """JupyterLab as `make lab` starts it, on a copy of the stage 1 notebook; yields its URL."""
    notebooks = tmp_path / "exercises"
    notebooks.mkdir()
    shutil.copy(REPO_ROOT / "exercises" / "stage1_numpy.ipynb", notebooks)
    port, token = _free_port(), secrets.token_hex(16)
    env = lab.environment(tmp_path / "jupyter-config")
    env.update(KIT_QUICK="1", KIT_IMPL_DIR=str(REPO_ROOT / "solutions"),
               JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), AUTOGRADER_NO_PROGRESS="1")
    argv = lab.command(["--no-browser", "--allow-root", "--ServerApp.ip=127.0.0.1",
                        f"--ServerApp.port={port}", f"--IdentityProvider.token={token}"],
                       root=notebooks)
    log = open(tmp_path / "lab.log", "wb")
    process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for_server(f"{base}/api/status?token={token}", process)
        yield f"{base}/lab/tree/stage1_numpy.ipynb?token={token}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--window-size=1400,1000"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def _wait(driver, predicate, timeout, what):
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.5).until(lambda d: predicate(d))
    except Exception as exc:  # noqa: BLE001 - say what was awaited, with the page's text
        body = driver.find_element("tag name", "body").text[-3000:]
        raise AssertionError(f"{what} not seen within {timeout} s; the page shows:\n{body}") from exc


def _outputs_text(driver):
    """The text of every cell output; "" while JupyterLab is re-rendering them."""
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        return "\n".join(e.text for e in driver.find_elements("css selector", ".jp-OutputArea-output"))
    except StaleElementReferenceException:
        return ""


def _click_first_cell(driver):
    """Click the first cell, looked up afresh: JupyterLab may still be replacing the cells."""
    from selenium.common.exceptions import StaleElementReferenceException

    def clicked(d):
        try:
            d.find_elements("css selector", ".jp-Notebook .jp-Cell")[0].click()
            return True
        except (StaleElementReferenceException, IndexError):
            return False

    _wait(driver, clicked, 60, "a clickable first cell")


def test_stage_1_notebook_renders_in_jupyterlab(lab_url, browser):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    browser.get(lab_url)
    _wait(browser, lambda d: d.find_elements("css selector", ".jp-Notebook .jp-Cell"),
          120, "the notebook's cells")
    _wait(browser, lambda d: "Idle" in d.find_element("tag name", "body").text
          or d.find_elements("css selector", ".jp-Notebook-ExecutionIndicator[data-status='idle']"),
          120, "an idle kernel")
    _click_first_cell(browser)
    keys = ActionChains(browser).send_keys(Keys.ESCAPE)
    for _ in range(CELLS_TO_SCORE):
        keys = keys.key_down(Keys.SHIFT).send_keys(Keys.ENTER).key_up(Keys.SHIFT).pause(0.3)
    keys.perform()

    _wait(browser, lambda d: "Full marks for stage 1" in _outputs_text(d), 300, "the report")
    text = _outputs_text(browser)
    headings = [h.text for h in browser.find_elements("css selector", ".jp-RenderedMarkdown h1")]
    assert any(h.startswith("Stage 1:") for h in headings), headings
    assert "Your code:" in text                       # kit.describe: which file is graded
    assert "100%" in text and "20/20" in text         # the text progress bar, finished
    assert "validation accuracy" in text
    assert "softmax_large_logits" in text and "Total: " in text  # the report table
    images = browser.find_elements("css selector", ".jp-OutputArea-output img")
    assert images and all(i.size["width"] > 100 for i in images), "no digits or loss image"
    menus = [m.text for m in browser.find_elements("css selector", ".lm-MenuBar-itemLabel")]
    assert "Run" in menus and not any("nbgrader" in m.lower() for m in menus), menus
