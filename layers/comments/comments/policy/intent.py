"""The intent rules (threat, self_harm, hate, spam): intent read from structure, not words.

A word list cannot tell "the strike killed dozens" from "someone should kill the author"; a
structure can: who is aimed at (a target), how (a modality: will, should, deserve, hope, let's...)
and what (a harm), together in one clause, and not negated, reported, quoted or hypothetical. The
structures are patterns over word classes, all data (intent_language.py says how they are
written). This module reads a comment with them:

1. find the keys of the rules' phrases in the comment (intent_index.py), and the sentences
   their anchors lead to (a sentence ends after . ! or ? and a space, never inside quotes);
2. in each, tokenise (the view's words; shorthand as the word it stands for, "u" -> "you";
   digits and symbols read as letters; a word disguised as a key as that key; a link as one
   token; a capitalised word no class knows marked as a name) and try the patterns whose
   classes are all there;
3. a match counts unless the rule's `unless_sentence_has` matches elsewhere in its sentence
   ("..., the minister said", "what if"), `unless_before` earlier in its clause ("I don't think
   ..."), or `unless_after` right after it ("shoot you an email"); a match inside quotation
   marks does not count when its sentence or the one before or after says who is quoted.

Spans map back to the original text (MatchText). Nothing is compiled at import.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, NamedTuple

from comments.policy.intent_index import CompiledRule, Disguised, IntentIndex, Sentence
from comments.policy.intent_language import LINK_WORD, NAME_MARK, PUNCTUATION
from comments.policy.normalise import MatchText

if TYPE_CHECKING:
    from comments.policy.links import Link
    from comments.policy.model import Policy

__all__ = ["IntentFinding", "IntentReader"]


class _Expressions(NamedTuple):
    """The regular expressions the reader runs on a comment's text (compiled on first use)."""

    token: re.Pattern[str]  # one token of a sentence
    quotation: re.Pattern[str]
    number: re.Pattern[str]  # a token that is a number or an amount
    handle: re.Pattern[str]  # an @handle
    number_start: re.Pattern[str]  # where a number starts
    leet_in_word: re.Pattern[str]  # a symbol or digit that stands for a letter in a word


@functools.cache
def _expressions() -> _Expressions:
    return _Expressions(
        token=re.compile(r"\$?[0-9]+(?:[.,][0-9]+)*[a-z]*|[a-z0-9$@_]+|[,;:!?()\"]|(?<= )-(?= )"),
        quotation=re.compile(r"\"[^\"]*\"|(?<![a-z0-9])'(?=[a-z0-9])(?:[^']|'(?=[a-z]))*'(?![a-z0-9])"),
        number=re.compile(r"\$?[0-9][0-9.,]*[a-z]*"),
        handle=re.compile(r"(?<![a-z0-9])@[a-z0-9_]+"),
        number_start=re.compile(r"(?<![a-z0-9.,])\$?[0-9]"),
        leet_in_word=re.compile(r"[^a-z0-9 ](?=[a-z0-9])|(?<=[a-z])[0-9]+|[0-9]+(?=[a-z])|(?<= )1(?= [a-z])"),
    )


def _lone_one_as_i(words: list[str]) -> list[str]:
    """In a disguised comment, a lone "1" before a word is "I" ("1 will k1ll you")."""
    return [
        "i" if word == "1" and index + 1 < len(words) and words[index + 1][:1].isalpha() else word
        for index, word in enumerate(words)
    ]


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans in order, those that overlap joined into one."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@functools.cache
def _capitalised() -> re.Pattern[str]:
    """A word of two letters or more written with a capital first (a name, or a sentence's start)."""
    return re.compile(r"(?<![A-Za-z0-9])[A-Z][a-z]+(?![A-Za-z0-9])")


@functools.cache
def _ends_table() -> bytes:
    """A skeleton as kinds of character for finding where sentences end: "." for . ! and ?, " "
    for whitespace, a quote or a closing bracket, "x" for anything else."""
    return bytes(
        ord(".") if char in b".!?" else ord(" ") if char in b" \t\n\r\f\v\"')]" else ord("x")
        for char in range(256)
    )


def _quotations(skeleton: str) -> list[tuple[int, int]]:
    """The quoted stretches: between pairs of double quotes, and 'like this' (an apostrophe after a
    space or bracket opens, one before a space or punctuation closes)."""
    quotes = []
    at = skeleton.find('"')
    while at >= 0:
        end = skeleton.find('"', at + 1)
        if end < 0:
            break
        quotes.append((at, end + 1))
        at = skeleton.find('"', end + 1)
    if " '" in skeleton or skeleton.startswith("'"):
        quotes += [m.span() for m in _expressions().quotation.finditer(skeleton) if m.group()[0] == "'"]
    kept: list[tuple[int, int]] = []
    for start, end in sorted(quotes):  # in order, none inside another
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


