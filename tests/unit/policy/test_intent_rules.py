"""How the intent rules work: structure, what does not count, spans and messages, and the policy
data that operators change (refused when it cannot work)."""

import json

import pytest
from comments.policy.engine import default_policy, describe, evaluate, parse_policy
from pydantic import ValidationError


def hits_of(verdict, rule):
    return [hit for hit in verdict.hits if hit.rule == rule]


@pytest.mark.parametrize(
    ("body", "rule"),
    [
        ("I will find you.", "threat"),
        ("Somebody should stab the editor.", "threat"),
        ("The columnist deserves to be shot.", "threat"),
        ("I hope your family burns.", "threat"),
        ("Do the world a favour and disappear.", "self_harm"),
        ("Nobody would miss you.", "self_harm"),
        ("Refugees are cockroaches.", "hate"),
        ("Send them all back where they came from.", "hate"),
        ("DM me for the best crypto signals.", "spam"),
        ("Message me on WhatsApp for cheap loans.", "spam"),
    ],
)
def test_an_intent_rule_holds_a_comment_and_says_why_in_plain_words(judge, body, rule):
    # Given a comment with a threat, an urging to self-harm, hate or spam
    # When it is judged
    verdict = judge(body)
    # Then it is held by that rule, whose message quotes what it read and has no placeholder left
    assert verdict.outcome == "hold"
    (hit,) = hits_of(verdict, rule)
    assert "{" not in hit.message and "\u201c" in hit.message and hit.message.endswith(".")
    assert all(0 <= start < end <= len(body) for start, end in hit.spans)


@pytest.mark.parametrize(
    ("threat", "not_a_threat"),
    [
        ("Someone should kill the journalist.", "Nobody should kill a journalist."),
        ("I will shoot you.", "I will never shoot anyone, let alone you."),
        ("The generals should be executed.", "The generals should be tried for war crimes."),
        ("We will hunt you down.", "\u201cWe will hunt you down,\u201d the minister said."),
        ("Someone should shoot the author.", "What if someone had shot the author?"),
        ("I'll kill you.", "I'll kill you at chess next time."),
        ("Hang them all.", "Hang on, that is not what the report said."),
        ("Kill the reporter.", "The strike killed a reporter and two drivers."),
    ],
)
def test_the_same_words_are_a_threat_only_in_a_threatening_structure(judge, threat, not_a_threat):
    # Given a threat, and nearly the same words negated, reported, legal, hypothetical or an idiom
    # When both are judged
    # Then only the threat is held
    assert hits_of(judge(threat), "threat")
    assert judge(not_a_threat).outcome == "publish", judge(not_a_threat).hits


def test_a_quotation_counts_as_the_commenters_own_words_unless_someone_is_said_to_have_said_it(judge):
    # Given the same threat in quotation marks, once attributed, once not
    attributed = 'He wrote to the family: "I know where you live."'
    bare = '"I know where you live."'
    # When both are judged
    # Then the attributed quotation publishes and the bare one is held
    assert judge(attributed).outcome == "publish"
    assert hits_of(judge(bare), "threat")


@pytest.mark.parametrize(
    ("body", "disguised"),
    [
        ("Someone should k.i.l.l the author.", "k.i.l.l"),
        ("I will sh00t you.", "sh00t"),
        ("Someone should \u0455hoot the author.", "\u0455hoot"),  # a Cyrillic s
        ("K Y S", "K Y S"),
    ],
)
def test_a_disguised_word_is_read_as_the_word_and_highlighted_where_it_is_written(judge, body, disguised):
    # Given a comment whose key word is disguised
    # When it is judged
    verdict = judge(body)
    # Then an intent rule fires, and its span covers the disguised word in the original text
    fired = [hit for hit in verdict.hits if hit.rule in ("threat", "self_harm")]
    assert fired, verdict.hits
    start = body.index(disguised)
    assert any(a <= start and start + len(disguised) <= b for hit in fired for a, b in hit.spans)


