"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server,
with a real Celery worker consuming the configured broker (Redis in CI)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the test's own ORM calls are
# synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", "test-artifacts/e2e"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session", autouse=True)
def _live_static_files_like_whitenoise():
    """pytest-django's live server serves static files through Django's StaticFilesHandler,
    which sends no Access-Control-Allow-Origin; whitenoise (make run, production) sends "*" on
    every static file. The letter preview is a sandboxed frame (an opaque origin) whose font
    requests are cross-origin: without the header Chromium would drop the bundled fonts."""
    from django.contrib.staticfiles.handlers import StaticFilesHandler

    serve = StaticFilesHandler.serve

    def serve_with_cors(self, request):
        response = serve(self, request)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(StaticFilesHandler, "serve", serve_with_cors)
        yield


# Package scope: Playwright's sync API runs an event loop in the test thread for as long as the
# browser lives, and the tests after this package (pyHanko's asyncio.run, the health check's
# async checks) need the thread without one.
@pytest.fixture(scope="package")
def browser(chromium_path_session):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path_session, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def chromium_path_session():
    from tests.conftest import need_service

    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    need_service("Chromium", os.path.exists(path))
    return path


@pytest.fixture
def page_factory(browser):
    contexts = []

    def make(locale: str = "vi-VN"):
        context = browser.new_context(
            viewport={"width": 1366, "height": 768}, locale=locale, timezone_id="Asia/Ho_Chi_Minh"
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


# The README's pictures (docs/screenshots/) and the screenshot each one is. `make screenshots`
# (README_SCREENSHOTS=1) writes them again from the browser tests' run, in 256 colours.
DOCS_SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
README_PICTURES = {
    "01-drafter-preview": "drafting.png",
    "04-officer-inbox": "inbox.png",
    "05-officer-reports-task-1": "report.png",
    "06-clerk-matrix-top": "matrix.png",
    "phone-01-inbox": "phone-inbox.png",
    "phone-03-letter": "phone-letter.png",
    "phone-04-letter-pdf": "phone-pdf.png",
}


def readme_picture_save(path: Path, name: str) -> None:
    from PIL import Image

    with Image.open(path) as image:
        picture = image.convert("RGB").quantize(256)
        picture.save(DOCS_SCREENSHOTS / README_PICTURES[name], optimize=True)


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    refresh = os.environ.get("README_SCREENSHOTS") == "1"

    def take(page, name: str, *, full_page: bool = True) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        if refresh and name in README_PICTURES:
            readme_picture_save(path, name)
        return path

    return take


@pytest.fixture
def celery_worker_thread(settings):
    """A real Celery worker, in a thread, on the configured broker."""
    from celery.contrib.testing.worker import start_worker

    from portal.celery import app

    app.conf.task_always_eager = False
    with start_worker(
        app,
        pool="threads",
        concurrency=2,
        perform_ping_check=False,
        queues=["default", "pdf", "mail"],
        shutdown_timeout=30,
    ) as worker:
        yield worker
