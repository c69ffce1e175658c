"""Reading a request body: every hostile shape becomes a clean contract error."""

import base64
import json

import pytest
from comments.api.http import MAX_BODY_BYTES, json_object
from comments.domain.errors import BadRequest, PayloadTooLarge


def event(body: bytes | str | None, b64: bool = False) -> dict:
    if isinstance(body, bytes):
        return {"body": base64.b64encode(body).decode(), "isBase64Encoded": True}
    return {"body": body, "isBase64Encoded": b64}


def test_a_json_object_is_read():
    assert json_object(event('{"a": "b"}')) == {"a": "b"}


def test_exactly_32_kib_is_allowed_and_one_byte_more_is_too_large():
    pad = MAX_BODY_BYTES - len('{"a":""}')
    assert json_object(event('{"a":"' + "x" * pad + '"}'))["a"] == "x" * pad
    with pytest.raises(PayloadTooLarge):
        json_object(event('{"a":"' + "x" * (pad + 1) + '"}'))


def test_size_is_counted_in_bytes_not_characters():
    with pytest.raises(PayloadTooLarge):
        json_object(event(json.dumps({"a": "é" * 20000}, ensure_ascii=False)))


@pytest.mark.parametrize(
    "body",
    [
        None,
        "",
        "   ",
        "null",
        "[]",
        "1",
        '"s"',
        "{",
        '{"a": 1,}',
        "[" * 20000,
        b"\xc3\x28",
        b"\xff",
        '{"a": 1, "a": 2}',
        '{"a": Infinity}',
        "not base64!",
    ],
)
def test_hostile_bodies_are_bad_requests(body):
    with pytest.raises(BadRequest):
        json_object(event(body, b64=body == "not base64!"))


@pytest.mark.parametrize(
    "value",
    [
        "application/json",
        "APPLICATION/JSON",
        " application/json ; charset=utf-8",
        'application/json;charset="UTF8"',
    ],
)
def test_json_is_json_with_or_without_a_utf8_charset(value):
    from comments.api.http import is_json_media_type

    assert is_json_media_type(value)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=b",
        "application/jsonx",
        "application/json; charset=latin-1",
        "application/json, text/plain",
    ],
)
def test_anything_else_is_not_json(value):
    from comments.api.http import is_json_media_type

    assert not is_json_media_type(value)


@pytest.mark.parametrize("method", ["GET", "HEAD", "OPTIONS"])
def test_reads_are_never_refused_for_their_content_type(method):
    from comments.api.http import refuse_unsupported_media

    refuse_unsupported_media(
        {
            "requestContext": {"http": {"method": method}},
            "headers": {"content-type": "text/plain"},
            "body": "x",
        }
    )


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_body_without_a_content_type_is_refused(method):
    from comments.api.http import refuse_unsupported_media
    from comments.domain.errors import UnsupportedMediaType

    with pytest.raises(UnsupportedMediaType):
        refuse_unsupported_media(
            {"requestContext": {"http": {"method": method}}, "headers": {}, "body": "{}"}
        )
