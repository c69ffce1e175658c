"""`comments-moderate` driven by scripted input: main(argv) with stdin replaced by a StringIO
(one command per line) or a pseudo-terminal (one key at a time), against the test's moto stack,
with held comments relayed to the queue as Lambda's stream mapping would."""

import io
import json
import os
import pty
import select
import subprocess
import sys
import termios
import threading
import time
import uuid
from pathlib import Path

import pytest
from comments_cli import resources
from comments_cli.moderate.display import highlight
from comments_cli.moderate.main import main
from comments_dev.streams import stream_mappings
from conftest import MODERATOR

ARTICLE = "/articles/cli-test/comments"
LINKS = "See https://a.example.com and https://b.example.com and https://c.example.com"
SHOUTING = "THIS IS ABSOLUTELY OUTRAGEOUS AND NOBODY CARES"


@pytest.fixture(autouse=True)
def _environment_untouched():
    """main() builds its own runtime from what it resolved: it changes nothing in the process's
    environment (a tool must not leak configuration into the code it shares a process with)."""
    saved = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    yield
    assert {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"} == saved


@pytest.fixture
def relay(api, aws_stack, capsys):
    """Run the stream relay (held comments -> queue), then drop what the functions logged to
    stdout, so a test reads only the tool's output."""
    [mapping] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})

    def run() -> None:
        for _ in range(3):
            mapping.poll_once()
        capsys.readouterr()

    return run


def held(api, body: str = LINKS, email: str | None = None, name: str = "Hal") -> dict:
    email = email or f"h-{uuid.uuid4().hex[:6]}@example.org"
    reply = api.call("POST", ARTICLE, {"name": name, "email": email, "body": body})
    assert reply.status == 202, reply.text
    return reply.json["comment"]


def moderate(monkeypatch, script: str, *argv: str) -> int:
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    return main(["--as", "mia", *argv])


def public_ids(api) -> list[str]:
    return [c["id"] for c in api.call("GET", ARTICLE).json["comments"]]


def claimable(api) -> list[str]:
    reply = api.call("GET", "/moderation/queue", query="max=10", claims=MODERATOR)
    assert reply.status == 200, reply.text
    ids = [i["comment"]["id"] for i in reply.json["items"]]
    for item in reply.json["items"]:  # give the claims back, as a skipping moderator would
        api.call(
            "POST",
            f"/moderation/comments/{item['comment']['id']}/release",
            {"claim": item["claim"]},
            claims=MODERATOR,
        )
    return ids


def detail(api, comment_id: str) -> dict:
    return api.call("GET", f"/moderation/comments/{comment_id}", claims=MODERATOR).json


# -- interactive mode ------------------------------------------------------------------------------


def test_approve_publishes_the_held_comment(api, relay, monkeypatch, capsys):
    # Given a held comment on the queue
    comment = held(api)
    relay()
    # When a moderator presses `a`
    assert moderate(monkeypatch, "a\n") == 0
    out = capsys.readouterr().out
    # Then it was shown with its article, author and reasons, and is published and listed
    assert comment["id"] in out and "cli-test" in out and "Hal" in out
    assert "links:" in out and "queue: " in out and "dead letters: 0" in out
    assert f"published {comment['id']}" in out
    assert public_ids(api) == [comment["id"]]
    entry = detail(api, comment["id"])["history"][-1]
    assert entry["moderator"] == "mia" and entry["decision"] == "approve" and entry["rules"] == ["links"]
    # and its message is gone: nothing left to claim
    assert claimable(api) == []
    assert "No more held comments. 1 decided." in out


def test_reject_keeps_it_out_of_the_list(api, relay, monkeypatch, capsys):
    comment = held(api)
    relay()
    assert moderate(monkeypatch, "r\n") == 0
    assert f"rejected {comment['id']}" in capsys.readouterr().out
    assert public_ids(api) == []
    assert detail(api, comment["id"])["comment"]["status"] == "rejected"


