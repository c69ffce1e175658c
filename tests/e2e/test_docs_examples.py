"""The README's and docs/api.md's examples run as written, top to bottom, as a newcomer runs them
after `make dev`: every shell block that talks to the local stack is taken from the Markdown,
run by bash in one session against a dev server of its own (its URL in place of
http://127.0.0.1:3000; the default rate limit of 10 a minute, as `make dev` has it), and each
command must succeed and answer the status its comment states (`# 201`, `# HTTP/1.1 201 Created`,
`# 422 policy_violation`: the code named must be in the answer too)."""

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from comments_dev.launch import DevProcess, start_dev_server
from comments_dev.template import ROOT

DOCS = [ROOT / "README.md", ROOT / "docs" / "api.md"]
LOCAL = "http://127.0.0.1:3000"
_BLOCK = re.compile(r"^```(?:sh|bash)\n(.*?)^```", re.MULTILINE | re.DOTALL)
_INLINE_COMMENT = re.compile(r"\s#\s+(.*)$")
_STATUS = re.compile(r"\b([1-5][0-9][0-9])\b")
_CODE = re.compile(r"\b([a-z]+(?:_[a-z]+)+)\b")


@dataclass
class Example:
    source: str  # file:line
    command: str
    stated: str = ""  # the comment that says what to expect

    @property
    def status(self) -> int | None:
        found = _STATUS.search(self.stated.replace("HTTP/1.1", ""))
        return int(found.group(1)) if found else None

    @property
    def codes(self) -> list[str]:
        return _CODE.findall(self.stated.split("{")[0])


def examples(path: Path) -> list[Example]:
    text = path.read_text()
    found: list[Example] = []
    for block in _BLOCK.finditer(text):
        if LOCAL not in block.group(1) or "curl " not in block.group(1):
            continue  # not an example against the local stack (`make dev` itself, `make test`)
        line_no = text.count("\n", 0, block.start(1)) + 1
        pending = ""
        for offset, line in enumerate(block.group(1).splitlines()):
            where = f"{path.relative_to(ROOT)}:{line_no + offset}"
            if not pending and line.lstrip().startswith("#"):
                if found and not found[-1].stated:
                    found[-1].stated = line.lstrip("# ").strip()  # the answer, shown under it
                continue
            if not line.strip():
                continue
            pending += line + "\n"
            if line.rstrip().endswith("\\"):
                continue
            comment = _INLINE_COMMENT.search(line)
            found.append(Example(where, pending, comment.group(1).strip() if comment else ""))
            pending = ""
    return found


ALL = [e for doc in DOCS for e in examples(doc)]


def test_the_docs_have_the_examples_the_issue_names():
    readme = [e for e in ALL if e.source.startswith("README.md")]
    assert readme and readme[0].status == 201 and "-X POST" in readme[0].command
    api = [e for e in ALL if e.source.startswith("docs/api.md")]
    assert {e.status for e in api} >= {200, 201, 202, 204, 400, 403, 404, 409, 413, 415, 422, 429}
    assert not [e for e in ALL if "uuidgen" in e.command or "jq " in e.command]


@pytest.fixture(scope="module")
def newcomer_stack():
    proc = start_dev_server({"RATE_LIMIT_PER_MINUTE": "10"})
    yield proc
    proc.stop()


def _run(stack: DevProcess, found: list[Example]) -> dict[int, tuple[int, str]]:
    script = ["set -u"]
    for i, example in enumerate(found):
        # (the marker on a line of its own: an answer need not end with a newline)
        script += [example.command.rstrip("\n"), f"printf '\\n@@END {i} %s\\n' $?"]
    done = subprocess.run(
        ["bash", "-c", "\n".join(script).replace(LOCAL, stack.base_url)],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        text=True,
        timeout=600,
        cwd=ROOT,
    )
    results: dict[int, tuple[int, str]] = {}
    lines: list[str] = []
    for line in done.stdout.splitlines():
        end = re.fullmatch(r"@@END (\d+) (\d+)", line)
        if end:
            results[int(end.group(1))] = (int(end.group(2)), "\n".join(lines))
            lines = []
        else:
            lines.append(line)
    assert len(results) == len(found), (
        f"the examples stopped early:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
    )
    return results


def _statuses(output: str) -> list[int]:
    heads = [int(m) for m in re.findall(r"^HTTP/[0-9.]+ ([1-5][0-9][0-9])", output, flags=re.MULTILINE)]
    if heads:
        return heads
    last = [line for line in output.splitlines() if line.strip()]
    return [int(t) for t in last[-1].split() if re.fullmatch(r"[1-5][0-9][0-9]", t)] if last else []


@pytest.mark.slow
def test_every_example_runs_and_answers_the_status_it_states(newcomer_stack):
    # Given a fresh `make dev` and the examples in the order a newcomer meets them
    results = _run(newcomer_stack, ALL)
    # Then each ran, and answered what its comment says
    failures = []
    for i, example in enumerate(ALL):
        rc, output = results[i]
        statuses = _statuses(output)
        wrong = rc != 0
        if example.status is not None:
            loop = example.command.lstrip().startswith("for ")
            wrong |= example.status not in statuses if loop else statuses[-1:] != [example.status]
            wrong |= any(code not in output for code in example.codes)
        if wrong:
            failures.append(
                f"{example.source}: exit {rc}, states {example.stated!r}, got {statuses}: {output[:300]}"
            )
    assert not failures, "\n".join(failures)
