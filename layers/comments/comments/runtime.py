"""What every function shares at run time, built once per container and only when first used:
the table adapter, the live policy (default or the operator's override), the clock."""

from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from comments.settings import settings

if TYPE_CHECKING:
    from comments.adapters.comment_table import CommentTable
    from comments.policy.model import Policy

_last_good: dict[str, Any] = {}


@cache
def table() -> "CommentTable":
    from comments.adapters.comment_table import CommentTable

    return CommentTable(settings().table_name)


def now() -> datetime:
    return datetime.now(UTC)


@cache
def _ssm() -> Any:
    """Powertools' SSM provider with short timeouts: an unreachable SSM costs a request at most a
    few seconds (then the last good policy), never the function's whole timeout."""
    import boto3
    from aws_lambda_powertools.utilities.parameters import SSMProvider
    from botocore.config import Config

    # A client of boto3's default session (Powertools would open a new Session, and load
    # botocore's data files again at a cold start).
    config = Config(connect_timeout=1, read_timeout=2, retries={"mode": "standard", "max_attempts": 2})
    return SSMProvider(boto3_client=boto3.client("ssm", config=config))


def policy(logger: Any = None) -> "Policy":
    """The policy in force. With POLICY_PARAMETER set, the operator's override is read from SSM
    through Powertools Parameters (cached for POLICY_MAX_AGE_SECONDS); a missing, unreadable or
    malformed override is refused with a log line and the last good policy stays in force."""
    import time

    from comments.policy.engine import default_policy, parse_policy

    cfg = settings()
    if not cfg.policy_parameter:
        return default_policy()
    if _last_good.get("failed_until", 0.0) > time.monotonic():
        # Failed lately: not every request should pay for SSM being down; try again after max_age.
        return _last_good.get("policy") or default_policy()
    try:
        raw = _ssm().get(cfg.policy_parameter, max_age=cfg.policy_max_age_seconds)
        if _last_good.get("raw") != raw:
            _last_good["policy"] = parse_policy(str(raw))
            _last_good["raw"] = raw
    except Exception as exc:  # any failure keeps the last good policy working
        _last_good["failed_until"] = time.monotonic() + cfg.policy_max_age_seconds
        if logger is None:
            import logging

            # A child of the service's Powertools logger ("comments"): same JSON lines.
            logger = logging.getLogger("comments.runtime")
        logger.error(
            "policy override refused; keeping the last good policy",
            extra={"parameter": cfg.policy_parameter, "error": type(exc).__name__},
        )
    return _last_good.get("policy") or default_policy()