def test_ban_rejects_and_bans_the_author(api, relay, monkeypatch, capsys):
    comment = held(api, email="troll@example.org")
    relay()
    assert moderate(monkeypatch, "b\n") == 0
    assert f"rejected {comment['id']}; author banned for good" in capsys.readouterr().out
    nxt = api.call("POST", ARTICLE, {"name": "Hal", "email": "troll@example.org", "body": "Polite now."})
    assert nxt.status == 422
    assert "banned_author" in [v["rule"] for v in nxt.json["violations"]]


def test_skip_gives_the_claim_back_and_moves_on(api, relay, monkeypatch, capsys):
    # Given two held comments
    first, second = held(api), held(api)
    relay()
    # When the moderator skips the first shown and approves the next
    assert moderate(monkeypatch, "s\na\n") == 0
    out = capsys.readouterr().out
    skipped = first["id"] if f"skipped {first['id']}" in out else second["id"]
    approved = second["id"] if skipped == first["id"] else first["id"]
    # Then the skipped one was not shown again, is still pending, and can be claimed at once
    assert f"published {approved}" in out
    assert out.count(f"Comment   {skipped}") == 1
    assert "1 decided, 1 skipped (back in the queue)" in out
    assert public_ids(api) == [approved]
    assert claimable(api) == [skipped]


def test_quit_gives_the_claim_back(api, relay, monkeypatch, capsys):
    comment = held(api)
    relay()
    assert moderate(monkeypatch, "q\n") == 0
    assert "Quit: the comment is back in the queue." in capsys.readouterr().out
    assert claimable(api) == [comment["id"]]
    assert detail(api, comment["id"])["comment"]["status"] == "pending"


def test_end_of_input_quits_like_q(api, relay, monkeypatch, capsys):
    comment = held(api)
    relay()
    assert moderate(monkeypatch, "") == 0
    assert claimable(api) == [comment["id"]]


def test_unknown_commands_are_refused_and_asked_again(api, relay, monkeypatch, capsys):
    comment = held(api)
    relay()
    assert moderate(monkeypatch, "x\n\nyes\napprove\n") == 0
    out = capsys.readouterr().out
    assert "unknown command 'x'" in out and "unknown command 'yes'" in out
    assert f"published {comment['id']}" in out


def test_ctrl_c_gives_the_claim_back(api, relay, monkeypatch, capsys):
    comment = held(api)
    relay()

    class Interrupting(io.StringIO):
        def readline(self, *args):
            raise KeyboardInterrupt

    monkeypatch.setattr(sys, "stdin", Interrupting())
    assert main(["--as", "mia"]) == 130
    assert "Interrupted" in capsys.readouterr().out
    assert claimable(api) == [comment["id"]]


def test_an_empty_queue_is_said_and_exits_0(aws_stack, monkeypatch, capsys):
    assert moderate(monkeypatch, "a\n") == 0
    assert "No held comments waiting." in capsys.readouterr().out
    # as on AWS, where a receive long-polls so that a short poll's sampling never reads as empty
    started = time.monotonic()
    assert moderate(monkeypatch, "a\n", "--wait", "1") == 0
    assert "No held comments waiting." in capsys.readouterr().out
    assert time.monotonic() - started >= 0.5  # it waited (a short poll answers at once)


def test_someone_elses_decision_is_reported(api, aws_stack, relay, monkeypatch, capsys):
    # Given the comment is decided by another moderator while this one looks at it
    comment = held(api)
    relay()

    class OtherModeratorFirst(io.StringIO):
        def readline(self, *args):
            body = {"decision": "reject", "note": None, "claim": None, "banAuthor": False}
            api.call("POST", f"/moderation/comments/{comment['id']}/decision", body, claims=MODERATOR)
            self.readline = super().readline  # type: ignore[method-assign]
            return "a\n"

    monkeypatch.setattr(sys, "stdin", OtherModeratorFirst())
    assert main(["--as", "max"]) == 0
    assert "already decided by someone else (it is rejected now)" in capsys.readouterr().out
    decided = [h for h in detail(api, comment["id"])["history"] if h["event"] == "decided"]
    assert [d["moderator"] for d in decided] == ["mia"]
    depth = aws_stack.client("sqs").get_queue_attributes(
        QueueUrl=aws_stack.queues["ModerationQueue"], AttributeNames=["All"]
    )["Attributes"]
    assert (depth["ApproximateNumberOfMessages"], depth["ApproximateNumberOfMessagesNotVisible"]) == (
        "0",
        "0",
    )


