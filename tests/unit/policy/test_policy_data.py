"""The policy is versioned data: the shipped default, operators' overrides, and its public page."""

import json
import subprocess
import sys

import pytest
from comments.policy.engine import (
    RULES,
    STATEFUL_RULES,
    default_policy,
    describe,
    duplicate_fingerprint,
    evaluate,
    parse_policy,
    stateful_hit,
)
from pydantic import ValidationError


def test_the_default_policy_is_parsed_once_and_carries_the_contract_defaults():
    # Given the shipped default
    # When it is asked for twice
    first, second = default_policy(), default_policy()
    # Then it is the same object, with the contract's numbers
    assert first is second
    assert (first.report_threshold, first.edit_window_minutes, first.duplicate_window_hours) == (3, 15, 24)
    assert (first.rules.length.min_chars, first.rules.length.max_chars, first.rules.links.max_links) == (
        2,
        5000,
        2,
    )
    assert {"bit.ly", "tinyurl.com", "t.co", "goo.gl"} <= set(first.rules.blocked_link.domains)


def test_the_word_lists_say_where_they_come_from_and_under_what_licence(policy):
    # Given the shipped word lists
    lists = [policy.rules.profanity, policy.rules.suspect_term]
    # When their notes are read
    # Then each names its source and licence
    for word_list in lists:
        assert "project" in word_list.source and "MIT" in word_list.licence


def test_an_override_changes_only_what_it_names(judge):
    # Given an override that allows four links
    override = parse_policy('{"version": "site-7", "rules": {"links": {"max_links": 4}}}')
    body = "See a.example.com, b.example.com and c.example.com"
    # When a comment with three links is judged under it
    verdict = evaluate(override, body=body, name="Ada")
    # Then it is published under the override's version, while the default holds it
    assert (verdict.outcome, verdict.policy_version) == ("publish", "site-7")
    assert judge(body).outcome == "hold"
    assert override.rules.profanity == default_policy().rules.profanity


def test_an_override_can_add_words_and_allow_phrases(judge):
    # Given an override with an extra blocked word and an allowed phrase
    override = parse_policy(
        json.dumps(
            {
                "version": "site-8",
                "rules": {"profanity": {"extra_terms": ["frak+"]}},
                "matching": {"allowlist": ["holy frak"]},
            }
        )
    )
    # When comments with it are judged
    plain = evaluate(override, body="Frakking toasters", name="Ada")
    allowed = evaluate(override, body="Holy frak, what a twist", name="Ada")
    # Then the word is caught with its inflections, except inside the allowed phrase
    assert plain.outcome == "reject" and allowed.outcome == "publish"


def test_a_rule_can_be_turned_off(judge):
    # Given an override that turns shouting off
    override = parse_policy('{"version": "quiet", "rules": {"shouting": {"enabled": false}}}')
    body = "THIS IS THE WORST ARTICLE I HAVE EVER READ"
    # When a shouted comment is judged
    # Then only the default holds it, and the policy page no longer lists the rule
    assert evaluate(override, body=body, name="Ada").outcome == "publish"
    assert judge(body).outcome == "hold"
    assert "shouting" not in {entry.rule for entry in describe(override)}


BAD_OVERRIDES = [
    ("not JSON", "{nope"),
    ("not UTF-8", b"\xff\xfe{}"),
    ("not an object", "[1, 2]"),
    ("no version", '{"rules": {"links": {"max_links": 4}}}'),
    ("a bad version", '{"version": "has spaces"}'),
    ("an unknown rule", '{"version": "x", "rules": {"swearing": {}}}'),
    ("an unknown setting", '{"version": "x", "rules": {"links": {"max_link": 4}}}'),
    ("a negative threshold", '{"version": "x", "rules": {"links": {"max_links": -1}}}'),
    ("a wrong type", '{"version": "x", "report_threshold": "three"}'),
    ("a verdict that is not hold or reject", '{"version": "x", "rules": {"links": {"verdict": "delete"}}}'),
    ("an unknown placeholder", '{"version": "x", "rules": {"links": {"message": "Too many {links}."}}}'),
    (
        "attribute access in a template",
        '{"version": "x", "rules": {"profanity": {"message": "{words.__class__}"}}}',
    ),
    ("a broken template", '{"version": "x", "rules": {"shouting": {"message": "Capitals {"}}}'),
    ("an empty message", '{"version": "x", "rules": {"shouting": {"message": ""}}}'),
    (
        "a blocked domain that is not a domain",
        '{"version": "x", "rules": {"blocked_link": {"domains": ["not a domain"]}}}',
    ),
    ("a letter as leetspeak", '{"version": "x", "matching": {"leet": {"a": "b"}}}'),
    ("a separator as a mask", '{"version": "x", "matching": {"masks": "-"}}'),
    ("a ratio over one", '{"version": "x", "rules": {"shouting": {"max_upper_ratio": 1.5}}}'),
]


@pytest.mark.parametrize("kind, raw", BAD_OVERRIDES, ids=[kind for kind, _ in BAD_OVERRIDES])
def test_a_bad_override_is_refused(kind, raw):
    # Given a bad operator override
    # When it is parsed
    # Then it is refused with an error that says why
    with pytest.raises((ValueError, ValidationError)) as refused:
        parse_policy(raw)
    assert str(refused.value)


def test_a_policy_is_compiled_on_first_use_not_when_parsed():
    # Given a freshly parsed policy
    fresh = parse_policy('{"version": "lazy"}')
    # When nothing has been judged with it, and then a comment has
    before = fresh._compiled
    evaluate(fresh, body="A fair article.", name="Ada")
    # Then its word lists were compiled only for the comment
    assert before is None and fresh._compiled is not None


