"""The optional classifiers through the API, as the template configures them (TOXICITY_THRESHOLD,
AKISMET_SECRET_ARN from the template's parameters): Comprehend behind botocore's Stubber, Akismet
through the `akismet` package's test clients and fault transports. Configured, they hold what
they flag and explain why; failing or slow, they never block or lose a comment; not configured,
they are never asked. A moderator's decision on a comment Akismet judged goes back to Akismet."""

import json
import time

import akismet
import boto3
import httpx
import pytest
from botocore.stub import Stubber
from comments.adapters import akismet as akismet_adapter
from comments.adapters.comprehend import ComprehendToxicity
from comments_dev.streams import stream_mappings
from conftest import MODERATOR
from tests_support import reset, unique_tag

ARTICLE = "classified"
PATH = f"/articles/{ARTICLE}/comments"
IP, AGENT = "203.0.113.77", "Mozilla/5.0 (X11; Linux x86_64) ClassifierTest/1.0"
SECRET = json.dumps({"key": "k-123456", "blog": "https://news.example.org"})


def post(api, body: str | None = None, **kwargs):
    payload = {
        "name": "Robin",
        "email": f"r-{unique_tag()}@example.org",
        "body": body or f"Calm words, {unique_tag()}.",
    }
    return api.call("POST", PATH, payload, source_ip=IP, headers={"User-Agent": AGENT}, **kwargs)


def stored_item(aws_stack, comment_id: str) -> dict:
    return aws_stack.client("dynamodb").get_item(
        TableName=aws_stack.tables["CommentsTable"], Key={"pk": {"S": f"C#{comment_id}"}}
    )["Item"]


def metrics(text: str) -> list[dict]:
    found = []
    for line in text.splitlines():
        if '"ClassifierUnavailable"' in line and line.startswith("{"):
            found.append(json.loads(line))
    return found


# --- Comprehend ---------------------------------------------------------------------------------


@pytest.fixture
def comprehend(aws_stack, monkeypatch):
    """Toxicity on (threshold 0.5), Comprehend behind a Stubber."""
    client = boto3.client(
        "comprehend",
        region_name="us-east-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
        endpoint_url="http://127.0.0.1:9",
    )
    stub = Stubber(client)
    stub.activate()
    monkeypatch.setenv("TOXICITY_THRESHOLD", "0.5")
    monkeypatch.setattr(ComprehendToxicity, "client", property(lambda self: client))
    reset()
    yield stub
    stub.deactivate()


def toxic(stub, score: float, **labels: float) -> None:
    stub.add_response(
        "detect_toxic_content",
        {"ResultList": [{"Toxicity": score, "Labels": [{"Name": n, "Score": s} for n, s in labels.items()]}]},
    )


def test_a_comment_comprehend_finds_toxic_is_held_and_says_what_it_found(api, aws_stack, comprehend):
    # Given Comprehend scoring the comment 0.93, mostly as an insult and a threat
    toxic(comprehend, 0.93, INSULT=0.91, VIOLENCE_OR_THREAT=0.77, PROFANITY=0.2)
    # When it is submitted
    reply = post(api, "People like you should be made to pay for this.")
    # Then it is held, and the reason names what was found in plain words
    assert reply.status == 202
    [reason] = reply.json["reasons"]
    assert reason["rule"] == "toxicity" and "insults and violence or threats" in reason["message"]
    assert stored_item(aws_stack, reply.json["comment"]["id"])["classifiers"] == {
        "M": {"toxicity": {"S": "0.93"}}
    }


def test_a_comment_comprehend_scores_low_is_published(api, comprehend):
    toxic(comprehend, 0.12, INSULT=0.1)
    assert post(api).status == 201


