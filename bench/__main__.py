"""`make bench`: every figure of the README's "Performance and cost", in one table.

    .venv/bin/python -m bench [--quick]

Each figure is a median of several runs; each ratio is measured in the same run as what it
compares with (runs interleaved). Sections, and the module that measures each:

    cold start          bench.coldstart   fresh interpreters on a Lambda-shaped file system
    warm compute        bench.warm        the submit handler, DynamoDB stubbed (botocore Stubber)
    policy engine       bench.policy_bench
    intent rules        bench.intent_bench  `comments-policy check`, from outside, vs a tokenising script
    local throughput    bench.throughput  `make dev`'s server vs raw put_item on its moto server
    local load          bench.load        concurrent clients with retries through `make dev`'s server
    write units         bench.units       recorded calls replayed on a table made from the template
    cost                bench.cost        the above, with dated us-east-1 prices

Takes about 3 minutes on two cores (`--quick`: about 2, fewer runs).
"""

import argparse
import os
import platform
import sys
import time
from datetime import UTC, datetime
from typing import Any

from bench import cost

Row = tuple[str, str, str, str]  # figure, value, ratio, target


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f} ms"


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def _check(ok: bool) -> str:
    return "met" if ok else "NOT met"


def cold_rows(runs: int) -> tuple[list[Row], dict[str, Any]]:
    from bench import coldstart

    rows: list[Row] = []
    found: dict[str, Any] = {}
    for precompiled, label in (
        (False, "layer as sam build ships it, no .pyc"),
        (True, "layer precompiled, .pyc"),
    ):
        results = coldstart.measure(runs=runs, precompiled=precompiled)
        found[label] = results
        for r in results:
            if r.failure:
                rows.append((f"Cold start {r.name} ({label})", "failed", "-", r.failure[:80]))
                continue
            if r.name == coldstart.BARE:
                rows.append(
                    (
                        f"Cold start bare handler: boto3 + DynamoDB + SQS clients ({label})",
                        f"{_ms(r.init_ms)}",
                        "1.00x",
                        f"baseline, {r.runs} runs",
                    )
                )
                continue
            first = f"{_ms(r.first_ms)} ({_ratio(r.first_ratio)})" if r.first_ms is not None else "-"
            what = r.name
            if r.name == coldstart.FLOOR:
                what = "the fixed shape's floor (resolver, Logger, Metrics, one pydantic model)"
            rows.append(
                (
                    f"Cold start {what} ({label}): init / init + first request",
                    f"{_ms(r.init_ms)} / {first}",
                    f"{_ratio(r.init_ratio)} init",
                    f"init <= 1.25x: {_check(r.init_ratio <= 1.25)}" if r.init_ratio is not None else "-",
                )
            )
    return rows, found


def warm_rows(rounds: int, requests: int) -> tuple[list[Row], dict[str, Any]]:
    from bench import warm

    result = warm.in_subprocess(rounds=rounds, requests=requests)
    rows: list[Row] = []
    for f in result["figures"]:
        rows.append(
            (
                f"Warm submit handler, {f['length']:,}-character comment, p50 / p99 "
                "(CPU time, DynamoDB stubbed)",
                f"{f['p50_ms']:.2f} ms / {f['p99_ms']:.2f} ms",
                "-",
                f"p50 <= 1 ms: {_check(f['p50_ms'] <= 1.0)}; {len(f['calls'])} DynamoDB calls; "
                f"{f['rounds']} x {f['requests']}",
            )
        )
    return rows, result


def policy_rows(quick: bool) -> list[Row]:
    from bench import policy_bench

    rows: list[Row] = []
    results = policy_bench.run(rounds=3 if quick else 7)
    ours = {r["length"]: r["median_us"] for r in results if r["what"].endswith("(default lists)")}
    for r in results:
        if r["what"].startswith("compile"):
            rows.append(
                ("Policy: " + r["what"], f"{r['median_us'] / 1000:,.0f} ms", "-", "once per policy version")
            )
            continue
        ratio = f"{r['ratio']:,.0f}x slower" if "ratio" in r else "-"
        rows.append(
            (
                f"Policy: {r['what']}, {r['length']:,} characters",
                f"{r['median_us']:,.1f} µs",
                ratio,
                "per comment" if r["length"] in ours else "",
            )
        )
    return rows


