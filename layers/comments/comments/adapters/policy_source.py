"""The policy in force: the shipped default, or the operator's override from SSM Parameter Store
(read through Powertools Parameters, cached for `max_age` seconds). A missing, unreadable or
malformed override is refused with a log line and the last good policy stays in force."""

import logging
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from comments.policy.model import Policy

# A child of the service's Powertools logger ("comments"): the same JSON lines.
_log = logging.getLogger("comments.policy_source")


class PolicySource:
    def __init__(self, parameter: str | None, max_age_seconds: int, session: Any = None) -> None:
        self.parameter = parameter
        self.max_age = max_age_seconds
        self._session = session
        self._provider: Any = None
        self._raw: Any = None
        self._policy: Policy | None = None
        self._failed_until = 0.0

    def _ssm(self) -> Any:
        """Powertools' SSM provider with short timeouts: an unreachable SSM costs a request at most
        a few seconds (then the last good policy), never the function's whole timeout. Its client
        comes from boto3's default session (Powertools would open a new Session, and load
        botocore's data files again at a cold start)."""
        if self._provider is None:
            from aws_lambda_powertools.utilities.parameters import SSMProvider

            from comments.adapters import aws

            client = aws.client(
                "ssm",
                self._session,
                connect_timeout=1,
                read_timeout=2,
                retries={"mode": "standard", "max_attempts": 2},
            )
            self._provider = SSMProvider(boto3_client=client)
        return self._provider

    def policy(self, logger: Any = None) -> "Policy":
        from comments.policy.engine import default_policy, parse_policy

        if not self.parameter:
            return default_policy()
        if self._failed_until > time.monotonic():
            # Failed lately: not every request should pay for SSM being down; try again after max_age.
            return self._policy or default_policy()
        try:
            raw = self._ssm().get(self.parameter, max_age=self.max_age)
            if self._raw != raw:
                self._policy = parse_policy(str(raw))
                self._raw = raw
        except Exception as exc:  # any failure keeps the last good policy working
            self._failed_until = time.monotonic() + self.max_age
            (logger or _log).error(
                "policy override refused; keeping the last good policy",
                extra={"parameter": self.parameter, "error": type(exc).__name__},
            )
        return self._policy or default_policy()
