"""The policy's regular expressions, compiled when the layer is built instead of at a cold start.

The word lists become a few large expressions (tens of KB of pattern text each); compiling the
main one takes about 40 ms of CPU, on every cold start, before the first comment is judged.
`python -m comments.policy.compiled_patterns FILE` (run by the layer's build) compiles every
expression the default policy can need and writes what `re` would make of each (its program
for the `_sre` engine) to FILE, with marshal. At run time `compile()` answers a pattern found
there with `_sre.compile` on the stored program (under a millisecond) and any other pattern
(an operator's override, a stale file) with `re.compile`: the same expression either way.

The stored programs belong to one CPython version and one `_sre` engine (its MAGIC number);
a file written by another is ignored, never half used.
"""

from __future__ import annotations

import marshal
import re
import sys
from array import array
from collections.abc import Iterable
from pathlib import Path
from typing import Any

DATA_FILE = Path(__file__).with_name("data") / "patterns.marshal"
_FORMAT = 1
_entries: dict[str, tuple[Any, ...]] | None = None


def _signature() -> tuple[Any, ...]:
    import _sre

    # The programs are stored as machine words (array "I"): their size and byte order count too.
    return (
        _FORMAT,
        sys.implementation.name,
        sys.version_info[:2],
        _sre.MAGIC,
        sys.byteorder,
        array("I").itemsize,
    )


def _load(path: Path = DATA_FILE) -> dict[str, tuple[Any, ...]]:
    try:
        # The layer's own build output, in the read-only layer: not data from outside.
        signature, entries = marshal.loads(path.read_bytes())  # noqa: S302
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    return entries if signature == _signature() and isinstance(entries, dict) else {}


def compile(pattern: str) -> re.Pattern[str]:
    """`re.compile(pattern)`, from the build's stored program when it has one."""
    global _entries
    if _entries is None:
        _entries = _load()
    entry = _entries.get(pattern)
    if entry is None:
        return re.compile(pattern)
    import _sre

    flags, words, groups, groupindex, indexgroup = entry
    code = array("I")
    code.frombytes(words)
    compiled: re.Pattern[str] = _sre.compile(pattern, flags, code.tolist(), groups, groupindex, indexgroup)
    return compiled


def program(pattern: str) -> tuple[Any, ...]:
    """What `re.compile` hands to `_sre.compile` for `pattern` (as re._compiler.compile does)."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern, 0)
    code = array("I", [int(op) for op in _compiler._code(parsed, 0)]).tobytes()
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (int(parsed.state.flags), code, parsed.state.groups - 1, groupindex, tuple(indexgroup))


def dump(patterns: Iterable[str]) -> bytes:
    return marshal.dumps((_signature(), {p: program(p) for p in dict.fromkeys(patterns)}))


def default_policy_patterns() -> list[str]:
    """Every expression the default policy's matchers can compile, each variant forced."""
    from comments.policy.engine import _compiled, default_policy

    compiled = _compiled(default_policy())
    patterns = []
    for matcher in (compiled.words, compiled.reserved):
        patterns += matcher.expressions()
    patterns += compiled.intent.index.expressions()
    return patterns


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m comments.policy.compiled_patterns FILE", file=sys.stderr)
        return 2
    target = Path(args[0])
    target.write_bytes(dump(default_policy_patterns()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
