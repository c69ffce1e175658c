"""The comment widget in a real browser (Debian's chromium driven by Playwright), against the
local stack: what a reader sees and hears when posting, replying, paging, editing, and when
things go wrong. The `dev_stack` fixture (tests/e2e/conftest.py) serves the article page at `/`,
the widget at `/static/`, the API, and a second origin that embeds the widget cross-origin."""

import json
import os
import re
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Locator, Page, Route, expect
from tests_support import DEMO_ARTICLE, open_article, unique_tag, watch_csp

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "build" / "e2e"))
THREE_LINKS = "Sources: https://example.com/a and https://example.org/b and https://example.net/c"
PROFANITY = "This is fucking nonsense"

expect.set_options(timeout=10_000)


# ---- browser and pages ------------------------------------------------------------------------


@pytest.fixture
def page(browser: Browser, dialogs: list[str]) -> Iterator[Page]:
    """A fresh reader: a new browser context (empty localStorage) that records any dialog. The
    article page is served under a news site's strict Content-Security-Policy (no inline script or
    style): the widget may cause no violation of it."""
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    seen = watch_csp(page)
    yield page
    context.close()
    assert seen == [], f"Content-Security-Policy violations: {seen}"


def uid() -> str:
    return unique_tag()


def fill_form(scope: Page | Locator, name: str, body: str, email: str | None = None) -> None:
    scope.get_by_label("Name", exact=True).fill(name)
    scope.get_by_label("Email", exact=True).fill(email or f"{uid()}@example.com")
    scope.get_by_label("Comment", exact=True).fill(body)


def status(scope: Page | Locator) -> Locator:
    """The widget's polite live region, where every outcome is announced."""
    return scope.locator('[role="status"][aria-live="polite"]').first


def api_submit(
    stack: Any, article_id: str, name: str, body: str, parent_id: str | None = None
) -> dict[str, Any]:
    """A published comment posted straight to the API: the whole 201 answer, edit token included."""
    response = requests.post(
        f"{stack.base_url}/articles/{article_id}/comments",
        json={"name": name, "email": f"{uid()}@example.com", "body": body, "parentId": parent_id},
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=15,
    )
    assert response.status_code == 201, f"seeding a comment failed: {response.status_code} {response.text}"
    return response.json()


def api_post(
    stack: Any, article_id: str, name: str, body: str, parent_id: str | None = None
) -> dict[str, Any]:
    return api_submit(stack, article_id, name, body, parent_id)["comment"]


def api_comments(stack: Any, article_id: str) -> list[dict[str, Any]]:
    comments: list[dict[str, Any]] = []
    cursor = None
    while True:
        params = {"limit": "100", **({"cursor": cursor} if cursor else {})}
        response = requests.get(f"{stack.base_url}/articles/{article_id}/comments", params=params, timeout=15)
        assert response.status_code == 200, response.text
        page = response.json()
        comments += page["comments"]
        cursor = page["nextCursor"]
        if not cursor:
            return comments


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def comment_posts(page: Page) -> list[Any]:
    """Every submission the page sends (POST .../comments, not /validate), as it sends it."""
    sent: list[Any] = []
    page.on(
        "request",
        lambda request: (
            sent.append(request)
            if request.method == "POST" and re.search(r"/articles/[^/]+/comments$", request.url)
            else None
        ),
    )
    return sent


def answer_submissions(
    page: Page, status: int, body: dict[str, Any], headers: dict[str, str] | None = None
) -> None:
    """Let the service's answer to every submission be `status` with `body` (other requests pass)."""

    def answer(route: Route) -> None:
        if route.request.method != "POST":
            route.continue_()
            return
        route.fulfill(
            status=status, headers=headers or {}, content_type="application/json", body=json.dumps(body)
        )

    page.route(re.compile(r".*/articles/[^/]+/comments$"), answer)


# ---- the outcomes of a submission ---------------------------------------------------------------


