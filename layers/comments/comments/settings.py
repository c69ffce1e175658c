"""Configuration, parsed once from the environment the template (or the dev server) sets."""

import os
from functools import cache

from pydantic import BaseModel, Field


class Settings(BaseModel):
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


@cache
def settings() -> Settings:
    return Settings.model_validate({k: v for k, v in os.environ.items() if v != ""})