# -- notes, context, wrapping, renewed claims ------------------------------------------------------


def test_n_asks_for_a_note_that_the_next_decision_carries(api, relay, monkeypatch, capsys):
    comment = held(api)
    relay()
    assert moderate(monkeypatch, "n\nsources checked, all fine\na\n") == 0
    out = capsys.readouterr().out
    assert "Note for the audit trail" in out and "note: sources checked, all fine" in out
    assert f"published {comment['id']} (with a note)" in out
    entry = detail(api, comment["id"])["history"][-1]
    assert (entry["decision"], entry["note"]) == ("approve", "sources checked, all fine")


def test_a_command_line_may_carry_its_note(api, relay, monkeypatch, capsys):
    comment = held(api)
    relay()
    assert moderate(monkeypatch, "r links to a scam shop\n") == 0
    assert f"rejected {comment['id']} (with a note)" in capsys.readouterr().out
    entry = detail(api, comment["id"])["history"][-1]
    assert (entry["decision"], entry["note"]) == ("reject", "links to a scam shop")


def test_a_note_that_cannot_be_stored_is_asked_for_again(api, relay, monkeypatch, capsys):
    comment = held(api)
    relay()
    assert moderate(monkeypatch, "a bad\x07note\nn\n" + "x" * 2001 + "\nr\n") == 0
    out = capsys.readouterr().out
    assert "the note must not contain control characters; write it again (n)" in out
    assert "the note is over 2,000 characters; write it again (n)" in out
    assert f"rejected {comment['id']}\n" in out  # decided once, without a note
    assert detail(api, comment["id"])["history"][-1]["note"] is None


def test_each_comment_is_shown_with_its_context(api, aws_stack, relay, monkeypatch, capsys):
    from tests_support import reset

    monkeypatch.setenv("ALLOWED_ORIGINS", "https://news.example.com")
    reset()
    # Given a regular whose earlier comment was rejected, replying to a published comment, on a
    # page the widget named
    page = {"title": "Council closes the library", "url": "https://news.example.com/library"}
    parent = api.call("POST", ARTICLE, {"name": "Ada", "email": "ada@example.org", "body": "Sad news."})
    earlier = held(api, email="reg@example.org", name="Reg")
    api.call(
        "POST", f"/moderation/comments/{earlier['id']}/decision", {"decision": "reject"}, claims=MODERATOR
    )
    reply = api.call(
        "POST",
        ARTICLE,
        {
            "name": "Reg",
            "email": "reg@example.org",
            "body": LINKS + " again",
            "parentId": parent.json["comment"]["id"],
        }
        | {"page": page},
    )
    assert reply.status == 202, reply.text
    relay()
    # When a moderator opens it in the terminal
    monkeypatch.setenv("COLUMNS", "100")
    assert moderate(monkeypatch, "q\n") == 0
    out = capsys.readouterr().out
    # Then the article's title and link, the parent and the author's history are on screen
    assert "Article   cli-test — Council closes the library" in out
    assert "https://news.example.com/library" in out
    assert "Reply to  Ada (published): Sad news." in out
    assert "1 earlier comment(s): 0 published (0 approved by a moderator), 1 rejected" in out
    assert "Author's latest comments:" in out and "rejected cli-test (reject by mia)" in out
    assert "ada@example.org" not in out and "reg@example.org" not in out


