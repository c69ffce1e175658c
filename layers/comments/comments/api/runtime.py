"""How every function (and every operator tool) gets what the domain needs: one `Runtime` built
from one `Settings`, holding the table, the queues, the event bus, the HMAC keys, the policy and
the clock, each built on first use.

A Lambda container builds its runtime from the environment the template sets (`current()`);
a test or a tool builds its own and puts it in place with `use()`. There is no other module
state to reset: every client and cache lives on the runtime.
"""

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from comments.adapters.classifiers import ClassifierPanel
    from comments.adapters.comment_table import CommentTable
    from comments.adapters.events import EventBridgeBus
    from comments.adapters.queue import SqsQueue
    from comments.domain.hmac_keys import HmacKeys
    from comments.policy.model import Policy


class Settings(BaseModel):
    """Configuration, parsed once from the environment the template (or the dev server) sets."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    table_name: str = Field(alias="TABLE_NAME")
    queue_url: str | None = Field(default=None, alias="QUEUE_URL")
    event_bus_name: str | None = Field(default=None, alias="EVENT_BUS_NAME")
    dead_letter_queue_url: str | None = Field(default=None, alias="DEAD_LETTER_QUEUE_URL")
    claim_seconds: int = Field(default=300, ge=10, le=43200, alias="CLAIM_SECONDS")
    moderators_group: str = Field(default="moderators", alias="MODERATORS_GROUP")
    secret_arn: str | None = Field(default=None, alias="SECRET_ARN")
    # Only for local work and tests: the secret itself, instead of Secrets Manager.
    dev_secret: str | None = Field(default=None, alias="COMMENTS_DEV_SECRET")
    rate_limit_per_minute: int = Field(default=10, ge=0, alias="RATE_LIMIT_PER_MINUTE")
    policy_parameter: str | None = Field(default=None, alias="POLICY_PARAMETER")
    policy_max_age_seconds: int = Field(default=60, ge=0, alias="POLICY_MAX_AGE_SECONDS")
    idempotency_seconds: int = Field(default=86400, ge=60, alias="IDEMPOTENCY_SECONDS")
    # Optional classifiers (off unless configured; template parameters ToxicityThreshold and
    # AkismetSecretArn), each with its time budget.
    toxicity_threshold: float = Field(default=0.0, ge=0, le=1, alias="TOXICITY_THRESHOLD")
    toxicity_budget_ms: int = Field(default=800, ge=50, le=5000, alias="TOXICITY_BUDGET_MS")
    akismet_secret_arn: str | None = Field(default=None, alias="AKISMET_SECRET_ARN")
    akismet_budget_ms: int = Field(default=800, ge=50, le=5000, alias="AKISMET_BUDGET_MS")

    @classmethod
    def from_environment(cls) -> "Settings":
        return cls.model_validate({k: v for k, v in os.environ.items() if v != ""})


class Runtime:
    """The dependencies of one container. `session`: a boto3 Session for the operator tools'
    profile and region (None: boto3's default, as in Lambda). `queue_wait_seconds`: how long a
    moderation queue receive long-polls (0 in Lambda)."""

    def __init__(self, settings: Settings, session: Any = None, queue_wait_seconds: int = 0) -> None:
        self.settings = settings
        self.session = session
        self.queue_wait_seconds = queue_wait_seconds
        self._table: CommentTable | None = None
        self._ddb: Any = None
        self._sqs: Any = None
        self._queues: dict[str, SqsQueue] = {}
        self._events: EventBridgeBus | None = None
        self._keys: HmacKeys | None = None
        self._policy_source: Any = None
        self._idempotency: Any = None
        self._screen: Any = None
        self._screen_built = False

    # -- storage ---------------------------------------------------------------------------------
    @property
    def ddb(self) -> Any:
        if self._ddb is None:
            from comments.adapters.dynamo import new_client

            self._ddb = new_client(self.session)
        return self._ddb

    @property
    def table(self) -> "CommentTable":
        if self._table is None:
            from comments.adapters.comment_table import CommentTable

            self._table = CommentTable(self.settings.table_name, self.ddb)
        return self._table

    # -- queues and events -----------------------------------------------------------------------
    def _queue(self, url: str | None, what: str) -> "SqsQueue":
        if not url:
            raise RuntimeError(f"{what} is not configured")
        if url not in self._queues:
            from comments.adapters.queue import SqsQueue, new_client

            if self._sqs is None:
                self._sqs = new_client(self.session)
            self._queues[url] = SqsQueue(url, self._sqs, self.queue_wait_seconds)
        return self._queues[url]

    @property
    def queue(self) -> "SqsQueue":
        """The moderation queue."""
        return self._queue(self.settings.queue_url, "the moderation queue (QUEUE_URL)")

    @property
    def dead_letters(self) -> "SqsQueue":
        return self._queue(
            self.settings.dead_letter_queue_url, "the dead-letter queue (DEAD_LETTER_QUEUE_URL)"
        )

    @property
    def events(self) -> "EventBridgeBus | None":
        """The lifecycle event bus, if the function has one."""
        if self._events is None and self.settings.event_bus_name:
            from comments.adapters.events import EventBridgeBus, new_client

            self._events = EventBridgeBus(self.settings.event_bus_name, new_client(self.session))
        return self._events

    # -- keys, policy, clock ---------------------------------------------------------------------
    @property
    def keys(self) -> "HmacKeys":
        """The HMAC keys, from the service secret: read once per container, when a key is first
        needed (a first page of comments, with no cursor to check or issue, reads nothing)."""
        if self._keys is None:
            from comments.domain.hmac_keys import HmacKeys

            self._keys = HmacKeys(self._secret)
        return self._keys

    def _secret(self) -> bytes:
        cfg = self.settings
        if cfg.dev_secret:
            return cfg.dev_secret.encode()
        if not cfg.secret_arn:
            raise RuntimeError("SECRET_ARN is not set")
        from comments.adapters.secrets import read_secret

        return read_secret(cfg.secret_arn, self.session)

    def policy(self, logger: Any = None) -> "Policy":
        """The policy in force: the default, or the operator's override (SSM), with the last good
        one kept when the override cannot be read."""
        if self._policy_source is None:
            from comments.adapters.policy_source import PolicySource

            cfg = self.settings
            self._policy_source = PolicySource(cfg.policy_parameter, cfg.policy_max_age_seconds, self.session)
        return self._policy_source.policy(logger)  # type: ignore[no-any-return]

    # -- optional classifiers --------------------------------------------------------------------
    def screen(self) -> "ClassifierPanel | None":
        """The configured classifiers (toxicity, Akismet), run within their budgets; None when
        none is configured, and then nothing of them is imported."""
        if not self._screen_built:
            cfg = self.settings
            if cfg.toxicity_threshold > 0 or cfg.akismet_secret_arn:
                from comments.adapters import classifiers

                self._screen = classifiers.build(cfg, self.session, self._read_secret)
            self._screen_built = True
        return self._screen  # type: ignore[no-any-return]

    def akismet(self) -> Any:
        """The Akismet classifier, when configured (the relay reports moderators' decisions to it)."""
        screen = self.screen()
        return next((c for c in screen.classifiers if c.name == "akismet"), None) if screen else None

    def classifiers(self) -> list[str]:
        """The names of the classifiers configured (for the policy page)."""
        screen = self.screen()
        return list(screen.names) if screen is not None else []

    def _read_secret(self, arn: str) -> bytes:
        from comments.adapters.secrets import read_secret

        return read_secret(arn, self.session)

    @staticmethod
    def now() -> datetime:
        return datetime.now(UTC)

    # -- idempotent submissions --------------------------------------------------------------------
    def idempotency(self) -> Any:
        """Powertools' idempotency on the comments table, built once (see `api.submit`)."""
        if self._idempotency is None:
            from comments.api.submit import idempotent_submission

            self._idempotency = idempotent_submission(self)
        return self._idempotency


_current: Runtime | None = None


def current() -> Runtime:
    """This container's runtime, built from the environment on first use."""
    global _current
    if _current is None:
        _current = Runtime(Settings.from_environment())
    return _current


def use(runtime: Runtime | None) -> None:
    """Put a runtime in place (a test's or a tool's), or None to build one from the environment
    again on next use."""
    global _current
    _current = runtime