def intent_rows(quick: bool) -> list[Row]:
    from bench import intent_bench

    count = 2500 if quick else 6000
    results = intent_bench.measure(count=count, runs=3 if quick else 5)
    base = results[0]
    rows: list[Row] = []
    for run in results:
        steady = run.per_comment_us / base.per_comment_us
        target = "baseline" if run is base else f"<= 3x: {_check(steady <= 3.0)}"
        rows.append(
            (
                f"Intent: {run.what}, 2,000-char news comments (CPU per comment / run of {count:,})",
                f"{run.per_comment_us:,.1f} µs / {run.cpu_s:,.2f} s",
                f"{steady:.2f}x / {run.cpu_s / base.cpu_s:.2f}x",
                target,
            )
        )
    return rows


def throughput_rows(seconds: float, rounds: int) -> tuple[list[Row], Any]:
    from bench import throughput

    t = throughput.measure(clients=8, seconds=seconds, rounds=rounds)
    rows: list[Row] = [
        (
            "Local stack: raw put_item on the dev server's moto",
            f"{t.raw_puts_per_s:,.0f} /s",
            "1.00x",
            f"8 clients, {t.rounds} rounds of {t.seconds:.0f} s",
        ),
        (
            "Local stack: submissions through `make dev` (HTTP keep-alive, Idempotency-Key)",
            f"{t.submissions_per_s:,.1f} /s",
            f"{t.ratio:.2f}x",
            f">= 0.5x: {_check(t.ratio >= 0.5)}; {t.errors} errors",
        ),
    ]
    if t.ceiling is not None:
        rows.append(
            (
                "Local stack: moto CPU per submission / per raw put_item",
                f"{t.moto_cpu_ms_per_submission:.1f} ms / {t.moto_cpu_ms_per_put:.1f} ms",
                f"{t.ceiling:.2f}x",
                f"the ratio's ceiling while moto (one GIL) is the bottleneck; dev server CPU "
                f"{t.dev_cpu_ms_per_submission:.1f} ms per submission",
            )
        )
    return rows, t


def load_rows(quick: bool) -> list[Row]:
    from bench import load

    f = load.measure(16 if quick else 32, 32 if quick else 64)
    return [
        (
            f"Local load through make dev: {f['requests']:,} requests ({f['submissions']:,} submissions, "
            f"{f['retries']} retries with the same key) from {f['clients']} clients",
            f"{f['requests_per_second']} req/s; p50 {f['p50_ms']:,} ms, p99 {f['p99_ms']:,} ms",
            "-",
            f"{f['seconds']} s; {f['statuses']}; {f['server_errors']} 5xx; stored {f['stored']:,}, "
            f"queued {f['queued']:,} (build/load/figures.json)",
        )
    ]


def unit_rows(recorded: dict[str, Any]) -> tuple[list[Row], dict[str, Any]]:
    from bench import units

    bills = units.measure(recorded)
    labels = {
        "published-200": "published, 200 characters",
        "published-2000": "published, 2,000 characters",
        "held": "held (3 links)",
        "rejected": "rejected (policy)",
        "approve-held": "moderator approves a held one",
        "relay-count-1": "relay counts a published one, alone in its batch",
        "relay-count-25": "relay counts a published one, in a batch of 25 on one article",
    }
    rows: list[Row] = []
    for name, bill in bills.items():
        comment = next((c for c in bill.charges if c.what.startswith("comment")), None)
        size = f"comment item {comment.size:,} B" if comment else ""
        rows.append(
            (
                f"Write units: {labels.get(name, name)}",
                f"{bill.wru:g} WRU, {bill.rru:g} RRU",
                "-",
                "; ".join(x for x in (size, _breakdown(bill)) if x),
            )
        )
    return rows, bills


def _breakdown(bill: Any) -> str:
    groups: dict[str, float] = {}
    for c in bill.charges:
        if not c.wru:
            continue
        key = c.what.strip().split(" (")[0].replace(" entry written", "").replace(" entry removed", "")
        groups[key] = groups.get(key, 0) + c.wru
    return ", ".join(f"{k} {v:g}" for k, v in groups.items())


