"""The widget's honeypot through the API: a submission whose `honeypot` field is filled is held as
`spam` (not refused: a browser's autofill can fill it too); an empty one changes nothing; the
value is never stored."""

import json

import pytest

PATH = "/articles/honeypot/comments"


def post(api, **extra):
    payload = {"name": "Robin", "email": "robin@example.org", "body": "A calm remark.", **extra}
    return api.call("POST", PATH, payload)


def test_a_filled_honeypot_holds_the_comment_as_spam(api, aws_stack):
    # When a submission comes with the hidden field filled
    reply = post(api, honeypot="https://pills.example")
    # Then it is stored and held for a moderator, the reason given as spam in plain words
    assert reply.status == 202
    [reason] = reply.json["reasons"]
    assert reason["rule"] == "spam" and "people never see" in reason["message"]
    # and what was in the field is kept nowhere
    item = aws_stack.client("dynamodb").get_item(
        TableName=aws_stack.tables["CommentsTable"], Key={"pk": {"S": f"C#{reply.json['comment']['id']}"}}
    )["Item"]
    assert "pills.example" not in json.dumps(item)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_an_empty_honeypot_changes_nothing(api, value):
    assert post(api, honeypot=value, body=f"A calm remark {value!r}.").status == 201


@pytest.mark.parametrize("value", [1, ["x"], {"a": 1}, "x" * 2001])
def test_a_honeypot_that_is_not_a_short_text_is_a_validation_error(api, value):
    reply = post(api, honeypot=value)
    assert reply.status == 422 and reply.json["error"] == "validation_error"
    assert reply.json["details"][0]["field"] == "honeypot"


def test_the_check_as_you_type_does_not_give_the_trap_away(api):
    # Given a program probing the form's check with every field filled
    reply = api.call(
        "POST",
        f"{PATH}/validate",
        {"name": "Robin", "email": "robin@example.org", "body": "A calm remark.", "honeypot": "x"},
    )
    # Then the check says nothing of the hidden field (the submission itself is held)
    assert reply.json == {"verdict": "publish", "reasons": []}
    assert post(api, honeypot="x", body="A calm remark, sent.").status == 202
