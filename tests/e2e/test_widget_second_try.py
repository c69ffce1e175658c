"""The reader's second try and the writer's held comments, in a real browser against the local
stack (fixtures in tests/e2e/conftest.py, as test_widget_browser uses them): after a rejection the
old outcome goes as soon as the text changes, a rejection is said once, and a writer sees their own
held comment as awaiting moderation on the article they wrote it on, in their browser only, until
the list brings the published one."""

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Locator, Page, expect
from tests_support import open_article, reject_own_held, unique_tag, watch_csp

pytestmark = pytest.mark.browser

THREE_LINKS = "Sources: https://example.com/a and https://example.org/b and https://example.net/c"
PROFANITY = "This is fucking nonsense"
AWAITING = "Your comments awaiting moderation"
OUTCOME = re.compile("was not published|would not be published")  # the widget's words, not a reason's

expect.set_options(timeout=10_000)


@pytest.fixture
def reader(browser: Browser, dev_stack: Any) -> Iterator[Any]:
    """Opens fresh readers: each a browser context of its own (its own localStorage, as another
    browser or profile would have), every page watched for CSP violations. At the end, the held
    comments the readers wrote are rejected, so none waits in the shared queue."""
    contexts: list[Any] = []
    pages: list[Page] = []
    seen: list[list[str]] = []

    def new_page() -> Page:
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        contexts.append(context)
        page = context.new_page()
        pages.append(page)
        seen.append(watch_csp(page))
        return page

    yield new_page
    for page in pages:
        reject_own_held(page, dev_stack.base_url, dev_stack.moderator_token)
    for context in contexts:
        context.close()
    violations = [v for page in seen for v in page]
    assert violations == [], f"Content-Security-Policy violations: {violations}"


def uid() -> str:
    return unique_tag()


def fill_form(page: Page, name: str, body: str) -> None:
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Email", exact=True).fill(f"{uid()}@example.com")
    page.get_by_label("Comment", exact=True).fill(body)


def post(page: Page) -> None:
    page.get_by_role("button", name="Post comment", exact=True).click()


def status(page: Page) -> Locator:
    """The widget's polite live region, where every outcome is announced."""
    return page.locator('[role="status"][aria-live="polite"]').first


def awaiting(page: Page) -> Locator:
    return page.get_by_role("list", name=AWAITING, exact=True)


def api_submit(stack: Any, article: str, name: str, body: str) -> dict[str, Any]:
    response = requests.post(
        f"{stack.base_url}/articles/{article}/comments",
        json={"name": name, "email": f"{uid()}@example.com", "body": body},
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=15,
    )
    assert response.status_code in (201, 202), response.text
    return dict(response.json())


def listed(stack: Any, article: str) -> list[str]:
    """The bodies the public list API gives anyone for the article."""
    response = requests.get(f"{stack.base_url}/articles/{article}/comments?limit=100", timeout=15)
    assert response.status_code == 200, response.text
    return [c["body"] for c in response.json()["comments"]]


def approve(stack: Any, comment_id: str) -> None:
    """A moderator publishes the comment (the moderation API, as another moderator's console would)."""
    response = requests.post(
        f"{stack.base_url}/moderation/comments/{comment_id}/decision",
        json={"decision": "approve", "note": None, "claim": None, "banAuthor": False},
        headers={"Authorization": f"Bearer {stack.moderator_token}"},
        timeout=15,
    )
    assert response.status_code == 200, response.text


def own_entries(page: Page) -> dict[str, Any]:
    return dict(json.loads(page.evaluate("localStorage.getItem('comments-widget:own') || '{}'")))


# ---- the second try -------------------------------------------------------------------------------


