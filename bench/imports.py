"""The import at scale: a generated Disqus export of 50,000 comments (tests/export_files.py
`big_disqus`; never committed), imported by the installed `comments-import` into a fresh stack
on a moto server, with each run's wall time and the importing process's peak memory (its own
maximum resident set size, from wait4).

    .venv/bin/python -m bench.imports [--comments 50000] [--threads 500]

Runs: the file checked and planned (--dry-run: parse, stage, plan; reads only), the import, the
same import again (nothing to write), then the import of a tenth of the file and the check of a
file four times as large, to show that memory does not grow with the file.
docs/import-export.md has the figures of a run.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Seconds, peak MiB of the process, and its last line of output."""
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # noqa: S603
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - started
    out = proc.stdout.read() if proc.stdout else ""
    err = proc.stderr.read() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed:\n{err}")
    return seconds, usage.ru_maxrss / 1024, (out.strip().splitlines() or [""])[-1]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.imports")
    parser.add_argument("--comments", type=int, default=50_000)
    parser.add_argument("--threads", type=int, default=500)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "tests"))
    from comments_dev.emulator import FAKE_CREDENTIALS, MotoServer, create_stack
    from export_files import big_disqus

    tool = str(Path(sys.executable).parent / "comments-import")
    server = MotoServer().start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            big = big_disqus(Path(tmp) / "big.xml", args.comments, args.threads)
            small = big_disqus(Path(tmp) / "small.xml", args.comments // 10, max(1, args.threads // 10))
            huge = big_disqus(Path(tmp) / "huge.xml", args.comments * 4, args.threads * 4)
            mib = big.stat().st_size / 2**20
            print(f"file: {args.comments:,} comments on {args.threads} threads, {mib:.1f} MiB (Disqus XML)")
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            runs = []
            for label, path, extra in (
                ("check and plan (--dry-run)", big, ["--dry-run"]),
                ("import", big, []),
                ("same import again", big, []),
                (f"import of {args.comments // 10:,} comments", small, []),
                (f"check and plan {args.comments * 4:,} (--dry-run)", huge, ["--dry-run"]),
            ):
                if not runs or label.startswith("import of"):  # a stack of its own: an empty table
                    stack = create_stack(
                        server.endpoint, {"RateLimitPerMinute": "0"}, prefix=f"b{uuid.uuid4().hex[:6]}-"
                    )
                run_env = {
                    **env,
                    **FAKE_CREDENTIALS,
                    "AWS_ENDPOINT_URL": server.endpoint,
                    "TABLE_NAME": stack.tables["CommentsTable"],
                    "SECRET_ARN": stack.secrets["ServiceSecret"],
                }
                seconds, peak, last = _run([tool, "disqus", str(path), *extra], run_env)
                runs.append((label, seconds, peak, last))
                print(f"{label:<32} {seconds:7.1f} s  peak {peak:6.1f} MiB  {last}", flush=True)
    finally:
        server.stop()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"(this benchmark's own process: {own:.0f} MiB; the moto server's memory is not counted)")


if __name__ == "__main__":
    main()
