"""Author trust from moderators' decisions (moved by the relay from the change stream, once per
record): new writers held until enough of their comments were approved (per site or per article),
a writer whose recent comments were mostly rejected held again, a trusted writer's links
published; and the policy statistics, per rule, after a scripted series of holds and decisions."""

import json

import pytest
from comments_dev.streams import stream_mappings
from conftest import MODERATOR
from tests_support import unique_tag

ARTICLE = "trust-article"
PATH = f"/articles/{ARTICLE}/comments"
LINKS = "Sources: https://a.example.org https://b.example.org https://c.example.org"


@pytest.fixture
def relay(api, aws_stack):
    [mapping] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})
    return mapping


def post(api, email: str, body: str | None = None, article: str = ARTICLE, **extra):
    payload = {"name": "Robin", "email": email, "body": body or f"A calm remark, {unique_tag()}.", **extra}
    return api.call("POST", f"/articles/{article}/comments", payload)


def decide(api, comment_id: str, decision: str):
    reply = api.call(
        "POST", f"/moderation/comments/{comment_id}/decision", {"decision": decision}, claims=MODERATOR
    )
    assert reply.status == 200, reply.json
    return reply


def use_policy(aws_stack, monkeypatch, override: dict) -> None:
    from tests_support import reset

    name = f"/comments/{override['version']}"
    aws_stack.client("ssm").put_parameter(Name=name, Value=json.dumps(override), Type="String")
    monkeypatch.setenv("POLICY_PARAMETER", name)
    reset()


def held_then(api, relay, email: str, decision: str, body: str = LINKS) -> str:
    """A held comment of this author (three links hold it), decided by a moderator and relayed."""
    posted = post(api, email, f"{body} {unique_tag()}")
    assert posted.status == 202, posted.json
    decide(api, posted.json["comment"]["id"], decision)
    relay.drain()
    return str(posted.json["comment"]["id"])


def rules(reply) -> list[str]:
    return [r["rule"] for r in reply.json.get("reasons", [])]


def test_an_article_holds_new_writers_until_moderators_approved_enough_of_their_comments(api, relay):
    # Given an article that holds a writer's comments until 2 of them were approved
    settings = api.call(
        "PUT", f"/moderation/articles/{ARTICLE}", {"newAuthorPremoderation": 2}, claims=MODERATOR
    )
    assert settings.status == 200 and settings.json["settings"]["newAuthorPremoderation"] == 2
    email = "new@example.org"
    # When the writer's first comment is held, approved and relayed, and the second too
    first = post(api, email)
    assert (first.status, rules(first)) == (202, ["new_author"])
    assert "until 2 of them have been approved" in first.json["reasons"][0]["message"]
    decide(api, first.json["comment"]["id"], "approve")
    relay.drain()
    second = post(api, email)
    assert (second.status, rules(second)) == (202, ["new_author"])
    decide(api, second.json["comment"]["id"], "approve")
    relay.drain()
    # Then the third is published at once, and on another article (the site's default: off) too
    assert post(api, email).status == 201
    assert post(api, "other@example.org", article="another-article").status == 201


def test_the_site_wide_threshold_applies_where_an_article_says_nothing(api, aws_stack, monkeypatch, relay):
    # Given a policy holding every new writer's comments until one was approved
    use_policy(
        aws_stack, monkeypatch, {"version": "new-1", "rules": {"new_author": {"newAuthorPremoderation": 1}}}
    )
    # but an article that turns it off for itself
    assert (
        api.call(
            "PUT", "/moderation/articles/open-one", {"newAuthorPremoderation": 0}, claims=MODERATOR
        ).status
        == 200
    )
    # When a new writer comments on both
    here = post(api, "site@example.org")
    there = post(api, "site@example.org", article="open-one")
    # Then the article that says nothing holds it, the other publishes it
    assert (here.status, rules(here)) == (202, ["new_author"])
    assert there.status == 201


def test_a_writer_whose_recent_comments_were_mostly_rejected_is_held(api, relay):
    # Given a writer with three of their held comments rejected and one approved
    email = "history@example.org"
    for decision in ("reject", "approve", "reject", "reject"):
        held_then(api, relay, email, decision)
    # When they post a comment no other rule holds
    reply = post(api, email)
    # Then it is held, and the reason says why in words they can act on
    assert (reply.status, rules(reply)) == (202, ["author_history"])
    assert "3 of your last 4 comments" in reply.json["reasons"][0]["message"]
    # and a different writer's comment is published
    assert post(api, "fresh@example.org").status == 201


