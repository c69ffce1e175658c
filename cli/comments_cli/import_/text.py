"""An export's HTML as the service's plain text: paragraphs and `<br>` become line breaks,
entities are decoded, a link keeps its URL as text, and nothing else of the markup survives.

Built on the standard library's `html.parser` (the lenient, maintained tokenizer that
BeautifulSoup's default builder wraps): the conversion needs four rules, not a document tree,
and no third-party package (html2text is GPL and writes Markdown, which is markup again).
"""

from __future__ import annotations

import re
import unicodedata
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

_BLOCKS = frozenset(
    (
        *("p", "div", "blockquote", "li", "ul", "ol", "pre", "table", "tr", "hr", "dl", "dt", "dd"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "header", "footer", "aside"),
        *("figure", "figcaption", "address", "details", "summary", "main", "nav"),
    )
)
#: Elements whose content is not text a reader wrote.
_DROPPED = frozenset(
    ("script", "style", "template", "iframe", "object", "embed", "svg", "math", "head", "title", "noscript")
)
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u200e\u200f\u2028-\u202e\u2060-\u2064\ufeff]")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")
_DISQUS_SUFFIX = re.compile(r":[A-Za-z0-9_-]{6,}$")


def _link_target(href: str | None, title: str | None) -> str | None:
    """The URL a link leads to, if it is a web address: Disqus's `disq.us/url?url=...` redirects
    unwrapped (its title, or the url parameter without the tracking suffix Disqus appends)."""
    if not href:
        return None
    href = href.strip()
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https"):
        return None
    if parts.netloc.lower() in ("disq.us", "disq.us:443") and parts.path.rstrip("/") == "/url":
        if title and _link_target(title, None):
            return title.strip()
        inner = parse_qs(parts.query).get("url", [""])[0]
        inner = _DISQUS_SUFFIX.sub("", inner)
        return _link_target(inner, None)
    return href


def _same_link(text: str, url: str) -> bool:
    """Whether a link's text is only its URL (whole, without its scheme, or shortened with an
    ellipsis as Disqus shows long ones)."""
    shown = text.strip().rstrip("/")
    bare = re.sub(r"^https?://", "", url).rstrip("/")
    full = url.rstrip("/")
    if shown in (full, bare, ""):
        return True
    for ellipsis in ("…", "..."):
        if shown.endswith(ellipsis):
            start = re.sub(r"^https?://", "", shown[: -len(ellipsis)])
            return bool(start) and bare.startswith(start)
    return False


class _Text(HTMLParser):
    def __init__(self, newlines: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.newlines = newlines  # line breaks in the text are breaks (WordPress), or spaces (HTML)
        self.out: list[str] = []
        self.dropping = 0
        self.pre = 0
        self.links: list[tuple[str | None, int]] = []  # (target, where its text starts in out)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED:
            self.dropping += 1
        elif self.dropping:
            return
        elif tag == "br":
            self.out.append("\n")
        elif tag in _BLOCKS:
            self.out.append("\n\n")
            self.pre += tag == "pre"
        elif tag == "a":
            values = dict(attrs)
            self.links.append((_link_target(values.get("href"), values.get("title")), len(self.out)))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in ("br", "hr") and tag not in _DROPPED:
            self.handle_endtag(tag)
        elif tag in _DROPPED:
            self.dropping -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROPPED:
            self.dropping = max(0, self.dropping - 1)
        elif self.dropping:
            return
        elif tag in _BLOCKS:
            self.out.append("\n\n")
            self.pre = max(0, self.pre - (tag == "pre"))
        elif tag == "a" and self.links:
            url, start = self.links.pop()
            if url is None:
                return
            text = "".join(self.out[start:])
            if _same_link(text, url):
                del self.out[start:]
                self.out.append(url)
            else:
                self.out.append(f" ({url})")

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        data = data.replace("\r\n", "\n").replace("\r", "\n")
        if not self.pre and not self.newlines:
            data = data.replace("\n", " ")
        self.out.append(data if self.pre else _SPACES.sub(" ", data))

    def text(self) -> str:
        while self.links:  # an <a> never closed still keeps its URL
            self.handle_endtag("a")
        raw = _CONTROLS.sub("", unicodedata.normalize("NFC", "".join(self.out)))
        lines = [line.strip(" ") for line in raw.split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(html: str, *, newlines: bool = False) -> str:
    """The plain text of an export's message. `newlines`: line breaks in the source are the
    writer's own (WordPress stores comments as typed), not HTML's spaces."""
    parser = _Text(newlines)
    parser.feed(html)
    parser.close()
    return parser.text()
