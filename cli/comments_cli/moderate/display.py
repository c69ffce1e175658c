"""How `comments-moderate` shows a held comment on a terminal: every policy hit highlighted,
control characters made harmless, long text clipped."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comments.domain.models import StoredComment
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


def highlight(text: str, hits: list[dict[str, Any]], where: str, colour: bool) -> str:
    """The text with every span of every hit on this field marked: reverse video (red for a
    rejecting rule, yellow for a holding one) on a terminal, [[...]] otherwise. Overlapping
    and touching spans are marked as one; a hit without spans marks the whole text, unless
    its rule is about stored state rather than the text."""
    marks = [0] * len(text)
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
                marks[i] = max(marks[i], level)
    safe = printable(text)
    out: list[str] = []
    i = 0
    while i < len(safe):
        j = i
        while j < len(safe) and bool(marks[j]) == bool(marks[i]):
            j += 1
        chunk = safe[i:j]
        if not marks[i]:
            out.append(chunk)
        elif colour:
            style = _STYLE["reject" if max(marks[i:j]) == 2 else "hold"]
            # each line on its own, so a highlight never bleeds into the indentation
            out.append("\n".join(f"{style}{line}{_RESET}" if line else line for line in chunk.split("\n")))
        else:
            out.append(f"[[{chunk}]]")
        i = j
    return "".join(out)


def show(item: ClaimedItem, stored: StoredComment | None, depth: str, colour: bool, out: IO[str]) -> None:
    comment = item.comment
    hits = stored.hits if stored is not None else []
    rule_line = "─" * 72
    print(rule_line, file=out)
    print(f"Comment   {comment.id}   ({depth})", file=out)
    print(f"Article   {printable(comment.articleId)}", file=out)
    if comment.parentId:
        print(f"Reply to  {printable(comment.parentId)}", file=out)
    print(f"Author    {highlight(comment.name, hits, 'name', colour)}", file=out)
    print(f"Posted    {comment.createdAt}", file=out)
    print("", file=out)
    body = highlight(comment.body, hits, "body", colour)
    for line in body.split("\n"):
        print(f"    {line}" if line else "", file=out)
    print("", file=out)
    print("Why it is held:", file=out)
    verdicts = {h["rule"]: h.get("verdict", "hold") for h in hits}
    for reason in item.reasons:
        print(
            f"  {verdicts.get(reason.rule, 'hold'):<7} {reason.rule}: {printable(reason.message)}", file=out
        )
    if not item.reasons:
        print("  (no reasons recorded)", file=out)


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
