"""The pattern language of the intent rules (threat, self_harm, hate, spam), and its compiler.

An intent rule is made of word classes (policy.intent_words: "harm" -> kill, shoot, hang...) and
patterns over them, all data. A pattern is compiled, on first use, to a regular expression run on
a sentence written as tokens: lower-case words, each followed by a space, with the clause
punctuation (, ; : ! ? ( ) " and a dash between spaces) as tokens of their own. Elements of a
pattern, separated by spaces:

    word        that word              a|b|c      any of these words
    {class}     a phrase of the class  {class}?   word?   optionally
    !{class}    the next words are not a phrase of the class (also !word, !a|b)
    *           any one word           ~N         up to N words (N from 1 to 9)
    ^           a clause starts here   $          a clause ends here
    {name}      a capitalised word no class knows (a named person: "Smith")
    {number}    a number or an amount ($500, 500k, 1,000)
    {handle}    an @handle             {link}     a web address or a bare domain

Words never match across punctuation. A phrase of a class is plain words, an apostrophe standing
for both ways of writing a contraction ("don't" is "don t" and "dont"; but "we're" is never
"were"), or a structure in the same language without ^, $ and ! ("{det} {person}",
"beat|kick {target} up").

Which classes a pattern needs (`Needs`) decides which sentences it is tried on at all: see
intent_index.py.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from comments.policy.model import IntentRule

__all__ = [
    "BUILT_IN_CLASSES",
    "LINK_WORD",
    "NAME_MARK",
    "PUNCTUATION",
    "SEEN_BUILT_INS",
    "Needs",
    "PatternCompiler",
    "alternation",
    "classes_in",
    "is_composite",
    "pattern_error",
    "plain_words",
    "unanchored_pattern",
    "variants",
    "word_class_error",
]

BUILT_IN_CLASSES: Final = frozenset({"name", "number", "handle", "link"})
#: built-in classes a sentence is known to have or not, without reading it
SEEN_BUILT_INS: Final = frozenset({"link", "handle", "number"})
LINK_WORD: Final = "_link_"  # a link stands in a sentence's tokens as this word
NAME_MARK: Final = "^"  # a capitalised word that no class knows is written "^smith" in the tokens
PUNCTUATION: Final = ',;:!?()"-'

_CLASS_REFERENCE = r"\{([a-z][a-z0-9_]*)\}"
_WORDS = r"[a-z0-9$@']+(?:\|[a-z0-9$@']+)*"


def classes_in(pattern: str) -> set[str]:
    """The word classes a pattern names."""
    return set(re.findall(_CLASS_REFERENCE, pattern))


def pattern_error(pattern: str) -> str | None:
    """What is wrong with a pattern, in plain words; None when it can be read."""
    parts = pattern.split()
    if not parts:
        return "the pattern is empty"
    required = 0
    for index, part in enumerate(parts):
        if part == "^" and index:
            return "^ may only start a pattern"
        if part == "$" and index != len(parts) - 1:
            return "$ may only end a pattern"
        if part in ("^", "$"):
            continue
        if part == "*":
            required += 1
            continue
        if re.fullmatch(r"~[1-9]", part):
            continue
        element = re.fullmatch(rf"(!?)(?:{_CLASS_REFERENCE}|({_WORDS}))(\??)", part)
        if element is None:
            return f"cannot read {part!r}"
        negative, _, _, optional = element.groups()
        if negative and optional:
            return f"{part!r} cannot be both negative (!) and optional (?)"
        if not negative and not optional:
            required += 1
    if not required:
        return "the pattern needs at least one word or class that must be there"
    return None


def is_composite(phrase: str) -> bool:
    """A phrase with structure ("{det} {person}", "beat|kick {target} up") rather than plain words."""
    return any(char in phrase for char in "{|~*?")


def word_class_error(classes: Mapping[str, Sequence[str]]) -> str | None:
    """What is wrong with the word classes: a phrase that cannot be read, or that names an unknown
    class or (through others) its own class."""
    for name, phrases in classes.items():
        for phrase in phrases:
            if not is_composite(phrase):
                if not re.fullmatch(r"[a-z0-9$@']+(?: [a-z0-9$@']+)*", phrase):
                    return f"{name}: {phrase!r}: words may have only a-z, 0-9, $, @ and '"
                continue
            error = (
                pattern_error(phrase) if not any(c in phrase for c in "^$!") else "no ^, $ or ! in a class"
            )
            if error:
                return f"{name}: {phrase!r}: {error}"

    def visit(name: str, path: tuple[str, ...]) -> str | None:
        for phrase in classes[name]:
            for inner in classes_in(phrase) - BUILT_IN_CLASSES:
                if inner not in classes:
                    return f"{name}: {phrase!r} names an unknown class {{{inner}}}"
                if inner in path:
                    return f"{name}: the classes name each other in a circle ({' -> '.join((*path, inner))})"
                error = visit(inner, (*path, inner))
                if error:
                    return error
        return None

    for name in classes:
        error = visit(name, (name,))
        if error:
            return error
    return None


# --- compiling patterns --------------------------------------------------------------------------


# Contractions whose form without the apostrophe is another word ("we're" is not "were").
_NOT_JOINED = frozenset({"were", "well", "hell", "shell", "wed", "its", "shed", "hed"})


def variants(phrase: str) -> list[str]:
    """A phrase as tokens: "don't" -> "don t" and "dont" (but "we're" only -> "we re")."""
    choices = []
    for word in phrase.split():
        if "'" in word:
            split, joined = " ".join(p for p in word.split("'") if p), word.replace("'", "")
            choices.append([split] if joined in _NOT_JOINED else [split, joined])
        else:
            choices.append([word])
    return [" ".join(words) for words in itertools.product(*choices)]


def alternation(phrases: Iterable[str], end: str = " ") -> str:
    """One expression for any of the phrases (each followed by `end`), as a trie: a branch is
    chosen by its first character, not tried phrase after phrase."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for written in {variant for phrase in phrases for variant in variants(phrase)}:
        node = trie
        for char in written + end:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:  # type: ignore[type-arg]
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:
            return f"(?:{body})?" if len(branches) == 1 else body + "?"
        return body

    return emit(trie) or "(?!)"


