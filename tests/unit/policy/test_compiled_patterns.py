"""The policy's expressions compiled at build time behave exactly as `re.compile` makes them, and a
file written by another interpreter is never used."""

import marshal
import re

import pytest
from comments.policy import compiled_patterns
from comments.policy.engine import default_policy, evaluate

SAMPLES = [
    "A calm remark about the council's budget.",
    "What a load of sh1t, f*ck this and the @ss who wrote it",
    "s h i t and f.u.c.k spelled out, fuuuuck stretched, bullshitting inflected",
    "Scunthorpe, assassin, therapist, cocktail, Dickens, Sussex and class stay clean.",
    "cum laude is fine",
]


@pytest.fixture
def stored(tmp_path, monkeypatch):
    """The build's file, written for the default policy and put in place for this test."""
    path = tmp_path / "patterns.marshal"
    path.write_bytes(compiled_patterns.dump(compiled_patterns.default_policy_patterns()))
    monkeypatch.setattr(compiled_patterns, "_entries", compiled_patterns._load(path))
    return path


def test_every_stored_program_is_the_expression_re_makes(stored):
    for pattern in compiled_patterns.default_policy_patterns():
        ahead, now = compiled_patterns.compile(pattern), re.compile(pattern)
        assert (ahead.pattern, ahead.groups, ahead.groupindex) == (now.pattern, now.groups, now.groupindex)
        for text in SAMPLES:
            view = " " + text.lower() + " "
            assert [(m.span(), m.lastgroup) for m in ahead.finditer(view)] == [
                (m.span(), m.lastgroup) for m in now.finditer(view)
            ]


def test_the_file_covers_the_default_policy(stored):
    entries = compiled_patterns._load(stored)
    assert set(compiled_patterns.default_policy_patterns()) <= set(entries)
    # and a pattern it does not hold is compiled as usual
    assert compiled_patterns.compile("(?:not|stored)").match("stored")


def test_verdicts_are_the_same_with_and_without_the_file(tmp_path, monkeypatch):
    # Given verdicts from expressions compiled by `re`
    monkeypatch.setattr(compiled_patterns, "_entries", {})
    fresh = [evaluate(default_policy(), body=t, name="Ada").model_dump() for t in SAMPLES]
    # When a new policy instance (no compiled matchers yet) judges with the build's file
    path = tmp_path / "p.marshal"
    path.write_bytes(compiled_patterns.dump(compiled_patterns.default_policy_patterns()))
    monkeypatch.setattr(compiled_patterns, "_entries", compiled_patterns._load(path))
    from comments.policy.engine import parse_policy

    policy = parse_policy(b'{"version": "same-as-default"}')
    ahead = [evaluate(policy, body=t, name="Ada").model_dump() for t in SAMPLES]
    # Then nothing differs but the version
    for before, after in zip(fresh, ahead, strict=True):
        after["policy_version"] = before["policy_version"]
        assert after == before


def test_a_file_from_another_interpreter_is_ignored(tmp_path):
    path = tmp_path / "old.marshal"
    signature = (*compiled_patterns._signature()[:3], -1, *compiled_patterns._signature()[4:])
    pattern = "a+"
    path.write_bytes(marshal.dumps((signature, {pattern: compiled_patterns.program(pattern)})))
    assert compiled_patterns._load(path) == {}
    assert compiled_patterns._load(tmp_path / "missing.marshal") == {}
    (tmp_path / "junk.marshal").write_bytes(b"not marshal at all")
    assert compiled_patterns._load(tmp_path / "junk.marshal") == {}


def test_expressions_are_the_same_text_in_every_process():
    import subprocess
    import sys

    code = (
        "import hashlib; from comments.policy.compiled_patterns import default_policy_patterns; "
        "print(hashlib.sha256(''.join(default_policy_patterns()).encode()).hexdigest())"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONHASHSEED": seed, "PYTHONPATH": ":".join(sys.path)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1
