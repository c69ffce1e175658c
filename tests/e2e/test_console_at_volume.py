"""The moderator console at volume, in a real browser (Debian's chromium driven by Playwright) against
the local stack (fixtures in tests/e2e/conftest.py): a moderator works through forty held comments
with the keyboard alone while the console claims batch after batch by itself, sees the context of
a comment (the article's title, the comment it answers, the author's history), approves ten at
once and undoes a decision; two consoles approving the same ten comments at once decide each
exactly once and each says which were its own; a console that closes gives its claims back at
once; claims on screen are renewed, and a comment decided elsewhere leaves the list with a word.

The dev stack is shared by the whole session, so other tests' held comments may wait in the
queue: each test sets them aside first (claimed over HTTP, renewed while it runs, given back at
the end), so the consoles claim only the test's own comments. No test waits a fixed time: each
waits for what the moderator would see, or for the service to say so."""

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from playwright.sync_api import Browser, Locator, Page, expect
from tests_support import auth, only_these_in_the_queue, watch_csp
from tests_support import unique_tag as uid

pytestmark = pytest.mark.browser

THREE_LINKS = "Sources: https://example.com/a and https://example.org/b and https://example.net/c"
SHOUT = "THIS IS THE WORST COVERAGE OF THE COUNCIL I HAVE EVER READ"

ARTIFACTS = Path(os.environ.get("E2E_ARTIFACTS", Path(__file__).resolve().parents[2] / "build" / "e2e"))

expect.set_options(timeout=10_000)


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


# ---- the service over HTTP ------------------------------------------------------------------------


def submit(
    stack: Any,
    article: str,
    name: str,
    body: str,
    email: str | None = None,
    parent: str | None = None,
    page: dict[str, str] | None = None,
) -> requests.Response:
    payload: dict[str, Any] = {"name": name, "email": email or f"{uid()}@example.org", "body": body}
    if parent:
        payload["parentId"] = parent
    if page:
        payload["page"] = page
    return requests.post(
        f"{stack.base_url}/articles/{article}/comments",
        json=payload,
        headers={"Idempotency-Key": str(uuid.uuid4())},
        timeout=15,
    )


def hold(stack: Any, article: str, name: str, body: str, **extra: Any) -> str:
    """A comment the policy holds for a moderator (its body must break a hold rule): its id."""
    response = submit(stack, article, name, body, **extra)
    assert response.status_code == 202, f"expected a held comment: {response.status_code} {response.text}"
    return str(response.json()["comment"]["id"])


def publish(stack: Any, article: str, name: str, body: str, **extra: Any) -> str:
    response = submit(stack, article, name, body, **extra)
    assert response.status_code == 201, (
        f"expected a published comment: {response.status_code} {response.text}"
    )
    return str(response.json()["comment"]["id"])


def decide(stack: Any, comment_id: str, decision: str, note: str | None = None) -> None:
    r = requests.post(
        f"{stack.base_url}/moderation/comments/{comment_id}/decision",
        json={"decision": decision, "note": note},
        headers=auth(stack),
        timeout=15,
    )
    assert r.status_code == 200, r.text


def record(stack: Any, comment_id: str) -> dict[str, Any]:
    r = requests.get(f"{stack.base_url}/moderation/comments/{comment_id}", headers=auth(stack), timeout=15)
    assert r.status_code == 200, r.text
    return dict(r.json())


def decisions_of(stack: Any, comment_id: str) -> list[dict[str, Any]]:
    """The audit trail's moderator entries of a comment (decided, reopened), oldest first."""
    return [h for h in record(stack, comment_id)["history"] if h.get("event") in ("decided", "reopened")]


def release(stack: Any, comment_id: str, claim: str) -> None:
    requests.post(
        f"{stack.base_url}/moderation/comments/{comment_id}/release",
        json={"claim": claim},
        headers=auth(stack),
        timeout=15,
    )


