"""The words and sentences of a comment as the intent rules read them: everyday words, the
disguises a key may hide behind, sentences, and what a word or a pair of words costs as a key.
Used by `intent_index`."""

from __future__ import annotations

import functools
import itertools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable

from comments.policy.intent_language import variants


@functools.cache
def common_words() -> frozenset[str]:
    from importlib import resources  # only when a policy is first indexed

    raw = resources.files("comments.policy").joinpath("data/common_words.txt").read_text(encoding="utf-8")
    return frozenset(word for line in raw.splitlines() if not line.startswith("#") for word in line.split())


@functools.cache
def disguise_expressions() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Three one-character words in a row; a word with digits or symbols among its letters, or
    letters written one by one; and a run of one-character words (letters written one by one)."""
    return (
        re.compile(r" [^ ] {1,3}[^ ] {1,3}[^ ](?= )"),
        re.compile(r"[a-z]*(?:[^a-z ][a-z]|[a-z][^a-z ])[^ ]*|(?: [^ ]){3,}(?= )"),
        re.compile(r"(?<= )[^ ](?: {1,3}[^ ]){2,}(?= )"),
    )


def spelled_out(letters: str, words: frozenset[str], longest: int) -> list[tuple[int, int, str]] | None:
    """Letters written one by one, read as words: [(first letter, end, word)], the fewest words
    that make all of them ("killyourself" -> kill, yourself); None when they cannot."""
    best: list[list[tuple[int, int, str]] | None] = [[], *[None] * len(letters)]
    for end in range(1, len(letters) + 1):
        for start in range(max(0, end - longest), end):
            before = best[start]
            if before is not None and letters[start:end] in words:
                option = [*before, (start, end, letters[start:end])]
                current = best[end]
                if current is None or len(option) < len(current):
                    best[end] = option
    return best[-1] or None


class Sentence:
    """A sentence as tokens: `text` is the words, each followed by a space, `positions` where each
    starts in it. Where each is in the skeleton (`spans`) is worked out when a match needs it."""

    __slots__ = ("_locate", "_spans", "positions", "text", "words")

    def __init__(
        self, words: list[str], spans: list[tuple[int, int]] | Callable[[], list[tuple[int, int]]]
    ) -> None:
        self.words = words
        self.text = "".join(word + " " for word in words)
        self.positions = list(itertools.accumulate((len(word) + 1 for word in words[:-1]), initial=0))
        self._spans = spans if isinstance(spans, list) else None
        self._locate = spans if callable(spans) else None

    def tokens_at(self, start: int, end: int) -> tuple[int, int]:
        """The tokens [first, last) that the text offsets [start, end) cover."""
        return bisect_right(self.positions, start) - 1, bisect_left(self.positions, end)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The skeleton span of the tokens that the text offsets [start, end) cover."""
        first, last = self.tokens_at(start, end)
        if self._spans is None:
            assert self._locate is not None
            self._spans = self._locate()
        return self._spans[first][0], self._spans[last - 1][1]


# The function words of English, far commoner than any other word: a key with one in it leads
# to most sentences. Only speed depends on this list, never what fires.
_FUNCTION_WORDS = frozenset(
    [
        "a",
        "about",
        "all",
        "also",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "here",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "my",
        "no",
        "not",
        "of",
        "on",
        "or",
        "our",
        "out",
        "so",
        "some",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "to",
        "up",
        "us",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)


def key_cost(word: str, common: Callable[[str], bool]) -> int:
    """How often a key word is likely to be met: 100 for a function word, 10 for another common
    word, 1 otherwise."""
    return 100 if word in _FUNCTION_WORDS else 10 if common(word) else 1


def pair_cost(first: str, second: str, common: Callable[[str], bool]) -> float:
    """How often two words side by side are likely to be met: far less than either alone (as if
    they were independent: "know where" like a rare word, "in the" like a common one)."""
    return key_cost(first, common) * key_cost(second, common) / 500


def structure_keys(phrase: str, common: Callable[[str], bool]) -> list[str]:
    """The keys of a structured phrase that no class of it anchors: its plain part, or its two
    plain single words side by side, that is least often met ("beat|kick|knock" of "beat|kick|knock
    the crap out of {target}", "know where" of "i|we know where your {place}")."""
    parts = phrase.split()
    plain = [part for part in parts if part[0] not in "{~*!" and not part.endswith("?")]
    options: list[tuple[float, int, list[str]]] = []
    for part in plain:
        alternatives = part.split("|")
        cost = sum(min(key_cost(word, common) for word in variants(a)[0].split()) for a in alternatives)
        options.append((cost, -len(part), alternatives))
    for first, second in itertools.pairwise(parts):
        if first in plain and second in plain and "|" not in first + second:
            options.append((pair_cost(first, second, common), -len(first + second), [f"{first} {second}"]))
    return min(options, key=lambda option: option[:2])[2]


def beside_a_letter(kinds: bytes, mark: bytes) -> bool:
    """Whether a character of the kind `mark` is in the same word as a letter ("a"), in a text
    written as kinds of character (a space between words): each word with one is looked at once."""
    at = kinds.find(mark)
    while at >= 0:
        start = kinds.rfind(b" ", 0, at) + 1
        end = kinds.find(b" ", at)
        if end < 0:
            end = len(kinds)
        if b"a" in kinds[start:end]:
            return True
        at = kinds.find(mark, end)
    return False
