"""Looking is free (contract additions): however often held comments are claimed, released,
renewed or left to expire, over the API or from `comments-moderate`, nothing reaches the
dead-letter queue for it. Handler -> domain -> DynamoDB and SQS on moto, claims a second long so
that expiry is real."""

import time
import uuid

import pytest
from comments_dev.streams import stream_mappings
from conftest import MODERATOR

ARTICLE = "/articles/looks/comments"
LINKS = "See https://a.example.com and https://b.example.com and https://c.example.com"
MAX = {**MODERATOR, "sub": "mod-2", "username": "max"}


@pytest.fixture
def one_second_claims(monkeypatch):
    from tests_support import reset

    monkeypatch.setenv("CLAIM_SECONDS", "1")
    reset()


@pytest.fixture
def held(api, aws_stack):
    """A held comment, relayed to the queue as the stream mapping would."""
    email = f"h-{uuid.uuid4().hex[:6]}@example.org"
    reply = api.call("POST", ARTICLE, {"name": "Hal", "email": email, "body": LINKS})
    assert reply.status == 202, reply.text
    [mapping] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})
    mapping.drain()
    return reply.json["comment"]


def claim(api, who=MODERATOR) -> list[dict]:
    reply = api.call("GET", "/moderation/queue", query="max=10", claims=who)
    assert reply.status == 200, reply.text
    return reply.json["items"]