def cost_rows(warm: dict[str, Any], bills: dict[str, Any], cold: dict[str, Any]) -> list[Row]:
    from comments_dev import template

    from bench.coldstart import _memory

    def calls(name: str) -> dict[str, int]:
        ops = [op for op, _ in warm["recorded"][name]]
        return {
            "single": sum(op != "TransactWriteItems" for op in ops),
            "transaction": ops.count("TransactWriteItems"),
        }

    precompiled = next((v for k, v in cold.items() if "precompiled" in k), [])
    measured = cost.Measured(
        submit_compute_ms=next(f["p50_ms"] for f in warm["figures"] if f["length"] == 200),
        submit_calls={
            "published": calls("published-200"),
            "held": calls("held"),
            "rejected": calls("rejected"),
        },
        wru={
            "published": bills["published-200"].wru,
            "held": bills["held"].wru,
            "rejected": bills["rejected"].wru,
        },
        rru={
            "published": bills["published-200"].rru,
            "held": bills["held"].rru,
            "rejected": bills["rejected"].rru,
        },
        memory_mb={name: _memory(name) for name in template.resources("AWS::Serverless::Function")},
        init_ms={r.name: r.first_ms for r in precompiled if r.first_ms},
        decide_wru=bills["approve-held"].wru if "approve-held" in bills else 0.0,
        count_wru=bills["relay-count-1"].wru if "relay-count-1" in bills else 0.0,
        submit_log_bytes=next(f["log_bytes"] for f in warm["figures"] if f["length"] == 200),
    )
    a = cost.Assumptions()
    bill = cost.per_million(measured, assumptions=a)
    rows: list[Row] = [
        (f"Cost per 1M submissions: {line.what}", f"${line.usd:,.2f}", "-", line.detail)
        for line in bill.lines
    ]
    rows.append(
        (
            f"Cost per 1M submissions, total ({a.published:.0%} published, {a.held:.0%} held, "
            f"{a.rejected:.0%} rejected)",
            f"${bill.total:,.2f}",
            "-",
            f"us-east-1 list prices as of {cost.PRICES_AS_OF}",
        )
    )
    return rows


def render(rows: list[Row]) -> str:
    head = ("Figure", "Value", "Ratio", "Target / note")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(4)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)) + " |"
    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    body = ["| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)) + " |" for r in rows]
    return "\n".join([line, rule, *body])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke run, not for the README)")
    args = parser.parse_args(argv)
    started = time.monotonic()
    runs = 5 if args.quick else 15
    rows: list[Row] = []

    def section(name: str) -> None:
        print(f"[{time.monotonic() - started:5.0f} s] {name} ...", file=sys.stderr, flush=True)

    cold_found: dict[str, Any] = {}
    warm_found: dict[str, Any] = {}
    bills: dict[str, Any] = {}

    def run(name: str, step: Any) -> None:
        section(name)
        try:
            rows.extend(step())
        except Exception as exc:  # one broken section must not hide the others
            rows.append(
                (
                    f"{name}: failed",
                    type(exc).__name__,
                    "-",
                    str(exc).splitlines()[0][:100] if str(exc) else "",
                )
            )

    def cold() -> list[Row]:
        found, cold_found_ = cold_rows(runs)
        cold_found.update(cold_found_)
        return found

    def warm() -> list[Row]:
        found, result = warm_rows(3 if args.quick else 5, 150 if args.quick else 300)
        warm_found.update(result)
        return found

    def unit() -> list[Row]:
        found, result = unit_rows(warm_found["recorded"])
        bills.update(result)
        return found

    run("cold start", cold)
    run("warm compute", warm)
    run("policy engine", lambda: policy_rows(args.quick))
    run("intent rules", lambda: intent_rows(args.quick))
    run(
        "local-stack throughput",
        lambda: throughput_rows(4.0 if args.quick else 8.0, 2 if args.quick else 3)[0],
    )
    run("local load", lambda: load_rows(args.quick))
    run("write units", unit)
    run("cost", lambda: cost_rows(warm_found, bills, cold_found))

    samples_note = "" if not os.environ.get("CI") else " (CI)"
    print(
        f"Comment service benchmarks{samples_note}: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, Python "
        f"{platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}; "
        f"prices: AWS us-east-1 list prices as of {cost.PRICES_AS_OF}; "
        f"{'--quick, ' if args.quick else ''}{time.monotonic() - started:.0f} s"
    )
    print(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
