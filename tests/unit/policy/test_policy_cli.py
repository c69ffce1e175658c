"""comments-policy check and explain: JSON lines in, one answer per line out, in order."""

import io
import json

import pytest
from comments_cli.policy import main


def feed(monkeypatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


def answers(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def test_check_answers_each_line_of_stdin_in_order(monkeypatch, capsys):
    # Given three comments on standard input
    lines = [
        {"body": "A fair article.", "name": "Ada"},
        {"body": "You idiot.", "name": "Bo"},
        {"body": "What utter sh1t.", "name": "Cy"},
    ]
    feed(monkeypatch, "\n".join(json.dumps(line) for line in lines).encode())
    # When check runs
    code = main(["check"])
    # Then there is one verdict per comment, in order, with the contract's reasons
    out = answers(capsys.readouterr().out)
    assert code == 0
    assert [a["verdict"] for a in out] == ["publish", "hold", "reject"]
    assert out[1]["reasons"][0]["rule"] == "suspect_term"
    assert set(out[2]["reasons"][0]) == {"rule", "message"}


def test_a_bad_line_gets_an_error_line_and_the_rest_are_still_checked(monkeypatch, capsys):
    # Given lines that are not comments between good ones
    data = (
        b'{"body": "Fine."}\nnot json\n[1, 2]\n{"body": 3}\n{"body": "ok", "name": 5}\n'
        b'\xff\xfe\n{"body": "Fine too."}\n'
    )
    feed(monkeypatch, data)
    # When check runs
    code = main(["check"])
    # Then each bad line has an error line saying which line and why, and the exit code is 0
    out = answers(capsys.readouterr().out)
    assert code == 0
    assert [a.get("verdict", a.get("error")) for a in out] == [
        "publish",
        "bad_request",
        "bad_request",
        "bad_request",
        "bad_request",
        "bad_request",
        "publish",
    ]
    assert out[1]["message"].startswith("line 2: not JSON")
    assert "UTF-8" in out[5]["message"]


def test_blank_lines_are_skipped_and_the_name_may_be_left_out(monkeypatch, capsys):
    # Given a comment without a name, between blank lines
    feed(monkeypatch, b'\n\n{"body": "A fair article."}\n\n')
    # When check runs
    main(["check"])
    # Then there is exactly one answer
    assert answers(capsys.readouterr().out) == [{"verdict": "publish", "reasons": []}]


def test_check_reads_a_file(tmp_path, capsys):
    # Given a file of comments
    comments = tmp_path / "comments.jsonl"
    comments.write_text('{"body": "bit.ly/x", "name": "Ada"}\n{"body": "Good.", "name": "admin"}\n')
    # When check runs on it
    code = main(["check", str(comments)])
    # Then both are answered
    out = answers(capsys.readouterr().out)
    assert code == 0
    assert [(a["verdict"], a["reasons"][0]["rule"]) for a in out] == [
        ("reject", "blocked_link"),
        ("reject", "name"),
    ]


def test_a_file_that_cannot_be_read_is_an_error_exit(tmp_path, capsys):
    # Given a path to nothing
    missing = tmp_path / "missing.jsonl"
    # When check runs on it
    code = main(["check", str(missing)])
    # Then it says so on stderr and exits non-zero, writing no answers
    captured = capsys.readouterr()
    assert code != 0 and captured.out == ""
    assert "cannot read" in captured.err


def test_check_can_try_an_override_policy(tmp_path, monkeypatch, capsys):
    # Given an override that allows no links at all
    override = tmp_path / "policy.json"
    override.write_text('{"version": "strict", "rules": {"links": {"max_links": 0}}}')
    feed(monkeypatch, b'{"body": "See example.org"}\n')
    # When check runs with it
    main(["check", "--policy", str(override)])
    # Then the link is held
    assert answers(capsys.readouterr().out)[0]["reasons"][0]["rule"] == "links"


def test_a_bad_override_is_refused_before_any_comment_is_read(tmp_path, monkeypatch, capsys):
    # Given a broken override
    override = tmp_path / "policy.json"
    override.write_text('{"version": "x", "rules": {"links": {"max_links": -1}}}')
    feed(monkeypatch, b'{"body": "See example.org"}\n')
    # When check runs with it
    code = main(["check", "--policy", str(override)])
    # Then it exits non-zero and says the policy is refused
    captured = capsys.readouterr()
    assert code != 0 and captured.out == "" and "refused" in captured.err


def test_explain_shows_each_rule_what_matched_and_where(monkeypatch, capsys):
    # Given a comment that breaks two rules
    feed(monkeypatch, b'{"body": "You f*cking idiot", "name": "Ada"}\n')
    # When explain runs
    code = main(["explain"])
    # Then every rule is listed, with the matched text and its offsets where one fired
    out = capsys.readouterr().out
    assert code == 0
    assert "line 1: reject" in out
    assert "'f*cking' at 4-11" in out and "'idiot' at 12-17" in out
    for rule in ("length", "links", "shouting", "duplicate", "premoderation"):
        assert rule in out


def test_a_command_is_required():
    # Given no command
    # When the tool runs
    # Then it exits with usage
    with pytest.raises(SystemExit) as exit_:
        main([])
    assert exit_.value.code == 2