_ANY_WORD = r"[a-z0-9$@_^]+ "
_CLAUSE_START = f"(?:^|(?<=[{re.escape(PUNCTUATION)}] ))"
_CLAUSE_END = f"(?=[{re.escape(PUNCTUATION)}] |$)"
_BUILT_IN = {
    "name": re.escape(NAME_MARK) + "[a-z]+ ",
    "number": r"\$?[0-9][0-9.,]*[a-z]{0,2} ",
    "handle": "@[a-z0-9_]+ ",
    "link": re.escape(LINK_WORD) + " ",
}


class PatternCompiler:
    """Patterns to expressions, with the policy's word classes."""

    def __init__(self, classes: Mapping[str, Sequence[str]]) -> None:
        self._classes = classes
        self._alternations: dict[str, str] = {}
        self._firsts: dict[str, frozenset[str] | None] = {}

    def _class(self, name: str) -> str:
        if name in _BUILT_IN:
            return _BUILT_IN[name]
        if name not in self._alternations:
            phrases = self._classes[name]
            options = [alternation(p for p in phrases if not is_composite(p))]
            options += [self.sequence(p) for p in phrases if is_composite(p)]
            self._alternations[name] = options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"
        return self._alternations[name]

    def sequence(self, pattern: str) -> str:
        out = []
        for part in pattern.split():
            if part == "^":
                out.append(_CLAUSE_START)
            elif part == "$":
                out.append(_CLAUSE_END)
            elif part == "*":
                out.append(_ANY_WORD)
            elif part.startswith("~"):
                out.append(f"(?:{_ANY_WORD}){{0,{part[1:]}}}")
            else:
                negative, optional = part.startswith("!"), part.endswith("?")
                core = part.strip("!?")
                inner = self._class(core[1:-1]) if core.startswith("{") else alternation(core.split("|"))
                out.append(f"(?!{inner})" if negative else f"(?:{inner})?" if optional else f"(?:{inner})")
        return "".join(out)

    def one(self, pattern: str) -> re.Pattern[str]:
        from comments.policy import compiled_patterns  # the layer's build compiled it ahead

        return compiled_patterns.compile("(?<![^ ])" + self.sequence(pattern))

    def first_words(self, pattern: str) -> frozenset[str] | None:
        """The words a match of the pattern can start with; None when it can start with any word."""
        return self._first(pattern.split(), ())

    def _first(self, parts: Sequence[str], path: tuple[str, ...]) -> frozenset[str] | None:
        found: set[str] = set()
        for part in parts:
            if part in ("^", "$") or part.startswith("!"):
                continue  # consumes no word
            if part == "*" or part.startswith("~"):
                return None
            optional, core = part.endswith("?"), part.rstrip("?")
            if core.startswith("{"):
                name = core[1:-1]
                if name == "link":
                    words: frozenset[str] | None = frozenset({LINK_WORD})
                elif name in _BUILT_IN or name in path:
                    return None
                else:
                    words = self._class_first(name, (*path, name))
            else:
                words = frozenset(v.split()[0] for word in core.split("|") for v in variants(word))
            if words is None:
                return None
            found |= words
            if not optional:
                return frozenset(found)
        return None  # everything optional: may start anywhere

    def _class_first(self, name: str, path: tuple[str, ...]) -> frozenset[str] | None:
        if name not in self._firsts:
            found: set[str] = set()
            for phrase in self._classes[name]:
                if is_composite(phrase):
                    words = self._first(phrase.split(), path)
                    if words is None:
                        self._firsts[name] = None
                        return None
                    found |= words
                else:
                    found.update(variant.split()[0] for variant in variants(phrase))
            self._firsts[name] = frozenset(found)
        return self._firsts[name]

    def either(self, patterns: Sequence[str]) -> re.Pattern[str] | None:
        """One expression for any of the patterns."""
        if not patterns:
            return None
        from comments.policy import compiled_patterns  # the layer's build compiled it ahead

        return compiled_patterns.compile("|".join(f"(?:(?<![^ ]){self.sequence(p)})" for p in patterns))