def test_text_and_reasons_wrap_at_word_boundaries(api, relay, monkeypatch, capsys):
    body = (
        "Words of moderate length " * 3
        + "https://a.example.com and https://b.example.com and https://c.example.com"
        + " more words of moderate length" * 3
    )
    held(api, body)
    relay()
    monkeypatch.setenv("COLUMNS", "44")
    assert moderate(monkeypatch, "q\n") == 0
    out = capsys.readouterr().out
    # The reason: wrapped within 44 columns, whole words only
    shown = out.split("Why it is held:")[1].split("[a]pprove")[0]
    lines = [line for line in shown.splitlines() if line.strip()]
    assert len(lines) > 1 and all(len(line) <= 44 for line in lines)
    reason = api.call("GET", "/moderation/queue", claims=MODERATOR).json["items"][0]["reasons"][0]["message"]
    assert " ".join(line.strip() for line in lines) == f"hold    links: {reason}"
    # The body: wrapped within 44 columns, whole words, each link marked on its line
    text = out.split("Posted")[1].split("Why it is held:")[0]
    body_lines = [line for line in text.splitlines()[1:] if line.startswith("    ")]
    assert len(body_lines) > 3 and all(len(line) <= 44 for line in body_lines)
    assert " ".join(line.strip() for line in body_lines).replace("[[", "").replace("]]", "") == " ".join(
        body.split()
    )
    assert "    [[https://c.example.com]] more words of" in body_lines  # a mark is never split


def test_a_claim_is_renewed_while_the_comment_is_on_screen(api, aws_stack, relay, monkeypatch):
    from comments.api.runtime import Runtime, Settings
    from comments_cli.moderate.work import ClaimKeeper, Work

    comment = held(api)
    relay()
    work = Work(Runtime(Settings.from_environment()))
    [item] = work.claim(1, 1)  # a one-second claim
    keeper = ClaimKeeper(work, item, seconds=1, interval=0.3)
    try:
        time.sleep(2.5)  # well past the first claim's end
        assert claimable(api) == []  # nobody else got it
    finally:
        latest = keeper.stop()
    assert keeper.lost is None and latest.claim != item.claim
    work.release(latest)
    assert claimable(api) == [comment["id"]]


# -- highlighting ----------------------------------------------------------------------------------


def test_each_link_is_highlighted(api, relay, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "200")  # one line: the marks are not split by wrapping
    held(api, LINKS)
    relay()
    moderate(monkeypatch, "q\n")
    out = capsys.readouterr().out
    assert (
        "See [[https://a.example.com]] and [[https://b.example.com]] and [[https://c.example.com]]"
    ) in out


def test_a_shouting_body_is_highlighted_whole(api, relay, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "200")  # one line: the marks are not split by wrapping
    held(api, SHOUTING)
    relay()
    moderate(monkeypatch, "q\n")
    out = capsys.readouterr().out
    assert f"[[{SHOUTING}]]" in out
    assert "shouting:" in out


def test_a_terminal_sees_colour_instead_of_brackets(api, relay, monkeypatch, capsys):
    monkeypatch.setenv("COLUMNS", "200")  # one line: the marks are not split by wrapping
    held(api, LINKS)
    relay()
    moderate(monkeypatch, "q\n", "--color", "always")
    out = capsys.readouterr().out
    assert "\x1b[1;7;33mhttps://a.example.com\x1b[0m" in out
    assert "[[https://" not in out


def test_highlight_marks_overlaps_once_and_hides_control_characters():
    hits = [
        {"rule": "suspect_term", "verdict": "hold", "field": "body", "spans": [[0, 5], [3, 8]]},
        {"rule": "profanity", "verdict": "reject", "field": "body", "spans": [[10, 13]]},
        {"rule": "name", "verdict": "reject", "field": "name", "spans": [[0, 3]]},
        {"rule": "reported", "verdict": "hold", "field": "body", "spans": []},
    ]
    text = "abcdefgh  xyz\x1b[2J"
    assert highlight(text, hits, "body", colour=False) == "[[abcdefgh]]  [[xyz]]\ufffd[2J"
    coloured = highlight(text, hits, "body", colour=True)
    assert "\x1b[1;7;33mabcdefgh\x1b[0m" in coloured and "\x1b[1;7;31mxyz\x1b[0m" in coloured
    assert highlight("admin", hits, "name", colour=False) == "[[adm]]in"


# -- one key at a time on a terminal ---------------------------------------------------------------


