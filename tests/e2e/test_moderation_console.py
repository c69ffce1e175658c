"""The moderator console (/moderation/) in a real browser (Debian's chromium driven by Playwright),
against the local stack: signing in with the token, the queue with each policy hit highlighted,
deciding from the keyboard, and what readers then see on the article page.

The dev stack is shared by the whole session, so other tests' held comments may be waiting in the
moderation queue. Each test first sets those aside (claims them over HTTP and gives them back at
the end), so the console claims only this test's comments; signing out at the end gives back
whatever the console claimed and did not decide."""

import os
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Locator, Page, Route, expect
from tests_support import unique_tag

pytestmark = pytest.mark.browser

DEMO_ARTICLE = "russia-syria-2017"
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "build" / "e2e"))
LINKS = ("https://example.com/a", "https://example.org/b", "https://example.net/c")
THREE_LINKS = f"Sources: {LINKS[0]} and {LINKS[1]} and {LINKS[2]}"

expect.set_options(timeout=10_000)


# ---- browser and pages ------------------------------------------------------------------------


@pytest.fixture
def page(browser: Browser, dialogs: list[str]) -> Iterator[Page]:
    """A fresh browser context (empty storage) that records any dialog. At the end, a signed-in
    console signs out, which gives its undecided claims back to the queue."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    try:
        sign_out = page.get_by_role("button", name="Sign out")
        if page.url.rstrip("/").endswith("/moderation") and sign_out.is_visible():
            sign_out.click()
            expect(page.get_by_text("Signed out.")).to_be_visible()
    finally:
        context.close()


def uid() -> str:
    return unique_tag()


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


# ---- the service over HTTP --------------------------------------------------------------------


def auth(stack: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.moderator_token}"}


def submit(stack: Any, article: str, name: str, body: str, email: str) -> requests.Response:
    return requests.post(
        f"{stack.base_url}/articles/{article}/comments",
        json={"name": name, "email": email, "body": body},
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=15,
    )


def hold(stack: Any, article: str, name: str, body: str, email: str | None = None) -> dict[str, Any]:
    """A comment the policy holds for a moderator (its body must break a hold rule)."""
    response = submit(stack, article, name, body, email or f"{uid()}@example.org")
    assert response.status_code == 202, f"expected a held comment: {response.status_code} {response.text}"
    return response.json()["comment"]


def release(stack: Any, item: dict[str, Any]) -> None:
    requests.post(
        f"{stack.base_url}/moderation/comments/{item['comment']['id']}/release",
        json={"claim": item["claim"]},
        headers=auth(stack),
        timeout=15,
    )


@contextmanager
def only_these_in_the_queue(stack: Any, *comment_ids: str, timeout: float = 30) -> Iterator[None]:
    """Wait until each of `comment_ids` has reached the moderation queue (the stream relays held
    comments in the background), claiming every other waiting comment on the way and keeping it
    aside until the block ends: the console then claims only these. Ours are held until all have
    arrived, then given back, so each is received once here (a message received
    maxReceiveCount = 5 times without a decision is dead-lettered)."""
    aside: list[dict[str, Any]] = []
    ours: dict[str, dict[str, Any]] = {}
    deadline = time.monotonic() + timeout
    try:
        while len(ours) < len(set(comment_ids)):
            assert time.monotonic() < deadline, (
                f"never reached the moderation queue: {set(comment_ids) - set(ours)}"
            )
            r = requests.get(f"{stack.base_url}/moderation/queue?max=10", headers=auth(stack), timeout=15)
            assert r.status_code == 200, r.text
            items = r.json()["items"]
            for item in items:
                if item["comment"]["id"] in comment_ids:
                    ours[item["comment"]["id"]] = item
                else:
                    aside.append(item)
            if not items:
                time.sleep(0.3)
        for item in ours.values():
            release(stack, item)
        ours.clear()
        yield
    finally:
        for item in [*ours.values(), *aside]:
            release(stack, item)


def detail(stack: Any, comment_id: str) -> dict[str, Any]:
    r = requests.get(f"{stack.base_url}/moderation/comments/{comment_id}", headers=auth(stack), timeout=15)
    assert r.status_code == 200, r.text
    return r.json()


# ---- the console ------------------------------------------------------------------------------


def open_console(page: Page, stack: Any) -> Locator:
    """Open /moderation/, sign in from the keyboard, and return the list of held comments once
    the console has claimed the queue."""
    page.goto(stack.base_url + "/moderation/")
    token = page.get_by_label("Moderator token")
    expect(token).to_be_focused()
    expect(token).to_have_attribute("type", "password")
    page.keyboard.type(stack.moderator_token)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    queue = page.get_by_role("list", name="Held comments")
    expect(queue).to_be_attached()
    expect(queue).not_to_have_attribute("aria-busy", "true")
    return queue


def announcement(page: Page) -> Locator:
    return page.locator('[role="status"][aria-live="polite"]')


def held_item(queue: Locator, text: str) -> Locator:
    item = queue.get_by_role("listitem").filter(has_text=text)
    expect(item).to_have_count(1)
    return item


def focus_with_keys(page: Page, comment_id: str) -> None:
    """Move through the list with j until the given comment has the focus (keyboard only)."""
    for _ in range(12):
        if page.evaluate("document.activeElement.dataset.commentId") == comment_id:
            return
        page.keyboard.press("j")
    raise AssertionError("the comment never got the focus")


def open_article(page: Page, stack: Any, article_id: str) -> Locator:
    """The article page at `/` with the widget pointed at `article_id` (the page the server
    renders, rewritten on its way to the browser, as in test_widget_browser). Returns the list
    named Comments once it has loaded."""

    def rewrite(route: Route) -> None:
        response = route.fetch()
        html = response.text().replace(f'data-article-id="{DEMO_ARTICLE}"', f'data-article-id="{article_id}"')
        route.fulfill(response=response, body=html)

    page.route(stack.base_url + "/", rewrite)
    page.goto(stack.base_url + "/")
    comments = page.get_by_role("list", name="Comments", exact=True)
    expect(comments).to_be_attached()
    expect(comments).not_to_have_attribute("aria-busy", "true")
    return comments


# ---- approving ----------------------------------------------------------------------------------


def test_a_moderator_approves_in_the_console_and_the_comment_appears_on_the_article_page(
    page: Page, browser: Browser, dev_stack: Any
) -> None:
    # Given a comment with three links, held for a moderator
    article = f"console-{uid()}"
    body = f"{THREE_LINKS} ({uid()})"
    comment = hold(dev_stack, article, "Held Reader", body)
    with only_these_in_the_queue(dev_stack, comment["id"]):
        # When a moderator opens the console and signs in with the token
        queue = open_console(page, dev_stack)
        # Then the comment is listed with its article, author, reasons, and each link highlighted
        item = held_item(queue, body)
        expect(item).to_contain_text(article)
        expect(item.get_by_role("heading")).to_have_text("Comment by Held Reader")
        expect(item.locator(".reasons")).to_contain_text("Links")
        expect(item.locator(".reasons")).to_contain_text("3 links")
        marks = item.locator("mark")
        expect(marks).to_have_count(3)
        expect(marks).to_have_text(list(LINKS))
        expect(item.locator(".reasons")).to_contain_text("3 passages highlighted")
        expect(page.locator("#depth")).to_contain_text("claimed")
        # And the token is kept in this tab's sessionStorage only, never in the URL or localStorage
        assert dev_stack.moderator_token not in page.url
        assert page.evaluate("Object.values(sessionStorage)") == [dev_stack.moderator_token]
        assert page.evaluate("localStorage.length") == 0
        screenshot(page, "moderation-console.png")
        # When the moderator moves to it and presses a
        focus_with_keys(page, comment["id"])
        page.keyboard.press("a")
        # Then the result is announced at once and the comment leaves the list
        expect(announcement(page)).to_contain_text("Approved — published")
        expect(queue.get_by_role("listitem").filter(has_text=body)).to_have_count(0)
    assert detail(dev_stack, comment["id"])["comment"]["status"] == "published"
    # And a reader of the article page sees it in the list named Comments
    reader = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        comments = open_article(reader.new_page(), dev_stack, article)
        expect(comments.get_by_role("listitem").filter(has_text=body)).to_have_count(1)
        expect(comments).to_contain_text("Held Reader")
    finally:
        reader.close()


def test_moving_skipping_and_rejecting_with_a_note_from_the_keyboard(page: Page, dev_stack: Any) -> None:
    # Given two held comments
    article = f"console-keys-{uid()}"
    first_body, second_body = f"{THREE_LINKS} (first {uid()})", f"{THREE_LINKS} (second {uid()})"
    first = hold(dev_stack, article, "First Writer", first_body)
    second = hold(dev_stack, article, "Second Writer", second_body)
    with only_these_in_the_queue(dev_stack, first["id"], second["id"]):
        queue = open_console(page, dev_stack)
        held_item(queue, first_body)
        held_item(queue, second_body)
        # When the moderator moves with j, k and the arrow keys, the focus follows, and it shows
        focus_with_keys(page, first["id"])
        focused = page.locator("li:focus")
        expect(focused).to_have_attribute("aria-current", "true")
        outline = focused.evaluate("n => getComputedStyle(n).outlineStyle")
        assert outline not in ("", "none"), "the focused comment has no visible focus"
        page.keyboard.press("ArrowDown")
        page.keyboard.press("ArrowUp")
        assert page.evaluate("document.activeElement.dataset.commentId") == first["id"]
        # And skips the first with s: it leaves the list and goes back to the queue
        page.keyboard.press("s")
        expect(announcement(page)).to_contain_text("Skipped")
        expect(queue.get_by_role("listitem").filter(has_text=first_body)).to_have_count(0)
        # And writes a note for the second (n), goes back with Esc, and rejects it with r
        focus_with_keys(page, second["id"])
        page.keyboard.press("n")
        note = held_item(queue, second_body).get_by_label("Note (optional)")
        expect(note).to_be_focused()
        page.keyboard.type("three links, no context")
        page.keyboard.press("Escape")
        page.keyboard.press("r")
        expect(announcement(page)).to_contain_text("Rejected")
        expect(queue.get_by_role("listitem")).to_have_count(0)
        expect(page.get_by_text("Reload the queue for more")).to_be_visible()
        # And the reload button gets the focus, so the keyboard user goes on from there
        expect(page.get_by_role("button", name="Reload queue")).to_be_focused()
    # Then the service has the rejection with the note, and the skipped comment is still pending
    record = detail(dev_stack, second["id"])
    assert record["comment"]["status"] == "rejected"
    assert "three links, no context" in str(record["history"])
    assert detail(dev_stack, first["id"])["comment"]["status"] == "pending"
    with only_these_in_the_queue(dev_stack, first["id"]):
        pass  # back in the queue for someone else


# ---- rejecting and banning ----------------------------------------------------------------------


def test_reject_and_ban_with_b_bans_the_author(page: Page, dev_stack: Any) -> None:
    # Given a held comment
    article, email = f"console-ban-{uid()}", f"ban-{uid()}@example.org"
    body = f"{THREE_LINKS} ({uid()})"
    comment = hold(dev_stack, article, "Spam Sender", body, email)
    with only_these_in_the_queue(dev_stack, comment["id"]):
        queue = open_console(page, dev_stack)
        held_item(queue, body)
        # When the moderator presses b on it
        focus_with_keys(page, comment["id"])
        page.keyboard.press("b")
        # Then it is rejected and the author banned
        expect(announcement(page)).to_contain_text("Rejected and author banned")
        expect(queue.get_by_role("listitem").filter(has_text=body)).to_have_count(0)
    assert detail(dev_stack, comment["id"])["comment"]["status"] == "rejected"
    # And the author's next comment, however polite, is refused as banned
    again = submit(dev_stack, article, "Spam Sender", "A calm and polite remark.", email)
    assert again.status_code == 422, again.text
    assert "banned_author" in [v["rule"] for v in again.json()["violations"]]


def test_a_comment_decided_by_another_moderator_meanwhile_is_reported_as_such(
    page: Page, dev_stack: Any
) -> None:
    # Given a held comment on the console
    body = f"{THREE_LINKS} ({uid()})"
    comment = hold(dev_stack, f"console-race-{uid()}", "Race Writer", body)
    with only_these_in_the_queue(dev_stack, comment["id"]):
        queue = open_console(page, dev_stack)
        held_item(queue, body)
        # And another moderator rejects it first
        other = requests.post(
            f"{dev_stack.base_url}/moderation/comments/{comment['id']}/decision",
            json={"decision": "reject", "note": "the other moderator"},
            headers=auth(dev_stack),
            timeout=15,
        )
        assert other.status_code == 200, other.text
        # When this moderator approves it
        focus_with_keys(page, comment["id"])
        page.keyboard.press("a")
        # Then the console says so, and the comment leaves the list still rejected
        expect(announcement(page)).to_contain_text("Already decided by another moderator")
        expect(queue.get_by_role("listitem").filter(has_text=body)).to_have_count(0)
    assert detail(dev_stack, comment["id"])["comment"]["status"] == "rejected"


# ---- signing in ---------------------------------------------------------------------------------


def test_a_wrong_token_is_not_authorised_and_never_kept(page: Page, dev_stack: Any) -> None:
    # Given the console
    page.goto(dev_stack.base_url + "/moderation/")
    # When someone signs in with a wrong token
    page.get_by_label("Moderator token").fill("not-the-moderator-token")
    page.get_by_role("button", name="Sign in").click()
    # Then "Not authorised" is shown plainly, and nothing is kept or put in the URL
    expect(page.get_by_role("alert")).to_contain_text("Not authorised")
    expect(page.get_by_label("Moderator token")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("list", name="Held comments")).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0
    assert page.evaluate("localStorage.length") == 0
    assert "not-the-moderator-token" not in page.url
    assert page.url == dev_stack.base_url + "/moderation/"


def test_signing_in_lasts_for_the_tab_and_signing_out_forgets_the_token(page: Page, dev_stack: Any) -> None:
    # Given a moderator signed in (the queue answered empty, whatever others left in it)
    page.route(re.compile(r".*/moderation/queue\?max=10$"), lambda route: route.fulfill(json={"items": []}))
    open_console(page, dev_stack)
    # Then an empty queue says so
    expect(page.get_by_text("The queue is empty: no comment is waiting")).to_be_visible()
    # When the page is reloaded, the moderator is still signed in
    page.reload()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_text("The queue is empty: no comment is waiting")).to_be_visible()
    # When the moderator signs out, the token is forgotten
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("Moderator token")).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    # And the console at /moderation (no slash) is the same page
    page.goto(dev_stack.base_url + "/moderation")
    expect(page.get_by_label("Moderator token")).to_be_focused()


# ---- hostile comments ---------------------------------------------------------------------------


def test_xss_in_a_held_comment_stays_inert_in_the_console(
    page: Page, dev_stack: Any, dialogs: list[str]
) -> None:
    # Given a held comment with HTML in the name and the body
    name = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    body = f"<script>alert(3)</script><img src=x onerror=alert(4)> <b>bold</b> {THREE_LINKS} ({uid()})"
    comment = hold(dev_stack, f"console-xss-{uid()}", name, body)
    with only_these_in_the_queue(dev_stack, comment["id"]):
        # When a moderator opens the console
        queue = open_console(page, dev_stack)
        item = held_item(queue, body)
        # Then the name and the text show as typed, the links are still highlighted,
        expect(item.get_by_role("heading")).to_have_text(f"Comment by {name}")
        expect(item.locator(".text")).to_have_text(body)
        expect(item.locator("mark")).to_have_count(3)
        # and nothing was injected, and no script ran
        page.wait_for_timeout(500)  # give any onerror a chance to run
        assert queue.locator("img, script, b").count() == 0
        assert page.locator("img, script:not([src])").count() == 0
        assert dialogs == []
        # When the moderator rejects it
        focus_with_keys(page, comment["id"])
        page.keyboard.press("r")
        expect(announcement(page)).to_contain_text("Rejected")
    assert dialogs == []


# ---- policy statistics --------------------------------------------------------------------------


def stats(stack: Any) -> dict[str, Any]:
    r = requests.get(f"{stack.base_url}/moderation/policy/stats", headers=auth(stack), timeout=15)
    assert r.status_code == 200, r.text
    return r.json()


def test_the_policy_statistics_show_what_each_rule_held_and_what_moderators_made_of_it(
    page: Page, dev_stack: Any
) -> None:
    # Given a comment held for its links and rejected by a moderator (relayed in the background)
    before = {r["rule"]: r for r in stats(dev_stack)["rules"]}.get("links", {"rejected": 0})
    held = hold(dev_stack, f"stats-{uid()}", "Stat Reader", f"{THREE_LINKS} ({uid()})")
    decided = requests.post(
        f"{dev_stack.base_url}/moderation/comments/{held['id']}/decision",
        json={"decision": "reject"},
        headers=auth(dev_stack),
        timeout=15,
    )
    assert decided.status_code == 200
    deadline, settled, last = time.monotonic() + 30, None, None
    while time.monotonic() < deadline:
        now = stats(dev_stack)
        links = {r["rule"]: r for r in now["rules"]}.get("links", {"rejected": 0})
        if links["rejected"] > before["rejected"] and now == last:
            settled = now
            break
        last = now
        time.sleep(0.5)
    assert settled is not None, "the decision never reached the statistics"
    # When a moderator opens the console's policy statistics
    open_console(page, dev_stack)
    page.get_by_text("Policy statistics", exact=True).click()
    table = page.get_by_role("table")
    expect(table).to_be_visible()
    # Then each rule's row shows the service's figures, in words and numbers
    for rule in settled["rules"]:
        row = table.locator(f'tr[data-rule="{rule["rule"]}"]')
        waiting = rule["held"] - rule["approved"] - rule["rejected"]
        share = "–" if rule["approvedShare"] is None else f"{round(rule['approvedShare'] * 100)}%"
        expect(row.locator("td")).to_have_text(
            [str(rule["held"]), str(rule["approved"]), str(rule["rejected"]), str(max(0, waiting)), share]
        )
    expect(table.locator('tr[data-rule="links"] th')).to_have_text("Links")
    screenshot(page, "policy-statistics.png")