def test_approvals_move_a_writer_out_of_their_history(api, relay):
    # Given a writer with 3 of 3 held comments rejected
    email = "recover@example.org"
    for _ in range(3):
        held_then(api, relay, email, "reject")
    # When moderators approve their next comments, one at a time, as long as they are held
    held_for_history = 0
    while (reply := post(api, email)).status == 202:
        assert rules(reply) == ["author_history"]
        held_for_history += 1
        decide(api, reply.json["comment"]["id"], "approve")
        relay.drain()
    # Then three approvals do it: 2 of their last 5 rejected is no longer most of them
    assert reply.status == 201 and held_for_history == 3


def test_a_trusted_writer_has_the_soft_holds_published(api, relay):
    # Given a writer with 5 comments approved and none rejected
    email = "trusted@example.org"
    for _ in range(4):
        held_then(api, relay, email, "approve")
    # (one approval short: still held for links)
    almost = post(api, email, f"{LINKS} {unique_tag()}")
    assert rules(almost) == ["links"]
    decide(api, almost.json["comment"]["id"], "approve")
    relay.drain()
    # When they post three links, and in capitals
    links = post(api, email, f"{LINKS} {unique_tag()}")
    shouting = post(api, email, f"THIS IS A VERY IMPORTANT POINT ABOUT THE BUDGET {unique_tag().upper()}")
    # Then both are published (links and shouting are the policy's soft holds); a newcomer's are held
    assert (links.status, shouting.status) == (201, 201)
    assert rules(post(api, "newcomer@example.org", f"{LINKS} {unique_tag()}")) == ["links"]


def test_a_trusted_writer_is_still_held_for_a_hold_that_is_not_soft(api, relay):
    # Given a trusted writer
    email = "trusted-pi@example.org"
    for _ in range(5):
        held_then(api, relay, email, "approve")
    # When they post a phone number (personal details are not a soft hold)
    reply = post(api, email, f"Call me on 020 7946 0958 about it, {unique_tag()}.")
    # Then it is held for that
    assert (reply.status, rules(reply)) == (202, ["personal_info"])


def test_a_rejection_ends_trust_for_the_clean_period(api, relay):
    # Given a trusted writer, and then one of their comments (held for a phone number) rejected
    email = "lapsed@example.org"
    for _ in range(5):
        held_then(api, relay, email, "approve")
    held_then(api, relay, email, "reject", body="Ring me on 020 7946 0958 about it.")
    # When they post three links
    reply = post(api, email, f"{LINKS} {unique_tag()}")
    # Then the links hold applies again (no rejection in 90 days is part of trust)
    assert rules(reply) == ["links"]


def test_the_author_rules_apply_to_an_edit_too_each_as_the_policy_switches_it(
    api, aws_stack, monkeypatch, relay
):
    # Given a writer with 3 rejected comments who had posted a published comment before
    email = "editor@example.org"
    published = post(api, email).json
    for _ in range(3):
        held_then(api, relay, email, "reject")
    # When they edit the published comment
    edited = api.call(
        "PATCH",
        f"{PATH}/{published['comment']['id']}",
        {"editToken": published["editToken"], "body": "A calm remark, edited."},
    )
    # Then the edit is held for their history
    assert (edited.status, edited.json["status"]) == (200, "pending")
    # and with the rule turned off by the operator, a comment of theirs is published
    use_policy(
        aws_stack, monkeypatch, {"version": "no-history", "rules": {"author_history": {"enabled": False}}}
    )
    assert post(api, email).status == 201


