"""Headless Chromium from the machine's packages, driven by Selenium through the matching
chromedriver. Nothing is downloaded: the binaries are named explicitly, so Selenium Manager
never runs.

Debian: `apt-get install -y chromium chromium-driver` (what `.ci/install-browser` does). Elsewhere
set STUDIO_ACCESS_CHROMIUM and STUDIO_ACCESS_CHROMEDRIVER, or put chromium (or google-chrome) and
chromedriver on PATH (GitHub's Ubuntu runners: google-chrome, and chromedriver in
$CHROMEWEBDRIVER). A machine without them FAILS the browser test with the command to run: the
test is never skipped."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

INSTALL = "apt-get install -y chromium chromium-driver   (Debian; .ci/install-browser does it in CI)"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# The flags the machine notes prescribe: no sandbox (root in a container), no GPU, and none of
# Chromium's own background traffic (the network is closed).
FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
    "--no-proxy-server",
    "--window-size=1000,760",
)


def _first(env: str, names: tuple[str, ...], extra_dirs: tuple[str, ...] = ()) -> str | None:
    if os.environ.get(env):
        named = os.environ[env]
        if not (os.path.isfile(named) and os.access(named, os.X_OK)):
            pytest.fail(f"{env}={named} is not an executable file; unset it or name {names[0]}", pytrace=False)
        return named
    for name in names:
        for folder in extra_dirs:
            candidate = Path(folder) / name
            if candidate.is_file() and os.access(candidate, os.X_OK):
                return str(candidate)
        found = shutil.which(name)
        if found:
            return found
    return None


def binaries() -> tuple[str, str]:
    """(browser, driver), or the test fails naming what to install."""
    browser = _first("STUDIO_ACCESS_CHROMIUM", BROWSERS)
    driver = _first(
        "STUDIO_ACCESS_CHROMEDRIVER", ("chromedriver",), tuple(filter(None, [os.environ.get("CHROMEWEBDRIVER")]))
    )
    missing = [what for what, path in (("Chromium", browser), ("chromedriver", driver)) if not path]
    if missing:
        pytest.fail(
            f"the sign-in page's browser test needs {' and '.join(missing)}, not found on this machine: {INSTALL}; "
            "or set STUDIO_ACCESS_CHROMIUM and STUDIO_ACCESS_CHROMEDRIVER",
            pytrace=False,
        )
    assert browser and driver
    return browser, driver


@contextmanager
def chromium(*extra: str) -> Iterator[Any]:
    """A headless Chromium (Selenium WebDriver) with its own empty profile, closed afterwards."""
    browser, driver_path = binaries()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    with tempfile.TemporaryDirectory(prefix="studio-access-chromium-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = browser
        for flag in (*FLAGS, f"--user-data-dir={profile}", *extra):
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})  # the console, for CSP reports
        driver = webdriver.Chrome(options=options, service=Service(executable_path=driver_path))
        try:
            driver.set_page_load_timeout(20)
            yield driver
        finally:
            driver.quit()