def _on_a_terminal(monkeypatch, keys: bytes, argv: list[str]) -> tuple[int, list, list]:
    """main() with stdin on a pseudo-terminal; `keys` are typed again and again until it ends
    (keys typed before the prompt are flushed, as they must be)."""
    master, slave = pty.openpty()
    stdin = os.fdopen(slave, "r")
    monkeypatch.setattr(sys, "stdin", stdin)
    before = termios.tcgetattr(slave)
    done = threading.Event()

    def typist() -> None:
        while not done.is_set():
            os.write(master, keys)
            while select.select([master], [], [], 0)[0]:
                os.read(master, 1024)  # the terminal's echo
            time.sleep(0.1)

    thread = threading.Thread(target=typist, daemon=True)
    thread.start()
    try:
        code = main(argv)
    finally:
        done.set()
        thread.join()
    after = termios.tcgetattr(slave)
    stdin.close()
    os.close(master)
    return code, before, after


def test_a_terminal_reads_single_keys_and_restores_its_mode(api, relay, monkeypatch, capsys):
    comment = held(api)
    relay()
    code, before, after = _on_a_terminal(monkeypatch, b"a", ["--as", "mia"])
    assert code == 0
    assert f"published {comment['id']}" in capsys.readouterr().out
    assert after == before


def test_ctrl_c_on_a_terminal_restores_it_and_gives_the_claim_back(api, relay, monkeypatch, capsys):
    comment = held(api)
    relay()
    code, before, after = _on_a_terminal(monkeypatch, b"\x03", ["--as", "mia"])
    assert code == 130
    assert after == before
    assert claimable(api) == [comment["id"]]


# -- list ------------------------------------------------------------------------------------------


