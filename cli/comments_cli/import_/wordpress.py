"""WordPress's WXR export (Tools > Export), versions 1.0, 1.1 and 1.2: an RSS 2.0 <channel> whose
<item>s (posts, pages) carry <wp:comment> elements (namespace http://wordpress.org/export/1.x/).

What is read, as WXR writes it:
- <channel>: <wp:wxr_version>, <wp:base_site_url> (else <link>): the site, which makes WordPress's
  per-site comment ids unique here;
- <item>: <link> (the permalink: the article id comes from it), <wp:post_id>,
  <wp:comment_status> (`closed`: a closed article), <wp:post_type>;
- <wp:comment>: <wp:comment_id>, <wp:comment_author>, <wp:comment_author_email>,
  <wp:comment_author_url>, <wp:comment_date_gmt> (UTC; when zero, <wp:comment_date>, the site's
  local time, is taken as UTC), <wp:comment_content> (as typed: line breaks are the writer's,
  some HTML allowed), <wp:comment_approved> (`1` published, `0` pending, `spam`, `trash`,
  `post-trashed`), <wp:comment_type> (empty or `comment`; `pingback`, `trackback` and other types
  are skipped), <wp:comment_parent> (0: none), <wp:comment_user_id> (0: a guest).
  <wp:comment_author_IP> is never read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from comments_cli.import_.source import FileProblem, Post, Thread, parse_time
from comments_cli.import_.xml_stream import child, line_of, local, raw_text, records, text, was_cut

SOURCE = "wordpress"
VERSIONS = ("1.0", "1.1", "1.2")
_NAMESPACE = re.compile(r"https?://wordpress\.org/export/(\d+\.\d+)/?")
_APPROVED = {"1": None, "approve": None, "0": None, "hold": None}
_SKIPPED = {"spam": "spam", "trash": "trashed", "post-trashed": "trashed"}
_LISTED_TYPES = {"post", "page", ""}


def site_of(url: str) -> str:
    """The site part of comment ids: host and path, lower case, without scheme or trailing
    slash (an export of http:// and one of https:// are the same site)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip().lower()
    return f"{parts.netloc}{parts.path}".lower().rstrip("/")


def _comment(element: Any, site: str, thread_key: str, line: int) -> Post:
    comment_id = text(element, "comment_id")
    parent = text(element, "comment_parent")
    user = text(element, "comment_user_id")
    name = text(element, "comment_author")
    url = text(element, "comment_author_url")
    created = parse_time(text(element, "comment_date_gmt"), space=True) or parse_time(
        text(element, "comment_date"), space=True
    )
    approved = text(element, "comment_approved").lower()
    kind = text(element, "comment_type").lower()
    post = Post(
        source_id=f"{site}#{comment_id}" if comment_id else None,
        alt=None,
        thread_ref=thread_key,
        thread_alt=None,
        parent_ref=f"{site}#{parent}" if parent not in ("", "0") else None,
        parent_alt=None,
        line=line,
        created=created,
        name=name,
        email=text(element, "comment_author_email") or None,
        identity=(
            f"user:{site}#{user}"
            if user not in ("", "0")
            else (f"guest:{name}|{url}" if name or url else None)
        ),
        html=raw_text(child(element, "comment_content")),
        newlines=True,
        status="pending" if approved in ("0", "hold") else "published",
    )
    if kind in ("pingback", "trackback"):
        post.skip = kind
    elif kind not in ("", "comment"):
        post.skip = "other comment type"
    elif approved in _SKIPPED:
        post.skip = _SKIPPED[approved]
    elif approved not in _APPROVED:
        post.skip = "unknown status"
    elif was_cut(post.html) or was_cut(name):
        post.skip = "too large"
    return post


def read(path: str | Path, progress: Callable[[int], Any] | None = None) -> Iterator[Thread | Post]:
    """The items (as threads) and their comments (as posts) of a WXR file, in file order."""
    site = ""
    checked = False
    for target, record in records(path, lambda p: p == ("rss", "channel"), progress):
        if not checked:
            versions = [m.group(1) for ns in target.namespaces if (m := _NAMESPACE.fullmatch(ns))]
            if local(target.root or "") != "rss" or not versions:
                raise FileProblem(path, 1, "not a WordPress export (WXR): no <rss> with the wp: namespace")
            if versions[0] not in VERSIONS:
                raise FileProblem(
                    path, 1, f"WXR {versions[0]} is not one this tool reads ({', '.join(VERSIONS)})"
                )
            checked = True
        element, name = record.element, local(record.element.tag)
        if name == "base_site_url" or (name == "link" and not site):
            site = site_of(text(element)) or site
            continue
        if name != "item":
            continue
        post_id = text(element, "post_id")
        link = text(element, "link")
        key = f"{site}#post:{post_id}" if post_id else f"link:{link}"
        post_type = text(element, "post_type").lower()
        yield Thread(
            key=key,
            alt=None,
            url=link,
            closed=text(element, "comment_status").lower() == "closed",
            deleted=text(element, "status").lower() == "trash",
            line=record.line,
            listed=post_type in _LISTED_TYPES,
        )
        for sub in element:
            if local(sub.tag) == "comment":
                yield _comment(sub, site, key, line_of(sub, record.line))
    if not checked:
        raise FileProblem(path, None, "not a WordPress export (WXR): no <channel> in it")
