"""The pages the dev server renders: the demo article with the widget, and the public policy."""

import html
import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Literal

import pytest
from comments_dev import pages

ARTICLE_TEXT = (pages.WEB_DIR / "article.txt").read_text(encoding="utf-8")


class Outline(HTMLParser):
    """What a browser would build, reduced to what the tests look at: text per tag, attributes of
    the widget element and the script tags."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag not in ("meta", "link", "br"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.stack and data.strip():
            self.text.setdefault(self.stack[-1], []).append(" ".join(data.split()))

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a
            for t, a in self.tags
            if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())
        ]


def outline(page: str) -> Outline:
    parsed = Outline()
    parsed.feed(page)
    return parsed


@pytest.fixture
def web_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of web/ the test may change; pages reads from it."""
    shutil.copy(pages.WEB_DIR / "article.html", tmp_path / "article.html")
    monkeypatch.setattr(pages, "WEB_DIR", tmp_path)
    return tmp_path


# ---- the article page -----------------------------------------------------------------------------


def test_the_article_page_lays_out_the_title_and_every_paragraph() -> None:
    # Given the demo article text
    title, *_ = ARTICLE_TEXT.strip().splitlines()
    # When the page is rendered
    page = outline(pages.article_page("http://127.0.0.1:3000"))
    # Then the headline is the title, also in <title>, and each paragraph is a <p> in order
    assert page.text["h1"] == [title]
    assert page.text["title"][0].startswith(title)
    body = [p for p in page.text["p"] if p in ARTICLE_TEXT]
    assert body[0].startswith("Russia warned the United States on Thursday")
    assert body[-1].startswith("A US military official, speaking on condition of anonymity")
    assert len(body) == 9


def test_the_scraped_leftovers_are_not_repeated_as_article_text() -> None:
    # Given the article text, which repeats the title as a paragraph and ends with form furniture
    # When the page is rendered
    page = outline(pages.article_page("http://127.0.0.1:3000"))
    text = [t for values in page.text.values() for t in values]
    # Then the title shows once as the headline, and the comment heading and policy line once each
    title = ARTICLE_TEXT.splitlines()[0]
    assert sum(title in t for t in text) == 2  # <title> and <h1>
    assert text.count("Add new comment") == 1
    assert text.count("Read our comment policy before posting your viewpoints") == 1


def test_the_page_has_a_byline_the_comment_heading_and_a_policy_link() -> None:
    page = outline(pages.article_page("http://127.0.0.1:3000"))
    assert page.find("time", datetime="2017-09-21")
    assert page.text["h2"] == ["Add new comment"]
    links = [a for t, a in page.tags if t == "a" and a.get("href") == "/policy"]
    assert links, "the policy line links to /policy"


def test_the_widget_is_embedded_with_the_api_url_and_article_id() -> None:
    # When the page is rendered for an API URL and an article
    page = outline(pages.article_page("http://127.0.0.1:4321/", "another-article_1.2~x"))
    # Then the widget element carries them (the URL without its trailing slash), and the script loads
    (widget,) = [a for t, a in page.tags if "data-comments" in a]
    assert widget["data-api"] == "http://127.0.0.1:4321"
    assert widget["data-article-id"] == "another-article_1.2~x"
    assert widget["data-policy-url"] == "/policy"
    (script,) = page.find("script", src="/static/comments-widget.js")
    assert "defer" in script
    assert page.find("link", rel="stylesheet", href="/static/comments-widget.css")


def test_the_demo_article_id_is_the_default() -> None:
    page = outline(pages.article_page("http://127.0.0.1:3000"))
    assert [a["data-article-id"] for t, a in page.tags if "data-comments" in a] == ["russia-syria-2017"]


def test_no_placeholder_is_left_unfilled() -> None:
    assert "{{" not in pages.article_page("http://127.0.0.1:3000")


def test_a_hostile_api_url_cannot_break_out_of_its_attribute() -> None:
    # When the API URL carries markup
    page = pages.article_page('http://x/"><script>alert(1)</script>')
    # Then it stays inside the attribute, escaped, and no extra script appears
    assert "<script>alert(1)" not in page
    assert len(outline(page).find("script")) == 1


@pytest.mark.parametrize("article_id", ["", "-starts-with-dash", "has space", "a/b", "x" * 129, '"><b>'])
def test_an_article_id_outside_the_contract_is_refused(article_id: str) -> None:
    with pytest.raises(ValueError, match="article id"):
        pages.article_page("http://127.0.0.1:3000", article_id)