def test_a_published_comment_appears_in_the_list_named_comments(page: Page, dev_stack: Any) -> None:
    # Given the demo article as the server renders it
    comments = open_article(page, dev_stack)
    body = f"The face-to-face meeting of the generals is good news. ({uid()})"
    # When a reader fills in the form and posts
    fill_form(page, "Alice Reader", body)
    page.get_by_role("button", name="Post comment", exact=True).click()
    # Then the comment is in the list named Comments, the outcome is announced, focus is on it
    new = comments.get_by_role("listitem").filter(has_text=body)
    expect(new).to_have_count(1)
    expect(new).to_contain_text("Alice Reader")
    expect(new.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT"))
    expect(status(page)).to_contain_text("published")
    assert page.evaluate("document.activeElement.closest('[aria-label=\"Comments\"]') !== null")
    # And the text box is empty for the next comment
    expect(page.get_by_label("Comment", exact=True)).to_have_value("")
    screenshot(page, "article-page.png")


def test_a_held_comment_is_announced_as_awaiting_moderation(page: Page, dev_stack: Any) -> None:
    # Given an article page
    comments = open_article(page, dev_stack, article_id=f"held-{uid()}")
    body = f"{THREE_LINKS} ({uid()})"
    # When a reader posts a comment with three links
    fill_form(page, "Bruno Reader", body)
    page.get_by_role("button", name="Post comment", exact=True).click()
    # Then "awaiting moderation" is announced, and the comment is not in the public list
    expect(status(page)).to_contain_text("awaiting moderation")
    expect(status(page).locator("li")).not_to_have_count(0)
    expect(comments).not_to_contain_text(body)


def test_a_rejected_comment_shows_the_reasons_and_the_policy_link(page: Page, dev_stack: Any) -> None:
    # Given an article page
    comments = open_article(page, dev_stack, article_id=f"rejected-{uid()}")
    body = f"{PROFANITY} ({uid()})"
    # When a reader posts a comment with a blocked word
    fill_form(page, "Carla Reader", body)
    page.get_by_role("button", name="Post comment", exact=True).click()
    # Then the reasons are announced with a link to the policy, the text is kept, nothing is listed
    expect(status(page)).to_contain_text("not published")
    expect(status(page).locator("li")).not_to_have_count(0)
    expect(status(page).get_by_role("link", name="Read our comment policy")).to_have_attribute(
        "href", "/policy"
    )
    expect(page.get_by_label("Comment", exact=True)).to_have_value(body)
    expect(comments).not_to_contain_text(body)


def test_policy_feedback_appears_while_typing_without_a_request_per_keystroke(
    page: Page, dev_stack: Any
) -> None:
    # Given an article page, watching the requests to /validate
    open_article(page, dev_stack, article_id=f"typing-{uid()}")
    checks: list[str] = []
    page.on("request", lambda r: checks.append(r.url) if r.url.endswith("/comments/validate") else None)
    box = page.get_by_label("Comment", exact=True)
    # When a reader types a comment with a blocked word, key by key
    box.press_sequentially(f"{PROFANITY} indeed", delay=15)
    # Then the reasons show up under the box, after a pause, and typing was never blocked
    feedback = page.locator(".cw-feedback")
    expect(feedback).to_contain_text("would not be published")
    expect(box).to_have_value(f"{PROFANITY} indeed")
    assert 1 <= len(checks) <= 3, f"expected a debounced check, got {len(checks)} requests"
    # And the character counter counts
    expect(page.locator(".cw-counter")).to_contain_text(f"{len(PROFANITY) + 7} / 5,000")


def test_xss_payloads_in_name_and_body_stay_inert(page: Page, dev_stack: Any, dialogs: list[str]) -> None:
    # Given an article page
    article = f"xss-{uid()}"
    comments = open_article(page, dev_stack, article_id=article)
    name = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    body = f"<script>alert(3)</script><img src=x onerror=alert(4)> <b>bold</b> ({uid()})"
    # When a reader posts HTML in the name and the body
    fill_form(page, name, body)
    page.get_by_role("button", name="Post comment", exact=True).click()
    # Then it shows as the text that was typed, no dialog fires, and no element was injected
    expect(comments.get_by_role("listitem").filter(has_text=body)).to_have_count(1)
    expect(comments).to_contain_text(name)
    widget = page.locator("[data-comments]")
    for _ in range(2):
        page.wait_for_timeout(500)  # give any onerror a chance to run
        assert widget.locator("img, script, b").count() == 0
        assert dialogs == []
        # And the same holds when the comment comes from the list on a later visit
        page.reload()
        comments = page.get_by_role("list", name="Comments", exact=True)
        expect(comments.get_by_role("listitem").filter(has_text=body)).to_have_count(1)


def test_a_double_click_posts_one_comment(page: Page, dev_stack: Any) -> None:
    # Given an article page, watching submissions
    article = f"double-{uid()}"
    comments = open_article(page, dev_stack, article_id=article)
    sent = comment_posts(page)
    body = f"Only once, please. ({uid()})"
    fill_form(page, "Dora Reader", body)
    # When the reader double-clicks Post comment
    page.get_by_role("button", name="Post comment", exact=True).dblclick()
    # Then exactly one comment exists, on the page and in the service
    expect(status(page)).to_contain_text("published")
    expect(comments.get_by_role("listitem").filter(has_text=body)).to_have_count(1)
    page.wait_for_timeout(500)
    assert [c["body"] for c in api_comments(dev_stack, article)].count(body) == 1
    assert len({r.headers.get("idempotency-key") for r in sent}) == 1


def test_a_reader_can_post_with_the_keyboard_alone(page: Page, dev_stack: Any) -> None:
    # Given an article page and no mouse
    comments = open_article(page, dev_stack, article_id=f"keyboard-{uid()}")
    body = f"Typed without a mouse. ({uid()})"
    # When the reader tabs to Name, types, tabs on through Email and Comment to the button, presses Enter
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "name":
            break
    else:
        pytest.fail("Tab never reached the Name field")
    page.keyboard.type("Eve Keyboard")
    page.keyboard.press("Tab")
    page.keyboard.type(f"{uid()}@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type(body)
    page.keyboard.press("Tab")  # Remember me
    page.keyboard.press("Tab")  # Post comment
    assert page.evaluate("document.activeElement.textContent") == "Post comment"
    page.keyboard.press("Enter")
    # Then the comment is published and focus moved to it
    expect(comments.get_by_role("listitem").filter(has_text=body)).to_have_count(1)
    assert page.evaluate("document.activeElement.textContent").find(body) >= 0


def test_the_honeypot_is_out_of_sight_out_of_the_tab_order_and_out_of_the_accessibility_tree(
    page: Page, dev_stack: Any
) -> None:
    # Given the article page, whose form carries a field people never see (the honeypot)
    open_article(page, dev_stack, article_id=f"honeypot-{uid()}")
    trap = page.locator('input[name="website"]')
    expect(trap).to_be_attached()
    # Then it is off-screen, and neither a screen reader nor the keyboard reaches it
    box = trap.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0
    form = page.locator("form.cw-form")
    assert "Website" not in form.aria_snapshot()
    expect(page.get_by_role("textbox", name="Website")).to_have_count(0)
    expect(trap).to_have_attribute("tabindex", "-1")
    expect(trap).to_have_attribute("autocomplete", "off")
    reached = []
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.name || document.activeElement.textContent"))
    assert "website" not in reached and {"name", "email", "body"} <= set(reached)


def test_a_form_whose_honeypot_was_filled_is_held_as_spam_not_refused(page: Page, dev_stack: Any) -> None:
    # Given an article page, and a program (or autofill) that fills every field it finds
    comments = open_article(page, dev_stack, article_id=f"honeypot-{uid()}")
    body = f"Great article, visit my site. ({uid()})"
    fill_form(page, "Bot Filler", body)
    page.locator('input[name="website"]').fill("https://cheap-pills.example")
    # When it posts
    page.get_by_role("button", name="Post comment", exact=True).click()
    # Then the comment is kept for a moderator as spam, and not published
    expect(status(page)).to_contain_text("awaiting moderation")
    expect(status(page)).to_contain_text("field filled in that people never see")
    expect(comments).not_to_contain_text(body)


def test_an_empty_form_points_at_the_missing_fields(page: Page, dev_stack: Any) -> None:
    # Given an article page
    open_article(page, dev_stack, article_id=f"empty-{uid()}")
    sent = comment_posts(page)
    # When the reader posts without filling in anything
    page.get_by_role("button", name="Post comment", exact=True).click()
    # Then the fields are marked, focus is on the first, and nothing was sent
    expect(page.get_by_label("Name", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Comment", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    expect(status(page)).to_contain_text("Please check the form")
    assert sent == []


def test_an_email_the_service_refuses_is_pointed_at(page: Page, dev_stack: Any) -> None:
    # Given an address the browser accepts but the service does not (a reserved domain)
    open_article(page, dev_stack, article_id=f"email-{uid()}")
    body = f"My address is odd. ({uid()})"
    fill_form(page, "Uma Odd", body, email="uma@localhost")
    # When the reader posts
    page.get_by_role("button", name="Post comment", exact=True).click()
    # Then the Email field is marked and focused, with the service's words, and the text is kept
    email = page.get_by_label("Email", exact=True)
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_be_focused()
    expect(page.locator(".cw-field-email .cw-error")).not_to_be_empty()
    expect(status(page)).to_contain_text("Please check the form")
    expect(page.get_by_label("Comment", exact=True)).to_have_value(body)


# ---- the list --------------------------------------------------------------------------------


def test_replies_are_threaded_under_their_parent(page: Page, dev_stack: Any) -> None:
    # Given an article with one comment
    article = f"thread-{uid()}"
    parent = api_post(dev_stack, article, "Frank Parent", f"The parent comment. ({uid()})")
    comments = open_article(page, dev_stack, article_id=article)
    body = f"A reply to Frank. ({uid()})"
    # When a reader replies to it
    comments.get_by_role("button", name="Reply to Frank Parent").click()
    expect(page.get_by_text("Replying to")).to_be_visible()
    expect(page.get_by_label("Comment", exact=True)).to_be_focused()
    fill_form(page, "Gina Replier", body)
    page.get_by_role("button", name="Post comment", exact=True).click()
    # Then the reply sits in the list of replies under the parent, now and on a later visit
    for _ in range(2):
        thread = comments.get_by_role("listitem").filter(has_text=parent["body"]).first
        replies = thread.get_by_role("list", name="Replies to Frank Parent")
        expect(replies.get_by_role("listitem").filter(has_text=body)).to_have_count(1)
        page.reload()
        comments = page.get_by_role("list", name="Comments", exact=True)
    assert next(c for c in api_comments(dev_stack, article) if c["body"] == body)["parentId"] == parent["id"]


def test_load_more_pages_through_the_comments_in_order(page: Page, dev_stack: Any) -> None:
    # Given an article with five comments and a widget showing two per page
    article = f"pages-{uid()}"
    bodies = [f"Comment number {i} ({uid()})" for i in range(1, 6)]
    for body in bodies:
        api_post(dev_stack, article, "Hana Pager", body)
    comments = open_article(page, dev_stack, article_id=article, page_size=2)
    items = comments.locator(":scope > li")
    expect(items).to_have_count(2)
    more = page.get_by_role("button", name="Load more comments")
    # When the reader loads more until there is nothing left
    more.click()
    expect(items).to_have_count(4)
    more.click()
    # Then all five are listed, oldest first, and the button is gone
    expect(items).to_have_count(5)
    expect(more).to_be_hidden()
    for item, body in zip(items.all(), bodies, strict=True):
        expect(item).to_contain_text(body)


def test_a_reader_chooses_newest_first_and_the_choice_is_remembered(page: Page, dev_stack: Any) -> None:
    # Given an article with four comments, shown two per page
    article = f"order-{uid()}"
    bodies = [f"Ordered comment {i} ({uid()})" for i in range(1, 5)]
    for body in bodies:
        api_post(dev_stack, article, "Olga Order", body)
    comments = open_article(page, dev_stack, article_id=article, page_size=2)
    items = comments.locator(":scope > li")
    sort = page.get_by_label("Sort comments")
    expect(sort).to_have_value("oldest")
    # When the reader chooses newest first, and loads the rest
    sort.select_option(label="Newest first")
    expect(items.first).to_contain_text(bodies[-1])
    expect(items).to_have_count(2)
    page.get_by_role("button", name="Load more comments").click()
    # Then every comment is there once, newest first
    expect(items).to_have_count(4)
    for item, body in zip(items.all(), reversed(bodies), strict=True):
        expect(item).to_contain_text(body)
    # And the choice holds on the next visit, where the reader's new comment comes first
    comments = open_article(page, dev_stack, article_id=article, page_size=2)
    expect(page.get_by_label("Sort comments")).to_have_value("newest")
    expect(items.first).to_contain_text(bodies[-1])
    mine = f"My newest thought. ({uid()})"
    fill_form(page, "Pia Newest", mine)
    page.get_by_role("button", name="Post comment").click()
    expect(items.first).to_contain_text(mine)


def test_the_comment_count_is_shown_above_the_list(page: Page, dev_stack: Any) -> None:
    # Given an article with two comments
    article = f"count-{uid()}"
    for i in range(2):
        api_post(dev_stack, article, "Ivan Counter", f"Counted comment {i} ({uid()})")
    open_article(page, dev_stack, article_id=article)
    count = page.locator(".cw-count")
    expect(count).to_have_text("2 comments")
    # When a reader publishes one more
    fill_form(page, "Jane Counter", f"One more to count. ({uid()})")
    page.get_by_role("button", name="Post comment", exact=True).click()
    # Then the count follows
    expect(count).to_have_text("3 comments")


def test_several_widgets_on_one_page_work_independently(page: Page, dev_stack: Any) -> None:
    # Given a page with two widgets for two articles
    first, second = f"multi-a-{uid()}", f"multi-b-{uid()}"
    api_post(dev_stack, first, "Kim First", f"Only under the first. ({uid()})")

    def two_widgets(route: Route) -> None:
        response = route.fetch()
        html = response.text().replace(f'data-article-id="{DEMO_ARTICLE}"', f'data-article-id="{first}"')
        extra = f'<div data-comments data-article-id="{second}" data-api="{dev_stack.base_url}"></div>'
        route.fulfill(response=response, body=html.replace("</main>", extra + "</main>"))

    page.route(dev_stack.base_url + "/", two_widgets)
    page.goto(dev_stack.base_url + "/")
    widgets = page.locator("[data-comments]")
    expect(widgets).to_have_count(2)
    one, two = widgets.nth(0), widgets.nth(1)
    expect(one.get_by_role("list", name="Comments")).to_contain_text("Only under the first")
    # When a reader posts in the second widget
    body = f"Only under the second. ({uid()})"
    fill_form(two, "Lou Second", body)
    two.get_by_role("button", name="Post comment").click()
    # Then it appears there and not in the first
    expect(two.get_by_role("list", name="Comments")).to_contain_text(body)
    expect(one.get_by_role("list", name="Comments")).not_to_contain_text(body)
    expect(status(two)).to_contain_text("published")
    expect(status(one)).to_have_text("")


# ---- when things go wrong ----------------------------------------------------------------------


def test_a_lost_response_keeps_the_text_and_retry_posts_once(page: Page, dev_stack: Any) -> None:
    # Given a connection that loses the answer to the first submission (the service got it)
    article = f"retry-{uid()}"
    comments = open_article(page, dev_stack, article_id=article)
    sent = comment_posts(page)
    lost: list[int] = []

    def lose_first_answer(route: Route) -> None:
        if route.request.method != "POST" or lost:
            route.continue_()
            return
        route.fetch()
        lost.append(1)
        route.abort("connectionreset")

    page.route(re.compile(r".*/articles/[^/]+/comments$"), lose_first_answer)
    body = f"Posted over a bad connection. ({uid()})"
    fill_form(page, "Max Retry", body)
    # When the reader posts, sees the failure, and presses Retry
    page.get_by_role("button", name="Post comment", exact=True).click()
    expect(status(page)).to_contain_text("Could not reach the comment service")
    expect(page.get_by_label("Comment", exact=True)).to_have_value(body)
    status(page).get_by_role("button", name="Retry").click()
    # Then the comment is published once: the retry carried the same Idempotency-Key
    expect(status(page)).to_contain_text("published")
    expect(comments.get_by_role("listitem").filter(has_text=body)).to_have_count(1)
    assert [c["body"] for c in api_comments(dev_stack, article)].count(body) == 1
    assert len(sent) == 2 and len({r.headers.get("idempotency-key") for r in sent}) == 1


def test_rate_limiting_is_announced_with_the_wait(page: Page, dev_stack: Any) -> None:
    # Given a service that answers 429 with Retry-After
    open_article(page, dev_stack, article_id=f"limited-{uid()}")
    answer_submissions(page, 429, {"error": "rate_limited"}, {"Retry-After": "7"})
    body = f"Too fast? ({uid()})"
    fill_form(page, "Nina Hurry", body)
    # When the reader posts
    page.get_by_role("button", name="Post comment", exact=True).click()
    # Then the wait is announced, the text is kept, and the button waits too
    expect(status(page)).to_contain_text("7 seconds")
    expect(page.get_by_label("Comment", exact=True)).to_have_value(body)
    expect(page.get_by_role("button", name="Post comment", exact=True)).to_be_disabled()


def test_closed_comments_are_announced(page: Page, dev_stack: Any) -> None:
    # Given an article the service says is closed
    open_article(page, dev_stack, article_id=f"closed-{uid()}")
    answer_submissions(page, 403, {"error": "comments_closed"})
    fill_form(page, "Omar Late", f"Am I too late? ({uid()})")
    # When the reader posts
    page.get_by_role("button", name="Post comment", exact=True).click()
    # Then they are told, and the form stops taking submissions
    expect(status(page)).to_contain_text("Comments are closed")
    expect(page.get_by_role("button", name="Post comment", exact=True)).to_be_disabled()


# ---- the reader's own details and comments -------------------------------------------------------


def test_name_and_email_are_remembered_only_when_the_reader_agrees(page: Page, dev_stack: Any) -> None:
    # Given a reader who ticks "Remember me" and posts
    open_article(page, dev_stack, article_id=f"remember-{uid()}")
    email = f"{uid()}@example.com"
    fill_form(page, "Pia Remembered", f"Remember me, please. ({uid()})", email)
    page.get_by_label("Remember me").check()
    page.get_by_role("button", name="Post comment", exact=True).click()
    expect(status(page)).to_contain_text("published")
    # When they come back
    page.reload()
    # Then name and email are filled in
    expect(page.get_by_label("Name", exact=True)).to_have_value("Pia Remembered")
    expect(page.get_by_label("Email", exact=True)).to_have_value(email)
    # And when they untick it and post again, nothing is kept
    page.get_by_label("Remember me").uncheck()
    page.get_by_label("Comment", exact=True).fill(f"Forget me now. ({uid()})")
    page.get_by_role("button", name="Post comment", exact=True).click()
    expect(status(page)).to_contain_text("published")
    page.reload()
    expect(page.get_by_label("Name", exact=True)).to_have_value("")
    expect(page.get_by_label("Email", exact=True)).to_have_value("")


def test_an_author_can_edit_and_delete_their_own_comment(page: Page, dev_stack: Any) -> None:
    # Given someone else's comment and the reader's own, just published
    article = f"edit-{uid()}"
    other = api_post(dev_stack, article, "Quinn Other", f"Not yours to edit. ({uid()})")
    comments = open_article(page, dev_stack, article_id=article)
    body = f"Wiht a typo. ({uid()})"
    fill_form(page, "Rita Author", body)
    page.get_by_role("button", name="Post comment", exact=True).click()
    mine = comments.get_by_role("listitem").filter(has_text=body)
    expect(mine).to_have_count(1)
    theirs = comments.get_by_role("listitem").filter(has_text=other["body"])
    expect(theirs.get_by_role("button", name="Edit")).to_have_count(0)
    # When the author edits it
    fixed = body.replace("Wiht", "With")
    mine.get_by_role("button", name="Edit", exact=True).click()
    page.get_by_label("Edit your text").fill(fixed)
    page.get_by_role("button", name="Save", exact=True).click()
    # Then the new text is shown and stored
    mine = comments.get_by_role("listitem").filter(has_text=fixed)
    expect(mine).to_have_count(1)
    expect(status(page)).to_contain_text("updated")
    assert fixed in [c["body"] for c in api_comments(dev_stack, article)]
    # And the Edit and Delete buttons are still there after a reload (the token is kept locally)
    page.reload()
    comments = page.get_by_role("list", name="Comments", exact=True)
    mine = comments.get_by_role("listitem").filter(has_text=fixed)
    # When the author deletes it
    mine.get_by_role("button", name="Delete", exact=True).click()
    page.get_by_role("button", name="Yes, delete").click()
    # Then it leaves the page and the public list
    expect(status(page)).to_contain_text("deleted")
    expect(comments).not_to_contain_text(fixed)
    assert fixed not in [c["body"] for c in api_comments(dev_stack, article)]


@pytest.mark.parametrize(("minutes_ago", "editable"), [(1, True), (16, False)])
def test_edit_and_delete_are_offered_only_within_the_edit_window(
    page: Page, dev_stack: Any, minutes_ago: int, editable: bool
) -> None:
    # Given a comment whose edit token this browser keeps, posted some minutes ago (by its clock)
    article = f"window-{uid()}"
    answer = api_submit(dev_stack, article, "Vera Window", f"Edit me while you can. ({uid()})")
    comment = answer["comment"]
    entry = {comment["id"]: {"editToken": answer["editToken"], "createdAt": None}}
    page.add_init_script(
        f"const own = {json.dumps(entry)}, ago = {minutes_ago} * 60000;"
        f"own[{json.dumps(comment['id'])}].createdAt = new Date(Date.now() - ago).toISOString();"
        "localStorage.setItem('comments-widget:own', JSON.stringify(own));"
    )
    # When the reader opens the article
    comments = open_article(page, dev_stack, article_id=article)
    mine = comments.get_by_role("listitem").filter(has_text=comment["body"])
    expect(mine).to_have_count(1)
    # Then Edit and Delete are there only while the 15-minute window is open
    expect(mine.get_by_role("button", name="Edit", exact=True)).to_have_count(1 if editable else 0)
    expect(mine.get_by_role("button", name="Delete", exact=True)).to_have_count(1 if editable else 0)


def test_a_reader_can_report_a_comment(page: Page, dev_stack: Any) -> None:
    # Given someone else's comment
    article = f"report-{uid()}"
    other = api_post(dev_stack, article, "Walt Rude", f"A comment someone may dislike. ({uid()})")
    comments = open_article(page, dev_stack, article_id=article)
    theirs = comments.get_by_role("listitem").filter(has_text=other["body"])
    # When the reader reports it with a reason
    theirs.get_by_role("button", name="Report comment by Walt Rude").click()
    expect(page.get_by_label("Reason for reporting")).to_be_focused()
    page.keyboard.type("Off topic and rude.")
    page.keyboard.press("Enter")
    # Then the report is acknowledged and the Report button is gone for that comment
    expect(status(page)).to_contain_text("Thank you for your report")
    expect(theirs.get_by_role("button", name="Report comment by Walt Rude")).to_have_count(0)


# ---- cross-origin --------------------------------------------------------------------------------


def test_the_widget_works_embedded_from_another_origin(page: Page, dev_stack: Any) -> None:
    # Given a page on a second origin that embeds the widget (an origin the API allows)
    page.goto(dev_stack.extra_origin_url)
    widget = page.locator("[data-comments]").first
    comments = widget.get_by_role("list", name="Comments", exact=True)
    expect(comments).not_to_have_attribute("aria-busy", "true")
    expect(widget).not_to_contain_text("could not be loaded")
    body = f"Posted from another site. ({uid()})"
    # When a reader posts there
    fill_form(widget, "Sam Elsewhere", body)
    widget.get_by_role("button", name="Post comment", exact=True).click()
    # Then the comment is published through the cross-origin API
    expect(status(widget)).to_contain_text("published")
    expect(comments.get_by_role("listitem").filter(has_text=body)).to_have_count(1)


@pytest.fixture
def unlisted_origin(dev_stack: Any) -> Iterator[str]:
    """A third origin, not among the API's allowed origins, embedding the widget."""
    html = (
        '<!doctype html><html lang="en"><title>Unlisted</title><h1>Not an allowed site</h1>'
        f'<div data-comments data-article-id="{DEMO_ARTICLE}" data-api="{dev_stack.base_url}"></div>'
        f'<script src="{dev_stack.base_url}/static/comments-widget.js" defer></script></html>'
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_an_unlisted_origin_is_refused(page: Page, dev_stack: Any, unlisted_origin: str) -> None:
    # Given a page on an origin the API does not allow
    page.goto(unlisted_origin)
    # Then the browser refuses the API's answers: no comments load
    expect(page.locator("[data-comments]")).to_contain_text("Comments could not be loaded")
    # And a submission never reaches the service
    body = f"From a site that is not allowed. ({uid()})"
    fill_form(page, "Tom Unlisted", body)
    page.get_by_role("button", name="Post comment", exact=True).click()
    expect(status(page)).to_contain_text("Could not reach the comment service")
    assert body not in [c["body"] for c in api_comments(dev_stack, DEMO_ARTICLE)]