def test_an_edit_is_screened_as_a_submission_is(api, comprehend):
    # Given a published comment
    toxic(comprehend, 0.05)
    posted = post(api).json
    # When its author edits it into something Comprehend scores as toxic
    toxic(comprehend, 0.88, HARASSMENT_OR_ABUSE=0.85)
    edited = api.call(
        "PATCH",
        f"{PATH}/{posted['comment']['id']}",
        {"editToken": posted["editToken"], "body": "You lot are vile."},
        source_ip=IP,
    )
    # Then the edit is held for a moderator
    assert (edited.status, edited.json["status"]) == (200, "pending")


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("ThrottlingException", "throttled"),
        ("AccessDeniedException", "bad_key"),
        ("InternalServerException", "error"),
    ],
)
def test_comprehend_failing_never_blocks_a_comment_and_is_logged_and_counted(
    api, comprehend, capfd, code, reason
):
    # Given Comprehend throttling, refusing the role, or failing
    comprehend.add_client_error("detect_toxic_content", code)
    # When a comment is submitted
    reply = post(api)
    # Then the rules alone decide (published), and one metric says which classifier and why
    assert reply.status == 201
    [metric] = metrics(capfd.readouterr().out)
    assert (metric["classifier"], metric["reason"]) == ("toxicity", reason)


def test_checking_a_comment_never_asks_the_classifiers(api, comprehend, capfd):
    # Given the toxicity check on (with no answer stubbed: any call would fail and be counted)
    # When a form checks a comment
    reply = api.call("POST", f"{PATH}/validate", {"name": "Robin", "email": "r@example.org", "body": "Fine."})
    # Then the rules answer, and Comprehend was not asked
    assert reply.json == {"verdict": "publish", "reasons": []}
    assert metrics(capfd.readouterr().out) == []


def test_a_client_over_its_rate_limit_cannot_make_the_service_ask_a_classifier(
    api, comprehend, monkeypatch, capfd
):
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "1")
    reset()
    toxic(comprehend, 0.01)
    assert post(api).status == 201
    assert post(api).status == 429  # no second answer stubbed: asking would be counted as a miss
    assert metrics(capfd.readouterr().out) == []


# --- Akismet ------------------------------------------------------------------------------------


class Recording(akismet.TestSyncClient):
    """The package's test client, answering `answer`, remembering what was reported back."""

    answer = akismet.CheckResponse.SPAM
    checked: list[dict] = []  # noqa: RUF012 - reset by the fixture
    reported: list[tuple[str, dict]] = []  # noqa: RUF012

    @property  # type: ignore[override]
    def comment_check_response(self):
        return type(self).answer

    def comment_check(self, user_ip, **kwargs):
        type(self).checked.append({"user_ip": user_ip, **kwargs})
        return super().comment_check(user_ip, **kwargs)

    def submit_ham(self, user_ip, **kwargs):
        type(self).reported.append(("ham", {"user_ip": user_ip, **kwargs}))
        return super().submit_ham(user_ip, **kwargs)

    def submit_spam(self, user_ip, **kwargs):
        type(self).reported.append(("spam", {"user_ip": user_ip, **kwargs}))
        return super().submit_spam(user_ip, **kwargs)


@pytest.fixture
def akismet_on(aws_stack, monkeypatch):
    """Akismet on: its key in a secret, the package's test client in place of the network."""
    arn = aws_stack.client("secretsmanager").create_secret(
        Name=f"akismet-{unique_tag()}", SecretString=SECRET
    )["ARN"]
    monkeypatch.setenv("AKISMET_SECRET_ARN", arn)
    monkeypatch.setattr(akismet_adapter, "client_class", Recording)
    Recording.answer, Recording.checked, Recording.reported = akismet.CheckResponse.SPAM, [], []
    reset()
    return Recording


@pytest.fixture
def relay(api, aws_stack):
    [mapping] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})
    return mapping


