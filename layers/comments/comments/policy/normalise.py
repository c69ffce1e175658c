"""Matching normalisation: a skeleton of a comment for matching only, never for display.

The skeleton is ASCII, so every later step runs on C-speed ASCII strings:

- ASCII letters are lower-cased; tab, newline and the like become a space; other ASCII control
  characters are removed;
- each other character is replaced by its own skeleton (`char_skeleton`): nothing for a format,
  zero-width or bidi character or a combining mark; otherwise NFKC (full-width and mathematical
  letters become ASCII), NFD with the combining marks dropped ("é" -> "e"), the look-alike letters
  of other scripts mapped to the Latin letters they imitate (data/confusables.json, applied before
  case folding, as UTS #39 does), case folding ("ß" -> "ss"); whatever is still not ASCII (other
  scripts, emoji) becomes a space, a word boundary for Latin matching.

Leetspeak, masks, separators and stretched letters are not folded here: the word-list matcher
(`terms.py`) sees through them, so that the skeleton keeps one character per original character
wherever it can, and `MatchText.to_original` maps any skeleton span back to the original text.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import json
import re
import unicodedata
from bisect import bisect_right

_DROPPED_CATEGORIES = frozenset({"Mn", "Me", "Cf", "Cc"})
# Invisible letters that commenters use as spacers inside words (Hangul fillers and the like).
_INVISIBLE = frozenset("\u115f\u1160\u3164\uffa0\u180e\u200b\u2060\ufeff")
# Typographic punctuation, one ASCII character each; replaced before encoding, since it is so
# common in English text that handling it up front keeps most comments on the all-ASCII path.
_TYPOGRAPHIC = {
    "\u2019": "'",
    "\u2018": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": ".",
    "\u00a0": " ",
}


@functools.cache
def _confusables() -> dict[str, str]:
    from importlib import resources  # only when the data is first read

    raw = resources.files("comments.policy").joinpath("data/confusables.json").read_text(encoding="utf-8")
    mapping: dict[str, str] = json.loads(raw)["map"]
    return mapping


def _letter_range_skeleton(code: int) -> str | None:
    """Letters as pictures that NFKC leaves alone: regional indicators, negative circled/squared letters."""
    for first in (0x1F1E6, 0x1F150, 0x1F170):  # 🇦, 🅐, 🅰
        if first <= code < first + 26:
            return chr(ord("a") + code - first)
    return None


def char_skeleton(char: str) -> str:
    """The skeleton of one character (ASCII characters other than controls are their own skeleton)."""
    code = ord(char)
    if code < 0x80:
        if char in "\t\n\v\f\r":
            return " "
        return "" if code < 0x20 or code == 0x7F else char.lower()
    if char in _INVISIBLE:
        return ""
    if char in _TYPOGRAPHIC:
        return _TYPOGRAPHIC[char]
    category = unicodedata.category(char)
    if category in _DROPPED_CATEGORIES:
        return ""
    if category[0] == "Z":
        return " "
    pictured = _letter_range_skeleton(code)
    if pictured is not None:
        return pictured
    confusables = _confusables()
    out: list[str] = []
    for part in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", char)):
        if unicodedata.category(part) in _DROPPED_CATEGORIES:
            continue
        for folded in confusables.get(part, part).casefold():
            if folded.isascii():
                out.append(folded if folded.isprintable() else " ")
            elif unicodedata.category(folded) in _DROPPED_CATEGORIES:
                continue  # "İ".casefold() is "i" + a combining dot
            elif (digit := unicodedata.decimal(folded, None)) is not None:
                out.append(str(digit))
            else:
                out.append(" ")
    return "".join(out)


class _SkeletonTable(dict[int, str]):
    """str.translate table that computes (and keeps) each character's skeleton on first sight."""

    def __missing__(self, code: int) -> str:
        # ASCII passes through unchanged here; it is lower-cased with the whole text afterwards.
        value = chr(code) if code < 0x80 else char_skeleton(chr(code))
        self[code] = value
        return value


_TABLE = _SkeletonTable()
_CODEC_ERRORS = "comments.policy.skeleton"
_ASCII_STRETCH = re.compile(r"[\x00-\x7f]{24}")