def claim_within(api, who, seconds: float = 6) -> list[dict]:
    """Look again and again (as a console does) until something comes, or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        items = claim(api, who)
        if items:
            return items
        time.sleep(0.1)
    return []


def post(api, comment_id: str, action: str, body: dict, who=MODERATOR):
    return api.call("POST", f"/moderation/comments/{comment_id}/{action}", body, claims=who)


def queue_counts(aws_stack, name: str) -> dict[str, int]:
    attrs = aws_stack.client("sqs").get_queue_attributes(
        QueueUrl=aws_stack.queues[name], AttributeNames=["All"]
    )["Attributes"]
    return {
        k: int(attrs[k])
        for k in (
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
        )
    }


@pytest.mark.slow
def test_twenty_claims_releases_and_expiries_from_two_consoles_then_a_decision(
    api, aws_stack, one_second_claims, held
):
    # Given one held comment and two moderators' consoles
    for _ in range(20):
        # When mia claims it, max looks (nothing: it is claimed), mia skips it,
        [mine] = claim_within(api, MODERATOR)
        assert mine["comment"]["id"] == held["id"]
        assert claim(api, MAX) == []
        released = post(api, held["id"], "release", {"claim": mine["claim"]})
        assert released.status == 200 and released.json == {"released": True}
        # max takes it at once and closes his console without a word: the claim lapses
        [his] = claim(api, MAX)
        assert his["comment"]["id"] == held["id"]
    # Then after twenty rounds it comes back once more, and is decided exactly once
    [last] = claim_within(api, MAX)
    decided = post(api, held["id"], "decision", {"decision": "approve", "claim": last["claim"]}, MAX)
    assert decided.status == 200 and decided.json["comment"]["status"] == "published"
    assert post(api, held["id"], "decision", {"decision": "reject"}).json == {"error": "already_decided"}
    # and its leftover copies are dropped as they come round: the queue empties, nothing was
    # dead-lettered
    assert claim_within(api, MODERATOR, seconds=2) == []
    assert queue_counts(aws_stack, "ModerationQueue") == dict.fromkeys(
        queue_counts(aws_stack, "ModerationQueue"), 0
    )
    assert queue_counts(aws_stack, "ModerationDeadLetterQueue")["ApproximateNumberOfMessages"] == 0
    depth = api.call("GET", "/moderation/queue/depth", claims=MODERATOR).json
    assert depth["deadLetters"]["waiting"] == 0


def test_a_renewed_claim_keeps_the_comment_from_other_moderators(api, one_second_claims, held):
    # Given mia's claim, renewed every half second while the comment is on her screen
    [mine] = claim(api)
    assert api.call("GET", "/moderation/queue", query="max=1", claims=MODERATOR).json["claimSeconds"] == 1
    current = mine["claim"]
    for _ in range(6):
        time.sleep(0.5)
        renewed = post(api, held["id"], "renew", {"claim": current})
        assert renewed.status == 200, renewed.text
        assert renewed.json["claimSeconds"] == 1 and renewed.json["claim"] != current
        current = renewed.json["claim"]
        # Then max never sees it, three seconds past the first claim's end
        assert claim(api, MAX) == []
    # and her decision with the latest claim counts; renewing after it is a 409
    assert post(api, held["id"], "decision", {"decision": "reject", "claim": current}).status == 200
    again = post(api, held["id"], "renew", {"claim": current})
    assert again.status == 409 and again.json == {"error": "already_decided"}


def test_a_lapsed_claim_someone_else_took_is_not_renewed_nor_released(api, one_second_claims, held):
    [mine] = claim(api)
    [his] = claim_within(api, MAX)  # mia's claim lapsed; max has it now
    renewed = post(api, held["id"], "renew", {"claim": mine["claim"]})
    assert renewed.status == 409 and renewed.json == {"error": "claim_expired"}
    released = post(api, held["id"], "release", {"claim": mine["claim"]})
    assert released.status == 200 and released.json == {"released": False}
    assert claim(api) == []  # still max's
    assert post(api, held["id"], "release", {"claim": his["claim"]}, MAX).json == {"released": True}
    assert [i["comment"]["id"] for i in claim(api)] == [held["id"]]


@pytest.mark.parametrize("action", ["renew", "release"])
def test_a_claim_for_another_comment_or_forged_is_a_400(api, held, action):
    [item] = claim(api)
    forged = post(api, held["id"], action, {"claim": item["claim"][:-3] + "abc"})
    assert forged.status == 400 and forged.json["error"] == "bad_request"
    assert post(api, "01ARZ3NDEKTSV4RRFFQ69G5FAV", action, {"claim": item["claim"]}).status == 400
    assert post(api, "not-an-id", action, {"claim": item["claim"]}).status == 404
    assert post(api, held["id"], action, {}).status == 422
    assert api.call("POST", f"/moderation/comments/{held['id']}/{action}", {"claim": "x"}).status == 401


def test_the_terminal_tools_list_never_dead_letters_however_often_it_runs(api, aws_stack, held, capsys):
    from comments_cli.moderate.main import main

    # When a moderator runs `comments-moderate list` ten times (twice maxReceiveCount)
    for _ in range(10):
        assert main(["list", "--json"]) == 0
        assert [line for line in capsys.readouterr().out.splitlines() if held["id"] in line]
    # Then the comment is still there for anyone to claim, and nothing was dead-lettered
    assert [i["comment"]["id"] for i in claim(api)] == [held["id"]]
    assert queue_counts(aws_stack, "ModerationDeadLetterQueue")["ApproximateNumberOfMessages"] == 0


def test_a_skip_and_a_quit_in_the_terminal_dead_letter_nothing(api, aws_stack, held, monkeypatch, capsys):
    import io
    import sys

    from comments_cli.moderate.main import main

    for script in ["s\n", "q\n", "", "n\nnot sure yet\nq\n"] * 2:
        monkeypatch.setattr(sys, "stdin", io.StringIO(script))
        assert main(["--as", "mia"]) == 0
    capsys.readouterr()
    assert [i["comment"]["id"] for i in claim(api)] == [held["id"]]
    assert queue_counts(aws_stack, "ModerationDeadLetterQueue")["ApproximateNumberOfMessages"] == 0


def test_a_console_gets_past_the_copies_a_bulk_decision_left_to_the_work_still_to_do(api, aws_stack, held):
    # Given a comment a moderator rejected whose queue copies still come round (35 of them, as a
    # bulk decision on claimed comments leaves behind), and then one comment still to do
    sqs = aws_stack.client("sqs")
    url = aws_stack.queues["ModerationQueue"]
    reply = post(api, held["id"], "decision", {"decision": "reject", "note": "bulk"})
    assert reply.status == 200, reply.text
    [message] = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"])["Messages"]
    for _ in range(35):
        sqs.send_message(
            QueueUrl=url,
            MessageBody=message["Body"],
            MessageAttributes={
                "commentId": {"DataType": "String", "StringValue": held["id"]},
                "queueToken": {"DataType": "String", "StringValue": uuid.uuid4().hex},
            },
        )
    sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    email = f"w-{uuid.uuid4().hex[:6]}@example.org"
    still = api.call(
        "POST", ARTICLE, {"name": "Wyn", "email": email, "body": f"{LINKS} {uuid.uuid4().hex[:4]}"}
    )
    assert still.status == 202, still.text
    [mapping] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})
    mapping.drain()
    # When a console asks for a batch, once
    items = claim(api)
    # Then it gets the comment still to do, not an empty batch, and the stale copies are gone
    assert [item["comment"]["id"] for item in items] == [still.json["comment"]["id"]]
    assert queue_counts(aws_stack, "ModerationQueue")["ApproximateNumberOfMessages"] == 0
