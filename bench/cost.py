"""The bill per million submitted comments in us-east-1, from the measured figures.

Everything that is not measured is named here, with its value, and printed with the result:
the prices (with the date of the price list), the mix of outcomes, how long a DynamoDB call
takes in the region, how a Lambda's CPU share follows its memory size. Change one and the
bill follows; nothing is hidden in the arithmetic.
"""

import math
from dataclasses import dataclass, field

PRICES_AS_OF = "2025-08-01"  # AWS public on-demand list prices, us-east-1, as published on that date


@dataclass(frozen=True)
class Prices:
    """USD, us-east-1, first pricing tier (what a news site's comment service stays in)."""

    api_http_per_million: float = 1.00  # API Gateway HTTP API, per million requests (first 300M/month)
    lambda_request_per_million: float = 0.20
    lambda_arm_gb_second: float = 0.0000133334  # arm64, first 7.5 billion GB-s/month
    ddb_wru_per_million: float = 0.625  # on-demand write request units (since 2024-11-01)
    ddb_rru_per_million: float = 0.125  # on-demand read request units
    sqs_per_million: float = 0.40  # standard queue requests (64 KB chunks)
    events_per_million: float = 1.00  # EventBridge custom events put (64 KB chunks)
    logs_ingest_per_gb: float = 0.50  # CloudWatch Logs, standard class
    xray_traces_per_million: float = 5.00  # X-Ray traces recorded
    secret_calls_per_10k: float = 0.05  # Secrets Manager API calls
    snapstart_cache_gb_second: float = 0.0000015046  # Lambda SnapStart (Python), cache
    snapstart_restore_per_gb: float = 0.0001397998  # Lambda SnapStart (Python), per GB restored


@dataclass(frozen=True)
class Assumptions:
    """What the bill needs that the bench does not measure."""

    published: float = 0.80
    held: float = 0.15
    rejected: float = 0.05
    ddb_call_ms: float = 5.0  # one in-region DynamoDB single-item call, client to answer
    ddb_transaction_ms: float = 10.0
    events_call_ms: float = 10.0  # EventBridge PutEvents
    sqs_call_ms: float = 8.0
    full_core_mb: int = 1769  # Lambda gives one vCPU at 1,769 MB, and CPU in proportion below it
    cold_start_share: float = 0.01  # share of invocations that start a new environment
    preflight_per_submission: float = 1.0  # browsers send a CORS preflight for a JSON POST
    platform_log_bytes: int = 350  # Lambda's START, END and REPORT lines (with the X-Ray trace id)
    other_log_bytes: int = 250  # what the relay and moderation functions log per invocation
    xray_sampled: float = 0.145  # default rule (1/s + 5%) at 10 submissions/s
    relay_batch: float = 1.0  # stream records per relay invocation (1 at low traffic, up to 25)
    relay_compute_ms: float = 1.0
    moderation_compute_ms: float = 2.0


@dataclass
class Line:
    what: str
    usd: float
    detail: str = ""


@dataclass
class Bill:
    lines: list[Line] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(line.usd for line in self.lines)


def billed_ms(compute_ms_full_core: float, io_ms: float, memory_mb: int, a: Assumptions) -> int:
    """Lambda bills whole milliseconds; CPU work stretches as the memory (and CPU share) shrinks."""
    share = min(1.0, memory_mb / a.full_core_mb)
    return math.ceil(compute_ms_full_core / share + io_ms)


def lambda_usd(invocations: float, ms: float, memory_mb: int, p: Prices) -> float:
    return invocations * (
        p.lambda_request_per_million / 1e6 + ms / 1000 * memory_mb / 1024 * p.lambda_arm_gb_second
    )


@dataclass(frozen=True)
class Measured:
    """The bench's own figures that the bill uses."""

    submit_compute_ms: float  # warm p50 of the submit handler, stubbed, one full core
    submit_calls: dict[str, dict[str, int]]  # outcome -> {"single": n, "transaction": n}
    wru: dict[str, float]  # outcome -> write request units per submission
    rru: dict[str, float]
    memory_mb: dict[str, int]  # function logical id -> MemorySize from the template
    init_ms: dict[str, float]  # function logical id -> cold start (first request), one full core
    decide_wru: float = 0.0  # a moderator's decision on a held comment (comment update + index)
    # the relay counting one published comment (marker + counter, transactional), alone in its batch
    count_wru: float = 0.0
    submit_log_bytes: float = 220.0  # what the submit handler writes per request (EMF metrics, log lines)