def _skeleton_errors(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: the skeleton of the non-ASCII stretch starting at error.start.

    The stretch runs to the next 24 ASCII characters in a row, so that text in another script costs
    one call, not one call per word; ASCII inside it passes through unchanged.
    """
    if not isinstance(error, UnicodeEncodeError):
        raise error
    text = error.object
    following = _ASCII_STRETCH.search(text, error.end)
    end = following.start() if following else len(text)
    return text[error.start : end].translate(_TABLE), end


codecs.register_error(_CODEC_ERRORS, _skeleton_errors)

# Lower-case ASCII letters, whitespace to a space, drop other control characters.
_ASCII_LOWER = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ\t\n\v\f\r", b"abcdefghijklmnopqrstuvwxyz     ")
_ASCII_CONTROLS = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
# Characters whose skeleton may not be exactly one character: non-ASCII, ASCII controls.
_IRREGULAR = re.compile(r"[^\t-\r -~]+")


class MatchText:
    """A text and its skeleton, with the way back from skeleton offsets to original offsets."""

    __slots__ = ("_breaks", "_one_to_one", "_scripts", "aligned", "ascii", "original", "plain", "skeleton")

    def __init__(self, original: str) -> None:
        self.original = original
        work = original
        if not work.isascii():
            for typographic, plain in _TYPOGRAPHIC.items():
                if typographic in work:
                    work = work.replace(typographic, plain)
        #: the skeleton as bytes (what the rules' ASCII tables translate further)
        self.ascii: bytes = work.encode("ascii", _CODEC_ERRORS).translate(_ASCII_LOWER, _ASCII_CONTROLS)
        self.skeleton: str = self.ascii.decode("ascii")
        # All ASCII after the typographic replacements and no control character dropped:
        # skeleton offsets are original offsets.
        self._one_to_one = work.isascii() and len(self.skeleton) == len(original)
        #: the skeleton bytes, when they are one per original character (and so share its offsets)
        self.aligned: bytes | None = self.ascii if self._one_to_one else None
        #: the original with typographic punctuation made ASCII, one character for one, when
        #: that leaves it all ASCII (as most English comments are); else the original itself
        self.plain: str = work if work.isascii() else original
        self._breaks: tuple[list[int], list[int], list[int]] | None = None
        self._scripts: tuple[int, int] | None = None

    def letter_scripts(self) -> tuple[int, int]:
        """How many letters of the original are Latin (or look-alike forms of Latin), how many not."""
        if self._scripts is None:
            letters = [char for char in self.original if char.isalpha()]
            latin = sum(1 for char in letters if is_latin_like(char))
            self._scripts = (latin, len(letters) - latin)
        return self._scripts

    def _irregular_breaks(self) -> tuple[list[int], list[int], list[int]]:
        """Where the skeleton stops being one character per original character."""
        if self._breaks is None:
            at_skeleton: list[int] = []
            at_original: list[int] = []
            widths: list[int] = []
            if not self._one_to_one:
                shift = 0  # skeleton offset minus original offset so far
                for run in _IRREGULAR.finditer(self.original):
                    for index in range(run.start(), run.end()):
                        code = ord(self.original[index])
                        width = len(_TABLE[code]) if code >= 0x80 else 0
                        if width != 1:
                            at_skeleton.append(index + shift)
                            at_original.append(index)
                            widths.append(width)
                            shift += width - 1
            self._breaks = (at_skeleton, at_original, widths)
        return self._breaks

    def original_index(self, index: int) -> int:
        """The original offset of the character that produced skeleton offset `index`."""
        at_skeleton, at_original, widths = self._irregular_breaks()
        if not at_skeleton:
            return index
        which = bisect_right(at_skeleton, index) - 1
        if which < 0:
            return index
        start, origin, width = at_skeleton[which], at_original[which], widths[which]
        if index < start + width:
            return origin
        return origin + 1 + (index - start - width)

    def skeleton_index(self, index: int) -> int:
        """The skeleton offset where the original character at `index` begins (or would begin)."""
        at_skeleton, at_original, widths = self._irregular_breaks()
        which = bisect_right(at_original, index - 1) - 1  # the last break before `index`
        if which < 0:
            return index
        return at_skeleton[which] + widths[which] + (index - at_original[which] - 1)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a non-empty skeleton span [start, end) to the original text.

        The original span also takes in marks and invisible characters that follow its last
        character ("f̶u̶c̶k̶" is highlighted whole).
        """
        first = self.original_index(start)
        last = self.original_index(end - 1) + 1
        text = self.original
        while last < len(text) and ord(text[last]) >= 0x80 and _TABLE[ord(text[last])] == "":
            last += 1
        return first, last


def skeleton(text: str) -> str:
    """The matching skeleton of a text (see the module docstring)."""
    return MatchText(text).skeleton


def is_latin_like(char: str) -> bool:
    """A Latin letter, or a letter whose compatibility form is one (full-width, mathematical, accented)."""
    base = char if char.isascii() else unicodedata.normalize("NFKD", char)[:1]
    return base.isascii() and base.isalpha()


@functools.cache
def _confusables_table() -> dict[int, str]:
    return str.maketrans(_confusables())


def _fingerprint_word(word: str) -> str:
    if word.isascii():  # the look-alike map has no ASCII keys
        return word
    if any(ch.isascii() and ch.isalpha() for ch in word):  # map look-alikes only inside Latin words
        word = word.translate(_confusables_table())
    return word


class _FingerprintTable(dict[int, str]):
    """str.translate table for the fingerprint: a line break or tab is a space, marks, format and
    other control characters vanish; each character's category is looked up once per process."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char.isspace():
            value = " "
        elif unicodedata.category(char) in _DROPPED_CATEGORIES:
            value = ""
        else:
            value = char
        self[code] = value
        return value


_FINGERPRINT_TABLE = _FingerprintTable()
# ASCII text in one str.translate: letters lower-cased, digits kept, controls other than
# whitespace dropped (as the general path drops them), everything else a word boundary.
_ASCII_WORDS = str.maketrans(
    {
        code: (
            chr(code).lower()
            if chr(code).isalnum()
            else ""
            if (code < 0x20 and not chr(code).isspace()) or code == 0x7F
            else " "
        )
        for code in range(0x80)
    }
)
_WORD = re.compile(r"\w+")
_STRETCHED_LETTER = re.compile(r"([^\W\d_])\1+")


_COLLAPSED: dict[str, str] = {}  # word -> the word with stretched letters collapsed


def _collapse_stretched(words: list[str]) -> list[str]:
    """Each word with stretched letters collapsed ("greeeat" -> "great"). Words repeat, so each is
    collapsed once per container and then looked up (a C-speed `map` over a dict)."""
    collapsed = list(map(_COLLAPSED.get, words))
    if None in collapsed:
        if len(_COLLAPSED) > 65536:  # bounded: random words must not grow it without end
            _COLLAPSED.clear()
        for i, word in enumerate(collapsed):
            if word is None:
                collapsed[i] = _COLLAPSED[words[i]] = _STRETCHED_LETTER.sub(r"\1", words[i])
    return collapsed  # type: ignore[return-value]


def fingerprint_text(body: str) -> str:
    """The body as the duplicate rule compares it: words only, in any script, case and marks ignored,
    look-alike letters inside Latin words mapped, stretched letters collapsed.

    ASCII text (most comments) takes one `str.translate` and a split; other text is normalised
    (NFKC, then NFD so that marks can be dropped) and split into words by a regular expression."""
    if body.isascii():  # NFKC and NFD leave ASCII as it is; no ASCII letter has a look-alike entry
        words = body.translate(_ASCII_WORDS).split()
    else:
        decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", body))
        stripped = decomposed.translate(_FINGERPRINT_TABLE)
        latin = " ".join(_fingerprint_word(word) for word in _WORD.findall(stripped))
        words = latin.casefold().replace("_", " ").split()
    return " ".join(_collapse_stretched(words))


def fingerprint(body: str) -> str:
    return hashlib.sha256(fingerprint_text(body).encode("utf-8")).hexdigest()