def dead_lettered(stack: Any) -> set[str]:
    """The comment ids of every message on the dead-letter queue (each received for 2 s, so every
    one is seen once; they stay on the queue)."""
    import json

    sqs = stack.client("sqs")
    url = requests.get(f"{stack.base_url}/_dev/stack", timeout=10).json()["queues"][
        "ModerationDeadLetterQueue"
    ]
    found: set[str] = set()
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=2).get(
            "Messages", []
        )
        if not messages:
            return found
        for m in messages:
            try:
                found.add(json.loads(m["Body"])["comment"]["id"])
            except (ValueError, KeyError, TypeError):
                pass


def new_moderator(stack: Any) -> tuple[str, str]:
    """Another account in the moderators group (email, password), with its password set."""
    email, password = f"second-{uid()}@example.org", f"Second-moderator-{uid()}-7"
    idp = stack.client("cognito-idp")
    pool = stack.config()["userPoolId"]
    idp.admin_create_user(UserPoolId=pool, Username=email, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool, Username=email, Password=password, Permanent=True)
    idp.admin_add_user_to_group(UserPoolId=pool, Username=email, GroupName="moderators")
    return email, password


# ---- the console ----------------------------------------------------------------------------------


@pytest.fixture
def consoles(browser: Browser) -> Iterator[Any]:
    """Opens consoles, each in a fresh browser context (its own session), watched for CSP
    violations. At the end each still open signs out (which gives its claims back)."""
    opened: list[tuple[Any, Page, list[str]]] = []

    def open_one(**options: Any) -> Page:
        context = browser.new_context(viewport={"width": 1100, "height": 900}, **options)
        page = context.new_page()
        opened.append((context, page, watch_csp(page)))
        return page

    yield open_one
    violations: list[str] = []
    for context, page, seen in opened:
        try:
            sign_out = page.get_by_role("button", name="Sign out")
            if not page.is_closed() and sign_out.is_visible():
                sign_out.click()
                expect(page.get_by_text("Signed out.")).to_be_visible()
        finally:
            context.close()
        violations += seen
    assert violations == [], f"Content-Security-Policy violations: {violations}"


