"""The rules that read stored state (a ban, an article's pre-moderation and auto-close) apply to
an edit as to a submission, each as the operator's policy switches it; and no stored article
setting can make a submission fail."""

import json
from datetime import UTC, datetime, timedelta

import pytest

ARTICLE = "state-rules"
PATH = f"/articles/{ARTICLE}/comments"
EMAIL = "sam@example.org"
TEXT = "A calm remark about the article."


def submit(api, body: str = TEXT, email: str = EMAIL):
    return api.call("POST", PATH, {"name": "Sam", "email": email, "body": body})


def edit(api, posted: dict, body: str):
    return api.call(
        "PATCH", f"{PATH}/{posted['comment']['id']}", {"editToken": posted["editToken"], "body": body}
    )


def use_policy(aws_stack, monkeypatch, override: dict | None) -> None:
    """The operator's override in SSM (None: the default policy), as a new container reads it."""
    from tests_support import reset

    if override is not None:
        name = f"/comments/{override['version']}"
        aws_stack.client("ssm").put_parameter(Name=name, Value=json.dumps(override), Type="String")
        monkeypatch.setenv("POLICY_PARAMETER", name)
    reset()


def ban(email: str) -> None:
    from comments.api import runtime

    rt = runtime.current()
    rt.table.ban(rt.keys.author_id(email), None, {"at": "2026-11-28T00:00:00.000Z", "by": "test"})


def settings(api, **values):
    from conftest import MODERATOR

    return api.call("PUT", f"/moderation/articles/{ARTICLE}", values, claims=MODERATOR)


@pytest.mark.parametrize("enabled", [True, False])
def test_a_ban_is_applied_to_an_edit_as_to_a_submission_as_the_policy_switches_it(
    api, aws_stack, monkeypatch, enabled
):
    # Given an author's published comment, and then a ban on the author
    posted = submit(api).json
    ban(EMAIL)
    # and a policy whose banned_author rule is on (the default) or turned off by the operator
    off = {"version": "no-bans", "rules": {"banned_author": {"enabled": False}}}
    use_policy(aws_stack, monkeypatch, None if enabled else off)
    # When the author edits the comment and submits another
    edited = edit(api, posted, "A calm remark, with a typo fixed.")
    another = submit(api, "Another calm remark.")
    # Then both answers follow the same rule: refused while bans apply, published once turned off
    if enabled:
        assert edited.status == another.status == 422
        assert [v["rule"] for v in edited.json["violations"]] == ["banned_author"]
        assert [v["rule"] for v in another.json["violations"]] == ["banned_author"]
    else:
        assert (edited.status, edited.json["status"]) == (200, "published")
        assert another.status == 201


@pytest.mark.parametrize("enabled", [True, False])
def test_pre_moderation_is_applied_to_an_edit_as_to_a_submission_as_the_policy_switches_it(
    api, aws_stack, monkeypatch, enabled
):
    # Given a published comment on an article that is then set to pre-moderate every comment
    posted = submit(api).json
    assert settings(api, premoderation=True).status == 200
    off = {"version": "no-premod", "rules": {"premoderation": {"enabled": False}}}
    use_policy(aws_stack, monkeypatch, None if enabled else off)
    # When the author edits it and another comment is submitted
    edited = edit(api, posted, "A calm remark, with a typo fixed.")
    another = submit(api, "Another calm remark.", email="other@example.org")
    # Then both are held while pre-moderation applies, and both published once it is turned off
    if enabled:
        assert (edited.status, edited.json["status"]) == (200, "pending")
        assert another.status == 202
        assert [r["rule"] for r in another.json["reasons"]] == ["premoderation"]
    else:
        assert (edited.status, edited.json["status"]) == (200, "published")
        assert another.status == 201


@pytest.mark.parametrize(
    "bad",
    [
        {"closed": "yes"},
        {"premoderation": 1},
        {"auto_close_days": 0},
        {"auto_close_days": "7"},
        {"opened_at": "yesterday"},
        {"opened_at": "2026-11-28T09:00:00"},  # no offset: refused, not guessed
        {"close_after": 3},  # not a setting
    ],
)
def test_a_malformed_article_setting_is_refused_when_written(api, aws_stack, bad):
    reply = settings(api, **bad)
    assert reply.status == 422 and reply.json["error"] == "validation_error"
    assert submit(api).status == 201


def test_no_stored_setting_can_break_a_submission(api, aws_stack):
    # Given an article item written by hand (or by an older version) with values that do not validate
    aws_stack.client("dynamodb").put_item(
        TableName=aws_stack.tables["CommentsTable"],
        Item={
            "pk": {"S": f"ART#{ARTICLE}"},
            "kind": {"S": "article"},
            "closed": {"S": "maybe"},
            "premoderation": {"N": "1"},
            "auto_close_days": {"S": "soon"},
            "opened_at": {"S": "not a time"},
        },
    )
    # When a comment is checked and submitted, and the settings are changed again
    checked = api.call("POST", f"{PATH}/validate", {"name": "Sam", "email": EMAIL, "body": TEXT})
    posted = submit(api)
    fixed = settings(api, premoderation=False)
    # Then nothing fails: the bad values count as unset, and a good write replaces them
    assert checked.status == 200 and checked.json["verdict"] == "publish"
    assert posted.status == 201
    assert fixed.status == 200
    assert fixed.json["settings"]["closed"] is False


def test_auto_close_counts_from_the_articles_first_comment(api, aws_stack, monkeypatch):
    # Given an article set to close two days after it opened, and its first comment
    assert settings(api, auto_close_days=2).status == 200
    first = submit(api)
    assert first.status == 201
    opened = settings(api).json["settings"]["opened_at"]
    assert opened == first.json["comment"]["createdAt"]
    # When a comment comes a day later, and another three days later
    start = datetime.now(UTC)
    monkeypatch.setattr("comments.api.runtime.Runtime.now", staticmethod(lambda: start + timedelta(days=1)))
    day_later = submit(api, "Still open, a day later.")
    monkeypatch.setattr("comments.api.runtime.Runtime.now", staticmethod(lambda: start + timedelta(days=3)))
    too_late = submit(api, "Three days later.")
    # Then the first goes through and the second finds the article closed
    assert day_later.status == 201
    assert too_late.status == 403 and too_late.json == {"error": "comments_closed"}


def test_an_operator_may_say_when_the_article_opened(api, aws_stack):
    # Given an article published a week ago (its time given with an offset), closing after 3 days
    week_ago = (datetime.now(UTC) - timedelta(days=7)).astimezone().isoformat()
    reply = settings(api, auto_close_days=3, opened_at=week_ago)
    # Then the time is kept in UTC, and the article is closed for comments
    assert reply.status == 200 and reply.json["settings"]["opened_at"].endswith("Z")
    assert submit(api).json == {"error": "comments_closed"}
