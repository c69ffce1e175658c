"""Word lists matched through disguises, at word boundaries only.

A matcher compiles its terms into one regular expression, a trie over "units" (a letter and how
many times it is written), run on the *view* of a text: its skeleton (normalise.py) with every
character that is not a letter, a digit, a leetspeak or a mask character turned into a space,
and a space added at both ends. Each unit accepts:

- its letter or the leetspeak characters that stand for it ("s" also matches "5" and "$");
- the letter stretched ("fuuuuck"), up to a bound, so that no input can make matching slow;
- except for a term's first letter, mask characters in its place ("f*ck", "a**hole").

A term must start after a space of the view and end before a character that is not a letter or
digit, which is what keeps "Scunthorpe", "assassin" and "therapist" clean. A term listed with a
trailing "+" also matches the policy's inflections ("fuck+" matches "fucking", "fucker"...).

Letters written one by one ("f.u.c.k", "f u c k", "f-u-c-k") are found as runs of single-letter
pieces, joined, and matched again without boundaries, as long as a term starts and ends where a
piece does. The allowlist keeps phrases like "cum laude" clean.

A match made only of letters from another script (the Cyrillic "сок" is not Latin "cok") counts
only when the whole word is made of look-alikes and the comment around it is mostly Latin:
look-alike letters are a disguise in English text, not in Russian.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from comments.policy import compiled_patterns
from comments.policy.normalise import MatchText, is_latin_like, skeleton

_STRETCH = 48  # how far past its written count a letter may be stretched where backtracking could
# go through the stretch (elsewhere a stretch has no end: it can never backtrack)
_SEPARATOR = ("", 0)  # the unit between the words of a phrase
_LONGEST = 64  # no term, stretched, is looked for in more letters spelled out one by one


@dataclass(frozen=True, slots=True)
class Term:
    """One listed word or phrase, in skeleton form, and the rule whose list it is on."""

    word: str
    rule: str
    inflected: bool
    #: the term as a message may show it: first letters only ("f***", "k*** y*******")
    masked: str = ""

    def __post_init__(self) -> None:
        if not self.masked:
            masked = " ".join(part[:1] + "*" * (len(part) - 1) for part in self.word.split())
            object.__setattr__(self, "masked", masked)


@dataclass(frozen=True, slots=True)
class TermMatch:
    term: Term
    start: int  # offsets into the text's skeleton
    end: int


class _Node:
    __slots__ = ("children", "terminal")

    def __init__(self) -> None:
        self.children: dict[tuple[str, int], _Node] = {}
        self.terminal: int | None = None


def _units(word: str) -> list[tuple[str, int]]:
    units: list[tuple[str, int]] = []
    for index, part in enumerate(word.split()):
        if index:
            units.append(_SEPARATOR)
        units.extend((char, len(list(run))) for char, run in itertools.groupby(part))
    return units


class TermMatcher:
    """Finds the terms of one or more word lists in a text."""

    def __init__(
        self,
        terms: Iterable[tuple[str, str]],
        *,
        leet: Mapping[str, str],
        masks: str,
        inflections: Sequence[str],
        allowlist: Sequence[str] = (),
        digits_end_words: bool = True,
    ) -> None:
        """`terms`: (listed term, rule) pairs; the first list to name a word keeps it.

        `digits_end_words=False` lets a term end right before digits ("admin123").
        Nothing is compiled here: each expression is compiled the first time it is needed.
        """
        self._leet = {letter: "".join(dict.fromkeys(chars)) for letter, chars in leet.items()}
        self._masks = "".join(dict.fromkeys(masks))
        symbols = "".join(dict.fromkeys(self._masks + "".join(self._leet.values())))
        kept = set(b"abcdefghijklmnopqrstuvwxyz0123456789" + symbols.encode("ascii"))
        self._view_table = bytes(code if code in kept else 0x20 for code in range(256))
        self._word_chars = "a-z0-9" + "".join(re.escape(ch) for ch in symbols if not ch.isalnum())
        self._digits_end_words = digits_end_words
        self._terms: list[Term] = []
        self._root = _Node()
        seen: set[str] = set()
        for listed, rule in terms:
            inflected = listed.endswith("+")
            word = self.canonical(listed.removesuffix("+"))
            if not word or word in seen:
                continue
            seen.add(word)
            node = self._root
            for unit in _units(word):
                node = node.children.setdefault(unit, _Node())
            node.terminal = len(self._terms)
            self._terms.append(Term(word=word, rule=rule, inflected=inflected))
        self._suffixes = _Node()
        # Sorted: the expression must be the same text in every process (compiled_patterns).
        for suffix in sorted({self.canonical(s) for s in inflections} - {""}):
            node = self._suffixes
            for unit in _units(suffix):
                node = node.children.setdefault(unit, _Node())
            node.terminal = 0
        self._allowlist = [phrase for phrase in dict.fromkeys(self.canonical(p) for p in allowlist) if phrase]
        self._allowlist_words = max((len(phrase.split()) for phrase in self._allowlist), default=0)
        self._allowlisted_words = {word for phrase in self._allowlist for word in phrase.split()}
        pieces = f"[{self._word_chars}]"
        # Two one-character words in a row ("not a space" is the cheapest test there is).
        self._spaced_hint = compiled_patterns.compile(r" [^ ] {1,3}[^ ](?= )")
        # A word starting with a symbol or digit that is not just a number: " @ss", " 1diot", not
        # " 1984" (after a space, a literal: the engine leaps from one space to the next).
        leet_chars = "".join(dict.fromkeys("".join(self._leet.values())))
        self._symbol_start = compiled_patterns.compile(
            f" {self._charset(leet_chars)}(?![0-9]*+ )" if leet_chars else "(?!)"
        )
        self._spaced_run = compiled_patterns.compile(
            f" (?:{pieces}++ {{1,3}})?{pieces}(?: {{1,3}}{pieces})+(?: {{1,3}}{pieces}++)?(?= )"
        )
        self._patterns: dict[tuple[bool, bool, bool], re.Pattern[str] | None] = {}

    def canonical(self, listed: str) -> str:
        """A listed term or phrase in view form: skeleton, separators as single spaces."""
        return " ".join(skeleton(listed).encode("ascii").translate(self._view_table).decode("ascii").split())

    # --- building the expression ------------------------------------------------------------

    def _letters(self, char: str) -> str:
        return " " if not char else "".join(dict.fromkeys(char + self._leet.get(char, "")))

    @staticmethod
    def _charset(chars: str) -> str:
        if len(chars) == 1:
            return re.escape(chars)
        return "[" + "".join("\\" + ch if ch in "\\[]^-" else ch for ch in chars) + "]"

    def _unit(
        self,
        unit: tuple[str, int],
        *,
        first: bool,
        masked: bool,
        following: set[str],
        short: bool = False,
        capped: bool = False,
    ) -> str:
        """One letter of a term. `capped`: stretches have a bound even where they cannot backtrack,
        for the expressions tried at every letter of a run (so a run costs its length, not its square)."""
        char, count = unit
        if unit == _SEPARATOR:
            return " ++"
        letters = self._letters(char)
        charset = self._charset(letters)
        more = f"{{0,{_STRETCH}}}" if capped else "*"
        if short and not following.intersection(letters):  # for suffixes, tried rarely: just compact
            return charset * count + charset + more + "+"
        # The letter as written (its first character on its own, so that a branch that cannot
        # match is skipped on one test), then stretched: possessive, so that a failed attempt never
        # backtracks through a stretch, except where the next letter could take the same characters
        # ("i" then "l": "1"), and there only within a bound.
        stretch = charset * count
        stretch += f"{charset}{{0,{_STRETCH}}}" if following.intersection(letters) else f"{charset}{more}+"
        if first or not masked:
            return stretch
        return f"(?:{stretch}|{self._charset(self._masks)}{{1,{count}}})"

    def _following(self, node: _Node, follow: Callable[[int], set[str]], masked: bool) -> set[str]:
        """The characters that may come right after the unit leading to `node`."""
        chars = set(follow(node.terminal)) if node.terminal is not None else set()
        if masked:  # a mask may stand for the next letter
            chars.update(self._masks)
        for char, _ in node.children:
            chars.update(self._letters(char))
        return chars

    def _alternatives(
        self,
        node: _Node,
        *,
        masked: bool,
        terminal: Callable[[int], str],
        follow: Callable[[int], set[str]],
        first: bool = False,
        short: bool = False,
        capped: bool = False,
    ) -> str:
        options = []
        for unit, child in node.children.items():
            following = self._following(child, follow, masked)
            options.append(
                self._unit(unit, first=first, masked=masked, following=following, short=short)
                + self._alternatives(
                    child,
                    first=unit == _SEPARATOR,
                    masked=masked,
                    terminal=terminal,
                    follow=follow,
                    short=short,
                )
            )
        if node.terminal is not None:
            options.append(terminal(node.terminal))
        if len(options) == 1:
            return options[0]
        return "(?:" + "|".join(options) + ")"

    def _pattern(self, *, bounded: bool, masked: bool, symbol_first: bool = False) -> re.Pattern[str] | None:
        """One of the matcher's expressions, compiled on first use.

        `bounded`: whole words only (else anywhere, for letters spelled out one by one);
        `masked`: mask characters may stand for letters; `symbol_first`: only words that start
        with a leetspeak symbol or digit ("@ss"), which the usual expression leaves out so that
        it can pick the branch for a word by its first letter alone, the fastest test there is.
        """
        key = (bounded, masked, symbol_first)
        if key not in self._patterns:
            self._patterns[key] = self._compile(bounded=bounded, masked=masked, symbol_first=symbol_first)
        return self._patterns[key]

    def _compile(self, *, bounded: bool, masked: bool, symbol_first: bool) -> re.Pattern[str] | None:
        end = ("(?![a-z0-9])" if self._digits_end_words else "(?![a-z])") if bounded else ""
        suffix_starts = {letter for char, _ in self._suffixes.children for letter in self._letters(char)}
        suffixes = ""
        if self._suffixes.children:
            suffix_trie = self._alternatives(
                self._suffixes,
                masked=masked,
                terminal=lambda _: "",
                follow=lambda _: set(),
                short=True,
                capped=not bounded,
            )
            suffixes = f"(?:{suffix_trie})?"

        def follow(term: int) -> set[str]:
            return suffix_starts if self._terms[term].inflected else set()

        def terminal(term: int) -> str:
            return _group(term) + (suffixes if self._terms[term].inflected else "") + end

        options = []
        for (char, count), child in self._root.children.items():
            # The term's first letter: plain (a literal), or as a symbol (one character set) when
            # `symbol_first`; a stretch of it may mix both ("aa@").
            symbols = self._letters(char)[1:]
            if symbol_first and not symbols:
                continue
            head = self._charset(symbols) if symbol_first else re.escape(char)
            following = self._following(child, follow, masked)
            rest = self._unit(
                (char, count - 1), first=True, masked=masked, following=following, capped=not bounded
            )
            options.append(
                head
                + rest
                + self._alternatives(
                    child, masked=masked, terminal=terminal, follow=follow, capped=not bounded
                )
            )
        if not options:
            return None
        # Every option starts with a literal: the engine then skips the options that cannot match
        # far faster than if any one started otherwise (three times faster, measured).
        return compiled_patterns.compile((" " if bounded else "") + "(?:" + "|".join(options) + ")")

    @functools.cached_property
    def _allowed(self) -> re.Pattern[str] | None:
        if not self._allowlist:
            return None
        phrases = sorted(self._allowlist, key=len, reverse=True)
        return compiled_patterns.compile(
            " (?:" + "|".join(" +".join(map(re.escape, p.split())) for p in phrases) + ")(?= )"
        )

    def expressions(self) -> list[str]:
        """Every expression this matcher can use, each compiled now (for the layer's build:
        `compiled_patterns`)."""
        found = [self._spaced_hint, self._symbol_start, self._spaced_run, self._allowed]
        for bounded, masked, symbol_first in itertools.product((True, False), repeat=3):
            if masked and not self._masks:
                continue  # no mask characters: never asked for
            found.append(self._pattern(bounded=bounded, masked=masked, symbol_first=symbol_first))
        return [p.pattern for p in found if p is not None]

    # --- matching ---------------------------------------------------------------------------

    def view(self, text: MatchText) -> str:
        """The text as this matcher sees it: skeleton offset i is view offset i + 1."""
        return " " + text.ascii.translate(self._view_table).decode("ascii") + " "

    def _has_masks(self, view: str) -> bool:
        return any(mask in view for mask in self._masks)

    def find(self, text: MatchText, view: str | None = None) -> list[TermMatch]:
        """Every listed term in the text, left to right, each with its skeleton span."""
        if view is None:
            view = self.view(text)
        found: list[TermMatch] = []
        pattern = self._pattern(bounded=True, masked=False)
        for match in pattern.finditer(view) if pattern is not None else ():
            if self._plausible(view, match.start() + 1, match.end()):
                found.append(self._match(match, match.start(), match.end() - 1))
        # Words that start with a symbol ("@ss") or hide letters behind masks ("f*ck") are rare:
        # the slower expressions that read them are tried on those words alone.
        special: dict[int, bool] = {}  # the space before such a word -> whether it has a mask
        for word in self._symbol_start.finditer(view):
            special[word.start()] = False
        for mask in self._masks:
            at = view.find(mask)
            while at >= 0:
                special[view.rfind(" ", 0, at)] = True
                at = view.find(mask, at + 1)
        if special:
            matched = {m.start for m in found}
            for space, masked in special.items():
                if space in matched:
                    continue
                symbol_first = not view[space + 1].isalpha()
                by_word = self._pattern(bounded=True, masked=masked, symbol_first=symbol_first)
                attempt = by_word.match(view, space) if by_word is not None else None
                if attempt is not None and self._plausible(view, space + 1, attempt.end()):
                    found.append(self._match(attempt, space, attempt.end() - 1))
            found.sort(key=lambda m: m.start)
        if self._spaced_hint.search(view):
            found = self._merge(found, self._find_spaced(view))
        if found:
            found = self._drop_allowed(view, found)
            if not text.plain.isascii():
                found = [m for m in found if _counts_as_latin(text, m.start, m.end)]
        return found

    def find_joined_words(self, text: MatchText, view: str, starts: Iterable[int]) -> list[TermMatch]:
        """Terms that start at the given view offsets inside a word and end at a word's end or at
        another of those offsets: for display names written in camel case ("SiteAdmin")."""
        stops = set(starts)
        if not stops:
            return []
        masked = self._has_masks(view)
        found = []
        for start in sorted(stops):
            pattern = self._pattern(bounded=False, masked=masked, symbol_first=not view[start].isalpha())
            match = pattern.match(view, start) if pattern is not None else None
            if match is None:
                continue
            end = match.end()
            following = view[end] if end < len(view) else " "
            if (end in stops or self._ends_word(following)) and self._plausible(view, start, end):
                found.append(self._match(match, start - 1, end - 1))
        if found and not text.plain.isascii():
            found = [m for m in found if _counts_as_latin(text, m.start, m.end)]
        return found

    def _ends_word(self, char: str) -> bool:
        return not (char.isalnum() if self._digits_end_words else char.isalpha())

    def _match(self, match: re.Match[str], start: int, end: int) -> TermMatch:
        group = match.lastgroup
        assert group is not None
        return TermMatch(self._terms[int(group[1:])], start, end)

    def _plausible(self, view: str, start: int, end: int) -> bool:
        """Not a bare number ("455" is not "ass") and not mostly masks ("a**" is not "ass")."""
        written = view[start:end].replace(" ", "")
        if written.isdigit():
            return False
        masked = sum(written.count(mask) for mask in self._masks)
        return len(written) - masked >= 2

    def _find_spaced(self, view: str) -> list[TermMatch]:
        """Terms spelled out letter by letter: "f u c k", "f.u.c.k", "f-u-c-king"."""
        found = []
        for run in self._spaced_run.finditer(view):
            offsets: list[int] = []  # view offset of each joined character
            starts: list[int] = []
            ends: set[int] = set()
            for piece in re.finditer(r"\S+", run.group()):
                starts.append(len(offsets))
                offsets.extend(range(run.start() + piece.start(), run.start() + piece.end()))
                ends.add(len(offsets))
            joined = "".join(view[i] for i in offsets)
            masked = self._has_masks(joined)
            piece_ends = sorted(ends)
            taken = 0  # where the last term found ends: terms do not overlap
            for piece_index, start in enumerate(starts[:-1]):
                if start < taken:
                    continue
                symbol_first = not joined[start].isalpha()
                pattern = self._pattern(bounded=False, masked=masked, symbol_first=symbol_first)
                longest = pattern.match(joined, start) if pattern is not None else None
                if pattern is None or longest is None:
                    continue  # no term starts here (the usual case): one attempt, done
                # The longest term that ends where a piece ends, across two pieces at least.
                low = bisect_right(piece_ends, starts[piece_index + 1])
                high = bisect_right(piece_ends, min(longest.end(), start + _LONGEST))
                for end in reversed(piece_ends[low:high]):
                    match = pattern.fullmatch(joined, start, end)
                    if match is not None and self._plausible(joined, start, end):
                        first, last = offsets[start], offsets[end - 1] + 1
                        found.append(self._match(match, first - 1, last - 1))
                        taken = end
                        break
        return found

    @staticmethod
    def _merge(found: list[TermMatch], more: list[TermMatch]) -> list[TermMatch]:
        """`found` (sorted, not overlapping) and whatever of `more` overlaps none of it."""
        starts = [m.start for m in found]
        merged = list(found)
        for candidate in more:
            after = bisect_right(starts, candidate.start)  # found[after - 1] starts at or before it
            overlaps = (after > 0 and found[after - 1].end > candidate.start) or (
                after < len(found) and found[after].start < candidate.end
            )
            if not overlaps:
                merged.append(candidate)
        return sorted(merged, key=lambda m: (m.start, m.end))

    def _drop_allowed(self, view: str, found: list[TermMatch]) -> list[TermMatch]:
        """Drop matches inside an allowlisted phrase, tried from the few words before each match."""
        pattern = self._allowed
        if pattern is None:
            return found
        kept = []
        for match in found:
            written = view[match.start + 1 : match.end + 1].split()
            if not self._allowlisted_words.issuperset(written):
                kept.append(match)  # a word in no allowlisted phrase: nothing to look up
                continue
            space = match.start  # the view offset of the space before the match
            for _ in range(self._allowlist_words):
                phrase = pattern.match(view, space)
                if phrase is not None and phrase.end() >= match.end + 1:
                    break
                while space > 0 and view[space - 1] == " ":
                    space -= 1
                space = view.rfind(" ", 0, space)
                if space < 0:
                    kept.append(match)
                    break
            else:
                kept.append(match)
        return kept


def _group(term: int) -> str:
    """An empty named group marking which term matched (read back with Match.lastgroup)."""
    return f"(?P<t{term}>)"


def _word_around(text: str, start: int, end: int) -> tuple[int, int]:
    def inside(char: str) -> bool:
        return char.isalnum() or unicodedata.category(char)[0] == "M" or unicodedata.category(char) == "Cf"

    while start > 0 and inside(text[start - 1]):
        start -= 1
    while end < len(text) and inside(text[end]):
        end += 1
    return start, end


def _counts_as_latin(text: MatchText, start: int, end: int) -> bool:
    """Whether a match in a text that is not all ASCII is in Latin letters, or disguised as such."""
    original = text.original
    first, last = text.to_original(start, end)
    word_start, word_end = _word_around(original, first, last)
    word = original[word_start:word_end]
    if any(char.isascii() or is_latin_like(char) for char in original[first:last]) or any(
        char.isascii() and char.isalpha() for char in word
    ):
        return True
    # Only letters of another script: a disguise if they make the whole word, in Latin-script text.
    if (first, last) != (word_start, word_end):
        return False
    latin, other = text.letter_scripts()
    return latin > other - sum(1 for char in word if char.isalpha())
