"""The submit and validate routes' work, between the HTTP event and the lifecycle.

Idempotency is Powertools' (persisted in the comments table, by `adapters.receipts` in the
comment's own transaction): a retry with the same Idempotency-Key and body gets the first
response and stores nothing new; the same key with a different body is a 409. The stored
response never holds the edit token: it is derived from the comment id when the response is sent.
"""

from collections.abc import Callable
from functools import cache
from typing import Any

from pydantic import ValidationError

from comments import keys, lifecycle, runtime
from comments.errors import (
    BadRequest,
    IdempotencyConflict,
    RequestAlreadyStored,
    ServiceUnavailable,
    ValidationFailed,
)
from comments.http import json_object
from comments.ids import new_comment_id
from comments.models import CommentDraft, validation_details
from comments.settings import settings

IDEMPOTENCY_KEY_MAX = 64
_ATTEMPTS = 3  # of an idempotent submission that loses a race for its key


def draft_from(event: dict[str, Any]) -> tuple[dict[str, Any], CommentDraft]:
    payload = json_object(event)
    try:
        return payload, CommentDraft.model_validate(payload)
    except ValidationError as exc:
        raise ValidationFailed(validation_details(exc)) from None


def idempotency_key(headers: dict[str, str]) -> str | None:
    key = next((v for k, v in headers.items() if k.lower() == "idempotency-key"), None)
    if key is None:
        return None
    if not 1 <= len(key) <= IDEMPOTENCY_KEY_MAX or not all(" " <= c <= "~" for c in key):
        raise BadRequest("Idempotency-Key must be 1 to 64 printable ASCII characters.")
    return key


def _submission(article_id: str, draft: CommentDraft, source_ip: str) -> lifecycle.Submission:
    return lifecycle.Submission(
        article_id=article_id,
        draft=draft,
        author_id=keys.author_id(draft.email),
        client_id=keys.client_id(source_ip),
        now=runtime.now(),
    )


def validate(article_id: str, event: dict[str, Any], source_ip: str) -> dict[str, Any]:
    _, draft = draft_from(event)
    verdict = lifecycle.validate(runtime.policy(), runtime.table(), _submission(article_id, draft, source_ip))
    return {"verdict": verdict.outcome, "reasons": [r.model_dump() for r in verdict.reasons()]}


# The comment and edit token a submission just stored, for its response (a replayed response
# reads the comment back and derives the token again).
_fresh: dict[str, tuple[dict[str, Any], str]] = {}


def _submit_once(
    sub: lifecycle.Submission,
    metrics: Any = None,
    receipt: Callable[[lifecycle.Accepted, dict[str, Any]], dict[str, Any] | None] | None = None,
) -> dict[str, Any]:
    """Store the comment. What it returns is what the idempotency record keeps, so it holds no
    name, body or token: only the status, the comment id and the rules (a retry rebuilds the
    body from the stored comment, which an erasure has already emptied)."""
    comment_id = new_comment_id(int(sub.now.timestamp() * 1000))
    token = keys.edit_token(comment_id)
    try:
        accepted = lifecycle.submit(
            runtime.policy(),
            runtime.table(),
            sub,
            comment_id=comment_id,
            edit_token_hash=keys.edit_token_hash(token),
            rate_limit_per_minute=settings().rate_limit_per_minute,
            receipt=(lambda accepted: receipt(accepted, _result(accepted))) if receipt else None,
        )
    except Exception as exc:
        _count(metrics, exc)
        raise
    _count(metrics, accepted)
    _fresh[accepted.comment.id] = (accepted.comment.model_dump(), token)
    return _result(accepted)


def _result(accepted: lifecycle.Accepted) -> dict[str, Any]:
    result: dict[str, Any] = {"statusCode": 202 if accepted.held else 201, "commentId": accepted.comment.id}
    if accepted.held:
        result["reasons"] = [r.model_dump() for r in accepted.reasons]
    return result


