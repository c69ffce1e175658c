"""`comments-import` and `comments-export` driven in process (main(argv)) against the test's moto
stack, and the imported comments then used through the service's own API like any other: listed,
counted, moderated (pending ones reach the queue through the stream relay), exported and erased."""

import json
import os
import uuid
from pathlib import Path

import pytest
from comments_cli.export import main as export_main
from comments_cli.import_ import writer
from comments_cli.import_.main import main as import_main
from comments_dev.streams import stream_mappings
from conftest import MODERATOR
from export_files import (
    T0,
    DisqusPost,
    DisqusThread,
    awkward_disqus,
    awkward_wordpress,
    disqus_xml,
    wxr,
)


@pytest.fixture(autouse=True)
def _environment_untouched():
    saved = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    yield
    assert {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"} == saved


@pytest.fixture
def relay(api, aws_stack, capsys):
    """The stream relay (new pending comments -> the moderation queue), as Lambda runs it."""
    [mapping] = stream_mappings(aws_stack, {"RelayFunction": api.function("RelayFunction")})

    def run() -> None:
        mapping.drain()
        capsys.readouterr()

    return run


@pytest.fixture
def disqus_file(tmp_path) -> Path:
    path = tmp_path / "newsexample-2026-11-28T10:00:00-all.xml"
    path.write_text(disqus_xml(*awkward_disqus()), encoding="utf-8")
    return path


def table_items(aws_stack) -> list[dict]:
    ddb = aws_stack.client("dynamodb")
    items, kwargs = [], {"TableName": aws_stack.tables["CommentsTable"]}
    while True:
        page = ddb.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return sorted(items, key=lambda i: i["pk"]["S"])
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def listed(api, article: str) -> list[dict]:
    reply = api.call("GET", f"/articles/{article}/comments")
    assert reply.status == 200, reply.text
    return reply.json["comments"]


def counts(api, relay, *articles: str) -> dict[str, int]:
    """The articles' counts once the change stream is relayed (the relay counts imported comments
    as it counts every other)."""
    relay()
    reply = api.call("GET", "/articles/comment-counts", query="ids=" + ",".join(articles))
    assert reply.status == 200, reply.text
    return reply.json["counts"]


def run_import(capsys, *argv: str) -> tuple[int, list[str], str]:
    code = import_main(list(argv))
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


# -- Disqus ---------------------------------------------------------------------------------------


def test_a_disqus_export_imports_with_threads_times_statuses_and_counts(api, relay, disqus_file, capsys):
    # When the awkward Disqus export is imported
    code, out, err = run_import(capsys, "disqus", str(disqus_file))
    # Then it says what it did, ending with the contract's line
    assert code == 0, err
    assert out[-1] == "imported 6, skipped 3"
    assert out[-2] == "skipped: spam 1, no article 1, deleted 1" or set(
        out[-2].split(": ")[1].split(", ")
    ) == {
        "spam 1",
        "no article 1",
        "deleted 1",
    }
    assert any("https://news.example.com/?p=991" in line and "--article-map" in line for line in out)
    assert any("attached to the top of its thread" in line and "(deleted)" in line for line in out)
    # and the article's comments are listed oldest first, with names, text, times and threads kept
    climate = listed(api, "climate-talks")
    assert [c["name"] for c in climate] == ["Zoë Ångström", "山田太郎", "O'Brien & Sons"]
    assert [c["createdAt"] for c in climate] == [
        "2015-03-01T09:30:15.000Z",
        "2015-03-01T09:35:15.000Z",
        "2015-03-01T09:38:15.000Z",
    ]
    assert climate[0]["body"] == "First & foremost: a fine piece.\n\nSecond paragraph\nnew line."
    assert climate[1]["body"] == "Agreed, see https://example.org/study"
    assert climate[1]["parentId"] == climate[0]["id"]
    assert climate[2]["parentId"] is None  # its parent was deleted: attached to the top
    assert [c["body"] for c in listed(api, "elections")] == ["Referred to by the thread's own id."]
    # the published ones are counted as the service counts them; the pending one is not listed
    assert counts(api, relay, "climate-talks", "Cafe-Orsted_review", "elections") == {
        "climate-talks": 3,
        "Cafe-Orsted_review": 1,
        "elections": 1,
    }
    assert [c["name"] for c in listed(api, "Cafe-Orsted_review")] == ["Ørsted"]
    # the closed thread is a closed article
    reply = api.call(
        "POST",
        "/articles/Cafe-Orsted_review/comments",
        {"name": "New", "email": "n@example.org", "body": "Hi"},
    )
    assert (reply.status, reply.json) == (403, {"error": "comments_closed"})


def test_no_email_or_ip_is_stored_in_clear(api, aws_stack, disqus_file, capsys):
    code, _, err = run_import(capsys, "disqus", str(disqus_file))
    assert code == 0, err
    stored = json.dumps(table_items(aws_stack)).lower()
    for secret in (
        "zoe@example.org",
        "pete@example.org",
        "obrien@example.org",
        "203.0.113.9",
        "198.51.100.1",
    ):
        assert secret not in stored


def test_pending_imported_comments_are_queued_and_moderated_like_any_other(api, relay, disqus_file, capsys):
    # Given the Disqus export with one comment waiting for moderation, imported
    assert run_import(capsys, "disqus", str(disqus_file))[0] == 0
    # When the stream relay runs, as Lambda's mapping does
    relay()
    # Then a moderator claims it from the queue with the reason it waits
    reply = api.call("GET", "/moderation/queue", query="max=10", claims=MODERATOR)
    assert reply.status == 200, reply.text
    [item] = reply.json["items"]
    assert item["comment"]["name"] == "Pending Pete" and item["comment"]["status"] == "pending"
    assert item["comment"]["body"] == "Waiting for a moderator."  # the <script> did not survive
    assert [r["rule"] for r in item["reasons"]] == ["imported"]
    assert "Disqus" in item["reasons"][0]["message"]
    # and approving it publishes it and counts it
    decision = {"decision": "approve", "note": None, "claim": item["claim"], "banAuthor": False}
    path = f"/moderation/comments/{item['comment']['id']}/decision"
    assert api.call("POST", path, decision, claims=MODERATOR).status == 200
    assert [c["name"] for c in listed(api, "Cafe-Orsted_review")] == ["Pending Pete", "Ørsted"]
    assert counts(api, relay, "Cafe-Orsted_review") == {"Cafe-Orsted_review": 2}


def test_imported_comments_are_exported_and_erased_by_email(api, relay, disqus_file, capsys):
    # Given an author's two comments imported (one with the email written differently)
    assert run_import(capsys, "disqus", str(disqus_file))[0] == 0
    # When a moderator exports that author's data by email
    reply = api.call("POST", "/moderation/authors/export", {"email": "zoe@example.org"}, claims=MODERATOR)
    # Then both are found
    assert sorted(c["body"] for c in reply.json["comments"]) == [
        "First & foremost: a fine piece.\n\nSecond paragraph\nnew line.",
        "Ørsted is right ]]> about this.",
    ]
    # and erasing the author takes them off the lists and the counts
    reply = api.call("POST", "/moderation/authors/erase", {"email": "Zoe@Example.org"}, claims=MODERATOR)
    assert reply.json == {"erased": 2}
    assert [c["name"] for c in listed(api, "climate-talks")] == ["山田太郎", "O'Brien & Sons"]
    assert counts(api, relay, "climate-talks", "Cafe-Orsted_review") == {
        "climate-talks": 2,
        "Cafe-Orsted_review": 0,
    }


def test_a_ban_by_email_applies_to_the_imported_author(api, relay, disqus_file, capsys):
    # Given Pending Pete's imported comment, rejected with a ban
    assert run_import(capsys, "disqus", str(disqus_file))[0] == 0
    relay()
    [item] = api.call("GET", "/moderation/queue", query="max=1", claims=MODERATOR).json["items"]
    decision = {"decision": "reject", "note": None, "claim": item["claim"], "banAuthor": True}
    api.call("POST", f"/moderation/comments/{item['comment']['id']}/decision", decision, claims=MODERATOR)
    # When Pete submits with the email Disqus had for him
    body = {"name": "Pete", "email": "pete@example.org", "body": "Me again, on the new site."}
    reply = api.call("POST", "/articles/climate-talks/comments", body)
    # Then the ban holds
    assert reply.status == 422 and "banned_author" in [v["rule"] for v in reply.json["violations"]]


# -- WordPress ------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["1.1", "1.2"])
def test_a_wordpress_export_imports_with_threads_times_statuses_and_counts(
    api, relay, tmp_path, capsys, version
):
    path = tmp_path / "blog.wordpress.2016-05-02.xml"
    path.write_text(wxr(awkward_wordpress(), version=version), encoding="utf-8")
    code, out, err = run_import(capsys, "wordpress", str(path))
    assert code == 0, err
    assert out[-1] == "imported 6, skipped 4"
    assert set(out[-2].removeprefix("skipped: ").split(", ")) == {
        "spam 1",
        "trashed 1",
        "pingback 1",
        "trackback 1",
    }
    hello = listed(api, "hello-world")
    assert [(c["name"], c["body"]) for c in hello] == [
        ("Ana", "Great post!\nSecond line & more."),
        ("admin", "Thanks Ana (https://blog.example.org/)"),
        ("Bo", "Reply to the trashed one"),
        ("Đorđe Šimić", "No GMT date, local time only"),
    ]
    assert hello[1]["parentId"] == hello[0]["id"] and hello[2]["parentId"] is None
    assert hello[0]["createdAt"] == "2016-05-01T10:05:00.000Z"
    assert counts(api, relay, "hello-world", "closed-post", "nav") == {
        "hello-world": 4,
        "closed-post": 1,
        "nav": 0,
    }
    closed = api.call(
        "POST", "/articles/closed-post/comments", {"name": "N", "email": "n@example.org", "body": "Hi"}
    )
    assert closed.status == 403
    open_ = api.call(
        "POST", "/articles/nav/comments", {"name": "N", "email": "n@example.org", "body": "Hello there"}
    )
    assert open_.status == 201  # a menu item's closed comments close no article
    relay()
    queue = api.call("GET", "/moderation/queue", query="max=10", claims=MODERATOR).json["items"]
    assert [i["comment"]["body"] for i in queue] == ["Still pending"]
    assert "WordPress" in queue[0]["reasons"][0]["message"]


# -- again, interrupted, dry ------------------------------------------------------------------------


def test_a_second_run_changes_nothing(api, aws_stack, disqus_file, capsys):
    assert run_import(capsys, "disqus", str(disqus_file))[0] == 0
    before = table_items(aws_stack)
    code, out, err = run_import(capsys, "disqus", str(disqus_file))
    assert code == 0, err
    assert out[-1] == "imported 0, skipped 9"
    assert "already there 6" in out[-2]
    assert table_items(aws_stack) == before


def test_an_interrupted_run_completes_on_the_next_and_counts_once(
    api, aws_stack, relay, tmp_path, capsys, monkeypatch
):
    # Given an export of 250 comments on two articles (three transactions' worth)
    threads = [DisqusThread("a", "https://n.example/one"), DisqusThread("b", "https://n.example/two")]
    posts = [
        DisqusPost(
            str(n),
            "a" if n % 2 else "b",
            f"<p>Comment {n} here.</p>",
            T0.replace(minute=n % 60, second=n % 59),
        )
        for n in range(250)
    ]
    path = tmp_path / "big.xml"
    path.write_text(disqus_xml(threads, posts))
    # When the import is interrupted after its first transaction
    real_write = writer.CommentBulk.write
    calls = []

    def interrupted(self, batch):
        calls.append(len(batch))
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real_write(self, batch)

    monkeypatch.setattr(writer.CommentBulk, "write", interrupted)
    code, _, err = run_import(capsys, "disqus", str(path), "--workers", "1")
    assert code == 130 and "run the same import again" in err, err
    partial = sum(counts(api, relay, "one", "two").values())
    assert 0 < partial < 250
    # Then the next run writes the rest, and every comment is counted exactly once
    monkeypatch.setattr(writer.CommentBulk, "write", real_write)
    code, out, err = run_import(capsys, "disqus", str(path))
    assert code == 0, err
    assert out[-1] == f"imported {250 - partial}, skipped {partial}"
    assert counts(api, relay, "one", "two") == {"one": 125, "two": 125}
    assert len(listed(api, "one")) == 50  # a full page


def test_dry_run_writes_nothing_and_says_what_it_would_do(api, aws_stack, disqus_file, capsys):
    before = table_items(aws_stack)
    code, out, err = run_import(capsys, "disqus", str(disqus_file), "--dry-run")
    assert code == 0, err
    assert out[0] == "would import 6 comment(s) (1 pending, 5 published) into 3 article(s)"
    assert "  climate-talks: 3" in out
    assert "would close articles (1): Cafe-Orsted_review" in out
    assert out[-1] == "dry run, nothing written: would import 6, skip 3"
    assert table_items(aws_stack) == before


def test_the_article_map_gives_ids_to_urls(api, disqus_file, tmp_path, capsys):
    mapping = tmp_path / "map.csv"
    mapping.write_text("url,articleId\nhttps://news.example.com/?p=991,page-991\n", encoding="utf-8")
    code, out, err = run_import(capsys, "disqus", str(disqus_file), "--article-map", str(mapping))
    assert code == 0, err
    assert out[-1] == "imported 7, skipped 2"
    assert [c["body"] for c in listed(api, "page-991")] == ["On a page with no usable URL."]


def test_the_policy_report_lists_what_the_current_policy_would_hold(api, tmp_path, capsys):
    # Given comments the policy would hold (shouting) and reject (a profanity), approved at the source
    posts = [
        DisqusPost("1", "t", "<p>THIS IS ABSOLUTELY OUTRAGEOUS AND NOBODY CARES</p>", T0),
        DisqusPost("2", "t", "<p>What utter sh1t.</p>", T0.replace(minute=40)),
        DisqusPost("3", "t", "<p>A calm remark.</p>", T0.replace(minute=50)),
    ]
    path = tmp_path / "policy.xml"
    path.write_text(disqus_xml([DisqusThread("t", "https://n.example/loud")], posts))
    # When they are imported with the report
    code, out, err = run_import(capsys, "disqus", str(path), "--policy", "report")
    # Then all are imported as they were (the policy is not applied) and two are listed
    assert code == 0, err
    assert out[-1] == "imported 3, skipped 0"
    assert len(listed(api, "loud")) == 3
    report = [line for line in out if line.startswith("policy: ")]
    assert len(report) == 2
    assert report[0].startswith("policy: reject ") and report[0].endswith("on loud: profanity")
    assert report[1].startswith("policy: hold ") and "shouting" in report[1]


# -- bad files --------------------------------------------------------------------------------------


def test_a_truncated_file_is_a_clear_error_and_writes_nothing(api, aws_stack, disqus_file, capsys):
    text = disqus_file.read_text(encoding="utf-8")
    disqus_file.write_text(text[: len(text) * 2 // 3], encoding="utf-8")
    before = table_items(aws_stack)
    code, out, err = run_import(capsys, "disqus", str(disqus_file))
    assert code == 3
    [line] = err.splitlines()
    assert line.startswith(f"comments-import: {disqus_file.name} line ")
    assert "is the file complete?" in line and "nothing was written" in line
    assert out == []
    assert table_items(aws_stack) == before


def test_a_file_of_another_format_is_refused(api, aws_stack, tmp_path, capsys):
    path = tmp_path / "wp.xml"
    path.write_text(wxr(awkward_wordpress()), encoding="utf-8")
    code, _, err = run_import(capsys, "disqus", str(path))
    assert code == 3 and "not a Disqus export: its root element is <rss>" in err


# -- export, and back ----------------------------------------------------------------------------------


def test_export_then_import_json_round_trips_an_article(
    api, aws_stack, moto_server, relay, disqus_file, tmp_path, capsys
):
    # Given imported comments, one decided, one new reply written on the site, one edited away
    from comments_dev.emulator import create_stack

    assert run_import(capsys, "disqus", str(disqus_file))[0] == 0
    first = listed(api, "climate-talks")[0]
    body = {"name": "Live", "email": "live@example.org", "body": "Written here.", "parentId": first["id"]}
    assert api.call("POST", "/articles/climate-talks/comments", body).status == 201
    # When the article is exported, and imported into an empty table
    backup = tmp_path / "climate.json"
    assert export_main(["--article", "climate-talks", str(backup)]) == 0
    assert "exported 4 comment(s) of article climate-talks" in capsys.readouterr().err
    other = create_stack(
        moto_server.endpoint, {"RateLimitPerMinute": "0"}, prefix=f"t{uuid.uuid4().hex[:8]}-"
    )
    table = other.tables["CommentsTable"]
    code, out, err = run_import(capsys, "json", str(backup), "--table", table)
    assert code == 0, err
    assert out[-1] == "imported 4, skipped 0"
    # Then its export from there is the same document (but for the time of the export)
    again = tmp_path / "again.json"
    assert export_main(["--article", "climate-talks", "--table", table, str(again)]) == 0
    a, b = json.loads(backup.read_text()), json.loads(again.read_text())
    assert a.pop("exportedAt") and b.pop("exportedAt")
    assert a == b
    assert [c["id"] for c in a["comments"]] == [c["id"] for c in listed(api, "climate-talks")]
    # and importing it again changes nothing
    assert run_import(capsys, "json", str(backup), "--table", table)[1][-1] == "imported 0, skipped 4"


def test_the_export_holds_every_status_and_no_email_or_ip(api, aws_stack, disqus_file, tmp_path, capsys):
    assert run_import(capsys, "disqus", str(disqus_file))[0] == 0
    assert export_main([]) == 0
    out = capsys.readouterr().out
    document = json.loads(out)
    assert (document["format"], document["version"], document["article"]) == (
        "comment-service-export",
        1,
        None,
    )
    assert sorted(c["status"] for c in document["comments"]) == ["pending"] + ["published"] * 5
    assert [a["articleId"] for a in document["articles"]] == [
        "Cafe-Orsted_review",
        "climate-talks",
        "elections",
    ]
    assert document["articles"][0]["settings"]["closed"] is True
    assert all(len(c["authorId"]) == 32 for c in document["comments"])
    for secret in ("@example.org", "203.0.113.9", "clientId", "editTokenHash"):
        assert secret not in out


def test_a_truncated_export_is_a_clear_error(api, aws_stack, disqus_file, tmp_path, capsys):
    assert run_import(capsys, "disqus", str(disqus_file))[0] == 0
    backup = tmp_path / "all.json"
    assert export_main([str(backup)]) == 0
    lines = backup.read_text().splitlines()
    backup.write_text("\n".join(lines[:-3]) + "\n")
    capsys.readouterr()
    code, _, err = run_import(capsys, "json", str(backup))
    assert code == 3
    assert f"all.json line {len(lines) - 2}:" in err and "cut short" in err


def test_only_the_table_and_the_secret_are_looked_for(api, aws_stack, disqus_file, monkeypatch, capsys):
    # Given an emulator with many stacks, and only the table and secret given (no queue: the
    # stream queues held comments, the importer never sends to the queue itself)
    for var in ("QUEUE_URL", "DEAD_LETTER_QUEUE_URL"):
        monkeypatch.delenv(var)
    code, out, err = run_import(capsys, "disqus", str(disqus_file))
    assert code == 0, err
    assert out[-1] == "imported 6, skipped 3"


def test_missing_configuration_is_a_clean_error(aws_stack, disqus_file, monkeypatch, capsys):
    for var in ("TABLE_NAME", "SECRET_ARN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(var)
    code, out, err = run_import(capsys, "disqus", str(disqus_file))
    assert code == 2 and out == []
    assert "missing configuration: --table (or TABLE_NAME), --secret-arn (or SECRET_ARN)" in err