def test_markup_in_the_article_text_is_shown_as_text(web_copy: Path) -> None:
    # Given an article text with markup and something that looks like a placeholder
    (web_copy / "article.txt").write_text(
        "Title <i>with</i> & markup\n\nA <script>alert(1)</script> paragraph about {{API_URL}}.\n",
        encoding="utf-8",
    )
    # When the page is rendered
    page = pages.article_page("http://api.test")
    # Then the markup is escaped and the fake placeholder stays as written
    assert "<i>with</i>" not in page and "<script>alert" not in page
    assert "Title &lt;i&gt;with&lt;/i&gt; &amp; markup" in page
    assert "A &lt;script&gt;alert(1)&lt;/script&gt; paragraph about {{API_URL}}." in page


def test_paragraph_line_breaks_inside_a_block_are_joined() -> None:
    title, paragraphs = pages.parse_article("T\r\n\r\nfirst line\nsecond line\n\n\n\nnext\n")
    assert (title, paragraphs) == ("T", ["first line second line", "next"])


def test_an_empty_article_text_is_an_error() -> None:
    with pytest.raises(ValueError):
        pages.parse_article(" \n\n ")


def test_an_unknown_placeholder_is_a_template_bug() -> None:
    with pytest.raises(KeyError):
        pages.fill("{{NOPE}}", {})


# ---- the policy page ------------------------------------------------------------------------------


@dataclass
class FakeRule:
    rule: str
    title: str
    verdict: Literal["hold", "reject"]
    explanation: str


@dataclass
class FakePolicy:
    version: str = "2024-06-01.3"
    edit_window_minutes: int = 15
    report_threshold: int = 3


RULES = [
    FakeRule("profanity", "Swearing", "reject", "Blocked words, also when disguised as sh1t or f.u.c.k."),
    FakeRule("links", "Many links", "hold", "More than 2 links in one comment."),
]


def test_each_rule_is_explained_with_what_happens() -> None:
    # When the policy page is rendered
    page = pages.policy_page(FakePolicy(), RULES)
    tree = outline(page)
    # Then every rule has its title and explanation, and the outcome for its verdict
    assert tree.text["h1"] == ["Comment policy"]
    assert {"Swearing", "Many links"} <= set(tree.text["h3"])
    text = " ".join(t for values in tree.text.values() for t in values)
    assert "Blocked words, also when disguised as sh1t or f.u.c.k." in text
    profanity = page[page.index('id="rule-profanity"') : page.index('id="rule-links"')]
    links = page[page.index('id="rule-links"') :]
    assert "Not published" in profanity and "Held for a moderator" not in profanity
    assert "Held for a moderator" in links.split("</li>")[0]


def test_the_policy_page_shows_the_version_and_the_editing_and_reporting_rules() -> None:
    page = pages.policy_page(FakePolicy(version="v7", edit_window_minutes=20, report_threshold=5), RULES)
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "Policy version v7" in text
    assert "For 20 minutes after posting, you can edit or delete your own comment" in text
    assert "When 5 different readers report a comment" in text
    assert "Moderation" in text


def test_singular_window_and_threshold_read_naturally() -> None:
    page = pages.policy_page(FakePolicy(edit_window_minutes=1, report_threshold=1), RULES)
    assert "For 1 minute after posting" in page
    assert "When one reader reports a comment" in page


def test_policy_data_is_escaped() -> None:
    # Given policy data with markup (it is operator data, but still data)
    rules = [FakeRule("x<y", "<b>Bold</b>", "hold", "Catches <script>alert(1)</script>")]
    # When the page is rendered
    page = pages.policy_page(FakePolicy(version="<i>1</i>"), rules)
    # Then none of it is markup
    assert "<b>Bold" not in page and "<script>alert" not in page and "<i>1</i>" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page


def test_the_policy_page_describes_the_live_default_policy() -> None:
    # Given the real policy engine and its default policy
    from comments.policy import engine

    policy = engine.default_policy()
    rules = engine.describe(policy)
    # When the page is rendered from the policy alone
    page = pages.policy_page(policy)
    # Then every rule the engine describes is on it, with the policy version
    assert rules
    for rule in rules:
        assert html.escape(rule.title) in page
        assert html.escape(rule.explanation) in page
    assert html.escape(str(policy.version)) in page
