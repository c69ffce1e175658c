"""How `comments-moderate` shows a held comment on a terminal: every policy hit highlighted,
control characters made harmless, text wrapped at word boundaries to the terminal's width, and
the context to decide (the article, the comment it answers, earlier texts, the author's history)."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comments.domain.moderation import ClaimedItem

_STYLE = {"reject": "\x1b[1;7;31m", "hold": "\x1b[1;7;33m"}
_RESET = "\x1b[0m"
_SEVERITY = {"hold": 1, "reject": 2}


def printable(text: str) -> str:
    """Control characters (an escape sequence could rewrite the moderator's screen) shown as
    U+FFFD, one for one so that the policy's offsets still line up; tab and newline kept."""
    return "".join(
        "\ufffd"
        if ch not in "\t\n" and unicodedata.category(ch) in ("Cc", "Cf", "Cs") and ch != "\u200d"
        else ch
        for ch in text
    )


def _rules_on_stored_state() -> frozenset[str]:
    """Rules that fire on stored state, not on the text (duplicate, banned_author, reported,
    premoderation): listed among the reasons, nothing in the text to mark."""
    from comments.policy.engine import STATEFUL_RULES

    return frozenset(STATEFUL_RULES)


def marks(text: str, hits: list[dict[str, Any]], where: str) -> list[int]:
    """Per character of `text`: 0, or the severity of the strongest hit on it (1 hold, 2 reject)
    among the hits on this field. A hit without spans marks the whole text, unless its rule is
    about stored state rather than the text."""
    marked = [0] * len(text)
    for hit in hits:
        if hit.get("field", "body") != where:
            continue
        level = _SEVERITY.get(str(hit.get("verdict")), 1)
        spans = hit.get("spans") or []
        if not spans and hit.get("rule") not in _rules_on_stored_state():
            spans = [[0, len(text)]]  # a rule about the whole text (shouting, length)
        for span in spans:
            try:
                start, end = max(0, int(span[0])), min(len(text), int(span[1]))
            except (TypeError, ValueError, IndexError):
                continue
            for i in range(start, end):
                marked[i] = max(marked[i], level)
    return marked


def render(safe: str, marked: list[int], colour: bool) -> str:
    """Text already made printable, its marked runs in reverse video (red for a rejecting rule,
    yellow for a holding one) on a terminal, or in [[...]] otherwise. Overlapping and touching
    spans are marked as one."""
    out: list[str] = []
    i = 0
    while i < len(safe):
        j = i
        while j < len(safe) and bool(marked[j]) == bool(marked[i]):
            j += 1
        chunk = safe[i:j]
        if not marked[i]:
            out.append(chunk)
        elif colour:
            style = _STYLE["reject" if max(marked[i:j]) == 2 else "hold"]
            # each line on its own, so a highlight never bleeds into the indentation
            out.append("\n".join(f"{style}{line}{_RESET}" if line else line for line in chunk.split("\n")))
        else:
            out.append(f"[[{chunk}]]")
        i = j
    return "".join(out)


def highlight(text: str, hits: list[dict[str, Any]], where: str, colour: bool) -> str:
    """The text, printable, with every span of every hit on this field marked."""
    return render(printable(text), marks(text, hits, where), colour)


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """The lines of `text` wrapped at word boundaries to `width` columns, as (start, end) offsets
    into it, so that highlights still line up (textwrap rewrites whitespace and says nothing of
    where its lines came from). Newlines are kept; a word longer than a line is cut."""
    import re

    width = max(1, width)
    lines: list[tuple[int, int]] = []
    base = 0
    for para in text.split("\n"):
        first: int | None = None
        last = base
        for word in re.finditer(r"\S+", para):
            start, end = base + word.start(), base + word.end()
            while end - start > width:  # a word longer than a line: cut it
                if first is not None:
                    lines.append((first, last))
                    first = None
                lines.append((start, start + width))
                start += width
            if first is None:
                first, last = start, end
            elif end - first <= width:
                last = end
            else:
                lines.append((first, last))
                first, last = start, end
        lines.append((first, last) if first is not None else (base, base))
        base += len(para) + 1
    return lines


def terminal_width() -> int:
    """Columns to wrap to: the terminal's (COLUMNS, else 80 when not a terminal), at least 40."""
    import shutil

    return max(40, shutil.get_terminal_size((80, 24)).columns)


def wrapped(text: str, width: int, indent: str, first: str | None = None) -> str:
    """Plain text (reasons, notes, labels) wrapped at word boundaries with textwrap."""
    import textwrap

    return textwrap.fill(
        " ".join(printable(text).split()),
        width=width,
        initial_indent=indent if first is None else first,
        subsequent_indent=indent,
        break_on_hyphens=False,
    )


def show(
    item: ClaimedItem,
    context: dict[str, Any] | None,
    depth: str,
    colour: bool,
    out: IO[str],
    width: int | None = None,
) -> None:
    """One held comment on the terminal: what it is, where, by whom, its text with every hit
    marked, why it is held, and the context to decide it (moderation_context.detail)."""
    width = width or terminal_width()
    comment = item.comment
    hits: list[dict[str, Any]] = (context or {}).get("hits") or []
    print("─" * min(width, 100), file=out)
    print(f"Comment   {comment.id}   ({depth})", file=out)
    article = (context or {}).get("article") or {}
    label = printable(comment.articleId) + (f" — {article['title']}" if article.get("title") else "")
    print(wrapped(label, width, " " * 10, "Article   "), file=out)
    if article.get("url"):
        print(f"          {printable(article['url'])}", file=out)
    print(f"Author    {highlight(comment.name, hits, 'name', colour)}", file=out)
    author = (context or {}).get("author")
    if author:
        print(wrapped(author_summary(author), width, " " * 10), file=out)
    print(f"Posted    {comment.createdAt}", file=out)
    if comment.parentId:
        parent = (context or {}).get("parent")
        if parent:
            answered = f"{parent['name']} ({parent['status']}): {parent['body']}"
            print(wrapped(_clip_words(answered, 300), width, " " * 10, "Reply to  "), file=out)
        else:
            print(f"Reply to  {printable(comment.parentId)} (not found)", file=out)
    print("", file=out)
    safe, marked = printable(comment.body), marks(comment.body, hits, "body")
    # indented by 4; without colour, leave room for a [[...]] on the line
    for start, end in wrap_offsets(safe, width - (4 if colour else 8)):
        line = render(safe[start:end], marked[start:end], colour)
        print(f"    {line}" if line else "", file=out)
    print("", file=out)
    for edit in (context or {}).get("edits") or []:
        print(wrapped(f"Before the edit of {edit.get('at')}:", width, ""), file=out)
        print(wrapped(_clip_words(str(edit["previousBody"]), 600), width, "    "), file=out)
        print("", file=out)
    print("Why it is held:", file=out)
    verdicts = {h["rule"]: h.get("verdict", "hold") for h in hits}
    for reason in item.reasons:
        first = f"  {verdicts.get(reason.rule, 'hold'):<7} "
        print(wrapped(f"{reason.rule}: {reason.message}", width, " " * len(first), first), file=out)
    if not item.reasons:
        print("  (no reasons recorded)", file=out)
    if author and author.get("recent"):
        print("Author's latest comments:", file=out)
        for earlier in author["recent"][:5]:
            print(wrapped(_earlier(earlier), width, " " * 4, "  "), file=out)


def author_summary(author: dict[str, Any]) -> str:
    counts = author.get("counts") or {}
    if not counts.get("comments"):
        return "first comment from this author"
    return (
        f"{counts['comments']} earlier comment(s): {counts['published']} published "
        f"({counts['approved']} approved by a moderator), {counts['rejected']} rejected, "
        f"{counts['reported']} reported, {counts['pending']} pending"
    )


def _earlier(entry: dict[str, Any]) -> str:
    decided = [d for d in entry.get("decisions") or [] if d.get("event") == "decided"]
    who = ""
    if decided:
        last = decided[-1]
        note = f": {last['note']}" if last.get("note") else ""
        who = f" ({last.get('decision')} by {last.get('moderator')}{note})"
    text = _clip_words(entry["body"], 120)
    return f"{entry['createdAt'][:10]}  {entry['status']:<9} {entry['articleId']}{who}: {text}"


def _clip_words(text: str, limit: int) -> str:
    flat = " ".join(printable(text).split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut + "…"


def use_colour(choice: str, out: IO[str]) -> bool:
    if choice != "auto":
        return choice == "always"
    try:
        return out.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


def clip(text: str, width: int) -> str:
    flat = " ".join(printable(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def table(rows: Sequence[tuple[str, ...]], out: IO[str]) -> None:
    """Rows as columns, the last one left unpadded (it is the text)."""
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join(v.ljust(w) for v, w in zip(row[:-1], widths, strict=True)) + "  " + row[-1], file=out)