def _undisguised(view: str, disguised: Sequence[Disguised], leet: Mapping[int, str]) -> str:
    """A view with each disguised word written as the word it disguises, right-aligned in its
    place ("k.i.l.l you" -> "   kill you"), and leetspeak read as letters ("h0pe" -> "hope"):
    every offset stays where it was."""
    parts, at = [], 0
    for skeleton_start, skeleton_end, word in disguised:  # view offset = skeleton offset + 1
        start, end = skeleton_start + 1, skeleton_end + 1
        if start < at or len(word) > end - start:
            continue
        parts += [view[at:start], word.rjust(end - start)]
        at = end
    parts.append(view[at:])
    # A symbol is a letter inside a word ("k!ll", "$hoot"), not at its end ("out!"); a digit next
    # to a letter ("h3ll0"), not in a number; a lone "1" before a word is "I" ("1 w1ll").
    return _expressions().leet_in_word.sub(lambda found: found.group().translate(leet), "".join(parts))


class IntentFinding(NamedTuple):
    """An intent rule that fired, and where (skeleton spans, in order, not overlapping)."""

    rule: str
    spans: list[tuple[int, int]]


class IntentReader:
    """The intent rules of one policy, read on comments (indexed on the first one)."""

    def __init__(self, policy: Policy) -> None:
        self.index = IntentIndex(policy)

    def read(self, text: MatchText, view: str, links: Sequence[Link]) -> list[IntentFinding]:
        """Every intent rule that fires on the text, in the policy's order, with its spans."""
        rules_index = self.index
        if not rules_index.rules_in_order:
            return []
        key_classes = rules_index.key_classes
        kinds = text.ascii.translate(rules_index.disguise_table)
        disguised = rules_index.may_be_disguised(kinds, view)
        anchors = rules_index.disguised_words(text, view) if disguised else []
        if disguised:
            view = _undisguised(view, anchors, rules_index.leet_table)
        scanned = [(found.start(), found.group(1)) for found in rules_index.key_expression.finditer(view)]
        inside, leads = rules_index.keys_inside, rules_index.leads
        located = [(at, key) for at, key in scanned if leads[key]]
        handles = "@" in text.skeleton
        seen_here = ("link",) * bool(links) + ("handle",) * handles
        numbers = (
            b"0" in kinds
            and (
                not rules_index.number_keys.isdisjoint(key for _, key in scanned)
                or (bool(seen_here) and rules_index.numbers_with_built_ins)
            )
            and rules_index.numbers_may_matter((key for _, key in scanned), seen_here)
        )
        if not (located or anchors or links or handles or numbers):
            return []
        # The sentences the anchors are in, and in each the classes that have a phrase all of whose
        # words are there (context classes' words are looked for there only).
        reading = _Reading(rules_index, text, anchors, links, disguised=disguised)
        led: dict[int, set[str]] = {}  # sentence -> the keys in it
        for at, _ in located:
            led.setdefault(reading.sentence_of(at), set())
        for start, _, _ in anchors:
            led.setdefault(reading.sentence_of(start), set())
        link_sentences = {reading.sentence_of(link.start) for link in links}
        handle_sentences = set()
        if handles:
            handle_sentences = {
                reading.sentence_of(m.start()) for m in _expressions().handle.finditer(text.skeleton)
            }
        number_sentences = set()
        if numbers:
            number_sentences = {
                reading.sentence_of(m.start()) for m in _expressions().number_start.finditer(text.skeleton)
            }
        for index in (*link_sentences, *handle_sentences, *number_sentences):
            led.setdefault(index, set())
        if led:  # and the keys of those sentences, context keys too
            starts = sorted(led)
            ends = [reading.end_of(start) for start in starts]
            for at, key in scanned:
                which = bisect_right(starts, at) - 1
                if which >= 0 and at < ends[which]:
                    led[starts[which]].update(inside[key])
        present: dict[int, frozenset[str]] = {}
        for index, keys_here in led.items():
            seen = set()
            if index in link_sentences:
                seen.add("link")
            if index in handle_sentences:
                seen.add("handle")
            if index in number_sentences:
                seen.add("number")
            for start, _, word in anchors:
                if reading.sentence_of(start) == index:
                    seen |= key_classes.get(word, frozenset())
            # First by the classes its keys stand for: most sentences stop here.
            if not rules_index.could_match(frozenset(seen.union(*(key_classes[key] for key in keys_here)))):
                continue
            classes = rules_index.classes_here(
                view[index : reading.end_of(index) + 2], keys_here, frozenset(seen)
            )
            if classes:
                present[index] = classes
        if not present:
            return []
        everywhere = frozenset().union(*present.values())
        findings = []
        for name, rule in rules_index.index[1].items():
            with_signals = rule.signals_possible(everywhere)
            if not rule.candidates(everywhere, with_signals):
                continue
            spans = reading.matches(rule, present, with_signals)
            if spans:
                findings.append(IntentFinding(rule=name, spans=spans))
        return findings


