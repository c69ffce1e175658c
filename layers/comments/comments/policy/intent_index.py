"""The intent rules of one policy, indexed for reading: which words lead to which sentences.

A comment is not read sentence by sentence with every pattern: that would cost a hundred times
what the word lists cost. Instead, each phrase of the rules' word classes is found by a key: a
word of it that is not an everyday word (data/common_words.txt), or, for a phrase of everyday
words only ("you people", "I know where you live"), two of its words side by side. One
expression (a trie of plain words) finds every key in a comment in one pass; a sentence is read
only when a key of an anchor class is in it, and a pattern is tried there only when each class
it needs has a phrase all of whose words are in that sentence (`Needs`). Everyday words of
context classes ("should", "I will") are only looked for in those sentences.

Disguises: a word with digits or symbols among its letters ("k1ll", "k*ll") or letters written
one by one ("k i l l") that, read as letters, could be a key, sends the comment through a
TermMatcher of the keys (terms.py), which sees through leetspeak, masks and spacing.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from comments.policy.intent_language import (
    SEEN_BUILT_INS,
    Needs,
    PatternCompiler,
    alternation,
    is_composite,
    plain_words,
    variants,
)
from comments.policy.intent_text import (
    Sentence,
    beside_a_letter,
    common_words,
    disguise_expressions,
    pair_cost,
    spelled_out,
    structure_keys,
)
from comments.policy.terms import TermMatcher

if TYPE_CHECKING:
    from comments.policy.model import IntentRule, Policy
    from comments.policy.normalise import MatchText

__all__ = ["Check", "CompiledRule", "Disguised", "IntentIndex", "Sentence", "beside_a_letter"]

#: a word written in disguise: its skeleton span and the word it stands for
Disguised = tuple[int, int, str]


class Check:
    """One pattern, with the anchor classes it needs (each set: one of them); compiled on first use."""

    __slots__ = ("_compiler", "_expression", "_first", "_first_known", "needs", "pattern")

    def __init__(self, compiler: PatternCompiler, pattern: str, needs: Sequence[frozenset[str]]) -> None:
        self._compiler = compiler
        self._expression: re.Pattern[str] | None = None
        self._first: frozenset[str] | None = None
        self._first_known = False
        self.pattern = pattern
        self.needs = tuple(needs)

    @property
    def expression(self) -> re.Pattern[str]:
        if self._expression is None:
            self._expression = self._compiler.one(self.pattern)
        return self._expression

    def matches(self, sentence: Sentence) -> Iterable[re.Match[str]]:
        """Its matches in the sentence, left to right, not overlapping: tried only where a word that
        can start it is (a dictionary lookup per word, not the expression at every character)."""
        if not self._first_known:
            self._first, self._first_known = self._compiler.first_words(self.pattern), True
        first = self._first
        expression, text = self.expression, sentence.text
        if first is None:
            yield from (m for m in expression.finditer(text) if m.end() > m.start())
            return
        taken = 0
        for word, position in zip(sentence.words, sentence.positions, strict=True):
            if position >= taken and word in first:
                match = expression.match(text, position)
                if match is not None and match.end() > match.start():
                    taken = match.end()
                    yield match

    def possible(self, present: frozenset[str]) -> bool:
        return all(not need.isdisjoint(present) for need in self.needs)


_Entry = tuple[int | None, Check]  # a pattern (None) or a signal (its number), and its check


class CompiledRule:
    """One intent rule's checks, indexed by the anchor classes they need."""

    def __init__(self, compiler: PatternCompiler, rule: IntentRule, needs: Needs) -> None:
        self.patterns = [Check(compiler, p, needs.of_pattern(p)) for p in rule.patterns]
        self.signals = [Check(compiler, p, needs.of_pattern(p)) for p in rule.signals]
        self.min_signals = rule.min_signals
        self.signals_within = rule.signals_within
        self.unless_anywhere = rule.unless_anywhere
        self._signals_possible: dict[frozenset[str], bool] = {}
        self._compiler = compiler
        self._unless = (rule.unless_sentence_has, rule.unless_before, rule.unless_after)
        entries: list[_Entry] = [(None, check) for check in self.patterns]
        entries += list(enumerate(self.signals))
        self._by_class: dict[str, list[_Entry]] = {}
        for entry in entries:
            needs_first = entry[1].needs[0] if entry[1].needs else frozenset({""})  # "": needs nothing
            for name in needs_first:
                self._by_class.setdefault(name, []).append(entry)
        #: the classes some check needs first; a sentence with none of them is not read for the rule
        self.relevant = frozenset(self._by_class) - {""}
        self.needs_nothing = "" in self._by_class
        self._candidates: dict[tuple[frozenset[str], bool], list[_Entry]] = {}

    @functools.cached_property
    def unless(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None, re.Pattern[str] | None]:
        """unless_sentence_has, unless_before, unless_after, compiled on first use."""
        sentence, before, after = self._unless
        return self._compiler.either(sentence), self._compiler.either(before), self._compiler.either(after)

    def signals_possible(self, present: frozenset[str]) -> bool:
        """Whether enough different signals could match where these classes are."""
        if not self.signals:
            return False
        known = self._signals_possible.get(present)
        if known is None:
            known = sum(1 for check in self.signals if check.possible(present)) >= self.min_signals
            if len(self._signals_possible) >= 4096:
                self._signals_possible.clear()
            self._signals_possible[present] = known
        return known

    def candidates(self, present: frozenset[str], signals: bool) -> list[_Entry]:
        """The patterns (and signals, if asked) whose needs the classes present meet, in order."""
        key = (present, signals)
        known = self._candidates.get(key)
        if known is None:
            found: dict[int, _Entry] = {}
            for name in (*present, ""):
                for entry in self._by_class.get(name, ()):
                    if (signals or entry[0] is None) and entry[1].possible(present):
                        found[id(entry[1])] = entry
            known = sorted(found.values(), key=lambda entry: (entry[0] is not None, entry[0] or 0))
            if len(self._candidates) >= 4096:  # bounded: the sets of classes met are few in practice
                self._candidates.clear()
            self._candidates[key] = known
        return known


