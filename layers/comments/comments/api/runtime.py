"""How every function (and every operator tool) gets what the domain needs: one `Runtime` built
from one `Settings`, holding the table, the queues, the event bus, the HMAC keys, the policy and
the clock, each built on first use.

A Lambda container builds its runtime from the environment the template sets (`current()`);
a test or a tool builds its own and puts it in place with `use()`. There is no other module
state to reset: every client and cache lives on the runtime.
"""

import os
import time
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
    #: how long a moderator's claim lasts (renewable): the delay of its queue message, at most
    #: SQS's 900 s
    claim_seconds: int = Field(default=60, ge=1, le=900, alias="CLAIM_SECONDS")
    moderators_group: str = Field(default="moderators", alias="MODERATORS_GROUP")
    secret_arn: str | None = Field(default=None, alias="SECRET_ARN")
    # How long a container keeps the secret before reading it again (a rotation reaches warm
    # containers within this time: docs/security.md, "Rotating the service secret").
    secret_max_age_seconds: int = Field(default=300, ge=0, alias="SECRET_MAX_AGE_SECONDS")
    # Only for local work and tests: the secret itself, instead of Secrets Manager.
    dev_secret: str | None = Field(default=None, alias="COMMENTS_DEV_SECRET")
    rate_limit_per_minute: int = Field(default=10, ge=0, alias="RATE_LIMIT_PER_MINUTE")
    policy_parameter: str | None = Field(default=None, alias="POLICY_PARAMETER")
    policy_max_age_seconds: int = Field(default=60, ge=0, alias="POLICY_MAX_AGE_SECONDS")
    idempotency_seconds: int = Field(default=86400, ge=60, alias="IDEMPOTENCY_SECONDS")
    #: the site's origins (the template's AllowedOrigins, comma-separated): a submission's
    #: `page.url` must be on one of them
    allowed_origins: str = Field(default="", alias="ALLOWED_ORIGINS")

    @property
    def origins(self) -> tuple[str, ...]:
        return tuple(o.strip() for o in self.allowed_origins.split(",") if o.strip())

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
        self._keys_until: float | None = None  # when to read the secret again (None: never)
        self._secret_text: str | None = None
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
        """The HMAC keys, from the service secret: read when a key is first needed, and again
        every `SECRET_MAX_AGE_SECONDS` (so that a rotation reaches warm containers). A request
        that signs and checks nothing (a first page of comments) reads nothing: see `api.read`."""
        keys = self._keys
        if keys is not None and (self._keys_until is None or time.monotonic() < self._keys_until):
            return keys
        return self._read_keys()

    def _read_keys(self) -> "HmacKeys":
        from comments.domain.hmac_keys import HmacKeys

        cfg = self.settings
        if cfg.dev_secret:
            self._keys = HmacKeys.from_secret(cfg.dev_secret)
            return self._keys
        if not cfg.secret_arn:
            raise RuntimeError("SECRET_ARN is not set")
        from comments.adapters.secrets import read_secret

        try:
            text = read_secret(cfg.secret_arn, self.session).decode()
        except Exception:
            if self._keys is None:
                raise
            # Secrets Manager unreachable for a refresh: keep the keys in hand, try again soon.
            import logging

            logging.getLogger(os.environ.get("POWERTOOLS_SERVICE_NAME", "comments")).warning(
                "service secret not refreshed", exc_info=True
            )
            self._keys_until = time.monotonic() + 30
            return self._keys
        if self._keys is None or text != self._secret_text:
            self._keys, self._secret_text = HmacKeys.from_secret(text), text
        self._keys_until = time.monotonic() + cfg.secret_max_age_seconds
        return self._keys

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