def test_a_record_delivered_again_changes_the_authors_record_once(api, aws_stack, relay):
    # Given a writer's held comment rejected, and the relay's batch delivered twice
    from comments.api import runtime
    from comments.domain.relay import StreamChange
    from comments.domain.tallies import tally

    email = "twice@example.org"
    posted = post(api, email, f"{LINKS} {unique_tag()}")
    decide(api, posted.json["comment"]["id"], "reject")
    streams = aws_stack.client("dynamodbstreams")
    table = aws_stack.tables["CommentsTable"]
    arn = aws_stack.client("dynamodb").describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")
    records = streams.get_records(ShardIterator=iterator["ShardIterator"])["Records"]
    from comments.adapters.dynamo import from_item

    tallies = [(r["eventID"], tally(StreamChange(r, from_item), None)) for r in records]
    tallies = [(rid, t) for rid, t in tallies if t.author]
    assert len(tallies) == 1
    rt = runtime.current()
    # When the same tally is applied three times (the stream delivers at least once)
    first = rt.table.apply_tallies(tallies, 1_800_000_000)
    again = rt.table.apply_tallies(tallies, 1_800_000_000)
    relay.drain()  # and the relay itself delivers it once more
    # Then it counted once: one rejection, applied by the first call only
    assert (first.applied, again.applied, again.failed) == ([tallies[0][0]], [], [])
    state, _ = rt.table.submission_state(ARTICLE, rt.keys.author_id(email), None, 1_800_000_000)
    assert (state.author.approved, state.author.rejected) == (0, 1)


def scripted_holds_and_decisions(api, relay) -> None:
    """Holds: links x3 (2 approved, 1 rejected), personal_info x2 (1 rejected, 1 waiting),
    shouting with links x1 (approved), and a published comment (holds nothing)."""

    def hold(body: str) -> str:
        reply = post(api, f"s-{unique_tag()}@example.org", f"{body} {unique_tag()}")
        assert reply.status == 202, reply.json
        return str(reply.json["comment"]["id"])

    decisions = [(hold(LINKS), "approve"), (hold(LINKS), "approve"), (hold(LINKS), "reject")]
    decisions += [(hold("Ring me on 020 7946 0958 tonight."), "reject")]
    hold("Write to me: someone@example.net")
    decisions += [(hold(f"READ THIS NOW EVERYONE, THE COUNCIL IS WRONG {LINKS.upper()}"), "approve")]
    assert post(api, "calm@example.org").status == 201
    for comment_id, decision in decisions:
        decide(api, comment_id, decision)
    relay.drain()


def test_policy_stats_after_a_scripted_series_of_holds_and_decisions(api, relay):
    # Given a scripted series of holds and decisions, relayed
    scripted_holds_and_decisions(api, relay)
    # When an editor asks which rules are too strict
    reply = api.call("GET", "/moderation/policy/stats", claims=MODERATOR)
    # Then per rule: what it held in the last 30 days, and what moderators made of those
    assert reply.status == 200 and reply.json["days"] == 30
    stats = {r["rule"]: (r["held"], r["approved"], r["rejected"]) for r in reply.json["rules"]}
    assert stats == {"links": (4, 3, 1), "personal_info": (2, 0, 1), "shouting": (1, 1, 0)}
    links = next(r for r in reply.json["rules"] if r["rule"] == "links")
    assert links["approvedShare"] == 0.75
    # and the statistics are not counted again when the stream delivers the records again
    relay.drain()
    assert api.call("GET", "/moderation/policy/stats", claims=MODERATOR).json == reply.json


def test_policy_stats_refuse_a_bad_window(api):
    for days in ("0", "91", "x", "-1"):
        reply = api.call("GET", "/moderation/policy/stats", query=f"days={days}", claims=MODERATOR)
        assert reply.status == 400 and reply.json["error"] == "bad_request"
    assert api.call("GET", "/moderation/policy/stats").status == 401


def test_comments_policy_stats_shows_the_same_figures_from_a_terminal(api, relay, capsys):
    from comments_cli import policy

    # Given the scripted series, relayed
    scripted_holds_and_decisions(api, relay)
    served = api.call("GET", "/moderation/policy/stats", claims=MODERATOR).json
    capsys.readouterr()  # (the functions' own log lines)
    # When an editor runs comments-policy stats against the stack (found from the environment)
    assert policy.main(["stats", "--json"]) == 0
    as_json = json.loads(capsys.readouterr().out)
    assert policy.main(["stats", "--days", "7"]) == 0
    text = capsys.readouterr().out.splitlines()
    # Then the figures are the API's, and the table reads rule by rule
    assert as_json == served
    assert text[1].split() == ["RULE", "HELD", "APPROVED", "REJECTED", "WAITING", "APPROVED", "OF", "DECIDED"]
    assert text[2].split() == ["links", "4", "3", "1", "0", "75%"]
    assert text[3].split() == ["personal_info", "2", "0", "1", "1", "0%"]
    # and a window out of range is refused with a usage error
    with pytest.raises(SystemExit) as refused:
        policy.main(["stats", "--days", "91"])
    assert refused.value.code == 2
