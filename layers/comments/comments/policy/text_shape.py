"""How a comment is written rather than what it says: capital letters and repetition.

Both are counted with whole-string operations (bytes.translate, big-integer XOR) rather than a
Python loop over the characters, so that a 2,000-character comment costs a few microseconds.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass

_UPPER = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = b"abcdefghijklmnopqrstuvwxyz"
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


_CASES = bytes(0x55 if 0x41 <= c <= 0x5A else 0x6C if 0x61 <= c <= 0x7A else 0x2E for c in range(256))


def _ascii_case_counts(data: bytes) -> tuple[int, int]:
    cases = data.translate(_CASES)  # "U" for a capital, "l" for a small letter
    return cases.count(b"U"), cases.count(b"l")


def is_shouting(text: str, *, min_letters: int, max_upper_ratio: float) -> bool:
    """At least `min_letters` letters with case, and more than `max_upper_ratio` of them capitals."""
    if text.isascii():
        upper, lower = _ascii_case_counts(text.encode("ascii"))
        return upper + lower >= min_letters and upper > max_upper_ratio * (upper + lower)
    ascii_part = text.encode("ascii", "ignore")
    upper, lower = _ascii_case_counts(ascii_part)
    unknown = len(text) - len(ascii_part)
    # Decide from the ASCII letters alone when the other characters cannot change the answer.
    if upper + lower + unknown < min_letters or upper + unknown <= max_upper_ratio * (
        upper + lower + unknown
    ):
        return False
    if upper + lower >= min_letters and upper > max_upper_ratio * (upper + lower + unknown):
        return True
    for run in _NON_ASCII.findall(text):
        upper += sum(1 for char in run if char.isupper())
        lower += sum(1 for char in run if char.islower())
    return upper + lower >= min_letters and upper > max_upper_ratio * (upper + lower)


@dataclass(frozen=True, slots=True)
class Repetition:
    kind: str  # "character" | "word"
    start: int  # offsets: into the original text for a character, into the word list for a word
    end: int


@functools.cache
def _run_of(run: int) -> re.Pattern[str]:
    return re.compile(rf"(\S)\1{{{run - 1},}}")


def repeated_character(text: str, run: int, encoded: bytes | None = None) -> Repetition | None:
    """A character other than whitespace written `run` or more times in a row.

    `encoded`: the text as bytes, one per character, if the caller has it already.
    """
    if len(text) < run:
        return None
    # One byte per character ("?" for any non-ASCII one). Equal neighbours XOR to zero, so
    # `run` equal characters leave run - 1 zero bytes; only then is the text searched exactly.
    data = int.from_bytes(encoded if encoded is not None else text.encode("ascii", "replace"), "little")
    same = data ^ (data >> 8)  # byte i: character i XOR character i + 1
    if bytes(run - 1) not in same.to_bytes(len(text), "little")[:-1]:
        return None
    found = _run_of(run).search(text)  # a candidate: check it exactly (and skip whitespace)
    return Repetition("character", found.start(), found.end()) if found else None


# A word followed by itself (the cheapest test: most comments have none); runs of one word; and
# a text whose 1st, 3rd and 5th words are the same.
_TWICE = re.compile(r" ([^ ]++) ++\1(?= )")
_SAME_WORDS = re.compile(r" ([^ ])([^ ]*+)(?: ++\1\2(?= ))+")
_ALTERNATING = re.compile(r" *+([^ ]++) ++[^ ]++ ++\1(?= )")


def repeated_word(view: str, *, run: int, flood_min_words: int, flood_share: float) -> Repetition | None:
    """One word `run` or more times in a row, or making up more than `flood_share` of the words.

    `view` is words separated by spaces, with a space at the start; the repetition's offsets are
    word numbers. Most comments have no word twice in a row and no word at every other place,
    which one scan of the text shows; only otherwise are the words split and counted.
    """
    alternating = _ALTERNATING.match(view)
    if alternating is None and not _TWICE.search(view):
        return None
    candidates = {alternating.group(1)} if alternating is not None else set()
    for same in _SAME_WORDS.finditer(view):
        repeats = len(same.group().split())
        if repeats >= run:
            first = len(view[: same.start()].split())
            return Repetition("word", first, first + repeats)
        candidates.add(same.group(1) + same.group(2))
    if view.count(" ") < flood_min_words:
        return None
    words = view.split()
    if len(words) < flood_min_words:
        return None
    if flood_share < 0.5:
        # Over half the places, a word fills two neighbouring ones or, with an odd count, every
        # other one from the first (the candidates above); under half, any word could: count all.
        candidates = {Counter(words).most_common(1)[0][0]}
    enough = flood_share * len(words)
    for word in candidates:
        if view.count(word) > enough and words.count(word) > enough:
            return Repetition("word", words.index(word), len(words))
    return None
