"""Browser tests: Playwright drives Debian's chromium, headless (DESIGN.md §3)."""

import os
import shutil
import tempfile

import pytest

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# `make screenshots` refreshes the committed pictures in docs/screenshots; ordinary runs write
# them to a scratch folder so a test run leaves the work tree as it found it.
SCREENSHOTS = os.environ.get("SCREENSHOT_DIR") or os.path.join(
    tempfile.gettempdir(), "palpate-screenshots"
)
os.makedirs(SCREENSHOTS, exist_ok=True)


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"Browser tests need Debian's chromium at {CHROMIUM}: apt-get install chromium "
            "chromium-driver (or set CHROMIUM=/path/to/chromium)."
        )
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": CHROMIUM_ARGS,
        "headless": True,
    }


@pytest.fixture
def login(live_server, password):
    """Sign a page in through the real login form."""

    def _login(page, username: str):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return _login


def screenshot(page, name: str, *, width: int, height: int) -> str:
    os.makedirs(SCREENSHOTS, exist_ok=True)
    page.set_viewport_size({"width": width, "height": height})
    path = os.path.abspath(os.path.join(SCREENSHOTS, f"{name}-{width}x{height}.png"))
    page.screenshot(path=path, full_page=True)
    return path
