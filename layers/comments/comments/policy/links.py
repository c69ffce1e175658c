"""Links in a comment: URLs (http://, https://, www.) and bare domains (example.co.uk, tinyurl.com/x).

A bare domain counts only when its suffix is on the Public Suffix List, so that "end.Then" or
"Node.js" is not a link. The list is the snapshot that the `publicsuffixlist` package ships:
nothing is fetched, ever. It is loaded on the first text that has something dotted in it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from comments.policy.normalise import MatchText

if TYPE_CHECKING:
    from publicsuffixlist import PublicSuffixList

# Runs on the skeleton (ASCII, lower case). Possessive, so no input makes it backtrack.
_CANDIDATE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'`]++"
    r"|(?<![a-z0-9@._/-])[a-z0-9][a-z0-9-]*+(?:\.[a-z0-9-]++)++(?:/[^\s<>\"'`]*+)?"
)
_DOT = re.compile(r"\.[a-z0-9]")
_TRAILING_PUNCTUATION = ".,;:!?)]}'\"*"
_HOST_END = re.compile(r"[/?#:]")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


@dataclass(frozen=True, slots=True)
class Link:
    start: int  # skeleton offsets
    end: int
    host: str  # lower case, as written (may start with "www.")


@functools.cache
def _public_suffixes() -> PublicSuffixList:
    from publicsuffixlist import PublicSuffixList

    # The bundled snapshot only (no source given, nothing downloaded); unknown suffixes are not domains.
    return PublicSuffixList(accept_unknown=False, accept_encoded_idn=False, only_icann=True)


def find_links(text: MatchText) -> list[Link]:
    skeleton = text.skeleton
    # Every link has a dot followed by a letter or digit ("://" and "www." have one after them
    # too): look only at the words around those, which prose has few of.
    links = []
    done = 0
    for dot in _DOT.finditer(skeleton):
        if dot.start() < done:
            continue
        word_start = skeleton.rfind(" ", 0, dot.start()) + 1
        word_end = skeleton.find(" ", dot.start())
        done = len(skeleton) if word_end < 0 else word_end
        for candidate in _CANDIDATE.finditer(skeleton, word_start, done):
            link = _link(text, candidate)
            if link is not None:
                links.append(link)
    return links


def _link(text: MatchText, candidate: re.Match[str]) -> Link | None:
    skeleton = text.skeleton
    written = candidate.group().rstrip(_TRAILING_PUNCTUATION)
    start, end = candidate.start(), candidate.start() + len(written)
    if end < len(skeleton) and skeleton[end] == "@":
        return None  # the name part of an email address
    if written.startswith(("http://", "https://", "www.")):
        host = _HOST_END.split(written.split("://", 1)[-1], maxsplit=1)[0]
        return Link(start, end, host.strip("."))
    host = written.split("/", 1)[0]
    if _is_domain(host) and not _reads_as_sentence(text, start, start + len(host)):
        return Link(start, end, host)
    return None


@functools.lru_cache(maxsize=4096)
def _is_domain(host: str) -> bool:
    if len(host) > 253:
        return False
    labels = host.split(".")
    if len(labels) < 2 or not all(_LABEL.fullmatch(label) for label in labels):
        return False
    if not labels[-1][0].isalpha():
        return False
    return _public_suffixes().privatesuffix(host) is not None


def _reads_as_sentence(text: MatchText, start: int, end: int) -> bool:
    """ "the end.Then we..." is a missing space, not a domain: a label after a dot written like
    the first word of a sentence (a capital, then small letters)."""
    first, last = text.to_original(start, end)
    written = text.original[first:last]
    if written.islower():
        return False
    return any(label[:1].isupper() and label[1:2].islower() for label in written.split(".")[1:])


def blocked_domain(host: str, blocked: frozenset[str]) -> str | None:
    """The blocked domain that `host` is, or is a subdomain of."""
    labels = host.split(".")
    for index in range(len(labels) - 1):
        suffix = ".".join(labels[index:])
        if suffix in blocked:
            return suffix
    return None