def test_a_second_try_after_a_rejection_shows_only_the_new_state(reader: Any, dev_stack: Any) -> None:
    # Given a reader whose comment breaks the policy, and who saw the live hint say so before posting
    page = reader()
    open_article(page, dev_stack, f"second-try-{uid()}")
    box = page.get_by_label("Comment", exact=True)
    fill_form(page, "Rosa Retry", f"{PROFANITY} ({uid()})")
    hint = page.locator(".cw-feedback")
    expect(hint).to_contain_text("would not be published")
    reason = hint.locator("li").first.inner_text()
    # When they post it
    post(page)
    # Then the rejection is said once: in the live region, with its reason, and nowhere else
    expect(status(page)).to_contain_text("Your comment was not published")
    expect(status(page)).to_contain_text(reason)
    expect(page.get_by_text(reason, exact=True)).to_have_count(1)
    expect(page.locator("[aria-live]").filter(has_text=reason)).to_have_count(1)
    expect(page.get_by_text(OUTCOME)).to_have_count(1)
    expect(box).to_have_attribute("aria-invalid", "true")
    expect(box).to_be_focused()
    # When they start rewriting the text
    box.press("End")
    box.press_sequentially(" at all")
    # Then the old outcome is gone at once, and the field is no longer marked
    expect(status(page)).to_have_text("")
    expect(status(page)).to_be_hidden()
    expect(box).not_to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Your comment was not published")).to_have_count(0)
    # And the only thing said about the new text is the live hint, which still finds the word
    expect(hint).to_contain_text("As written, this comment would not be published")
    expect(page.get_by_text(reason, exact=True)).to_have_count(1)
    expect(status(page)).to_have_text("")
    # When they rewrite it politely, the hint goes too, and posting publishes it
    polite = f"This is nonsense, I think. ({uid()})"
    box.fill(polite)
    expect(hint).to_be_empty()
    expect(page.get_by_text(reason, exact=True)).to_have_count(0)
    post(page)
    expect(status(page)).to_have_text("Thank you, your comment is published.")
    expect(page.get_by_role("list", name="Comments", exact=True)).to_contain_text(polite)
    expect(page.get_by_text(OUTCOME)).to_have_count(0)
    expect(box).not_to_have_attribute("aria-invalid", "true")


def test_a_changed_field_drops_its_own_mark_and_the_form_check(reader: Any, dev_stack: Any) -> None:
    # Given a reader who posted an empty form: every required field is marked, the check announced
    page = reader()
    open_article(page, dev_stack, f"second-check-{uid()}")
    post(page)
    name, email = page.get_by_label("Name", exact=True), page.get_by_label("Email", exact=True)
    expect(status(page)).to_contain_text("Please check the form")
    for field in (name, email, page.get_by_label("Comment", exact=True)):
        expect(field).to_have_attribute("aria-invalid", "true")
    # When they type their name
    name.press_sequentially("Tess")
    # Then the name is no longer marked and the old check is gone; the other fields keep their marks
    expect(name).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(".cw-field-name .cw-error")).to_be_empty()
    expect(status(page)).to_have_text("")
    expect(email).to_have_attribute("aria-invalid", "true")
    # And posting again checks the form as it now is
    post(page)
    expect(status(page)).to_contain_text("Please enter your email address")
    expect(status(page)).not_to_contain_text("Please enter your name")


# ---- the writer's held comments -----------------------------------------------------------------------


def test_a_writers_held_comment_awaits_moderation_on_their_page_and_no_one_elses(
    reader: Any, dev_stack: Any
) -> None:
    # Given a writer whose comment the policy holds for a moderator
    article, elsewhere = f"held-own-{uid()}", f"held-other-{uid()}"
    writer = reader()
    comments = open_article(writer, dev_stack, article)
    body = f"{THREE_LINKS} ({uid()})"
    fill_form(writer, "Hana Held", body)
    post(writer)
    expect(status(writer)).to_contain_text("awaiting moderation")
    # Then the writer sees it marked as awaiting moderation, apart from the published comments
    mine = awaiting(writer).get_by_role("listitem").filter(has_text=body)
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("Hana Held")
    expect(mine).to_contain_text("Awaiting moderation")
    expect(mine.get_by_role("article", name="Your comment, awaiting moderation")).to_have_count(1)
    expect(comments).not_to_contain_text(body)
    # And still after a reload (the browser keeps it with the edit token)
    comments = open_article(writer, dev_stack, article)
    expect(awaiting(writer)).to_contain_text(body)
    expect(comments).not_to_contain_text(body)
    # But not on another article in the same browser
    open_article(writer, dev_stack, elsewhere)
    expect(awaiting(writer)).to_have_count(0)
    expect(writer.get_by_text(body)).to_have_count(0)
    # Nor for another reader of the same article, to whom the service never gives it
    other = reader()
    other_comments = open_article(other, dev_stack, article)
    expect(awaiting(other)).to_have_count(0)
    expect(other.get_by_text(body)).to_have_count(0)
    expect(other_comments).not_to_contain_text(body)
    assert body not in listed(dev_stack, article)
    # When a moderator publishes it
    comment_id = next(k for k, v in own_entries(writer).items() if v.get("held", {}).get("body") == body)
    approve(dev_stack, comment_id)
    # Then the writer's page shows the published comment in the list, and the awaiting copy is gone
    comments = open_article(writer, dev_stack, article)
    expect(comments.get_by_role("listitem").filter(has_text=body)).to_have_count(1)
    expect(awaiting(writer)).to_have_count(0)
    expect(writer.get_by_text(body)).to_have_count(1)
    assert "held" not in own_entries(writer)[comment_id]
    # And the other reader sees it too, now that it is published
    other_comments = open_article(other, dev_stack, article)
    expect(other_comments.get_by_role("listitem").filter(has_text=body)).to_have_count(1)


