"""Disqus's XML export (Admin > Moderation > Export): <category>, <thread> and <post> elements
under <disqus>, each with a `dsq:id` attribute (namespace http://disqus.com/disqus-internals).

What is read, as Disqus's documentation and real exports give it:
- <thread dsq:id>: <id> (the site's own identifier, often empty), <link> (the page: the article
  id comes from it), <isClosed>, <isDeleted>;
- <post dsq:id>: <message> (HTML, usually in CDATA), <createdAt> (ISO 8601 UTC; without an offset
  it is UTC), <isDeleted>, <isSpam>, <isApproved> (newer exports; `false` is pending), <author>
  (<name>, <email> (often missing), <username>, <isAnonymous>), <thread dsq:id="..."/> and
  <parent dsq:id="..."/>. Disqus's own documented example refers to threads and parents by the
  text of their <id> instead: both are understood. <ipAddress> is never read;
- <category>: read past (a forum's sections; this service has articles, not categories).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from comments_cli.import_.source import FileProblem, Post, Thread, parse_time
from comments_cli.import_.xml_stream import attr, child, local, raw_text, records, text, was_cut

SOURCE = "disqus"


def _true(value: str) -> bool:
    return value.strip().lower() in ("true", "1", "yes")


def _thread(element: Any, line: int) -> Thread | None:
    key = attr(element, "id") or text(element, "id")
    if not key:
        return None
    return Thread(
        key=key,
        alt=text(element, "id") or None,
        url=text(element, "link"),
        closed=_true(text(element, "isClosed")),
        deleted=_true(text(element, "isDeleted")),
        line=line,
    )


def _post(element: Any, line: int) -> Post:
    author = child(element, "author")
    name = text(author, "name")
    username = text(author, "username")
    thread = child(element, "thread")
    parent = child(element, "parent")
    own_id = attr(element, "id")
    approved = text(element, "isApproved")
    post = Post(
        source_id=own_id or (f"id:{text(element, 'id')}" if text(element, "id") else None),
        alt=text(element, "id") or None,
        thread_ref=attr(thread, "id"),
        thread_alt=text(thread) or None,
        parent_ref=attr(parent, "id"),
        parent_alt=text(parent) or None,
        line=line,
        created=parse_time(text(element, "createdAt")),
        name=name or username,
        email=text(author, "email") or None,
        # A Disqus account is its username; a guest without an email is only their name.
        identity=f"user:{username}" if username else (f"guest:{name}" if name else None),
        html=raw_text(child(element, "message")),
        newlines=False,
        status="pending" if approved and not _true(approved) else "published",
    )
    if _true(text(element, "isSpam")):
        post.skip = "spam"
    elif _true(text(element, "isDeleted")):
        post.skip = "deleted"
    elif was_cut(post.html):
        post.skip = "too large"
    return post


def read(path: str | Path, progress: Callable[[int], Any] | None = None) -> Iterator[Thread | Post]:
    """The threads and posts of a Disqus export, in file order."""
    seen_root = False
    for target, record in records(path, lambda p: len(p) == 1, progress):
        if not seen_root:
            if local(target.root or "") != "disqus":
                raise FileProblem(
                    path, 1, f"not a Disqus export: its root element is <{local(target.root or '')}>"
                )
            seen_root = True
        kind = local(record.element.tag)
        if kind == "thread":
            thread = _thread(record.element, record.line)
            if thread is not None:  # one without any id: no post can refer to it
                yield thread
        elif kind == "post":
            yield _post(record.element, record.line)
    if not seen_root:
        raise FileProblem(path, None, "not a Disqus export: no <thread> or <post> in it")
