"""What every export is read into, whatever its format: threads and posts as the source gives
them (the parsers), the file problems that stop an import before anything is written, article ids
from URLs, and the operator's article map."""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal
from urllib.parse import unquote, urlsplit

from comments.domain.ids import is_article_id

#: A record with more text than this (a message of megabytes) is skipped, not kept in memory.
MAX_RECORD_CHARS = 1_000_000


class FileProblem(Exception):
    """The file cannot be imported as it is: one line for the operator, with where."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        where = f"{Path(path).name} line {line}" if line else Path(path).name
        super().__init__(f"{where}: {message}")
        self.line = line


@dataclass
class Thread:
    """A Disqus thread or a WordPress item: the page the comments were on."""

    key: str  # what posts refer to it by (Disqus's dsq:id; the WordPress post id)
    alt: str | None  # Disqus's own <id> (a site's identifier), which some posts refer to instead
    url: str
    closed: bool
    deleted: bool
    line: int
    listed: bool = True  # worth closing even without comments (not a WordPress menu item or revision)


@dataclass
class Post:
    """One comment as the source gives it: HTML, its own ids, the ids it refers to."""

    source_id: str | None
    alt: str | None  # Disqus's <id> of the post, which some exports' <parent> refers to
    thread_ref: str | None
    thread_alt: str | None
    parent_ref: str | None
    parent_alt: str | None
    line: int
    created: datetime | None
    name: str
    email: str | None
    identity: str | None
    html: str
    newlines: bool  # WordPress keeps line breaks as typed; Disqus sends HTML
    status: Literal["published", "pending"]
    skip: str | None = None  # the reason it is not imported (spam, deleted, ...)


def parse_time(raw: str | None, *, space: bool = False) -> datetime | None:
    """An export's time as UTC: ISO 8601 (Disqus; without an offset it is UTC, as Disqus writes
    it) or `YYYY-MM-DD HH:MM:SS` (WordPress's *_gmt); None if missing, zero or unreadable."""
    text = (raw or "").strip()
    if not text or text.startswith("0000-00-00"):
        return None
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1) if space else text)
    except ValueError:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    if moment.year < 1971:
        return None
    return moment


_NOT_ALPHABET = re.compile(r"[^A-Za-z0-9._~-]+")
# Latin letters that Unicode does not decompose into a base letter and an accent.
_LETTERS = str.maketrans(
    {"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ß": "ss", "đ": "d", "Đ": "D"}
    | {"ł": "l", "Ł": "L", "þ": "th", "Þ": "Th", "ð": "d", "Ð": "D", "ı": "i", "ħ": "h", "Ħ": "H"}
)


def reduce_to_article_id(text: str) -> str | None:
    """The article id alphabet (`A-Z a-z 0-9 . _ ~ -`, starting with a letter or digit, at most
    128): accents dropped (café -> cafe, Ørsted -> Orsted), anything else a hyphen, runs of
    hyphens one. None when nothing is left."""
    plain = unicodedata.normalize("NFKD", text.translate(_LETTERS))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    reduced = re.sub(r"-{2,}", "-", _NOT_ALPHABET.sub("-", plain))
    reduced = reduced.lstrip("._~-")[:128].rstrip("-")
    return reduced if reduced and is_article_id(reduced) else None


def article_from_url(url: str) -> str | None:
    """The last segment of the URL's path (query and fragment dropped), reduced to the article id
    alphabet; None for a URL without a path segment (`https://site/?p=12`)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if not parts.netloc and not parts.path.startswith("/"):
        return None
    segments = [s for s in parts.path.split("/") if s]
    return reduce_to_article_id(unquote(segments[-1])) if segments else None


def url_forms(url: str) -> list[str]:
    """The URL as written, then without its fragment and query, then without a trailing slash:
    the forms an article map row may give for it."""
    text = url.strip()
    forms = [text]
    try:
        parts = urlsplit(text)
    except ValueError:
        return forms
    bare = parts._replace(query="", fragment="").geturl()
    forms += [bare, bare.rstrip("/")]
    return list(dict.fromkeys(f for f in forms if f))


class ArticleMap:
    """The operator's `url,articleId` CSV: a URL found there takes that article id."""

    def __init__(self, rows: dict[str, str] | None = None) -> None:
        self.rows = rows or {}

    @classmethod
    def read(cls, path: str | None) -> ArticleMap:
        if not path:
            return cls()
        rows: dict[str, str] = {}
        try:
            with open(path, newline="", encoding="utf-8-sig") as f:
                for number, row in enumerate(csv.reader(f), start=1):
                    if not row or not "".join(row).strip():
                        continue
                    if len(row) != 2:
                        raise FileProblem(
                            path, number, f"expected 2 columns (url,articleId), found {len(row)}"
                        )
                    url, article = row[0].strip(), row[1].strip()
                    if number == 1 and (url.lower(), article.lower()) == ("url", "articleid"):
                        continue  # the header
                    if not is_article_id(article):
                        raise FileProblem(
                            path, number, f"{article!r} is not an article id (1-128 of A-Z a-z 0-9 . _ ~ -)"
                        )
                    for form in url_forms(url):
                        rows.setdefault(form, article)
        except UnicodeDecodeError:
            raise FileProblem(path, None, "not UTF-8 text") from None
        except OSError as exc:
            raise FileProblem(path, None, exc.strerror or str(exc)) from None
        return cls(rows)

    def article(self, url: str) -> tuple[str | None, bool]:
        """The article id for a thread's URL, and whether the map gave it."""
        for form in url_forms(url):
            if form in self.rows:
                return self.rows[form], True
        return article_from_url(url), False