class IntentIndex:
    """The intent rules of one policy: keys, checks and what each key stands for, built on the
    first comment read (each pattern compiled the first time a sentence has what it needs)."""

    def __init__(self, policy: Policy) -> None:
        self.rules_in_order: list[tuple[str, IntentRule]] = [
            (name, rule) for name, rule in policy.rules.intent_rules() if rule.enabled
        ]
        self._classes = policy.intent_words
        self.shorthand = policy.intent_shorthand
        self._leet = policy.matching.leet
        self._masks = policy.matching.masks
        #: key -> class -> the other words of each of its phrases with that key
        self._phrases: dict[str, dict[str, list[tuple[str, ...]]]] = {}
        self._looked_for: dict[frozenset[str], tuple[frozenset[str] | None]] = {}
        self._could: dict[frozenset[str], bool] = {}

    @functools.cached_property
    def index(self) -> tuple[dict[str, frozenset[str]], dict[str, CompiledRule]]:
        """Each anchor key word with the anchor classes it stands for; and each rule's checks.
        (`_phrases` says which phrases of which classes each key word is in.)

        An anchor phrase is found by its key, as people write it: a word that is not among the
        commonest English words if it has one, and of those the one in the fewest phrases of all
        the classes ("die" for "and die"); for a phrase of common words only, two of them side by
        side ("you people", "know where"), so that "people" alone leads nowhere."""
        spread: dict[str, int] = {}  # word -> how many phrases have it
        for phrases in self._classes.values():
            for phrase in phrases:
                for variant in self.written(phrase):
                    for word in set(variant.split()):
                        spread[word] = spread.get(word, 0) + 1

        def common(word: str) -> bool:
            # Apostrophe pieces ("s", "ll"), numbers and shorthand for a common word ("u") too.
            return (
                len(word) <= 2
                or word.isdigit()
                or word in common_words()
                or self.shorthand.get(word) in common_words()
            )

        def key(variant: str) -> list[str]:
            words = variant.split()
            rare = [word for word in words if not common(word)]
            if rare:
                return [min(rare, key=lambda word: (spread.get(word, 0), -len(word)))]
            if len(words) == 1:
                return words
            pairs = list(itertools.pairwise(words))
            # the pair least often met, then the longest
            first, second = min(
                pairs,
                key=lambda pair: (pair_cost(pair[0], pair[1], common), -len(pair[0]) - len(pair[1]), pair),
            )
            return [first, second]

        keys: dict[str, set[str]] = {}
        compiler = PatternCompiler(self._classes)  # each class compiled once, for every rule
        rules = {}
        for name, rule in self.rules_in_order:
            needs = Needs(self._classes, (*rule.anchors, *rule.context))
            for class_name in (*rule.anchors, *rule.context):
                for phrase in self._classes[class_name]:
                    if not is_composite(phrase):
                        written = self.written(phrase)
                    elif needs.of_pattern(phrase) or not plain_words(phrase):
                        continue  # anchored by the classes it names ("to be {harmed}"), or not at all
                    else:  # by its own words: "take|knock" of "take|knock {target} out"
                        written = [w for words in structure_keys(phrase, common) for w in self.written(words)]
                    for variant in written:
                        found = key(variant)
                        first = " ".join(found)
                        keys.setdefault(first, set()).add(class_name)
                        others = variant.split()
                        for word in found:
                            others.remove(word)
                        words = tuple(sorted(set(others)))
                        by_class = self._phrases.setdefault(first, {}).setdefault(class_name, [])
                        if words not in by_class:
                            by_class.append(words)
            rules[name] = CompiledRule(compiler, rule, needs)
        return {word: frozenset(classes) for word, classes in keys.items()}, rules

    def expressions(self) -> list[str]:
        """Every expression reading these rules can use, each compiled now (for the layer's build:
        `compiled_patterns`): the keys, the disguises, each pattern and signal, each rule's
        exceptions."""
        found = [self.key_expression.pattern, *self.disguises.expressions()]
        for rule in self.index[1].values():
            found += [check.expression.pattern for check in (*rule.patterns, *rule.signals)]
            found += [unless.pattern for unless in rule.unless if unless is not None]
        return found

    @functools.cached_property
    def keys(self) -> frozenset[str]:
        """The key words (keys of one word)."""
        return frozenset(key for key in self.index[0] if " " not in key)

    @functools.cached_property
    def key_expression(self) -> re.Pattern[str]:
        """Every key (a word, or two words side by side) in a matcher's view of a text, anchor keys
        and those of context classes (which lead nowhere): one expression, a trie of plain words,
        so one pass over the text finds them all."""
        from comments.policy import compiled_patterns  # the layer's build compiled it ahead

        return compiled_patterns.compile(
            " (?=(" + alternation(self.index[0].keys(), end="") + ")(?![a-z0-9]))"
        )

    @functools.cached_property
    def keys_inside(self) -> dict[str, tuple[str, ...]]:
        """Each key with the keys written inside it ("be shot": itself and "shot"), which the
        longest match at a place hides."""
        keys = self.index[0]
        return {key: (key, *(word for word in key.split() if word in keys and word != key)) for key in keys}

    @functools.cached_property
    def key_classes(self) -> dict[str, frozenset[str]]:
        """Each key's classes, with those of the keys written inside it ("re dead" hides "dead")."""
        key_classes = self.index[0]
        return {
            key: classes.union(*(key_classes.get(word, frozenset()) for word in key.split()))
            for key, classes in key_classes.items()
        }

    @functools.cached_property
    def anchor_keys(self) -> frozenset[str]:
        """The key words of anchor classes (those of context classes are not looked for)."""
        anchors = {name for _, rule in self.rules_in_order for name in rule.anchors}
        return frozenset(word for word, classes in self.index[0].items() if not anchors.isdisjoint(classes))

    @functools.cached_property
    def leads(self) -> dict[str, bool]:
        """Each key: whether it is (or has inside it) an anchor key, so that it leads to its sentence."""
        anchor_keys = self.anchor_keys
        return {key: not anchor_keys.isdisjoint(inside) for key, inside in self.keys_inside.items()}

    @functools.cached_property
    def number_keys(self) -> frozenset[str]:
        """The keys of the classes that the patterns needing a number also need."""
        wanted = {name for check in self.number_checks for need in check.needs for name in need} - {"number"}
        return frozenset(key for key, classes in self.index[0].items() if not wanted.isdisjoint(classes))

    @functools.cached_property
    def numbers_with_built_ins(self) -> bool:
        """Whether a pattern needs only a number and built-ins ("{number} off ~8 {link}")."""
        return any(all(need <= SEEN_BUILT_INS for need in check.needs) for check in self.number_checks)

    def could_match(self, classes: frozenset[str]) -> bool:
        """Whether some check could match where the keys met stand for these classes (each key
        counted for all of its classes: whether their phrases are whole is not known yet)."""
        known = self._could.get(classes)
        if known is None:
            known = any(
                any(not self.anchor_classes.isdisjoint(need) for need in check.needs)
                for rule in self.index[1].values()
                for _, check in rule.candidates(classes, True)
            )
            if len(self._could) >= 4096:  # bounded: the sets met are few
                self._could.clear()
            self._could[classes] = known
        return known

    @functools.cached_property
    def number_checks(self) -> list[Check]:
        """The patterns that need a number."""
        return [
            check
            for rule in self.index[1].values()
            for check in (*rule.patterns, *rule.signals)
            if any("number" in need for need in check.needs)
        ]

    def numbers_may_matter(self, keys: Iterable[str], seen: Iterable[str] = ()) -> bool:
        """Whether the keys found in a comment (and the built-ins `seen`: "link", "handle") could
        complete a pattern that needs a number."""
        checks = self.number_checks
        if not checks:
            return False
        key_classes = self.index[0]
        everything = frozenset({"number", *seen}.union(*(key_classes[key] for key in keys)))
        return any(check.possible(everything) for check in checks)

    @functools.cached_property
    def anchor_classes(self) -> frozenset[str]:
        return frozenset({name for _, rule in self.rules_in_order for name in rule.anchors} | SEEN_BUILT_INS)

    @functools.cached_property
    def disguises(self) -> TermMatcher:
        """The anchor key words seen through disguises ("k.i.l.l", "k1ll", "kiiill", "k*ll")."""
        return TermMatcher(
            [(word, "intent") for word in sorted(self.disguise_words)],
            leet=self._leet,
            masks=self._masks,
            inflections=(),
        )

    def written(self, phrase: str) -> list[str]:
        """A phrase as people write it: its own forms, and with shorthand ("you" -> "u", "ya")."""
        forms = variants(phrase)
        shorthand = self._shorthand_of
        more = []
        for form in forms:
            words = form.split()
            for word in dict.fromkeys(words):
                for short in shorthand.get(word, ()):
                    more.append(" ".join(short if w == word else w for w in words))
        return forms + more

    @functools.cached_property
    def _shorthand_of(self) -> dict[str, list[str]]:
        """Each word with the shorthand people write for it ("you": "u", "ya")."""
        shorthand: dict[str, list[str]] = {}
        for short, word in self.shorthand.items():
            shorthand.setdefault(word, []).append(short)
        return shorthand

    @functools.cached_property
    def known_words(self) -> frozenset[str]:
        """Every word of every class and every pattern: none of them is a name."""
        phrases = [phrase for listed in self._classes.values() for phrase in listed]
        for _, rule in self.rules_in_order:
            for name in ("patterns", "unless_sentence_has", "unless_before", "unless_after", "signals"):
                phrases += getattr(rule, name)
        return frozenset(
            word
            for phrase in phrases
            for part in phrase.split()
            if part[0] not in "{~*^$" and part.strip("!?")
            for alternative in part.strip("!?").split("|")
            for variant in variants(alternative)
            for word in variant.split()
        )

    @functools.cached_property
    def shorthand_words(self) -> frozenset[str]:
        return frozenset(self.shorthand)

    @functools.cached_property
    def leet_table(self) -> dict[int, str]:
        table: dict[int, str] = {}
        for letter, chars in self._leet.items():
            for char in chars:
                table.setdefault(ord(char), letter)
        return table

    @functools.cached_property
    def disguise_table(self) -> bytes:
        """Skeleton bytes as kinds of character: a letter "a", a digit "0", a leetspeak or mask
        symbol "$", anything else a space."""
        table = bytearray(b" " * 256)
        table[ord("a") : ord("z") + 1] = b"a" * 26
        table[ord("0") : ord("9") + 1] = b"0" * 10
        for char in "".join(self._leet.values()) + self._masks:
            if not char.isalnum():
                table[ord(char)] = ord("$")
        return bytes(table)

    def may_be_disguised(self, kinds: bytes, view: str) -> bool:
        """Whether the text may hide one of the anchor words: a word with digits or symbols among
        its letters ("k1ll", "k*ll") or letters written one by one ("k i l l", "k.i.l.l") that,
        read as letters, could be one. Stretched letters ("kiiill") are not looked for."""
        mixed = beside_a_letter(kinds, b"0") or beside_a_letter(kinds, b"$")
        if not mixed and disguise_expressions()[0].search(view) is None:
            return False
        shapes = self.disguise_shapes
        for word in disguise_expressions()[1].findall(view):
            letters = word.replace(" ", "").translate(self.leet_table)
            if (letters[:1], len(letters)) in shapes:
                return True
        return False

    @functools.cached_property
    def disguise_words(self) -> frozenset[str]:
        """The words of the anchor keys: what a disguised word may stand for."""
        return frozenset(word for key in self.anchor_keys for word in key.split() if len(word) > 1)

    @functools.cached_property
    def spelled_words(self) -> frozenset[str]:
        """The words of every key, context keys too: what letters written one by one may spell."""
        return frozenset(word for key in self.index[0] for word in key.split() if len(word) > 1)

    def disguised_words(self, text: MatchText, view: str) -> list[Disguised]:
        """The words of the anchor keys written in disguise: letters one by one ("k.i.l.l",
        "k y s"), or digits, symbols and masks among letters ("k1ll", "sh00t", "k*ll")."""
        found: list[Disguised] = []
        words = self.spelled_words
        longest = max((len(word) for word in words), default=0)
        leet = self.leet_table
        blanked = view
        for run in disguise_expressions()[2].finditer(view):
            pieces = [(piece.start(), piece.group()) for piece in re.finditer(r"[^ ]", run.group())]
            letters = "".join(char for _, char in pieces).translate(leet)
            read = spelled_out(letters, words, longest)
            if read is None:
                continue
            for first, end, word in read:  # view offsets of the letters, less 1: skeleton offsets
                found.append((run.start() + pieces[first][0] - 1, run.start() + pieces[end - 1][0], word))
            blanked = blanked[: run.start()] + " " * (run.end() - run.start()) + blanked[run.end() :]
        for match in self.disguises.find(text, blanked):
            written = view[match.start + 1 : match.end + 1]
            if not written.isalpha() and " " not in written:  # a word itself, in disguise
                found.append((match.start, match.end, match.term.word))
        return sorted(found)

    @functools.cached_property
    def disguise_shapes(self) -> frozenset[tuple[str, int]]:
        """(first letter, length) of each anchor key word: what a masked word ("k*ll") could be."""
        return frozenset((word[0], len(word)) for key in self.anchor_keys for word in key.split())

    @functools.cached_property
    def context_classes(self) -> frozenset[str]:
        return frozenset(name for _, rule in self.rules_in_order for name in rule.context)

    @functools.cached_property
    def class_keys(self) -> dict[str, tuple[frozenset[str], dict[str, list[str]]]]:
        """Each class's keys: its one-word keys, and its two-word keys by their first word."""
        words: dict[str, set[str]] = {}
        pairs: dict[str, dict[str, list[str]]] = {}
        for key, classes in self.index[0].items():
            for name in classes:
                if " " in key:
                    pairs.setdefault(name, {}).setdefault(key.partition(" ")[0], []).append(key)
                else:
                    words.setdefault(name, set()).add(key)
        return {name: (frozenset(words.get(name, ())), pairs.get(name, {})) for name in {*words, *pairs}}

    def to_look_for(self, anchored: frozenset[str]) -> frozenset[str] | None:
        """The context classes that a check could still need where these anchor classes are; None
        when no check can match there whatever the context."""
        known = self._looked_for.get(anchored)
        if known is None:
            with_context = anchored | self.context_classes
            needed: set[str] = set()
            possible = False
            for rule in self.index[1].values():
                for _, check in rule.candidates(with_context, True):
                    if check.possible(with_context) and any(not anchored.isdisjoint(n) for n in check.needs):
                        possible = True
                        needed.update(name for need in check.needs for name in need)
            known = (frozenset(needed & self.context_classes) if possible else None,)
            if len(self._looked_for) >= 4096:  # bounded: the sets of anchor classes met are few
                self._looked_for.clear()
            self._looked_for[anchored] = known
        return known[0]

    def classes_here(self, part: str, keys_here: Iterable[str], seen: frozenset[str]) -> frozenset[str]:
        """The classes with a phrase in a sentence (`part`: its view), from the keys found in it:
        the anchor classes whose phrase is whole there, then the context classes that the checks
        those could complete need. A phrase of more words than its key needs them all there."""
        words: set[str] | None = None
        direct, phrases, context = self.index[0], self._phrases, self.context_classes
        classes = set(seen)
        keys = list(keys_here)

        def add_whole(key: str, names: Iterable[str]) -> None:
            """Each of `names` with a phrase under `key` whose words are all in the sentence."""
            nonlocal words
            for name in names:
                for rest in phrases[key][name]:
                    if not rest:
                        classes.add(name)
                        break
                    if words is None:
                        words = set(part.split())
                    if words.issuperset(rest):
                        classes.add(name)
                        break

        for key in keys:
            add_whole(key, direct[key] - classes - context)
        anchored = frozenset(classes)
        if not (anchored - context):
            return frozenset()
        wanted = self.to_look_for(anchored)
        if wanted is None:
            return frozenset()
        for key in keys:
            add_whole(key, (direct[key] & wanted) - classes)
        return frozenset(classes)
