"""A submission's `page` (the embedding page's title and canonical URL): what is accepted, what is
a 422, and how a stored page is read back; and the terminal's word wrapping, which must keep
each policy hit on its words."""

import pytest
from comments.api.http import validation_details
from comments.domain.models import ArticlePage
from comments.domain.requests import CommentDraft, origin
from comments_cli.moderate.display import highlight, marks, printable, render, wrap_offsets
from pydantic import ValidationError

ORIGINS = {"origins": ["https://news.example.com", "http://127.0.0.1:3000"]}
DRAFT = {"name": "Ada", "email": "ada@example.org", "body": "Well argued."}


def page_errors(page, context=ORIGINS) -> list[dict]:
    try:
        CommentDraft.model_validate({**DRAFT, "page": page}, context=context)
    except ValidationError as exc:
        return validation_details(exc)
    return []


def test_a_page_of_the_site_is_kept_trimmed():
    draft = CommentDraft.model_validate(
        {**DRAFT, "page": {"title": "  Talks stall in Bonn ", "url": "https://NEWS.example.com:443/a?b=1"}},
        context=ORIGINS,
    )
    assert draft.page is not None
    assert (
        draft.page.title == "Talks stall in Bonn" and draft.page.url == "https://NEWS.example.com:443/a?b=1"
    )
    assert CommentDraft.model_validate(DRAFT, context=ORIGINS).page is None


@pytest.mark.parametrize(
    "page, field",
    [
        ({"title": "T", "url": "http://news.example.com/a"}, "page.url"),  # not https
        ({"title": "T", "url": "http://127.0.0.1:3000/a"}, "page.url"),  # an allowed origin, but http
        ({"title": "T", "url": "https://evil.example.net/a"}, "page.url"),  # another site
        ({"title": "T", "url": "https://news.example.com.evil.net/a"}, "page.url"),
        ({"title": "T", "url": "https://news.example.com:8443/a"}, "page.url"),  # another port
        ({"title": "T", "url": "https://user:pw@news.example.com/a"}, "page.url"),
        ({"title": "T", "url": "https://news.example.com/a#comments"}, "page.url"),
        ({"title": "T", "url": "https://news.example.com/a b"}, "page.url"),
        ({"title": "T", "url": "https://news.example.com/" + "a" * 2100}, "page.url"),
        ({"title": "T", "url": "news.example.com/a"}, "page.url"),
        ({"title": "T", "url": 42}, "page.url"),
        ({"title": "x" * 301, "url": "https://news.example.com/a"}, "page.title"),
        ({"title": "   ", "url": "https://news.example.com/a"}, "page.title"),
        ({"title": "Two\nlines", "url": "https://news.example.com/a"}, "page.title"),
        ({"title": "T"}, "page.url"),
        ({"url": "https://news.example.com/a"}, "page.title"),
        ({"title": "T", "url": "https://news.example.com/a", "author": "x"}, "page.author"),
        ("https://news.example.com/a", "page"),
    ],
)
def test_anything_else_in_page_is_a_validation_error(page, field):
    assert field in [d["field"] for d in page_errors(page)]


def test_without_the_sites_origins_no_page_url_is_accepted():
    assert "page.url" in [
        d["field"] for d in page_errors({"title": "T", "url": "https://news.example.com/a"}, None)
    ]


def test_a_title_of_300_characters_is_accepted():
    assert page_errors({"title": "x" * 300, "url": "https://news.example.com/a"}) == []


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://News.Example.com/", "https://news.example.com"),
        ("https://news.example.com:443", "https://news.example.com"),
        ("http://localhost:3000/x", "http://localhost:3000"),
        ("ftp://news.example.com", None),
        ("https://", None),
        ("https://news.example.com:99999", None),
    ],
)
def test_origins_compare_without_case_or_default_port(url, expected):
    assert origin(url) == expected


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "https://news.example.com/a",
        {"title": "T", "url": "http://news.example.com/a"},
        {"title": "x" * 301, "url": "https://news.example.com/a"},
        {"title": "T", "url": "https://news.example.com/" + "a" * 2100},
        {"title": 3, "url": "https://news.example.com/a"},
    ],
)
def test_a_stored_page_that_does_not_validate_is_read_as_none(stored):
    assert ArticlePage.from_stored(stored) is None


def test_a_stored_page_reads_back():
    page = ArticlePage.from_stored({"title": "T", "url": "https://news.example.com/a", "extra": 1})
    assert page == ArticlePage(title="T", url="https://news.example.com/a")


# -- wrapping on the terminal ----------------------------------------------------------------------


def lines(text: str, width: int) -> list[str]:
    return [text[a:b] for a, b in wrap_offsets(text, width)]


def test_wrapping_breaks_between_words_only():
    text = "The council's decision to close the library was made without asking"
    assert lines(text, 20) == ["The council's", "decision to close", "the library was made", "without asking"]
    assert all(len(line) <= 20 for line in lines(text, 20))


def test_wrapping_keeps_newlines_and_blank_lines_and_cuts_only_words_longer_than_a_line():
    assert lines("one two\n\nthree", 7) == ["one two", "", "three"]
    assert lines("see https://example.com/a/very/long/path ok", 12) == [
        "see",
        "https://exam",
        "ple.com/a/ve",
        "ry/long/path",
        "ok",
    ]


def test_highlights_stay_on_their_words_across_wrapped_lines():
    text = "calm words then https://a.example.com/x and more calm words after it"
    start = text.index("https")
    hits = [{"rule": "links", "verdict": "hold", "field": "body", "spans": [[start, start + 23]]}]
    safe, marked = printable(text), marks(text, hits, "body")
    wrapped = [render(safe[a:b], marked[a:b], False) for a, b in wrap_offsets(safe, 26)]
    assert "[[https://a.example.com/x]]" in wrapped
    assert "".join(wrapped).count("[[") == 1
    assert highlight(text, hits, "body", False).count("[[") == 1
