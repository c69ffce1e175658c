"""What the intent rules cost, measured from outside: `comments-policy check` on 2,000-character
news comments, next to a baseline script that only NFKC-normalises, casefolds, tokenises and looks
each token up in a set, on the same file.

    .venv/bin/python -m bench.intent_bench [--comments 4000] [--runs 5]

Two figures per program: CPU per comment in steady state (the run on N comments minus the run
on one comment, over N - 1: start-up, imports and compiling are left out), and the whole run on
N comments (start-up included, so it depends on N). The ratio the issue sets (within 3x) is for
the first; the second is printed so that nobody has to take that on trust.

The comments are made of sentences readers write under news (the bench's ordinary comment
sentences and sentences from a war story: killings, shelling, executions, calls for a tribunal,
officials quoted), so the intent rules have their words to read in most sentences. Each program
is a separate process; what is compared is the CPU time (user + system) the child used, the
smallest over the runs (runs interleaved), which a busy machine disturbs far less than wall time.
The policy is run twice: as shipped, and with the four intent rules switched off (a policy
override), to show what they add. Both programs write one JSON line per comment.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bench import policy_bench

# Sentences from the comments under a war story: violent words, none of them a threat.
WAR_SENTENCES = (
    "The strike killed dozens of civilians, including children, and wounded many more.",
    "Shelling continued through the night and three more people were killed in the suburbs.",
    "Whoever ordered it should face a tribunal, and the sooner the better.",
    "Russia warned it would target US-backed militias if its troops came under fire again.",
    "This minister should resign; the policy is killing small businesses across the region.",
    "They were shot dead at a checkpoint, according to the UN monitors who visited the site.",
    "The generals who ordered the shelling should be tried for war crimes in The Hague.",
    "Mass graves were found after the army withdrew, and investigators are still counting.",
    "The bombing of the hospital was a war crime, plain and simple, and nobody denies it.",
    "My grandfather was killed in the same valley in 1944, so this story hits hard.",
    "Both sides accuse each other of executing prisoners, and neither allows observers in.",
    "Snipers shot at anyone who tried to cross the bridge, witnesses told reporters.",
    "\u201cFire points in those areas will be immediately suppressed,\u201d the general said.",
    "Those responsible must be brought to justice, not simply moved to another post.",
)

# The baseline: normalise, casefold, tokenise, look each token up; one JSON line per comment.
BASELINE = """
import json, re, sys, unicodedata
WORDS = frozenset(sys.argv[2].split(","))
TOKEN = re.compile(r"\\w+")
out = sys.stdout
with open(sys.argv[1], "rb") as lines:
    for line in lines:
        body = json.loads(line)["body"]
        found = [t for t in TOKEN.findall(unicodedata.normalize("NFKC", body).casefold()) if t in WORDS]
        out.write(json.dumps({"verdict": "hold" if found else "publish", "reasons": []}) + "\\n")
"""
INTENT_OFF = {
    "version": "bench-intent-off",
    "rules": {rule: {"enabled": False} for rule in ("threat", "self_harm", "hate", "spam")},
}


def comments(count: int, length: int = 2000, *, seed: int = 13) -> list[str]:
    """`count` news comments of `length` characters: ordinary sentences and war-story sentences."""
    rng = random.Random(seed)
    pool = [*policy_bench._SENTENCES, *WAR_SENTENCES]
    made = []
    for _ in range(count):
        parts: list[str] = []
        while len(" ".join(parts)) < length:
            parts.append(rng.choice(pool))
        made.append(" ".join(parts)[:length])
    return made


@dataclass(frozen=True)
class Run:
    what: str
    cpu_s: float  # the child's user + system time on N comments, smallest over the runs
    one_s: float  # the same on one comment (start-up)
    count: int

    @property
    def per_comment_us(self) -> float:
        return (self.cpu_s - self.one_s) / (self.count - 1) * 1e6


def _cpu(command: list[str]) -> float:
    """Run a command to completion (its output discarded): the user + system CPU seconds it used."""
    with open(os.devnull, "wb") as devnull:
        process = subprocess.Popen(command, stdout=devnull, stderr=subprocess.PIPE)  # noqa: S603
        _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{command[0]} failed: {process.stderr.read().decode() if process.stderr else ''}")
    return usage.ru_utime + usage.ru_stime


def measure(*, count: int = 4000, runs: int = 5) -> list[Run]:
    """CPU time of the baseline, of `comments-policy check` with the intent rules off and as
    shipped, each on `count` comments and on one comment; runs interleaved, smallest kept."""
    policy_cli = [sys.executable, "-m", "comments_cli.policy", "check"]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        lines = [json.dumps({"body": body, "name": "Ada"}) + "\n" for body in comments(count)]
        full, one = work / "comments.jsonl", work / "one.jsonl"
        full.write_text("".join(lines))
        one.write_text(lines[0])
        baseline = work / "baseline.py"
        baseline.write_text(BASELINE)
        off = work / "intent-off.json"
        off.write_text(json.dumps(INTENT_OFF))
        words = "fuck,shit,idiot,kill,vermin,viagra"
        programs = {
            "baseline: NFKC, casefold, tokenise, set lookup": lambda data: [
                sys.executable,
                str(baseline),
                str(data),
                words,
            ],
            "comments-policy check, intent rules off": lambda data: [
                *policy_cli,
                str(data),
                "--policy",
                str(off),
            ],
            "comments-policy check (as shipped)": lambda data: [*policy_cli, str(data)],
        }
        best: dict[tuple[str, Path], float] = {}
        for _ in range(runs):  # interleaved, so that a busy moment hits all of them alike
            for what, command in programs.items():
                for data in (full, one):
                    cpu = _cpu(command(data))
                    best[(what, data)] = min(cpu, best.get((what, data), cpu))
    return [Run(what, best[(what, full)], best[(what, one)], count) for what in programs]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--comments", type=int, default=4000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    results = measure(count=args.comments, runs=args.runs)
    base = results[0]
    print(f"{args.comments:,} comments of 2,000 characters; CPU time, smallest of {args.runs} runs")
    print(f"{'':<50} {'per comment':>12} {'ratio':>7}   {'whole run':>9} {'ratio':>7}")
    for run in results:
        print(
            f"{run.what:<50} {run.per_comment_us:9.1f} µs {run.per_comment_us / base.per_comment_us:6.2f}x"
            f"   {run.cpu_s:7.2f} s {run.cpu_s / base.cpu_s:6.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