def test_importing_the_engine_compiles_nothing_and_loads_no_suffix_list():
    # Given a fresh interpreter
    script = (
        "import sys, re\n"
        "before = len(re._cache) if hasattr(re, '_cache') else 0\n"
        "import comments.policy.engine as engine\n"
        "assert 'publicsuffixlist' not in sys.modules\n"
        "engine.evaluate(engine.default_policy(), body='No links here.', name='Ada')\n"
        "assert 'publicsuffixlist' not in sys.modules\n"
        "print('ok')\n"
    )
    # When it imports the engine and judges a comment without links
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PYTHONPATH": ":".join(p for p in sys.path if p.endswith(("layers/comments", "dev")))},
    )
    # Then the public-suffix list was never loaded
    assert result.stdout.strip() == "ok", result.stderr


@pytest.mark.parametrize(
    "rule, verdict",
    [("duplicate", "reject"), ("banned_author", "reject"), ("reported", "hold"), ("premoderation", "hold")],
)
def test_a_stateful_rule_has_its_contract_verdict_and_a_message(policy, rule, verdict):
    # Given a rule only the lifecycle can see
    # When its hit is asked for
    hit = stateful_hit(policy, rule)
    # Then it has the contract's verdict and plain words
    assert (hit.rule, hit.verdict, hit.field, hit.spans) == (rule, verdict, "body", [])
    assert hit.message and "{" not in hit.message


def test_the_premoderation_message_is_the_contracts(policy):
    # Given the pre-moderation rule
    # When its hit is asked for
    # Then it says what the contract says
    assert stateful_hit(policy, "premoderation").message == (
        "This article's comments are checked by a moderator before they appear."
    )


def test_a_rule_the_engine_sees_by_itself_is_not_a_stateful_hit(policy):
    # Given a stateless rule
    # When its hit is asked for as a stateful one
    # Then it is refused
    with pytest.raises(ValueError, match="not a stateful rule"):
        stateful_hit(policy, "profanity")


def test_the_policy_page_explains_every_rule_in_plain_words(policy):
    # Given the default policy
    # When the public page is generated
    page = describe(policy)
    # Then every rule that applies has a title, its verdict and a filled-in explanation (new
    # writers are pre-moderated only per article by default; no classifier is configured)
    assert [entry.rule for entry in page] == [
        r for r in RULES if r not in {"new_author", "toxicity", "akismet"}
    ]
    for entry in page:
        assert entry.title and entry.verdict in ("hold", "reject")
        assert "{" not in entry.explanation and entry.explanation.endswith(".")
    explained = {entry.rule: entry.explanation for entry in page}
    assert "2 links" in explained["links"] and "24 hours" in explained["duplicate"]
    assert "3 different readers" in explained["reported"]
    assert "3 or more of a writer's last 5" in explained["author_history"]
    assert set(explained) >= STATEFUL_RULES - {"new_author"}


def test_the_policy_page_explains_the_classifiers_and_new_writers_only_where_they_apply():
    # Given a policy that pre-moderates new writers' first 2 approved comments site-wide
    policy = parse_policy('{"version": "site-2", "rules": {"new_author": {"newAuthorPremoderation": 2}}}')
    # When the page is generated for a deployment with Comprehend's toxicity check configured
    explained = {entry.rule: entry.explanation for entry in describe(policy, configured=["toxicity"])}
    # Then new writers and the toxicity check are explained, and Akismet (not configured) is not
    assert "until 2 of them have been approved" in explained["new_author"]
    assert "Amazon Comprehend" in explained["toxicity"]
    assert "akismet" not in explained


@pytest.mark.parametrize(
    "same",
    [
        ("Great   article!!", "great article!"),
        ("Great article", "GREAT ARTICLE"),
        ("Café society", "cafe society"),
        ("Greeeeat article", "Great article"),
        ("Grеat article", "Great article"),  # a Cyrillic e
        ("Great\u200b article", "Great article"),
        ("great_article", "great article"),
        ("Great\narticle", "great article"),
        ("Great\r\n\tarticle", "GREAT ARTICLE"),
        ("Café\nsociety", "cafe society"),
    ],
)
def test_the_same_text_written_differently_has_one_fingerprint(same):
    # Given two ways of writing one comment
    first, second = same
    # When they are fingerprinted
    # Then the fingerprints match
    assert duplicate_fingerprint(first) == duplicate_fingerprint(second)


@pytest.mark.parametrize(
    "different",
    [
        ("Great article", "Great articles"),
        ("I paid 1000", "I paid 10"),
        ("Привет", "Приветы"),
        ("你好", "再见"),
        ("Great\narticle", "Greatarticle"),
    ],
)
def test_different_texts_have_different_fingerprints(different):
    # Given two different comments
    first, second = different
    # When they are fingerprinted
    # Then the fingerprints differ, and each is a sha256 in hex
    assert duplicate_fingerprint(first) != duplicate_fingerprint(second)
    assert len(duplicate_fingerprint(first)) == 64


def test_bare_domains_are_recognised_from_the_shipped_suffix_list_without_the_network(judge, monkeypatch):
    # Given a process where any network connection fails, and the suffix list not yet loaded
    import socket

    from comments.policy import links

    def no_network(*args, **kwargs):
        raise AssertionError("the policy tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    links._public_suffixes.cache_clear()
    # When a comment with three bare domains is judged
    verdict = judge("See example.co.uk, example.com.au and example.io")
    # Then the suffix list is read from the package and all three count as links
    assert [hit.rule for hit in verdict.hits] == ["links"]
    assert len(verdict.hits[0].spans) == 3
