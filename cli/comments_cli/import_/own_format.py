"""The service's own export format (`comments-export` writes it, `comments-import json` reads it):
one JSON document, versioned, written one record per line so that it streams both ways.

    {"format": "comment-service-export", "version": 1, "exportedAt": "...Z", "article": null,
     "articles": [
    {"articleId": "...", "settings": {"closed": false, ...}}
     ],
     "comments": [
    {"id": "...", "articleId": "...", "parentId": null, "name": "...", "body": "...", ...},
    ...
     ]}

docs/import-export.md describes every field. It holds no email and no IP, nor any hash of an IP
(`clientId`) or edit token: only the author id (a keyed hash of the email, as the service keeps
it). The reader takes any layout of the same JSON (pretty-printed, keys in any order), streams
the two arrays one record at a time, and names the line of any problem.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated, Any, Literal

from comments.domain.ids import is_article_id, is_comment_id
from comments.domain.models import ArticleSettings, Status, StoredComment, parse_iso
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator

from comments_cli.import_.source import FileProblem

FORMAT = "comment-service-export"
VERSION = 1
_MAX_VALUE = 4 << 20  # one record's JSON text at most (a comment is far smaller)
_CHUNK = 1 << 16


def _article_id(value: str) -> str:
    if not is_article_id(value):
        raise ValueError("is not an article id")
    return value


ArticleId = Annotated[str, AfterValidator(_article_id)]


class ExportedComment(BaseModel):
    """A comment in the export: what the table holds, less the client's and the edit token's
    hashes (and the report count), which mean nothing outside the service."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    id: str
    articleId: ArticleId
    parentId: str | None
    name: str
    body: str
    createdAt: str
    updatedAt: str | None = None
    status: Status
    authorId: str = ""
    verdict: Literal["publish", "hold", "reject"]
    hits: list[dict[str, Any]] = Field(default_factory=list)
    policyVersion: str
    history: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("id", "parentId")
    @classmethod
    def _comment_id(cls, value: str | None) -> str | None:
        if value is not None and not is_comment_id(value):
            raise ValueError("is not a comment id")
        return value

    @field_validator("createdAt", "updatedAt")
    @classmethod
    def _time(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                parse_iso(value)
            except ValueError:
                raise ValueError("is not an ISO 8601 time") from None
        return value

    @classmethod
    def of(cls, comment: StoredComment) -> ExportedComment:
        return cls.model_validate(comment.model_dump(include=set(cls.model_fields)))

    def stored(self) -> StoredComment:
        return StoredComment.model_validate(self.model_dump())


class ExportedArticle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    articleId: ArticleId
    settings: ArticleSettings


def header(exported_at: str, article: str | None) -> str:
    return json.dumps({"format": FORMAT, "version": VERSION, "exportedAt": exported_at, "article": article})[
        :-1
    ]


def line(record: BaseModel) -> str:
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=False)


class _Stream:
    """A JSON text read a chunk at a time: whitespace, single characters, and whole values
    (json's raw_decode on the buffer, read further while a value is cut by the buffer's end)."""

    def __init__(self, f: IO[str], path: str | Path) -> None:
        self.f, self.path = f, path
        self.buf, self.pos, self.lines_before, self.eof = "", 0, 0, False
        self._counted = (0, 0)  # (position in buf, newlines before it): lines counted once

    def line(self, pos: int | None = None) -> int:
        at = self.pos if pos is None else pos
        counted_at, lines = self._counted
        if at < counted_at:
            counted_at, lines = 0, 0
        lines += self.buf.count("\n", counted_at, at)
        self._counted = (at, lines)
        return self.lines_before + lines + 1

    def fail(self, message: str, pos: int | None = None) -> FileProblem:
        return FileProblem(self.path, self.line(pos), message)

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.f.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.lines_before = self.line() - 1
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        self._counted = (0, 0)
        return True

    def peek(self) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def expect(self, chars: str, what: str) -> str:
        found = self.peek()
        if not found or found not in chars:
            shown = repr(found) if found else "the end of the file"
            raise self.fail(
                f"expected {what}, found {shown}" + (" (the file is cut short)" if not found else "")
            )
        self.pos += 1
        return found

    def value(self) -> Any:
        self.peek()
        decoder = json.JSONDecoder()
        while True:
            try:
                value, end = decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                if len(self.buf) - self.pos <= _MAX_VALUE and self._more():
                    continue
                cut = " (the file is cut short)" if self.eof and exc.pos >= len(self.buf) - 1 else ""
                raise self.fail(f"not valid JSON: {exc.msg}{cut}", exc.pos) from None
            # A number at the buffer's end may go on in the next chunk.
            if end == len(self.buf) and not isinstance(value, (dict, list, str)) and self._more():
                continue
            self.pos = end
            return value


def read(path: str | Path) -> Iterator[tuple[int, ExportedArticle | ExportedComment]]:
    """The articles and comments of an export, with the line each starts on. Anything that is
    not this format raises FileProblem with the line."""
    try:
        f = open(path, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise FileProblem(path, None, exc.strerror or str(exc)) from None
    with f:
        stream = _Stream(f, path)
        try:
            yield from _document(stream)
        except UnicodeDecodeError:
            raise stream.fail("not UTF-8 text") from None


def _document(stream: _Stream) -> Iterator[tuple[int, ExportedArticle | ExportedComment]]:
    meta: dict[str, Any] = {}
    stream.expect("{", f"an export of this service ({FORMAT})")
    if stream.peek() != "}":
        while True:
            at = stream.line()
            key = stream.value()
            if not isinstance(key, str):
                raise stream.fail("expected a key")
            stream.expect(":", "':'")
            if key in ("articles", "comments"):
                yield from _array(stream, key)
            else:
                meta[key] = stream.value()
                if key == "format" and meta[key] != FORMAT:
                    raise FileProblem(
                        stream.path, at, f"not an export of this service (format {meta[key]!r})"
                    )
                if key == "version" and meta[key] != VERSION:
                    raise FileProblem(
                        stream.path, at, f"export format version {meta[key]!r}: this tool reads {VERSION}"
                    )
            if stream.expect(",}", "',' or '}'") == "}":
                break
    if stream.peek():
        raise stream.fail("unexpected text after the export's end")
    if meta.get("format") != FORMAT or meta.get("version") != VERSION:
        raise FileProblem(
            stream.path, 1, f'not an export of this service (no "format": "{FORMAT}", "version": {VERSION})'
        )


def _array(stream: _Stream, key: str) -> Iterator[tuple[int, ExportedArticle | ExportedComment]]:
    model: type[ExportedArticle] | type[ExportedComment] = (
        ExportedArticle if key == "articles" else ExportedComment
    )
    stream.expect("[", "'['")
    if stream.peek() == "]":
        stream.pos += 1
        return
    while True:
        stream.peek()
        at = stream.line()
        raw = stream.value()
        try:
            yield at, model.model_validate(raw)
        except ValidationError as exc:
            problem = exc.errors()[0]
            where = ".".join(str(p) for p in problem["loc"]) or "record"
            raise FileProblem(stream.path, at, f"{key[:-1]} {where}: {problem['msg']}") from None
        if stream.expect(",]", "',' or ']'") == "]":
            return