def per_million(m: Measured, prices: Prices | None = None, assumptions: Assumptions | None = None) -> Bill:
    """USD per million submitted comments, line by line."""
    p, a = prices or Prices(), assumptions or Assumptions()
    n = 1e6
    mix = {"published": a.published, "held": a.held, "rejected": a.rejected}
    bill = Bill()

    requests = n * (1 + a.preflight_per_submission)
    bill.lines.append(
        Line(
            "API Gateway HTTP API",
            requests / 1e6 * p.api_http_per_million,
            f"{1 + a.preflight_per_submission:g} requests per submission (POST + CORS preflight)",
        )
    )

    submit_mb = m.memory_mb.get("SubmitFunction", 512)
    submit_usd, ms_by_outcome = 0.0, {}
    for outcome, share in mix.items():
        calls = m.submit_calls[outcome]
        io = calls.get("single", 0) * a.ddb_call_ms + calls.get("transaction", 0) * a.ddb_transaction_ms
        ms = billed_ms(m.submit_compute_ms, io, submit_mb, a)
        ms_by_outcome[outcome] = ms
        submit_usd += lambda_usd(n * share, ms, submit_mb, p)
    bill.lines.append(
        Line(
            f"Lambda SubmitFunction ({submit_mb} MB arm64)",
            submit_usd,
            "billed ms " + ", ".join(f"{k} {v}" for k, v in ms_by_outcome.items()),
        )
    )

    init_usd = 0.0
    for name, mb in m.memory_mb.items():
        if name in m.init_ms:
            init_usd += (
                n
                * a.cold_start_share
                * billed_ms(m.init_ms[name], 0, mb, a)
                / 1000
                * mb
                / 1024
                * p.lambda_arm_gb_second
            )
    bill.lines.append(
        Line(
            "Lambda INIT (cold starts, billed since 2025-08-01)",
            init_usd,
            f"{a.cold_start_share:.0%} of submit invocations start cold",
        )
    )

    # The relay sees every stored comment (one stream record each), and the decision of each held one.
    records = n * (a.published + a.held * 2)
    relay_mb = m.memory_mb.get("RelayFunction", 256)
    relay_ms = billed_ms(
        a.relay_compute_ms * a.relay_batch, a.events_call_ms + a.sqs_call_ms * a.held, relay_mb, a
    )
    bill.lines.append(
        Line(
            f"Lambda RelayFunction ({relay_mb} MB)",
            lambda_usd(records / a.relay_batch, relay_ms, relay_mb, p),
            f"{records / n:.2f} stream records per submission, {a.relay_batch:g} per invocation",
        )
    )

    mod_mb = m.memory_mb.get("ModerationFunction", 512)
    mod_ms = billed_ms(a.moderation_compute_ms, 2 * a.ddb_call_ms + a.sqs_call_ms, mod_mb, a)
    mod_invocations = n * a.held * 2  # claim + decide
    bill.lines.append(
        Line(
            f"Lambda ModerationFunction ({mod_mb} MB)",
            lambda_usd(mod_invocations, mod_ms, mod_mb, p),
            "claim + decide per held comment",
        )
    )
    bill.lines.append(Line("API Gateway (moderation)", mod_invocations / 1e6 * p.api_http_per_million, ""))

    # Counted by the relay: every published comment, and (at most) every held one a moderator approves.
    counted = n * (a.published + a.held)
    wru = sum(m.wru[o] * s for o, s in mix.items()) * n + n * a.held * m.decide_wru + counted * m.count_wru
    rru = sum(m.rru[o] * s for o, s in mix.items()) * n
    bill.lines.append(
        Line(
            "DynamoDB writes (on-demand)",
            wru / 1e6 * p.ddb_wru_per_million,
            f"{wru / n:.2f} WRU per submission (mix; the relay's counting "
            f"{counted * m.count_wru / n:.2f} of it, at {a.relay_batch:g} record per batch)",
        )
    )
    bill.lines.append(
        Line(
            "DynamoDB reads (on-demand)",
            rru / 1e6 * p.ddb_rru_per_million,
            f"{rru / n:.2f} RRU per submission (mix)",
        )
    )

    sqs = n * a.held * 3  # send, receive (claim), delete
    bill.lines.append(Line("SQS", sqs / 1e6 * p.sqs_per_million, "send + receive + delete per held comment"))
    events = records
    bill.lines.append(
        Line("EventBridge", events / 1e6 * p.events_per_million, "one lifecycle event per stored change")
    )

    others = records / a.relay_batch + mod_invocations
    log_bytes = n * (m.submit_log_bytes + a.platform_log_bytes) + others * (
        a.other_log_bytes + a.platform_log_bytes
    )
    bill.lines.append(
        Line(
            "CloudWatch Logs ingestion",
            log_bytes / 1024**3 * p.logs_ingest_per_gb,
            f"submit {m.submit_log_bytes + a.platform_log_bytes:.0f} B per invocation "
            "(measured + platform lines)",
        )
    )
    bill.lines.append(
        Line(
            "X-Ray (active tracing)",
            n * a.xray_sampled / 1e6 * p.xray_traces_per_million,
            f"{a.xray_sampled:.1%} of requests sampled (default rule at 10/s)",
        )
    )
    return bill


def snapstart_per_cold_start(
    memory_mb: int, init_ms: float, prices: Prices | None = None, assumptions: Assumptions | None = None
) -> tuple[float, float]:
    """(USD SnapStart charges for one restore, USD of the INIT it saves) for one cold start."""
    p, a = prices or Prices(), assumptions or Assumptions()
    gb = memory_mb / 1024
    saved = billed_ms(init_ms, 0, memory_mb, a) / 1000 * gb * p.lambda_arm_gb_second
    return gb * p.snapstart_restore_per_gb, saved