def test_list_shows_held_comments_without_claiming_them(api, relay, monkeypatch, capsys):
    first, second = held(api), held(api, SHOUTING)
    relay()
    assert main(["list", "--json"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(item["comment"]["id"] for item in lines) == sorted([first["id"], second["id"]])
    rules = {item["comment"]["id"]: [r["rule"] for r in item["reasons"]] for item in lines}
    assert rules[first["id"]] == ["links"] and rules[second["id"]] == ["shouting"]
    assert "claim" not in lines[0]
    # Nothing stays claimed: a moderator can take both at once
    assert sorted(claimable(api)) == sorted([first["id"], second["id"]])


def test_list_as_a_table_and_with_max(api, relay, capsys):
    comments = [held(api) for _ in range(3)]
    relay()
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["ID", "ARTICLE", "AUTHOR", "RULES", "TEXT"]
    assert all(c["id"] in out for c in comments) and "nothing was claimed" in out
    assert main(["list", "--max", "2", "--json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert main(["list"]) == 0  # still all there
    out = capsys.readouterr().out
    assert all(c["id"] in out for c in comments)


def test_list_of_an_empty_queue(aws_stack, capsys):
    assert main(["list"]) == 0
    assert "No held comments waiting" in capsys.readouterr().out
    assert main(["list", "--json"]) == 0
    assert capsys.readouterr().out == ""


# -- decide ----------------------------------------------------------------------------------------


def test_decide_without_a_claim_then_409_then_404(api, relay, capsys):
    comment = held(api)
    relay()
    assert main(["--as", "mia", "decide", comment["id"], "approve", "--note", "fine sources"]) == 0
    assert capsys.readouterr().out.strip() == f"published {comment['id']}"
    assert public_ids(api) == [comment["id"]]
    entry = detail(api, comment["id"])["history"][-1]
    assert (entry["moderator"], entry["note"]) == ("mia", "fine sources")
    # the same decision again: already decided (the contract's 409)
    assert main(["decide", comment["id"], "reject"]) == 3
    assert "already decided" in capsys.readouterr().err
    # unknown, and not even an id (the contract's 404)
    assert main(["decide", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "approve"]) == 4
    assert main(["decide", "../../etc", "approve"]) == 4
    err = capsys.readouterr().err
    assert "not found" in err and "Traceback" not in err
    # its stale queue message is dropped, never shown
    assert main(["list", "--json"]) == 0
    assert capsys.readouterr().out == ""


def test_decide_reject_with_a_ban_for_some_days(api, aws_stack, capsys):
    comment = held(api, email="brief@example.org")
    capsys.readouterr()
    assert main(["decide", comment["id"], "reject", "--ban", "--ban-days", "2", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["comment"]["status"] == "rejected"
    items = aws_stack.client("dynamodb").scan(TableName=aws_stack.tables["CommentsTable"])["Items"]
    [ban] = [i for i in items if i["pk"]["S"].startswith("BAN#")]
    assert 2 * 86400 - 100 < int(ban["expiration"]["N"]) - time.time() <= 2 * 86400
    nxt = api.call("POST", ARTICLE, {"name": "B", "email": "brief@example.org", "body": "Hello again."})
    assert nxt.status == 422


def test_decide_records_the_iam_identity_without_as(api, aws_stack, capsys):
    comment = held(api)
    capsys.readouterr()
    assert main(["decide", comment["id"], "reject"]) == 0
    entry = detail(api, comment["id"])["history"][-1]
    assert entry["moderator"] == "moto"  # moto's caller identity: arn:aws:sts::123456789012:user/moto
    assert entry["moderatorId"] == "arn:aws:sts::123456789012:user/moto"


def test_decide_refuses_nonsense(aws_stack, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["decide", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "approve", "--ban"])
    assert exit_.value.code == 2
    with pytest.raises(SystemExit) as exit_:
        main(["decide", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "maybe"])
    assert exit_.value.code == 2
    assert main(["decide", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "reject", "--note", "bad\x07note"]) == 2
    assert "invalid input" in capsys.readouterr().err


# -- dead letters ----------------------------------------------------------------------------------


def test_dlq_list_and_redrive(api, aws_stack, relay, capsys):
    # Given a held message received more often than maxReceiveCount (5) without a decision
    comment = held(api)
    relay()
    sqs = aws_stack.client("sqs")
    for _ in range(6):
        sqs.receive_message(
            QueueUrl=aws_stack.queues["ModerationQueue"], VisibilityTimeout=0, MaxNumberOfMessages=10
        )
    assert main(["list", "--json"]) == 0
    assert capsys.readouterr().out == ""
    # When a moderator looks at the dead letters and redrives them
    assert main(["dlq", "list", "--json"]) == 0
    [item] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert item["message"]["comment"]["id"] == comment["id"] and item["receiveCount"] >= 1
    assert main(["dlq", "list"]) == 0
    assert comment["id"] in capsys.readouterr().out
    assert main(["dlq", "redrive"]) == 0
    assert "moved 1 message(s)" in capsys.readouterr().out
    # Then the comment is back on the moderation queue and the dead-letter queue is empty
    assert main(["dlq", "list"]) == 0
    assert "No dead letters." in capsys.readouterr().out
    assert main(["list", "--json"]) == 0
    assert [json.loads(line)["comment"]["id"] for line in capsys.readouterr().out.splitlines()] == [
        comment["id"]
    ]


# -- configuration and errors ----------------------------------------------------------------------

RESOURCE_VARS = ("TABLE_NAME", "QUEUE_URL", "DEAD_LETTER_QUEUE_URL", "SECRET_ARN")


def test_help_documents_exit_codes(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "exit codes:" in out and "already decided" in out and "AWS_ENDPOINT_URL" in out


def test_missing_configuration_is_a_clean_error(aws_stack, monkeypatch, capsys):
    for var in (*RESOURCE_VARS, "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var, raising=False)
    assert main(["list"]) == 2
    err = capsys.readouterr().err
    assert "missing configuration: --table (or TABLE_NAME)" in err and "Traceback" not in err


def test_aws_errors_are_clean(aws_stack, monkeypatch, capsys):
    assert main(["--table", "no-such-table", "decide", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "approve"]) == 5
    err = capsys.readouterr().err
    assert "AWS error in GetItem: ResourceNotFoundException" in err and "Traceback" not in err
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    assert main(["decide", "01ARZ3NDEKTSV4RRFFQ69G5FAV", "approve"]) == 5
    err = capsys.readouterr().err
    assert "AWS error" in err and "Traceback" not in err


def test_resources_from_a_cloudformation_stack(api, aws_stack, relay, monkeypatch, capsys):
    comment = held(api)
    relay()
    outputs = {
        "TableName": aws_stack.tables["CommentsTable"],
        "ModerationQueueUrl": aws_stack.queues["ModerationQueue"],
        "ModerationDeadLetterQueueUrl": aws_stack.queues["ModerationDeadLetterQueue"],
        "ServiceSecretArn": aws_stack.secrets["ServiceSecret"],
    }
    name = f"comments-{uuid.uuid4().hex[:6]}"
    aws_stack.client("cloudformation").create_stack(
        StackName=name,
        TemplateBody=json.dumps(
            {
                "Resources": {"Nothing": {"Type": "AWS::CloudFormation::WaitConditionHandle"}},
                "Outputs": {k: {"Value": v} for k, v in outputs.items()},
            }
        ),
    )
    for var in RESOURCE_VARS:
        monkeypatch.delenv(var)
    assert main(["--stack", name, "list", "--json"]) == 0
    assert [json.loads(line)["comment"]["id"] for line in capsys.readouterr().out.splitlines()] == [
        comment["id"]
    ]


def test_the_emulator_is_discovered_and_ambiguity_refused(moto_server, monkeypatch, capsys):
    from comments_dev.emulator import FAKE_CREDENTIALS, MotoServer, create_stack

    # A fresh emulator with one stack, as `make dev` makes it: found by the names' ends
    server = MotoServer().start()
    try:
        stack = create_stack(server.endpoint, {})
        for var in (*RESOURCE_VARS, *FAKE_CREDENTIALS):
            monkeypatch.delenv(var, raising=False)
        monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint)
        session = resources.aws_session(None, None)
        found = resources.resolve({}, None, session)
        assert found.values == {
            "table": stack.tables["CommentsTable"],
            "queue": stack.queues["ModerationQueue"],
            "dlq": stack.queues["ModerationDeadLetterQueue"],
            "secret": stack.secrets["ServiceSecret"],
        }
        assert set(found.origin.values()) == {"emulator"}
        assert main(["list"]) == 0 and main(["dlq", "list"]) == 0
        assert "No held comments waiting" in capsys.readouterr().out
        # Two stacks on one emulator: refused, never guessed
        create_stack(server.endpoint, {}, prefix="other-")
        assert main(["list"]) == 2
        assert "choose one with --table or TABLE_NAME" in capsys.readouterr().err
    finally:
        server.stop()


# -- the installed console script ------------------------------------------------------------------


def test_the_console_script_runs(api, aws_stack, relay):
    comment = held(api)
    relay()
    script = Path(sys.executable).parent / "comments-moderate"
    assert script.exists(), "pip install -e . installs the console script"
    done = subprocess.run(
        [str(script), "list", "--json"],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["comment"]["id"] for line in done.stdout.splitlines()] == [comment["id"]]


def test_author_export_and_erase_from_the_terminal(api, aws_stack, capsys):
    # Given two comments by one author
    for word in ("first", "second"):
        reply = api.call(
            "POST",
            "/articles/cli-author/comments",
            {"name": "Eve", "email": "eve@example.org", "body": f"My {word} thought."},
        )
        assert reply.status == 201
    capsys.readouterr()
    # When a moderator exports, then erases the author from the terminal
    assert main(["--as", "mia", "author", "export", "--json", "eve@example.org"]) == 0
    exported = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert main(["--as", "mia", "author", "erase", "EVE@example.org"]) == 0
    erased = capsys.readouterr().out
    # Then the export had both, the erase says so, and nothing is left to export
    assert [c["body"] for c in exported] == ["My first thought.", "My second thought."]
    assert "erased 2 comment(s)" in erased
    assert main(["--as", "mia", "author", "export", "--json", "eve@example.org"]) == 0
    assert capsys.readouterr().out == ""
