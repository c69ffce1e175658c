"""Properties over any text: normalisation and evaluation never fail, and disguises never help."""

from comments.policy.engine import default_policy, evaluate, parse_policy
from comments.policy.normalise import MatchText, skeleton
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

POLICY = default_policy()
# The same policy parsed again: its own instance, compiled separately.
SAME_POLICY_AGAIN = parse_policy(f'{{"version": "{POLICY.version}"}}')
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

any_text = st.text(max_size=300)
# Letters of several scripts, marks, format characters and emoji, more often than st.text() finds them.
mixed_text = st.text(
    alphabet=st.one_of(
        st.characters(codec="utf-8"),
        st.sampled_from(
            "abcdefghijklmnopqrstuvwxyz ABCDEF .,-_*@$!1305|"
            "\u200b\u200d\u00ad\u2060\u202e\ufe0f\u0301\u0336ßæﬁ\u2026аеоѕ"
            "οα\uff46\uff55\U0001d41f\U0001f600中ا"
        ),
    ),
    max_size=200,
)
ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\u2066"
BLOCKED = ["fuck", "shit", "cunt", "twat", "wanker", "bitch", "asshole", "bullshit", "motherfucker"]


@FAST
@given(mixed_text)
def test_normalising_never_fails_and_gives_ascii(text):
    # Given any text
    # When it is normalised for matching
    result = skeleton(text)
    # Then the result is ASCII with no control characters
    assert result.isascii() and all(ch == " " or ch.isprintable() for ch in result)


@FAST
@given(mixed_text)
def test_normalising_twice_changes_nothing(text):
    # Given any text, normalised once
    once = skeleton(text)
    # When it is normalised again
    # Then it stays the same
    assert skeleton(once) == once


@FAST
@given(mixed_text, st.data())
def test_any_skeleton_span_maps_to_a_valid_span_of_the_original(text, data):
    # Given any text and any non-empty span of its skeleton
    matched = MatchText(text)
    if not matched.skeleton:
        return
    start = data.draw(st.integers(0, len(matched.skeleton) - 1))
    end = data.draw(st.integers(start + 1, len(matched.skeleton)))
    # When it is mapped back to the original
    first, last = matched.to_original(start, end)
    # Then it is a non-empty span inside the original, in order
    assert 0 <= first < last <= len(text)
    assert matched.to_original(start, start + 1)[0] <= first


@FAST
@given(body=mixed_text, name=st.text(max_size=80))
def test_evaluate_never_fails_and_gives_the_same_verdict_twice(body, name):
    # Given any body and name
    # When they are judged twice, once under a freshly parsed copy of the policy
    first = evaluate(POLICY, body=body, name=name)
    second = evaluate(SAME_POLICY_AGAIN, body=body, name=name)
    # Then the verdicts are equal, and every span is a valid span of its field
    assert first == second
    for hit in first.hits:
        text = name if hit.field == "name" else body
        assert all(0 <= start < end <= len(text) for start, end in hit.spans)


@FAST
@given(
    word=st.sampled_from(BLOCKED),
    invisible=st.lists(st.tuples(st.integers(1, 12), st.sampled_from(ZERO_WIDTH)), max_size=6),
    before=st.sampled_from(["", "Well ", "Honestly, ", "I said: "]),
    after=st.sampled_from(["", " off", "!", ", right?"]),
)
def test_invisible_characters_inside_a_blocked_word_never_let_it_through(word, invisible, before, after):
    # Given a blocked word with zero-width and format characters inserted anywhere inside it
    disguised = word
    for position, char in sorted(invisible, reverse=True):
        position = min(position, len(disguised) - 1)
        disguised = disguised[:position] + char + disguised[position:]
    # When it is judged
    verdict = evaluate(POLICY, body=before + disguised + after, name="Ada")
    # Then it is still rejected
    assert verdict.outcome == "reject"


@FAST
@given(word=st.sampled_from(BLOCKED), data=st.data())
def test_changing_the_case_of_a_blocked_word_never_lets_it_through(word, data):
    # Given a blocked word with any of its letters in capitals
    capitals = data.draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    disguised = "".join(ch.upper() if up else ch for ch, up in zip(word, capitals, strict=True))
    # When it is judged
    verdict = evaluate(POLICY, body=f"This is {disguised} really", name="Ada")
    # Then it is still rejected
    assert verdict.outcome == "reject"


INNOCENT_DICTIONARY = [
    "Scunthorpe",
    "assassin",
    "class",
    "cocktail",
    "Dickens",
    "Sussex",
    "therapist",
    "shiitake",
    "Matsushita",
    "Arsenal",
    "cumulative",
    "harassment",
    "classic",
    "passage",
    "grape",
    "Essex",
    "analyst",
    "hello",
    "skills",
    "document",
    "the",
    "council",
    "voted",
    "against",
    "budget",
    "hell",
    "of",
    "a",
    "game",
    "I",
    "we",
    "article",
    "minister",
    "said",
    "on",
    "Tuesday",
    "houses",
    "trains",
    "cancelled",
    "shuttlecock",
    "title",
    "assume",
    "Penistone",
    "Hancock",
    "peacock",
    "buttress",
    "bassist",
    "scrapbook",
    "Twitter",
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(INNOCENT_DICTIONARY), min_size=2, max_size=40),
    st.sampled_from([" ", ", ", ". "]),
)
def test_clean_text_from_innocent_words_is_never_rejected(words, separator):
    # Given a comment made only of innocent words (two at least: one "I" is too short a comment)
    body = separator.join(words)
    # When it is judged
    verdict = evaluate(POLICY, body=body, name="Ada")
    # Then nothing rejects it
    assert verdict.outcome != "reject", verdict.hits