class Needs:
    """Which anchor classes a pattern needs in a sentence before it can match there.

    A required element {C} of a pattern can only match where one of the anchor classes `needs(C)`
    has a word: C itself when it is an anchor class (the plain words of its phrases are anchors,
    "take" of "take {target_obj} out" too), and, for each of its phrases made of classes only
    ("{det} {person}"), what one of their required elements needs. A class that can match without
    any anchor word needs nothing. {link} and {handle} need a link or an @handle in the sentence.
    """

    def __init__(self, classes: Mapping[str, Sequence[str]], anchors: Iterable[str]) -> None:
        self._classes = classes
        self._anchors = frozenset(anchors)  # the rule's anchor and context classes
        self._memo: dict[str, frozenset[str] | None] = {}

    def of_class(self, name: str) -> frozenset[str] | None:
        """The anchor classes one of which any match of the class contains; None: no such set."""
        if name in BUILT_IN_CLASSES:
            return frozenset({name}) if name in SEEN_BUILT_INS else None
        if name not in self._memo:
            self._memo[name] = None  # while it is worked out (classes do not name each other in a circle)
            anchored = name in self._anchors
            found = {name} if anchored else set()
            for phrase in self._classes[name]:
                if not is_composite(phrase):
                    if anchored:
                        continue  # its own words are anchors
                    found = set()  # plain words of a class that is not looked for: anything can match
                    break
                inner = self.of_pattern(phrase)
                if inner:
                    found |= inner[0]
                elif anchored and plain_words(phrase):
                    continue  # anchored by its first plain word ("take" of "take {target_obj} out")
                else:
                    found = set()  # a phrase that needs nothing: anything can match
                    break
            self._memo[name] = frozenset(found) or None
        return self._memo[name]

    def of_pattern(self, pattern: str) -> list[frozenset[str]]:
        """For each required element that needs anchors, the classes one of which must be there."""
        needs = []
        for part in pattern.split():
            if part.startswith("{") and part.endswith("}"):
                name = part[1:-1]
                found = self.of_class(name)
                if found:
                    needs.append(found)
        return needs


def unanchored_pattern(classes: Mapping[str, Sequence[str]], rule: IntentRule) -> str | None:
    """A pattern of the rule that needs none of its anchor classes (None if there is none). Signals
    may: they count in the sentences the anchors lead to."""
    needs = Needs(classes, (*rule.anchors, *rule.context))
    anchors = {*rule.anchors, *SEEN_BUILT_INS}
    for pattern in rule.patterns:
        if not any(not anchors.isdisjoint(need) for need in needs.of_pattern(pattern)):
            return pattern
    return None


def plain_words(phrase: str) -> list[str]:
    """The required words of a structured phrase: "take|knock" and "out" of "take|knock {target} out"."""
    return [part for part in phrase.split() if part[0] not in "{~*" and not part.endswith("?")]