def test_spam_is_held_and_a_moderators_approval_goes_back_to_akismet_as_ham_once(
    api, aws_stack, akismet_on, relay
):
    # Given Akismet calling a comment spam
    reply = post(api, "Visit my shop for cheap watches.")
    assert reply.status == 202 and [r["rule"] for r in reply.json["reasons"]] == ["akismet"]
    # (it was sent the client's IP and User-Agent, which the service keeps nowhere)
    [checked] = akismet_on.checked
    assert (checked["user_ip"], checked["user_agent"]) == (IP, AGENT)
    comment_id = reply.json["comment"]["id"]
    item = json.dumps(stored_item(aws_stack, comment_id))
    assert IP not in item and AGENT not in item and '"spam"' in item
    # When a moderator approves it and the change stream is relayed (twice over)
    decided = api.call(
        "POST", f"/moderation/comments/{comment_id}/decision", {"decision": "approve"}, claims=MODERATOR
    )
    assert decided.status == 200
    relay.drain()
    relay.drain()
    # Then Akismet hears once that it was ham, with the text and name (no IP: none was kept)
    assert [(verdict, sent["comment_content"], sent["user_ip"]) for verdict, sent in akismet_on.reported] == [
        ("ham", "Visit my shop for cheap watches.", "")
    ]


def test_a_rejected_comment_akismet_let_through_goes_back_as_spam(api, akismet_on, relay):
    # Given Akismet calling a comment ham, held for its links
    akismet_on.answer = akismet.CheckResponse.HAM
    reply = post(api, "https://a.example.com https://b.example.com https://c.example.com")
    assert [r["rule"] for r in reply.json["reasons"]] == ["links"]
    # When a moderator rejects it
    api.call(
        "POST",
        f"/moderation/comments/{reply.json['comment']['id']}/decision",
        {"decision": "reject"},
        claims=MODERATOR,
    )
    relay.drain()
    # Then Akismet hears it was spam
    assert [verdict for verdict, _ in akismet_on.reported] == ["spam"]


def test_a_comment_akismet_never_judged_is_not_reported(api, relay, aws_stack):
    # Given Akismet off, and a held comment decided
    reply = post(api, "https://a.example.com https://b.example.com https://c.example.com")
    api.call(
        "POST",
        f"/moderation/comments/{reply.json['comment']['id']}/decision",
        {"decision": "reject"},
        claims=MODERATOR,
    )
    # Then relaying it asks nothing of Akismet (nothing configured, nothing imported for it)
    Recording.reported = []
    relay.drain()
    assert Recording.reported == []


def faulty_akismet(monkeypatch, handler) -> None:
    monkeypatch.setattr(akismet_adapter, "client_class", None)  # the real client, on a fault transport
    monkeypatch.setattr(akismet_adapter, "transport", httpx.MockTransport(handler))


def slow(request: httpx.Request) -> httpx.Response:
    time.sleep(2)
    return httpx.Response(200, text="true")


@pytest.mark.parametrize(
    ("handler", "reason"),
    [
        (slow, "timeout"),  # longer than the 200 ms budget
        (lambda r: httpx.Response(503, text="busy"), "throttled"),
        (lambda r: httpx.Response(200, text="invalid"), "bad_key"),
    ],
)
def test_akismet_slow_throttled_or_refusing_the_key_never_blocks_a_comment(
    api, aws_stack, akismet_on, monkeypatch, capfd, handler, reason
):
    # Given Akismet answering too late for its budget, throttling, or refusing the key
    monkeypatch.setenv("AKISMET_BUDGET_MS", "200")
    faulty_akismet(monkeypatch, handler)
    reset()
    # When a comment is submitted
    reply = post(api)
    # Then the rules alone decide, it is stored, and the miss is logged and counted
    assert reply.status == 201
    assert stored_item(aws_stack, reply.json["comment"]["id"])["status"] == {"S": "published"}
    out = capfd.readouterr().out
    assert [(m["classifier"], m["reason"]) for m in metrics(out)] == [("akismet", reason)]
    assert "k-123456" not in out


def test_a_secret_that_cannot_be_read_is_a_bad_key_not_a_failed_comment(api, aws_stack, monkeypatch, capfd):
    monkeypatch.setenv(
        "AKISMET_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf"
    )
    reset()
    assert post(api).status == 201
    assert [(m["classifier"], m["reason"]) for m in metrics(capfd.readouterr().out)] == [
        ("akismet", "bad_key")
    ]