def sign_in(page: Page, stack: Any, email: str | None = None, password: str | None = None) -> Locator:
    """Open /moderation/, sign in from the keyboard (the email, Tab, the password, Enter) and return
    the list of held comments once the first batch is on it."""
    page.goto(stack.base_url + "/moderation/")
    expect(page.get_by_label("Email", exact=True)).to_be_focused()
    page.keyboard.type(email or stack.moderator_email)
    page.keyboard.press("Tab")
    page.keyboard.type(password or stack.moderator_password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    queue = page.get_by_role("list", name="Held comments")
    expect(queue).not_to_have_attribute("aria-busy", "true")
    return queue


def cards(page: Page) -> Locator:
    return page.locator("#queue > li")


def card(page: Page, comment_id: str) -> Locator:
    return page.locator(f'#queue > li[data-comment-id="{comment_id}"]')


def focused_card(page: Page) -> str:
    """The comment whose card has the keyboard focus, once one has."""
    focused = page.locator("#queue > li:focus")
    expect(focused).to_have_count(1, timeout=30_000)  # a batch may still be on its way
    return str(focused.get_attribute("data-comment-id"))


def announcement(page: Page) -> Locator:
    return page.locator('[role="status"][aria-live="polite"]')


def outcomes(page: Page) -> dict[str, str]:
    """The last bulk action's outcome per comment, as the console lists it (opened if need be)."""
    box = page.locator("#outcomes")
    expect(box).to_be_visible()
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    rows = page.locator("#outcomes-list > li")
    expect(rows.first).to_be_visible()
    return {
        str(row.get_attribute("data-comment-id")): row.locator("strong").inner_text() for row in rows.all()
    }


# ---- forty comments, the keyboard alone -------------------------------------------------------------


def test_a_moderator_works_through_forty_held_comments_with_the_keyboard_alone(
    consoles: Any, dev_stack: Any
) -> None:
    # Given an article whose page the widget named (title and link), with a published comment on it
    article, other = f"library-{uid()}", f"budget-{uid()}"
    page_info = {
        "title": f"Council closes the library ({uid()})",
        "url": f"{dev_stack.news_site}/local/{article}",
    }
    parent = publish(
        dev_stack,
        article,
        "Parent Writer",
        f"The library has been open since 1904. ({uid()})",
        page=page_info,
    )
    # And a regular reader with a history: two comments published, one rejected by a moderator
    regular = f"regular-{uid()}@example.org"
    publish(dev_stack, other, "Regular Reader", f"Thanks for the clear reporting. ({uid()})", email=regular)
    publish(dev_stack, other, "Regular Reader", f"The figures in the table add up. ({uid()})", email=regular)
    earlier = hold(dev_stack, other, "Regular Reader", f"{THREE_LINKS} ({uid()})", email=regular)
    decide(dev_stack, earlier, "reject", note="off topic")
    # And forty held comments: the regular's reply to that comment, and thirty-nine others
    reply = hold(
        dev_stack,
        article,
        "Regular Reader",
        f"{THREE_LINKS} ({uid()})",
        email=regular,
        parent=parent,
        page=page_info,
    )
    held = [reply] + [
        hold(
            dev_stack,
            other if i % 2 else article,
            f"Writer {i}",
            f"{SHOUT if i % 3 == 0 else THREE_LINKS} ({uid()})",
        )
        for i in range(39)
    ]
    with only_these_in_the_queue(dev_stack, *held):
        page = consoles()
        batches: list[str] = []
        page.on("request", lambda r: batches.append(r.url) if "/moderation/queue?max=" in r.url else None)
        queue = sign_in(page, dev_stack)
        expect(cards(page)).to_have_count(10)
        page.evaluate("window.notReloaded = true")
        decided: dict[str, str] = {}
        selected: list[str] = []
        undone: str | None = None
        context_seen = False
        # When the moderator works down the list with the keyboard alone
        while len(decided) < len(held):
            cid = focused_card(page)
            assert cid in held, "the console claimed a comment that is not this test's"
            item = card(page, cid)
            if cid == reply:
                # Then the reply's card shows the article's title as a link, the comment it answers,
                # and the author's history (counts, then the last comments with their status)
                context_seen = True
                expect(item).to_have_attribute("data-context", "loaded")
                title = item.get_by_role("link", name=page_info["title"])
                expect(title).to_have_attribute("href", page_info["url"])
                expect(title).to_have_attribute("rel", re.compile(r"\bnoopener\b"))
                expect(item.locator(".parent")).to_contain_text("In reply to Parent Writer")
                expect(item.locator(".parent")).to_contain_text("The library has been open since 1904.")
                history = item.locator("details.author")
                expect(history.locator("summary")).to_contain_text(
                    "3 earlier comments · 0 approved · 1 rejected · 0 reported"
                )
                page.keyboard.press("Tab")  # into the card: its checkbox, the article's link, ...
                for _ in range(6):
                    if history.locator("summary").evaluate("s => s === document.activeElement"):
                        break
                    page.keyboard.press("Tab")
                page.keyboard.press("Enter")
                expect(history.locator(".history > li")).to_have_count(3)
                expect(history.locator(f'.history > li[data-comment-id="{earlier}"]')).to_contain_text(
                    "rejected"
                )
                expect(history).to_contain_text("off topic")
                screenshot(page, "console-context.png")
                # (the keys keep acting on the highlighted card while the focus is inside it)
            if len(selected) < 10:
                # And selects ten with x (moving on with j), then approves them together with A
                page.keyboard.press("x")
                expect(item).to_have_class(re.compile(r"\bselected\b"))
                selected.append(cid)
                if len(selected) < 10:
                    page.keyboard.press("j")
                    expect(page.locator("#queue > li:focus")).not_to_have_attribute("data-comment-id", cid)
                    continue
                expect(page.locator("#selected-count")).to_have_text("10 comments selected")
                page.keyboard.press("Shift+A")
                expect(announcement(page)).to_contain_text("Approved 10 comments.")
                screenshot(page, "console-bulk-approved.png")
                for sid in selected:
                    expect(card(page, sid)).to_have_count(0)
                    decided[sid] = "published"
                continue
            key, status = ("r", "rejected") if len(decided) % 4 == 0 else ("a", "published")
            page.keyboard.press(key)
            expect(card(page, cid)).to_have_count(0)
            expect(announcement(page)).to_contain_text("Approved — published" if key == "a" else "Rejected")
            decided[cid] = status
            if undone is None and len(decided) == 15:
                # And undoes one decision with u, within its few seconds
                expect(page.get_by_role("button", name="Undo")).to_be_visible()
                page.keyboard.press("u")
                expect(announcement(page)).to_contain_text("Undone:")
                expect(announcement(page)).to_contain_text("is pending again, back in the queue")
                assert record(dev_stack, cid)["comment"]["status"] == "pending"
                undone = cid
                del decided[cid]  # it comes back with a later batch, and is decided again
        # Then every one was decided without a reload, batch after batch, the undone one again too
        assert context_seen
        assert page.evaluate("window.notReloaded") is True
        assert len(batches) >= 4, f"the console claimed {len(batches)} batches"
        expect(page.get_by_text("You have been through every comment you claimed")).to_be_visible()
        expect(queue.locator(":scope > li")).to_have_count(0)
        expect(page.locator("#depth")).to_contain_text("waiting")
    # And the service stored what the moderator decided: once each, and twice with a reopening
    # in between for the comment undone
    for cid in held:
        assert record(dev_stack, cid)["comment"]["status"] == decided[cid], cid
        events = [e["event"] for e in decisions_of(dev_stack, cid)]
        assert events == (["decided", "reopened", "decided"] if cid == undone else ["decided"]), (cid, events)


# ---- two consoles, the same ten comments ------------------------------------------------------------


def test_two_consoles_bulk_approving_the_same_ten_comments_decide_each_exactly_once(
    consoles: Any, dev_stack: Any
) -> None:
    # Given ten held comments, and two moderators
    ten = [hold(dev_stack, f"race-{uid()}", f"Writer {i}", f"{THREE_LINKS} ({uid()})") for i in range(10)]
    second_email, second_password = new_moderator(dev_stack)
    with only_these_in_the_queue(dev_stack, *ten):
        # And the first console lists them, on a network that loses its renewals
        first = consoles()
        first.route("**/renew", lambda route: route.abort())
        with first.expect_response(lambda r: "/moderation/queue?max=" in r.url) as claimed:
            sign_in(first, dev_stack)
        expect(cards(first)).to_have_count(10)
        # And its claims lapse (given back, as the queue does when a claim runs out), so the second
        # moderator's console claims the same ten while the first still shows them
        for item in claimed.value.json()["items"]:
            release(dev_stack, item["comment"]["id"], item["claim"])
        second = consoles()
        sign_in(second, dev_stack, second_email, second_password)
        expect(cards(second)).to_have_count(10)
        # When both select all shown and approve the selection at the same moment
        for page in (first, second):
            page.get_by_label("Select all shown").check()
            expect(page.locator("#selected-count")).to_have_text("10 comments selected")
        first.keyboard.press("Shift+A")
        second.keyboard.press("Shift+A")
        # Then each console says how many it approved and how many the other moderator had decided
        said = {}
        for name, page in (("first", first), ("second", second)):
            expect(announcement(page)).to_contain_text(re.compile(r"Approved \d+ comments?\."))
            expect(cards(page)).to_have_count(0)
            said[name] = (announcement(page).inner_text(), outcomes(page))
            screenshot(page, f"console-race-{name}.png")
        mine = {
            name: {cid for cid, text in per.items() if text == "approved by you"}
            for name, (_, per) in said.items()
        }
        other = {
            name: {cid for cid, text in per.items() if text == "already decided by another moderator"}
            for name, (_, per) in said.items()
        }
        for name, (text, per) in said.items():
            assert set(per) == set(ten), f"{name}: an outcome for each of the ten"
            assert mine[name] | other[name] == set(ten)
            assert f"Approved {len(mine[name])} comment" in text
            if other[name]:
                assert (
                    f"{len(other[name])} comment" in text and "already decided by another moderator" in text
                )
        assert mine["first"] == other["second"] and mine["second"] == other["first"]
    # And the service decided each exactly once, by the moderator whose console said "by you"
    moderators: dict[str, set[str]] = {"first": set(), "second": set()}
    for cid in ten:
        entries = decisions_of(dev_stack, cid)
        assert [e["event"] for e in entries] == ["decided"], (cid, entries)
        assert record(dev_stack, cid)["comment"]["status"] == "published"
        moderators["first" if cid in mine["first"] else "second"].add(entries[0]["moderator"])
    assert all(len(names) <= 1 for names in moderators.values()), moderators
    if mine["first"] and mine["second"]:
        assert moderators["first"] != moderators["second"]


# ---- claims: a closed console, renewals --------------------------------------------------------------


def test_a_closed_consoles_claims_come_back_at_once_and_none_is_dead_lettered(
    consoles: Any, dev_stack: Any
) -> None:
    # Given three held comments on a moderator's console (claims last a minute)
    three = [hold(dev_stack, f"closed-{uid()}", f"Writer {i}", f"{THREE_LINKS} ({uid()})") for i in range(3)]
    with only_these_in_the_queue(dev_stack, *three):
        first = consoles()
        sign_in(first, dev_stack)
        expect(cards(first)).to_have_count(3)
        # When the moderator closes the tab without a word
        first.close()
        # Then another console claims all three at once: the closing page gave its claims back
        second = consoles()
        sign_in(second, dev_stack)
        expect(cards(second)).to_have_count(3)
        for cid in three:
            expect(card(second, cid)).to_have_count(1)
    # And none of them went to the dead-letter queue for it
    assert not dead_lettered(dev_stack) & set(three)
    for cid in three:
        assert record(dev_stack, cid)["comment"]["status"] == "pending"
        decide(dev_stack, cid, "reject", note="test clean-up")  # none left waiting for later tests


def test_claims_on_screen_are_renewed_and_a_comment_decided_elsewhere_leaves_with_a_word(
    consoles: Any, dev_stack: Any
) -> None:
    # Given two held comments on a console whose clock the test moves
    kept, taken = (
        hold(dev_stack, f"renew-{uid()}", f"Writer {i}", f"{THREE_LINKS} ({uid()})") for i in range(2)
    )
    with only_these_in_the_queue(dev_stack, kept, taken):
        page = consoles()
        page.clock.install()
        with page.expect_response(lambda r: "/moderation/queue?max=" in r.url) as claimed:
            sign_in(page, dev_stack)
        expect(cards(page)).to_have_count(2)
        seconds = claimed.value.json()["claimSeconds"]
        claims = {i["comment"]["id"]: i["claim"] for i in claimed.value.json()["items"]}
        # And another moderator rejects one of them meanwhile
        decide(dev_stack, taken, "reject", note="the other moderator")
        # When half a claim's time has passed
        with page.expect_response(lambda r: r.url.endswith(f"/comments/{kept}/renew")) as renewed:
            page.clock.run_for(seconds * 500 + 1000)
        # Then the console renewed the claim it still holds (the service answered a new one)
        assert renewed.value.status == 200
        assert renewed.value.json()["claim"] != claims[kept]
        # And the comment decided elsewhere left the list, with a word saying why
        expect(announcement(page)).to_contain_text("left your list: another moderator decided it")
        expect(card(page, taken)).to_have_count(0)
        expect(card(page, kept)).to_have_count(1)
        # And the renewed claim is the one given back on sign-out: the comment is claimable at once
        page.get_by_role("button", name="Sign out").click()
        expect(page.get_by_text("Signed out.")).to_be_visible()
        again = requests.get(
            f"{dev_stack.base_url}/moderation/queue?max=10", headers=auth(dev_stack), timeout=15
        )
        back = {i["comment"]["id"]: i["claim"] for i in again.json()["items"]}
        assert kept in back, "the claim given back was not the live one"
        for cid, claim in back.items():
            release(dev_stack, cid, claim)
    assert record(dev_stack, kept)["comment"]["status"] == "pending"
    decide(dev_stack, kept, "reject", note="test clean-up")  # none left waiting for later tests


# ---- filters ------------------------------------------------------------------------------------------


def test_filters_narrow_the_list_and_the_keys_work_on_what_they_show(consoles: Any, dev_stack: Any) -> None:
    # Given four held comments: two with links and one in capitals on one article, one in capitals on another
    north, south = f"north-{uid()}", f"south-{uid()}"
    links = [hold(dev_stack, north, f"Linker {i}", f"{THREE_LINKS} ({uid()})") for i in range(2)]
    loud_north = hold(dev_stack, north, "Loud North", f"{SHOUT} ({uid()})")
    loud_south = hold(dev_stack, south, "Loud South", f"{SHOUT} ({uid()})")
    with only_these_in_the_queue(dev_stack, *links, loud_north, loud_south):
        page = consoles()
        sign_in(page, dev_stack)
        expect(cards(page)).to_have_count(4)
        shown = page.locator("#queue > li:visible")
        # When the moderator presses / and picks the reason Shouting by typing, then Esc
        page.keyboard.press("/")
        expect(page.get_by_label("Reason")).to_be_focused()
        page.keyboard.type("S")
        expect(page.get_by_label("Reason")).to_have_value("shouting")
        page.keyboard.press("Escape")
        # Then only the two comments held for shouting are shown, and the keys move between them alone
        expect(shown).to_have_count(2)
        expect(page.locator("#listed")).to_have_text("2 of 4 shown (reason Shouting)")
        first = focused_card(page)
        page.keyboard.press("j")
        second = focused_card(page)
        page.keyboard.press("j")
        assert focused_card(page) == second  # the end of what is shown
        page.keyboard.press("k")
        assert focused_card(page) == first
        assert {first, second} == {loud_north, loud_south}
        # When the moderator narrows to the south article too (f, Tab, typing) and approves what is left
        page.keyboard.press("f")
        page.keyboard.press("Tab")
        expect(page.get_by_label("Article")).to_be_focused()
        page.keyboard.type("s")
        expect(page.get_by_label("Article")).to_have_value(south)
        page.keyboard.press("Escape")
        expect(shown).to_have_count(1)
        assert focused_card(page) == loud_south
        page.keyboard.press("a")
        expect(announcement(page)).to_contain_text("Approved — published")
        expect(page.get_by_text("No comment on your list matches the filters")).to_be_visible()
        # And clears both filters from the keyboard: the rest is back
        page.keyboard.press("/")
        page.keyboard.type("A")
        page.keyboard.press("Tab")
        page.keyboard.type("A")
        page.keyboard.press("Escape")
        expect(shown).to_have_count(3)
        expect(page.locator("#listed")).to_have_text("3 comments on your list")
        # And "select all shown" under the Links filter takes the two with links, which R rejects together
        page.keyboard.press("/")
        page.keyboard.type("L")
        expect(shown).to_have_count(2)
        page.get_by_label("Select all shown").check()
        expect(page.locator("#selected-count")).to_have_text("2 comments selected")
        page.keyboard.press("Shift+R")
        expect(announcement(page)).to_contain_text("Rejected 2 comments.")
        # And the help opens with ?
        page.keyboard.press("?")
        expect(page.locator("#keys")).to_have_attribute("open", "")
        expect(page.get_by_text("approve the selected comments")).to_be_visible()
        page.keyboard.press("?")
        expect(page.locator("#keys")).not_to_have_attribute("open", "")
    assert record(dev_stack, loud_south)["comment"]["status"] == "published"
    assert [record(dev_stack, cid)["comment"]["status"] for cid in links] == ["rejected", "rejected"]
    assert record(dev_stack, loud_north)["comment"]["status"] == "pending"
    decide(dev_stack, loud_north, "reject", note="test clean-up")  # none left waiting for later tests