def _response_body(result: dict[str, Any]) -> dict[str, Any]:
    """The 201/202 body: the comment as just stored, or, for a retry answered from the
    idempotency record, as it is stored now."""
    comment_id = result["commentId"]
    fresh = _fresh.pop(comment_id, None)
    if fresh is not None:
        comment, token = fresh
    else:
        stored = runtime.table().get(comment_id)
        comment = stored.public().model_dump() if stored else {"id": comment_id}
        token = keys.edit_token(comment_id)
    body: dict[str, Any] = {
        "status": "pending" if result["statusCode"] == 202 else "published",
        "comment": comment,
    }
    if "reasons" in result:
        body["reasons"] = result["reasons"]
    body["editToken"] = token
    return body


def _count(metrics: Any, outcome: Any) -> None:
    if metrics is None:
        return
    from aws_lambda_powertools.metrics import MetricUnit

    from comments.errors import PolicyViolation

    if isinstance(outcome, lifecycle.Accepted):
        name = "CommentsHeld" if outcome.held else "CommentsPublished"
        rules = [r.rule for r in outcome.reasons]
    elif isinstance(outcome, PolicyViolation):
        name, rules = "CommentsRejected", [v["rule"] for v in outcome.violations]
    else:
        return
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
    for rule in sorted(set(rules)):
        metrics.add_metric(name=f"PolicyHit_{rule}", unit=MetricUnit.Count, value=1)


@cache
def _idempotent() -> tuple[Any, Any, Any]:
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

    from comments.adapters.dynamo import client
    from comments.adapters.receipts import ReceiptStore

    persistence = ReceiptStore.for_table(settings().table_name, client())
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="payload",
        expires_after_seconds=settings().idempotency_seconds,
        raise_on_no_idempotency_key=True,
    )

    @idempotent_function(data_keyword_argument="request", persistence_store=persistence, config=config)
    def submit_once(
        request: dict[str, Any], sub: lifecycle.Submission, metrics: Any = None
    ) -> dict[str, Any]:
        result = _submit_once(sub, metrics, persistence.receipt)
        persistence.stored()
        return result

    return submit_once, config, persistence


def submit(
    article_id: str, event: dict[str, Any], source_ip: str, lambda_context: Any = None, metrics: Any = None
) -> tuple[int, dict[str, Any]]:
    """(status, body) for POST /articles/{articleId}/comments."""
    payload, draft = draft_from(event)
    key = idempotency_key(event.get("headers") or {})
    sub = _submission(article_id, draft, source_ip)
    if key is None:
        result = _submit_once(sub, metrics)
    else:
        request = {"key": f"{article_id}\n{key}", "payload": payload}
        result = _run_idempotent(request, sub, lambda_context, metrics)
    return int(result["statusCode"]), _response_body(result)


def _run_idempotent(
    request: dict[str, Any], sub: lifecycle.Submission, lambda_context: Any, metrics: Any
) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    submit_once, config, persistence = _idempotent()
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)
    # If another invocation with this key stored its comment between our read and our
    # transaction, the next go finds its record and replays its answer; if it was still writing
    # (a conflicting transaction), the next go waits a moment first.
    for _ in range(_ATTEMPTS):
        try:
            with persistence.attempt(sub, runtime.table()):
                return dict(submit_once(request=request, sub=sub, metrics=metrics))
        except RequestAlreadyStored as exc:
            if exc.in_flight:
                import random
                import time

                time.sleep(random.uniform(0.05, 0.15))  # jitter
            continue
        except IdempotencyValidationError:
            raise IdempotencyConflict(
                "This Idempotency-Key was already used with a different comment."
            ) from None
        except IdempotencyAlreadyInProgressError:
            raise IdempotencyConflict(
                "A request with this Idempotency-Key is still being processed.", retry_after=1
            ) from None
        except IdempotencyPersistenceLayerError as exc:
            # Powertools wraps whatever the record's read raised: let the one error mapping see it
            # (storage throttled or unreachable: a logged 503; anything else: a logged 500, not a
            # 503 that a client would retry for ever).
            if isinstance(exc.__cause__, Exception):
                raise exc.__cause__ from None
            raise ServiceUnavailable(retry_after=1) from None
    raise ServiceUnavailable(retry_after=1)
