"""The local stack as `make dev` runs it: the dev server in its own process (which starts its own
moto server), reached over real HTTP. A second static server on another port plays a news site
that embeds the widget cross-origin."""

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from comments_dev.launch import DevProcess, start_dev_server

# A news site on https, among the allowed origins: a submission may name a page of it (its title and
# canonical URL), which moderators then see. (The partner site below is http, so it can name none.)
NEWS_SITE = "https://news.example.com"


@dataclass
class DevStack:
    base_url: str
    moderator_token: str
    extra_origin_url: str
    aws_endpoint: str
    process: DevProcess

    def client(self, service: str) -> Any:
        """A boto3 client for the dev server's emulator."""
        return self.process.client(service)

    @property
    def news_site(self) -> str:
        return NEWS_SITE

    @property
    def moderator_email(self) -> str:
        return self.process.moderator_email

    @property
    def moderator_password(self) -> str:
        return self.process.moderator_password

    def config(self) -> dict[str, Any]:
        """The console's /config.json: the API, the user pool and its app client."""
        import requests

        return dict(requests.get(f"{self.base_url}/config.json", timeout=10).json())


class _Site(BaseHTTPRequestHandler):
    """A partner site's article page, embedding the widget from the dev server (set later)."""

    page = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(self.page)))
        self.end_headers()
        self.wfile.write(self.page)

    def log_message(self, *args: object) -> None:
        pass


def _site_page(api_url: str) -> bytes:
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Partner site</title>
<link rel="stylesheet" href="{api_url}/static/comments-widget.css"></head><body>
<main><h1>A partner site's article</h1><p>Embedded from another origin.</p>
<div data-comments data-article-id="cross-origin-demo" data-api="{api_url}"
     data-policy-url="{api_url}/policy"></div>
</main><script src="{api_url}/static/comments-widget.js" defer></script></body></html>""".encode()


@pytest.fixture(scope="session")
def dev_stack() -> Iterator[DevStack]:
    # Each server binds its own port (0: any free one) and keeps it: no port is picked, released
    # and bound again. The site's port is known first (the dev server must allow its origin);
    # its page learns the dev server's URL once that has started.
    site_handler = type("Site", (_Site,), {})
    site = ThreadingHTTPServer(("127.0.0.1", 0), site_handler)
    site_url = f"http://127.0.0.1:{site.server_address[1]}"
    threading.Thread(target=site.serve_forever, daemon=True).start()
    try:
        proc = start_dev_server({"RATE_LIMIT_PER_MINUTE": "0", "ALLOWED_ORIGINS": f"{site_url},{NEWS_SITE}"})
    except BaseException:
        site.shutdown()
        raise
    site_handler.page = _site_page(proc.base_url)
    yield DevStack(proc.base_url, proc.moderator_token, site_url, proc.aws_endpoint, proc)
    site.shutdown()
    proc.stop()


# -- a real browser: Debian's chromium driven by Playwright (`make browser-deps` installs it) --
@pytest.fixture(scope="session")
def playwright():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    if shutil.which("chromium") is None:
        pytest.fail("chromium is not installed: run `make browser-deps` (apt-get install chromium)")
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright):  # type: ignore[no-untyped-def]
    browser = playwright.chromium.launch(
        executable_path=shutil.which("chromium"),
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    )
    yield browser
    browser.close()


@pytest.fixture
def dialogs() -> list[str]:
    """Every dialog a page opens (an XSS payload that ran would open one)."""
    return []