def test_a_held_reply_says_what_it_answers(reader: Any, dev_stack: Any) -> None:
    # Given an article with a comment
    article = f"held-reply-{uid()}"
    parent = api_submit(dev_stack, article, "Ivo Parent", f"A plain first comment. ({uid()})")["comment"]
    writer = reader()
    comments = open_article(writer, dev_stack, article)
    # When a writer's reply to it is held
    comments.get_by_role("button", name="Reply to Ivo Parent").click()
    body = f"{THREE_LINKS} ({uid()})"
    fill_form(writer, "Juno Reply", body)
    post(writer)
    expect(status(writer)).to_contain_text("awaiting moderation")
    # Then it awaits moderation, saying whom it answers, and is not in the thread
    mine = awaiting(writer).get_by_role("listitem").filter(has_text=body)
    expect(mine).to_contain_text("In reply to Ivo Parent")
    thread = comments.get_by_role("listitem").filter(has_text=parent["body"])
    expect(thread).not_to_contain_text(body)


def test_an_edit_that_is_held_awaits_moderation(reader: Any, dev_stack: Any) -> None:
    # Given a writer's published comment, still within the edit window
    writer = reader()
    comments = open_article(writer, dev_stack, f"held-edit-{uid()}")
    body = f"My sources are below. ({uid()})"
    fill_form(writer, "Kai Writer", body)
    post(writer)
    mine = comments.get_by_role("listitem").filter(has_text=body)
    expect(mine).to_have_count(1)
    # When they edit it into a text the policy holds
    edited = f"{THREE_LINKS} ({uid()})"
    mine.get_by_role("button", name="Edit", exact=True).click()
    writer.get_by_label("Edit your text").fill(edited)
    writer.get_by_role("button", name="Save", exact=True).click()
    # Then it leaves the list and awaits moderation with its new text
    expect(status(writer)).to_contain_text("awaiting moderation")
    expect(comments).not_to_contain_text(body)
    expect(awaiting(writer).get_by_role("listitem").filter(has_text=edited)).to_have_count(1)


@pytest.mark.parametrize(("hours_ago", "shown"), [(2, True), (25, False)])
def test_a_held_copy_is_kept_for_a_day(reader: Any, dev_stack: Any, hours_ago: int, shown: bool) -> None:
    # Given a held comment this browser sent some hours ago (by its clock), never published: no
    # endpoint tells its writer about a rejection, so the copy lasts a day
    article = f"held-age-{uid()}"
    answer = api_submit(dev_stack, article, "Lena Late", f"{THREE_LINKS} ({uid()})")
    comment = answer["comment"]
    assert answer["status"] == "pending"
    base = f"{dev_stack.base_url}/articles/{article}"
    entry = {
        "editToken": answer["editToken"],
        "createdAt": None,
        "held": {"where": base, "name": comment["name"], "body": comment["body"], "parentId": None},
    }
    page = reader()
    key = json.dumps(comment["id"])
    page.add_init_script(
        f"const own = {{[{key}]: {json.dumps(entry)}}};"
        f"own[{key}].createdAt = new Date(Date.now() - {hours_ago} * 3600e3).toISOString();"
        "localStorage.setItem('comments-widget:own', JSON.stringify(own));"
    )
    # When its writer opens the article
    open_article(page, dev_stack, article)
    # Then the copy is shown while the day lasts, and not after it
    expect(awaiting(page).get_by_role("listitem")).to_have_count(1 if shown else 0)
    expect(page.get_by_text(comment["body"])).to_have_count(1 if shown else 0)
