"""The moderator console (/moderation/) in a real browser (Debian's chromium driven by Playwright),
against the local stack: signing in with an email address and a password against the emulator's
Cognito user pool (SRP), the queue with each policy hit highlighted, deciding from the keyboard,
and what readers then see on the article page. Every page is watched for Content-Security-Policy
violations: the dev server sends the template's CloudFront headers, so none may occur.

The dev stack is shared by the whole session, so other tests' held comments may be waiting in the
moderation queue. Each test first sets those aside (claims them over HTTP and gives them back at
the end), so the console claims only this test's comments; signing out at the end gives back
whatever the console claimed and did not decide."""

import os
import re
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Locator, Page, expect
from tests_support import auth, only_these_in_the_queue, open_article, watch_csp
from tests_support import unique_tag as uid

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "build" / "e2e"))
LINKS = ("https://example.com/a", "https://example.org/b", "https://example.net/c")
THREE_LINKS = f"Sources: {LINKS[0]} and {LINKS[1]} and {LINKS[2]}"

expect.set_options(timeout=10_000)


# ---- browser and pages ------------------------------------------------------------------------


@pytest.fixture
def page(browser: Browser, dialogs: list[str]) -> Iterator[Page]:
    """A fresh browser context (empty storage) that records any dialog and any CSP violation. At
    the end, a signed-in console signs out, which gives its undecided claims back to the queue;
    then no CSP violation may have happened."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    seen = watch_csp(page)
    yield page
    try:
        sign_out = page.get_by_role("button", name="Sign out")
        if page.url.rstrip("/").endswith("/moderation") and sign_out.is_visible():
            sign_out.click()
            expect(page.get_by_text("Signed out.")).to_be_visible()
    finally:
        context.close()
    assert seen == [], f"Content-Security-Policy violations: {seen}"


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


# ---- the service over HTTP --------------------------------------------------------------------


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


def detail(stack: Any, comment_id: str) -> dict[str, Any]:
    r = requests.get(f"{stack.base_url}/moderation/comments/{comment_id}", headers=auth(stack), timeout=15)
    assert r.status_code == 200, r.text
    return r.json()


# ---- the console ------------------------------------------------------------------------------


def email_field(page: Page) -> Locator:
    return page.get_by_label("Email", exact=True)


def password_field(page: Page) -> Locator:
    return page.get_by_label("Password", exact=True)


def sign_in(page: Page, stack: Any, email: str | None = None, password: str | None = None) -> None:
    """Open /moderation/ and sign in from the keyboard: the email, Tab, the password, Enter."""
    page.goto(stack.base_url + "/moderation/")
    expect(email_field(page)).to_be_focused()
    expect(password_field(page)).to_have_attribute("type", "password")
    page.keyboard.type(email or stack.moderator_email)
    page.keyboard.press("Tab")
    expect(password_field(page)).to_be_focused()
    page.keyboard.type(password or stack.moderator_password)
    page.keyboard.press("Enter")


def open_console(page: Page, stack: Any) -> Locator:
    """Sign in as the local moderator and return the list of held comments once the console has
    claimed the queue."""
    sign_in(page, stack)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    queue = page.get_by_role("list", name="Held comments")
    expect(queue).to_be_attached()
    expect(queue).not_to_have_attribute("aria-busy", "true")
    return queue


def shown(page: Page) -> Locator:
    """The sign-in step on screen (the console keeps each step's form, hidden, in the page)."""
    return page.locator("#sign-in form:visible")


def session(page: Page) -> dict[str, Any]:
    """The console's session as this tab keeps it (sessionStorage)."""
    import json

    stored = page.evaluate("sessionStorage.getItem('moderation:session')")
    return json.loads(stored) if stored else {}


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


# ---- approving ----------------------------------------------------------------------------------


def test_a_moderator_approves_in_the_console_and_the_comment_appears_on_the_article_page(
    page: Page, browser: Browser, dev_stack: Any
) -> None:
    # Given a comment with three links, held for a moderator
    article = f"console-{uid()}"
    body = f"{THREE_LINKS} ({uid()})"
    comment = hold(dev_stack, article, "Held Reader", body)
    with only_these_in_the_queue(dev_stack, comment["id"]):
        # When a moderator opens the console and signs in with email and password
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
        # And the tokens are kept in this tab's sessionStorage only, never in the URL or localStorage
        tokens = session(page)
        assert set(tokens) == {"accessToken", "idToken", "refreshToken", "expiresAt"}
        assert page.url == dev_stack.base_url + "/moderation/"
        assert page.evaluate("localStorage.length") == 0
        assert page.evaluate("document.cookie") == ""
        screenshot(page, "moderation-console-links.png")
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
        reader_page = reader.new_page()
        seen = watch_csp(reader_page)
        comments = open_article(reader_page, dev_stack, article)
        expect(comments.get_by_role("listitem").filter(has_text=body)).to_have_count(1)
        expect(comments).to_contain_text("Held Reader")
        assert seen == [], f"Content-Security-Policy violations on the article page: {seen}"
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
        expect(page.get_by_text("You have been through every comment you claimed")).to_be_visible()
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


def test_a_wrong_password_is_refused_in_plain_words_and_nothing_is_kept(page: Page, dev_stack: Any) -> None:
    # Given the console
    # When the moderator signs in with a wrong password
    sign_in(page, dev_stack, password="Not-the-password-42")
    # Then they are told plainly, the password field is marked, and the console stays closed
    expect(page.get_by_role("alert")).to_have_text(
        "Wrong email or password. Check both and try again, or use “Forgot password?”."
    )
    expect(password_field(page)).to_have_attribute("aria-invalid", "true")
    expect(password_field(page)).to_be_focused()
    expect(password_field(page)).to_have_value("")
    expect(page.get_by_role("list", name="Held comments")).to_be_hidden()
    screenshot(page, "moderation-sign-in.png")
    # And nothing is kept or put in the URL
    assert page.evaluate("sessionStorage.length") == 0
    assert page.evaluate("localStorage.length") == 0
    assert page.url == dev_stack.base_url + "/moderation/"
    # And an unknown address gets the same words (nobody learns who has an account)
    sign_in(page, dev_stack, email=f"nobody-{uid()}@example.org", password="Not-the-password-42")
    expect(page.get_by_role("alert")).to_have_text(
        "Wrong email or password. Check both and try again, or use “Forgot password?”."
    )
    # When they then type the right password, they are in
    password_field(page).fill(dev_stack.moderator_password)
    email_field(page).fill(dev_stack.moderator_email)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_signing_in_lasts_for_the_tab_and_signing_out_ends_the_session(page: Page, dev_stack: Any) -> None:
    # Given a moderator signed in (the queue answered empty, whatever others left in it)
    page.route(re.compile(r".*/moderation/queue\?max=10$"), lambda route: route.fulfill(json={"items": []}))
    open_console(page, dev_stack)
    # Then an empty queue says so
    expect(page.get_by_text("The queue is empty: no comment is waiting")).to_be_visible()
    # When the page is reloaded, the moderator is still signed in
    page.reload()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    expect(page.get_by_text("The queue is empty: no comment is waiting")).to_be_visible()
    refresh_token = session(page)["refreshToken"]
    # When the moderator signs out
    page.get_by_role("button", name="Sign out").click()
    # Then the sign-in form is back, with the tokens forgotten
    expect(page.get_by_text("Signed out.")).to_be_visible()
    expect(email_field(page)).to_be_visible()
    assert page.evaluate("sessionStorage.length") == 0
    # And the session is over at Cognito too: its refresh token was revoked
    idp = dev_stack.client("cognito-idp")
    with pytest.raises(idp.exceptions.NotAuthorizedException):
        idp.initiate_auth(
            ClientId=dev_stack.config()["clientId"],
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": refresh_token},
        )
    # And a reload does not bring the console back
    page.reload()
    expect(email_field(page)).to_be_focused()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    # And the console at /moderation (no slash) is the same page
    page.goto(dev_stack.base_url + "/moderation")
    assert page.url == dev_stack.base_url + "/moderation/"
    expect(email_field(page)).to_be_focused()


def test_tokens_are_refreshed_while_the_console_is_open(page: Page, dev_stack: Any) -> None:
    # Given a moderator signed in, on a clock the test can move
    page.clock.install()
    page.route(re.compile(r".*/moderation/queue\?max=10$"), lambda route: route.fulfill(json={"items": []}))
    open_console(page, dev_stack)
    first = session(page)
    assert first["expiresAt"] - page.evaluate("Date.now()") <= 15 * 60 * 1000  # the client's 15 minutes
    # When the console stays open until a minute before the access token expires
    with page.expect_request(
        lambda r: r.url.endswith("/_cognito/") and "REFRESH_TOKEN_AUTH" in (r.post_data or "")
    ):
        page.clock.run_for("14:30")
    # Then it has a new access token from Cognito (and keeps the refresh token)
    assert eventually(lambda: session(page).get("accessToken") != first["accessToken"])
    assert session(page)["refreshToken"] == first["refreshToken"]
    # And the API takes the new one
    with page.expect_response(lambda r: r.url.endswith("/moderation/queue/depth")) as depth:
        page.get_by_role("button", name="Reload queue").click()
    assert depth.value.status == 200
    assert depth.value.request.headers["authorization"] == "Bearer " + session(page)["accessToken"]


def test_a_first_sign_in_with_a_temporary_password_asks_for_a_new_one(page: Page, dev_stack: Any) -> None:
    # Given a new moderator, added with the one command the docs give (its temporary password printed,
    # since the emulator sends no invitation email)
    email, temporary = f"new-{uid()}@example.org", f"Temporary-{uid()}-7A"
    added = add_moderator(dev_stack, email, "--temporary-password", temporary)
    assert f"{email} is a moderator now" in added
    # When they sign in with the temporary password
    sign_in(page, dev_stack, email=email, password=temporary)
    # Then they are asked to choose their own password, with the rules
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("first sign-in with a temporary password")
    expect(shown(page).get_by_label("New password", exact=True)).to_be_focused()
    expect(
        page.get_by_text("Use at least 12 characters with a capital letter, a small letter and a number.")
    ).to_be_visible()
    # When the two do not match, or the password breaks the rules, it is refused in plain words
    screenshot(page, "moderation-new-password.png")
    page.keyboard.type("Another-Password-12")
    shown(page).get_by_label("New password again").fill("Another-Password-13")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("alert")).to_have_text("The two passwords are not the same.")
    shown(page).get_by_label("New password", exact=True).fill("short")
    shown(page).get_by_label("New password again").fill("short")
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That password is not allowed (too short)")
    # When they choose a good one
    chosen = f"My-own-password-{uid()}-9"
    shown(page).get_by_label("New password", exact=True).fill(chosen)
    shown(page).get_by_label("New password again").fill(chosen)
    page.get_by_role("button", name="Set password and sign in").click()
    # Then they are signed in
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("Signed out.")).to_be_visible()
    # And from now on their own password works, and the temporary one no longer does
    sign_in(page, dev_stack, email=email, password=temporary)
    expect(page.get_by_role("alert")).to_contain_text("Wrong email or password")
    sign_in(page, dev_stack, email=email, password=chosen)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_forgot_password_sends_a_code_and_the_new_password_signs_in(page: Page, dev_stack: Any) -> None:
    # Given a moderator who forgot their password
    email = f"forgetful-{uid()}@example.org"
    add_moderator(dev_stack, email, "--temporary-password", f"Temporary-{uid()}-7A")
    page.goto(dev_stack.base_url + "/moderation/")
    # When they type their address and choose "Forgot password?"
    email_field(page).fill(email)
    printed = len(dev_stack.process.output)
    page.get_by_role("button", name="Forgot password?").click()
    # Then Cognito emails a code (the dev server prints the email it would send)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    expect(page.get_by_text("we have emailed a code to")).to_be_visible()
    code = reset_code(dev_stack, printed)
    # When they type a wrong code, they are told so
    chosen = f"Remembered-{uid()}-5"
    shown(page).get_by_label("Code from the email").fill("000000" if code != "000000" else "111111")
    shown(page).get_by_label("New password", exact=True).fill(chosen)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("alert")).to_have_text(
        "That code is not right. Check the email we sent and try again."
    )
    expect(shown(page).get_by_label("Code from the email")).to_have_attribute("aria-invalid", "true")
    # When they type the right code and a new password, they are signed in with it
    shown(page).get_by_label("Code from the email").fill(code)
    shown(page).get_by_label("New password", exact=True).fill(chosen)
    page.get_by_role("button", name="Set password and sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_an_account_outside_the_moderators_group_is_not_let_in(page: Page, dev_stack: Any) -> None:
    # Given an account in the user pool but not in the moderators group
    email, password = f"reader-{uid()}@example.org", f"Reader-password-{uid()}-3"
    idp = dev_stack.client("cognito-idp")
    pool = dev_stack.config()["userPoolId"]
    idp.admin_create_user(UserPoolId=pool, Username=email, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
    # When it signs in
    sign_in(page, dev_stack, email=email, password=password)
    # Then the service refuses it (403) and the console says why, signed out again
    expect(page.get_by_role("alert")).to_contain_text(
        "Not authorised: this account is not in the moderators group"
    )
    expect(page.get_by_role("list", name="Held comments")).to_be_hidden()
    assert page.evaluate("sessionStorage.length") == 0


def test_the_csp_watch_sees_a_violation(browser: Browser, dev_stack: Any) -> None:
    # Given the console under its Content-Security-Policy, watched as every test here watches it
    context = browser.new_context()
    try:
        page = context.new_page()
        seen = watch_csp(page)
        page.goto(dev_stack.base_url + "/moderation/")
        expect(email_field(page)).to_be_visible()
        assert seen == []
        # When something puts an inline style into the page (what a CSP is there to stop)
        page.evaluate("document.head.appendChild(document.createElement('style')).textContent = 'body{}'")
        # Then the watch reports the violation
        assert eventually(lambda: len(seen) > 0)
        assert "style-src" in seen[0]
    finally:
        context.close()


# ---- helpers for accounts -----------------------------------------------------------------------


def add_moderator(stack: Any, email: str, *extra: str) -> str:
    """`comments-moderate add-moderator EMAIL` against the dev server's emulator, as the docs give it."""
    import shutil
    import subprocess
    import sys

    script = shutil.which("comments-moderate", path=str(Path(sys.executable).parent))
    assert script, "the comments-moderate console script is not installed"
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_ENDPOINT_URL"] = stack.aws_endpoint
    done = subprocess.run(
        [script, "add-moderator", email, *extra], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def eventually(check: Any, timeout: float = 10) -> bool:
    """Whether `check()` comes true within `timeout` seconds (asked every 0.1 s)."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def reset_code(stack: Any, after: int, timeout: float = 10) -> str:
    """The password-reset code the dev server printed (the email Cognito would send) after its
    first `after` lines."""
    deadline = time.monotonic() + timeout
    marker = "the password reset code Cognito would email: "
    while time.monotonic() < deadline:
        for line in stack.process.output[after:]:
            if marker in line:
                return line.split(marker, 1)[1].strip()
        time.sleep(0.1)
    raise AssertionError("the dev server printed no reset code")


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
