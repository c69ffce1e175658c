"""Dark mode and phones, in a real browser against the local stack (fixtures in tests/e2e/conftest.py):
the demo article with the widget and the moderator console, each in the light and the dark colour
scheme (Playwright emulates `prefers-color-scheme`) and on a desktop and a 390 x 844 phone screen.
On every one: text contrast of at least 4.5:1 (WCAG AA; 3:1 for large text), no horizontal scroll,
tap targets of at least 44 px on the phone, and no Content-Security-Policy violation. The
screenshots it takes are those in docs/ (build/e2e, or E2E_ARTIFACTS, then copied)."""

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Locator, Page, expect
from tests_support import auth, only_these_in_the_queue, open_article, reject_own_held, watch_csp
from tests_support import unique_tag as uid

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", ROOT / "build" / "e2e"))
THREE_LINKS = "Sources: https://example.com/a and https://example.org/b and https://example.net/c"
DESKTOP = {"width": 1100, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENS = {"desktop": DESKTOP, "phone": PHONE}

expect.set_options(timeout=10_000)

AUDIT = (Path(__file__).parent / "page_audit.js").read_text()  # contrast, tap targets, sideways scroll


@pytest.fixture
def open_page(browser: Browser, dev_stack: Any) -> Iterator[Any]:
    """Opens a page in a fresh context with the given colour scheme and screen (a phone is a touch
    screen too); every page is watched for CSP violations. The held comments its widget wrote are
    rejected at the end, so none waits in the shared queue."""
    contexts: list[Any] = []
    seen: list[list[str]] = []

    def new_page(scheme: str, screen: str) -> Page:
        phone = screen == "phone"
        context = browser.new_context(
            viewport=SCREENS[screen], color_scheme=scheme, is_mobile=phone, has_touch=phone
        )
        contexts.append(context)
        page = context.new_page()
        seen.append(watch_csp(page))
        return page

    yield new_page
    for context in contexts:
        for page in context.pages:
            reject_own_held(page, dev_stack.base_url, dev_stack.moderator_token)
        context.close()
    violations = [v for page in seen for v in page]
    assert violations == [], f"Content-Security-Policy violations: {violations}"


def audit(page: Page, scope: str, screen: str, scheme: str) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(AUDIT, scope)
    assert result["scheme"] == scheme
    low = result["lowContrast"]
    assert low == [], f"text below WCAG AA contrast ({scheme}, {screen}): {low}"
    assert not result["scrollsSideways"], f"the page scrolls sideways ({scheme}, {screen})"
    if screen == "phone":
        assert result["smallTargets"] == [], f"tap targets under 44 px ({scheme}): {result['smallTargets']}"
    return result


def screenshot(page: Page, name: str, part: Locator | None = None) -> None:
    """The whole page, or one part of it with the page's margin (16 px) around it."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    clip = None
    if part is not None:
        clip = part.evaluate(
            """(el) => {
              const r = el.getBoundingClientRect(), m = 16;
              const x = Math.max(0, r.left + scrollX - m), y = Math.max(0, r.top + scrollY - m);
              return {x, y, width: Math.min(r.width + 2 * m, document.documentElement.clientWidth - x),
                      height: r.height + 2 * m};
            }"""
        )
    page.screenshot(path=str(ARTIFACTS / name), full_page=True, clip=clip)


BACKGROUND = """(el) => {
  const m = getComputedStyle(el).backgroundColor.match(/\\d+(\\.\\d+)?/g).map(Number);
  return m.slice(0, 3);
}"""  # an element's own background colour, [r, g, b]


def dark(background: list[float]) -> bool:
    return sum(background) / 3 < 80


# ---- the article page and the widget ------------------------------------------------------------


def api_submit(
    stack: Any,
    article: str,
    name: str,
    body: str,
    parent_id: str | None = None,
    email: str | None = None,
    page: dict[str, str] | None = None,
    expected: int = 201,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "name": name,
        "email": email or f"{uid()}@example.com",
        "body": body,
        "parentId": parent_id,
    }
    if page:
        payload["page"] = page
    response = requests.post(
        f"{stack.base_url}/articles/{article}/comments",
        json=payload,
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=15,
    )
    assert response.status_code == expected, response.text
    return dict(response.json()["comment"])


@pytest.fixture(scope="module")
def discussed(dev_stack: Any) -> str:
    """An article with a short discussion: a comment and a reply to it."""
    article = f"themes-{uid()}"
    first = api_submit(
        dev_stack, article, "Amira Haddad", "The meeting of the two chiefs of staff is the real news here."
    )
    api_submit(
        dev_stack,
        article,
        "Tomás Reyes",
        "Agreed. Deconfliction lines have held before; the question is for how long.",
        first["id"],
    )
    return article


@pytest.mark.parametrize("screen", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_article_page_reads_well_in_both_schemes_and_on_a_phone(
    open_page: Any, dev_stack: Any, discussed: str, scheme: str, screen: str
) -> None:
    # Given the demo article, in the reader's scheme and on their screen, with a short discussion
    page = open_page(scheme, screen)
    comments = open_article(page, dev_stack, discussed)
    expect(comments.get_by_role("listitem")).to_have_count(2)
    result = audit(page, "body", screen, scheme)
    # Then the page and the widget follow the scheme: dark page, dark fields, light text
    assert dark(result["background"]) == (scheme == "dark")
    field = page.get_by_label("Comment", exact=True)
    assert dark(field.evaluate(BACKGROUND)) == (scheme == "dark")
    # When a reader types a text the policy would hold, the live hint reads well too
    page.get_by_label("Name", exact=True).fill("Noor Writer")
    page.get_by_label("Email", exact=True).fill(f"{uid()}@example.com")
    field.fill(f"{THREE_LINKS} ({uid()})")
    expect(page.locator(".cw-feedback")).to_contain_text("a moderator would review")
    audit(page, "body", screen, scheme)
    # And once it is posted, held: the outcome and the writer's awaiting copy read well
    page.get_by_role("button", name="Post comment", exact=True).click()
    expect(page.get_by_role("list", name="Your comments awaiting moderation")).to_have_count(1)
    audit(page, "body", screen, scheme)
    # And a rejection (its reasons and the policy link) reads well
    field.fill(f"This is fucking nonsense ({uid()})")
    page.get_by_role("button", name="Post comment", exact=True).click()
    expect(page.locator(".cw-status.cw-error")).to_contain_text("not published")
    audit(page, "body", screen, scheme)
    if screen == "phone":  # the comments, as a phone shows them
        name = f"article-phone{'-dark' if scheme == 'dark' else ''}.png"
        screenshot(page, name, page.locator("section.comments"))
    elif scheme == "dark":  # the whole page, as docs/article-page.png shows it in the light
        screenshot(page, "article-dark.png")


def test_a_light_page_keeps_a_light_widget_for_a_dark_mode_reader(open_page: Any, dev_stack: Any) -> None:
    # Given a partner site whose page declares no colour scheme (white, and only white)
    page = open_page("dark", "desktop")
    page.goto(dev_stack.extra_origin_url)
    widget = page.locator("[data-comments]").first
    expect(widget.get_by_role("list", name="Comments", exact=True)).not_to_have_attribute("aria-busy", "true")
    # When a reader who prefers dark opens it
    # Then the widget stays light with it: dark text on light fields, nothing unreadable
    assert not dark(widget.get_by_label("Comment", exact=True).evaluate(BACKGROUND))
    audit(page, "[data-comments]", "desktop", "dark")
    # And a site that pins the scheme gets it: data-color-scheme="dark" on the element
    page.evaluate("document.querySelector('[data-comments]').setAttribute('data-color-scheme', 'dark')")
    assert dark(widget.get_by_label("Comment", exact=True).evaluate(BACKGROUND))


def test_a_site_sets_the_widgets_colours_with_custom_properties(open_page: Any, dev_stack: Any) -> None:
    # Given the demo article, and a site's theme setting two of the widget's properties on an ancestor
    page = open_page("light", "desktop")
    open_article(page, dev_stack, f"themed-{uid()}")
    page.evaluate(
        "document.querySelector('main').style.setProperty('--cw-accent', 'rgb(120, 0, 90)');"
        "document.querySelector('main').style.setProperty('--cw-bg', 'rgb(250, 245, 230)')"
    )
    # Then the button and the fields take them, in the light scheme as in the dark
    button = page.get_by_role("button", name="Post comment", exact=True)
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(120, 0, 90)"
    assert page.get_by_label("Comment", exact=True).evaluate(BACKGROUND) == [250, 245, 230]
    page.emulate_media(color_scheme="dark")
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(120, 0, 90)"


# ---- the moderator console ----------------------------------------------------------------------


def hold(stack: Any, article: str, name: str, body: str, **extra: Any) -> str:
    return str(api_submit(stack, article, name, body, expected=202, **extra)["id"])


def decide(stack: Any, comment_id: str, decision: str, note: str | None = None) -> None:
    r = requests.post(
        f"{stack.base_url}/moderation/comments/{comment_id}/decision",
        json={"decision": decision, "note": note},
        headers=auth(stack),
        timeout=15,
    )
    assert r.status_code in (200, 409), r.text


def sign_in(page: Page, stack: Any) -> None:
    page.goto(stack.base_url + "/moderation/")
    page.get_by_label("Email", exact=True).fill(stack.moderator_email)
    page.get_by_label("Password", exact=True).fill(stack.moderator_password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("Signed out.")).to_be_visible()


@pytest.mark.parametrize("screen", ["desktop", "phone"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_console_reads_well_in_both_schemes_and_on_a_phone(
    open_page: Any, dev_stack: Any, scheme: str, screen: str
) -> None:
    # Given an article the widget named, with a published comment, and a regular reader's history
    article, other = f"themes-console-{uid()}", f"themes-budget-{uid()}"
    page_info = {
        "title": "Council votes to close the Carnegie library",
        "url": f"{dev_stack.news_site}/local/{article}",
    }
    parent = api_submit(
        dev_stack,
        article,
        "Amira Haddad",
        "The library has been open since 1904; closing it saves the council very little.",
        page=page_info,
    )
    regular = f"regular-{uid()}@example.org"
    api_submit(
        dev_stack, other, "Tomás Reyes", f"Clear reporting on the budget, thank you. ({uid()})", email=regular
    )
    earlier = hold(dev_stack, other, "Tomás Reyes", f"{THREE_LINKS} ({uid()})", email=regular)
    decide(dev_stack, earlier, "reject", "links to a shop")
    # And three held comments: the regular's reply with three links, a passage in capitals, an email address
    ids = [
        hold(
            dev_stack,
            article,
            "Tomás Reyes",
            f"{THREE_LINKS} ({uid()})",
            parent_id=parent["id"],
            email=regular,
            page=page_info,
        ),
        hold(dev_stack, article, "Loud Reader", f"THIS IS THE WORST COVERAGE I HAVE EVER READ. ({uid()})"),
        hold(dev_stack, other, "Noor Writer", f"Write to me at noor.writer@example.org ({uid()})"),
    ]
    page = open_page(scheme, screen)
    # Then the sign-in form reads well, and follows the scheme
    page.goto(dev_stack.base_url + "/moderation/")
    expect(page.get_by_label("Email", exact=True)).to_be_visible()
    result = audit(page, "body", screen, scheme)
    assert dark(result["background"]) == (scheme == "dark")
    assert dark(page.get_by_label("Email", exact=True).evaluate(BACKGROUND)) == (scheme == "dark")
    try:
        with only_these_in_the_queue(dev_stack, *ids):
            # When the moderator signs in and the console lists them, each with its context
            sign_in(page, dev_stack)
            queue = page.get_by_role("list", name="Held comments")
            expect(queue.locator(":scope > li")).to_have_count(3)
            for item in queue.locator(":scope > li").all():
                item.scroll_into_view_if_needed()  # the context loads when a card is in sight
                expect(item).to_have_attribute("data-context", "loaded")
            expect(queue.locator("mark")).not_to_have_count(0)
            reply = queue.locator(f':scope > li[data-comment-id="{ids[0]}"]')
            expect(reply.get_by_role("link", name=page_info["title"])).to_be_visible()
            reply.locator("details.author > summary").click()
            expect(reply.locator(".history > li")).to_have_count(2)
            page.evaluate("window.scrollTo(0, 0)")
            # Then the console reads well too: its highlights, context, history and buttons included
            audit(page, "body", screen, scheme)
            name = "moderation-console-phone" if screen == "phone" else "moderation-console"
            screenshot(page, f"{name}{'-dark' if scheme == 'dark' else ''}.png")
            sign_out(page)
    finally:
        for comment_id in ids:  # none left waiting in the shared queue
            decide(dev_stack, comment_id, "reject", "test clean-up")