class _Reading:
    """One comment as the intent rules read it: its sentences, tokenised when first needed."""

    def __init__(
        self,
        reader: IntentIndex,
        text: MatchText,
        anchors: Sequence[Disguised],
        links: Sequence[Link],
        *,
        disguised: bool = True,
    ) -> None:
        self.reader = reader
        self.text = text
        self.disguised = disguised  # whether a word may have digits or symbols for letters
        skeleton = text.skeleton
        self._kinds = text.ascii.translate(_ends_table())  # "." for . ! ?, " " for a space or quote
        self._length = len(skeleton)
        self.quotes = _quotations(skeleton) if '"' in skeleton or "'" in skeleton else []
        self._quote_starts = [start for start, _ in self.quotes]
        self.sentences: dict[int, Sentence] = {}
        self._ends: dict[int, int] = {}
        # Links, and disguised anchors (as the words they disguise), stand in the tokens for what is written.
        specials = [(link.start, link.end, LINK_WORD) for link in links]
        for found in anchors:
            if not any(start < found[1] and found[0] < end for start, end, _ in specials[: len(links)]):
                specials.append(found)
        self.specials = sorted(specials)
        self.special_starts = [start for start, _, _ in self.specials]

    def _quoted(self, offset: int) -> bool:
        """Whether the offset is inside a quotation (quotations are in order and do not overlap)."""
        which = bisect_left(self._quote_starts, offset) - 1
        return which >= 0 and offset < self.quotes[which][1]

    def sentence_of(self, offset: int) -> int:
        """Where the sentence with the skeleton offset in it starts (sentences end after . ! or ?
        and a space, a quote or a bracket, never inside a quotation)."""
        kinds, at = self._kinds, min(offset, self._length)
        while True:
            found = kinds.rfind(b". ", 0, at + 1)
            if found < 0:
                return 0
            if not self.quotes or not self._quoted(found):
                return found + 1
            at = found - 1

    def end_of(self, start: int) -> int:
        """Where the sentence that starts there ends."""
        if start not in self._ends:
            kinds, at = self._kinds, start
            while True:
                found = kinds.find(b". ", at)
                if found < 0:
                    end = self._length
                    break
                if not self.quotes or not self._quoted(found):
                    end = found + 1
                    break
                at = found + 1
            self._ends[start] = end
        return self._ends[start]

    def neighbours(self, start: int) -> list[int]:
        """The starts of the sentences before and after it."""
        around = [self.sentence_of(start - 1)] if start > 0 else []
        end = self.end_of(start)
        if end < self._length:
            around.append(end)
        return around

    def sentence(self, start: int) -> Sentence:
        if start not in self.sentences:
            self.sentences[start] = self._tokenise(start, self.end_of(start))
        return self.sentences[start]

    def _tokenise(self, start: int, end: int) -> Sentence:
        first = bisect_left(self.special_starts, start)
        if self.text.aligned is None or (first < len(self.specials) and self.specials[first][0] < end):
            return self._tokenise_slowly(start, end)
        # The usual case: plain text, nothing standing in for anything.
        expressions = _expressions()
        token_expression, number = expressions.token, expressions.number
        skeleton, reader = self.text.skeleton, self.reader
        shorthand = reader.shorthand
        words = token_expression.findall(skeleton, start, end)
        if not reader.shorthand_words.isdisjoint(words):
            words = [shorthand.get(word, word) for word in words]
        if self.disguised:
            table = reader.leet_table
            words = [
                word.translate(table)
                if not word.isalpha() and len(word) > 1 and word[0] not in "$@" and not number.fullmatch(word)
                else word
                for word in words
            ]
            words = _lone_one_as_i(words)
        capitalised = _capitalised().findall(self.text.original, start, end)
        if capitalised:
            names = {word.lower() for word in capitalised} - reader.known_words
            if names:
                words = [NAME_MARK + word if word in names else word for word in words]
        return Sentence(words, lambda: [m.span() for m in token_expression.finditer(skeleton, start, end)])

    def _tokenise_slowly(self, start: int, end: int) -> Sentence:
        """Tokens with links and disguised words standing for what they are, or of text that is
        not all ASCII (where skeleton and original offsets differ)."""
        expressions = _expressions()
        token_expression, number = expressions.token, expressions.number
        skeleton, original, aligned = self.text.skeleton, self.text.original, self.text.aligned is not None
        reader = self.reader
        known, shorthand = reader.known_words, reader.shorthand
        words: list[str] = []
        spans: list[tuple[int, int]] = []
        at = start
        first = bisect_left(self.special_starts, start)
        for special_start, special_end, special in [*self.specials[first:], (end, end, "")]:
            if special_start >= end:
                special_start, special_end, special = end, end, ""
            if special_start < at:
                continue  # overlaps the one before
            for token in token_expression.finditer(skeleton, at, special_start):
                word = token.group()
                if word.isalpha():
                    word = shorthand.get(word, word)
                    if word not in known and len(word) > 1:
                        index = token.start() if aligned else self.text.original_index(token.start())
                        if original[index].isupper():
                            word = NAME_MARK + word
                elif len(word) > 1 and word[0] not in "$@" and not number.fullmatch(word):
                    word = word.translate(reader.leet_table)
                words.append(word)
                spans.append(token.span())
            if not special:
                break
            for piece in special.split():
                words.append(shorthand.get(piece, piece))
                spans.append((special_start, special_end))
            at = special_end
        return Sentence(_lone_one_as_i(words) if self.disguised else words, spans)

    # --- matching --------------------------------------------------------------------------------

    def matches(
        self, rule: CompiledRule, in_sentence: Mapping[int, frozenset[str]], with_signals: bool
    ) -> list[tuple[int, int]]:
        """Where the rule fires: its patterns' matches; failing those, its signals' when enough
        different ones match (`with_signals`: when enough could, in the comment as a whole)."""
        spans: list[tuple[int, int]] = []
        signals: dict[int, list[tuple[int, int, int]]] = {}  # signal -> (sentence, start, end)
        for index, present in in_sentence.items():
            if present.isdisjoint(rule.relevant) and not rule.needs_nothing:
                continue
            entries = rule.candidates(present, with_signals)
            if not entries:
                continue
            sentence = self.sentence(index)
            for signal, check in entries:
                for match in check.matches(sentence):
                    if self._counts(match, rule, index, sentence):
                        span = sentence.span(match.start(), match.end())
                        if signal is None:
                            spans.append(span)
                        else:
                            signals.setdefault(signal, []).append((index, *span))
        if not spans and len(signals) >= rule.min_signals:
            spans = self._signal_spans(signals, rule.min_signals, rule.signals_within)
        return _merged(spans)

    def _signal_spans(
        self, signals: Mapping[int, list[tuple[int, int, int]]], needed: int, within: int
    ) -> list[tuple[int, int]]:
        """The spans of the signals found (each with the start of its sentence), when at least
        `needed` different ones fall within `within` consecutive sentences (anywhere when `within`
        is 0); none otherwise. All their spans are returned: the writer sees every piece read."""
        if within:
            windows = []
            for first in sorted({index for found in signals.values() for index, _, _ in found}):
                last = first
                for _ in range(within):
                    last = self.end_of(last)
                windows.append((first, last))

            def inside(found: list[tuple[int, int, int]], first: int, last: int) -> bool:
                return any(first <= index < last for index, _, _ in found)

            found_in = [sum(inside(found, *window) for found in signals.values()) for window in windows]
            if max(found_in) < needed:
                return []
        return [(start, end) for found in signals.values() for _, start, end in found]

    def _counts(self, match: re.Match[str], rule: CompiledRule, index: int, sentence: Sentence) -> bool:
        """Whether a match is the commenter's own intent: not negated, reported, hypothetical, an idiom."""
        text, start, end = sentence.text, match.start(), match.end()
        in_sentence, before, after = rule.unless
        if after is not None and after.match(text, end):
            return False
        if before is not None:
            clause = max(text.rfind(f"{p} ", 0, start) for p in PUNCTUATION)
            if before.search(text, clause + 1 if clause >= 0 else 0, start):
                return False
        if in_sentence is not None:
            if any(
                rule.unless_anywhere or m.end() <= start or m.start() >= end
                for m in in_sentence.finditer(text)
                if m.end() > m.start()
            ):
                return False
            span_start, span_end = sentence.span(start, end)
            if any(q_start <= span_start and span_end <= q_end for q_start, q_end in self.quotes):
                # Quoted: not the commenter's own words when a sentence next to it says whose they are.
                for neighbour in self.neighbours(index):
                    if in_sentence.search(self.sentence(neighbour).text):
                        return False
        return True
