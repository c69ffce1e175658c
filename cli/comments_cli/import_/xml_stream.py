"""An XML export, streamed: each record (a Disqus <thread> or <post>, a WordPress <item>) comes
out as a small element with the line it starts on, and is gone once handled. Memory stays that of
one record and one read buffer, whatever the file's size.

Parsed by defusedxml's expat parser: entity declarations (the billion laughs) and external
entities or DTDs are refused, never expanded or fetched.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from comments_cli.import_.source import MAX_RECORD_CHARS, FileProblem

CHUNK = 1 << 16
#: Put where an element's text was cut at MAX_RECORD_CHARS (a NUL is never in XML text).
CUT = "\x00cut"
#: The line each child of a record starts on, as an attribute of the child.
LINE = "{urn:comments-import}line"


def local(tag: str) -> str:
    """A tag or attribute name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def child(element: Element, name: str) -> Element | None:
    for sub in element:
        if local(sub.tag) == name:
            return sub
    return None


def text(element: Element | None, name: str | None = None) -> str:
    """The text of `element` (or of its first child called `name`), '' if there is none."""
    found = element if name is None or element is None else child(element, name)
    return (found.text or "").strip() if found is not None else ""


def raw_text(element: Element | None) -> str:
    """The text as it is (a message's spaces and line breaks are its own), '' if none."""
    return (element.text or "") if element is not None else ""


def attr(element: Element | None, name: str) -> str | None:
    """An attribute by its local name (`dsq:id` is `id`), whatever its namespace."""
    if element is None:
        return None
    for key, value in element.attrib.items():
        if local(key) == name and value.strip():
            return value.strip()
    return None


def line_of(element: Element, default: int) -> int:
    return int(element.get(LINE, default))


def was_cut(value: str) -> bool:
    return value.endswith(CUT)


@dataclass
class Record:
    element: Element
    line: int
    path: tuple[str, ...]  # local names from the root down to the record's parent


@dataclass
class _Target:
    """The parser's target: builds a tree for one record at a time, nothing above it."""

    depth_of_records: Callable[[tuple[str, ...]], bool]
    line: Callable[[], int]
    done: deque[Record] = field(default_factory=deque)
    path: list[str] = field(default_factory=list)
    builder: TreeBuilder | None = None
    depth: int = 0  # within the record
    start_line: int = 0
    chars: int = 0  # of the text since the last tag: an element's text is cut at MAX_RECORD_CHARS
    root: str | None = None
    namespaces: set[str] = field(default_factory=set)  # declared so far

    def start_ns(self, prefix: str, uri: str) -> None:
        self.namespaces.add(uri)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        if self.root is None:
            self.root = tag
        if self.builder is None and self.depth_of_records(tuple(self.path)):
            self.builder = TreeBuilder()
            self.start_line, self.depth = self.line(), 0
        if self.builder is not None:
            self.builder.start(tag, {**attrib, LINE: str(self.line())} if self.depth == 1 else attrib)
            self.depth += 1
            self.chars = 0
        else:
            self.path.append(local(tag))

    def data(self, data: str) -> None:
        if self.builder is not None:
            if self.chars > MAX_RECORD_CHARS:
                return
            self.chars += len(data)
            self.builder.data(data if self.chars <= MAX_RECORD_CHARS else CUT)

    def end(self, tag: str) -> None:
        if self.builder is None:
            if self.path:
                self.path.pop()
            return
        self.builder.end(tag)
        self.depth -= 1
        self.chars = 0
        if self.depth == 0:
            element = self.builder.close()
            self.done.append(Record(element, self.start_line, tuple(self.path)))
            self.builder = None

    def close(self) -> None:
        return None


def records(
    path: str | Path,
    is_record: Callable[[tuple[str, ...]], bool],
    progress: Callable[[int], Any] | None = None,
) -> Iterator[tuple[_Target, Record]]:
    """Every record of the file, in order, with the parser's state (root tag, namespaces seen).
    `is_record(path)`: whether an element under this path of local names is a record. A file
    that is not well-formed XML (truncated, cut, garbled) raises FileProblem with its line."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser

    parser: Any = None
    target = _Target(is_record, lambda: int(parser.parser.CurrentLineNumber))
    parser = DefusedXMLParser(target=target, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed below, on every path
    except OSError as exc:
        raise FileProblem(path, None, exc.strerror or str(exc)) from None
    with stream:
        if os.fstat(stream.fileno()).st_size == 0:
            raise FileProblem(path, None, "the file is empty")
        try:
            while chunk := stream.read(CHUNK):
                parser.feed(chunk)
                if progress is not None:
                    progress(len(chunk))
                while target.done:
                    yield target, target.done.popleft()
            parser.close()
        except ParseError as exc:
            line = exc.position[0] if getattr(exc, "position", None) else None
            reason = str(exc).split(": line ")[0]
            if reason.startswith("no element found") or reason.startswith("unclosed token"):
                reason += " (is the file complete? it ends before its last element is closed)"
            raise FileProblem(path, line, f"not well-formed XML: {reason}") from None
        except DefusedXmlException as exc:
            line = int(parser.parser.CurrentLineNumber)
            raise FileProblem(
                path,
                line,
                f"refused: the file declares XML entities or external references ({type(exc).__name__})",
            ) from None
        while target.done:
            yield target, target.done.popleft()