def test_the_policy_page_explains_the_intent_rules(policy):
    # Given the default policy
    # When the public page is generated
    explained = {entry.rule: entry for entry in describe(policy)}
    # Then each intent rule is there, held, in plain words
    for rule in ("threat", "self_harm", "hate", "spam"):
        assert explained[rule].verdict == "hold"
        assert explained[rule].title and "{" not in explained[rule].explanation


def test_an_operator_can_switch_an_intent_rule_off(judge):
    # Given an override that switches the threat rule off
    override = parse_policy('{"version": "site-3", "rules": {"threat": {"enabled": false}}}')
    body = "Someone should shoot the author."
    # When a threat is judged under it
    verdict = evaluate(override, body=body, name="Ada")
    # Then it publishes there, while the default holds it
    assert verdict.outcome == "publish"
    assert judge(body).outcome == "hold"


def test_an_operator_can_change_a_word_class_and_a_verdict(judge):
    # Given an override that adds a harm verb (a class is replaced whole) and rejects threats
    harm = [*default_policy().intent_words["harm"], "defenestrate"]
    override = parse_policy(
        json.dumps(
            {"version": "site-4", "intent_words": {"harm": harm}, "rules": {"threat": {"verdict": "reject"}}}
        )
    )
    body = "Someone should defenestrate the editor."
    # When a threat with the new verb is judged
    verdict = evaluate(override, body=body, name="Ada")
    # Then it is rejected under the override, and published by the default
    assert verdict.outcome == "reject" and hits_of(verdict, "threat")
    assert judge(body).outcome == "publish"


def test_spam_pieces_count_when_they_come_together_not_spread_over_a_comment(judge):
    # Given a pitch whose pieces (pharmacy, bitcoin, an earnings claim) come in two sentences,
    # and a comment that mentions the same things in unrelated sentences, far apart
    pitch = "Out of meds? My pharmacy ships today, pay in Bitcoin. I make $500 a day doing this."
    chat = (
        "Out of meds again at the pharmacy on Main Street. The council has still not answered. "
        "Bitcoin hit a record today, apparently. I make $15 an hour and cannot afford rent."
    )
    # When both are judged
    # Then the pitch is held as spam, with every piece it was read by highlighted, and the chat published
    held = hits_of(judge(pitch), "spam")
    assert held and len(held[0].spans) >= 3
    assert judge(chat).outcome == "publish"
    # And an operator who wants the old reading (anywhere in the comment) can have it
    anywhere = parse_policy('{"version": "site-5", "rules": {"spam": {"signals_within": 0}}}')
    assert hits_of(evaluate(anywhere, body=chat, name="Ada"), "spam")


@pytest.mark.parametrize(
    ("override", "refused"),
    [
        ({"rules": {"threat": {"patterns": ["{no_such_class} {harm}"]}}}, "unknown word class"),
        ({"rules": {"threat": {"patterns": ["{harm} ~0"]}}}, "cannot read"),
        ({"rules": {"threat": {"patterns": ["{harm}? {target_obj}?"]}}}, "must be there"),
        ({"rules": {"threat": {"patterns": ["{target_obj} {should}"]}}}, "no comment would ever be read"),
        ({"intent_words": {"harm": ["k!ll"]}}, "words may have only"),
        ({"intent_words": {"harm": ["{harm} twice"]}}, "in a circle"),
        ({"rules": {"threat": {"message": "Threat: {nonsense}"}}}, "unknown placeholder"),
    ],
)
def test_a_policy_whose_intent_rules_cannot_work_is_refused(override, refused):
    # Given an override with an intent rule or word class that cannot work
    raw = json.dumps({"version": "site-5", **override})
    # When it is parsed
    # Then it is refused, saying why
    with pytest.raises(ValidationError, match=refused):
        parse_policy(raw)


def test_reading_intent_compiles_nothing_at_import():
    # Given a fresh interpreter
    import subprocess
    import sys

    code = (
        "import comments.policy.engine as e\n"
        "import comments.policy.intent, comments.policy.intent_index, comments.policy.intent_language\n"
        "print(e.default_policy.cache_info().currsize)"
    )
    # When the engine and the intent modules are imported
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # Then no policy was read (nothing is parsed, indexed or compiled until a comment is judged)
    assert done.stdout.split()[-1] == "0"
