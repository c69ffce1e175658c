"""functions/submit: POST /articles/{articleId}/comments and .../validate, between the HTTP event
and the domain's `submission`.

Idempotency is Powertools' (persisted in the comments table, by `adapters.receipts` in the
comment's own transaction): a retry with the same Idempotency-Key and body gets the first
response and stores nothing new; the same key with a different body is a 409. The stored
response never holds the edit token: it is derived from the comment id when the response is sent.
"""

import re
from dataclasses import dataclass
from typing import Any

from comments.api import runtime
from comments.api.http import install_error_handlers, parse_body, resolve, response, sender, source_ip
from comments.domain import submission
from comments.domain.errors import (
    BadRequest,
    IdempotencyConflict,
    NotFound,
    RequestAlreadyStored,
    ServiceUnavailable,
)
from comments.domain.ids import is_article_id, new_comment_id
from comments.domain.requests import CommentDraft

__all__ = ["install_error_handlers", "resolve", "submit", "validate"]

IDEMPOTENCY_KEY_MAX = 64
#: 1 to 64 printable ASCII characters, no comma (repeated headers arrive joined by commas: two
#: keys are not one), no white space at either end (HTTP strips it: it could not be the key).
IDEMPOTENCY_KEY_PATTERN = r"^[!-+\--~](?:[ -+\--~]{0,62}[!-+\--~])?$"
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)
_ATTEMPTS = 3  # of an idempotent submission that loses a race for its key


def idempotency_key(headers: dict[str, str]) -> str | None:
    """The request's Idempotency-Key, if it sent one: 1 to 64 printable ASCII characters, no
    comma (repeated headers arrive joined by commas: two keys are not one), not empty."""
    key = next((v for k, v in headers.items() if k.lower() == "idempotency-key"), None)
    if key is None:
        return None
    if _IDEMPOTENCY_KEY.fullmatch(key) is None:
        raise BadRequest("Idempotency-Key must be one key of 1 to 64 printable ASCII characters, no comma.")
    return key


def _submission(
    rt: runtime.Runtime, article_id: str, event: dict[str, Any], key: str | None = None
) -> tuple[dict[str, Any], submission.Submission]:
    if not is_article_id(article_id):
        raise NotFound()
    payload, draft = parse_body(CommentDraft, event, {"origins": rt.settings.origins})
    keys, now = rt.keys, rt.now()
    sub = submission.Submission(
        article_id=article_id,
        draft=draft,
        author_id=keys.author_id(draft.email),
        client_id=keys.client_id(source_ip(event)),
        now=now,
        comment_id=(
            keys.request_comment_id(article_id, key)
            if key is not None
            else new_comment_id(int(now.timestamp() * 1000))
        ),
        older_author_ids=tuple(keys.author_id(draft.email, v) for v in keys.older),
        sender=sender(event) if rt.screen() is not None else None,
    )
    return payload, sub


def validate(article_id: str, event: dict[str, Any]) -> Any:
    """200 {"verdict", "reasons"}: what a submission would get; stores and counts nothing."""
    rt = runtime.current()
    _, sub = _submission(rt, article_id, event)
    verdict = submission.validate(rt.policy(), rt.table, sub)
    return response(200, {"verdict": verdict.outcome, "reasons": [r.model_dump() for r in verdict.reasons()]})


@dataclass
class _Fresh:
    """The comment and edit token a submission just stored, for its response (a replayed response
    reads the comment back and derives the token again)."""

    comment: dict[str, Any] | None = None
    token: str = ""


def _submit_once(
    rt: runtime.Runtime, sub: submission.Submission, fresh: _Fresh, metrics: Any, persistence: Any = None
) -> dict[str, Any]:
    """Store the comment. What it returns is what the idempotency record keeps, so it holds no
    name, body or token: only the status, the comment id and the rules (a retry rebuilds the
    body from the stored comment, which an erasure has already emptied)."""
    keys = rt.keys
    token = keys.edit_token(sub.comment_id)
    try:
        accepted = submission.submit(
            rt.policy(),
            rt.table,
            sub,
            edit_token_hash=keys.edit_token_hash(token),
            rate_limit_per_minute=rt.settings.rate_limit_per_minute,
            receipt=(lambda a: persistence.receipt(a, _result(a))) if persistence is not None else None,
            screen=rt.screen(),
        )
    except Exception as exc:
        _count(metrics, exc)
        raise
    _count(metrics, accepted)
    fresh.comment, fresh.token = accepted.comment.model_dump(), token
    return _result(accepted)


def _result(accepted: submission.Accepted) -> dict[str, Any]:
    result: dict[str, Any] = {"statusCode": 202 if accepted.held else 201, "commentId": accepted.comment.id}
    if accepted.held:
        result["reasons"] = [r.model_dump() for r in accepted.reasons]
    return result


def _response_body(rt: runtime.Runtime, result: dict[str, Any], fresh: _Fresh) -> dict[str, Any]:
    """The 201/202 body: the comment as just stored, or, for a retry answered from the
    idempotency record, as it is stored now."""
    comment_id = result["commentId"]
    if fresh.comment is not None and fresh.comment["id"] == comment_id:
        comment, token = fresh.comment, fresh.token
    else:
        stored = rt.table.get(comment_id)
        comment = stored.public().model_dump() if stored else {"id": comment_id}
        # The token under the key version that made the stored hash (a rotation in between).
        token = (
            rt.keys.edit_token_for(comment_id, stored.editTokenHash)
            if stored and stored.editTokenHash
            else rt.keys.edit_token(comment_id)
        )
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

    from comments.domain.errors import PolicyViolation

    if isinstance(outcome, submission.Accepted):
        name = "CommentsHeld" if outcome.held else "CommentsPublished"
        rules = [r.rule for r in outcome.reasons]
    elif isinstance(outcome, PolicyViolation):
        name, rules = "CommentsRejected", [v["rule"] for v in outcome.violations]
    else:
        return
    metrics.add_metric(name=name, unit=MetricUnit.Count, value=1)
    for rule in sorted(set(rules)):
        metrics.add_metric(name=f"PolicyHit_{rule}", unit=MetricUnit.Count, value=1)


def idempotent_submission(rt: runtime.Runtime) -> tuple[Any, Any, Any]:
    """Powertools' idempotent function around `_submit_once`, its config and its persistence
    layer (the receipt store on the comments table): built once per runtime."""
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function

    from comments.adapters.receipts import ReceiptStore

    persistence = ReceiptStore.for_table(rt.settings.table_name, rt.ddb)
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="payload",
        expires_after_seconds=rt.settings.idempotency_seconds,
        raise_on_no_idempotency_key=True,
    )

    @idempotent_function(data_keyword_argument="request", persistence_store=persistence, config=config)
    def submit_once(
        request: dict[str, Any], sub: submission.Submission, fresh: _Fresh, metrics: Any = None
    ) -> dict[str, Any]:
        result = _submit_once(rt, sub, fresh, metrics, persistence)
        persistence.stored()
        return result

    return submit_once, config, persistence


def submit(article_id: str, event: dict[str, Any], lambda_context: Any = None, metrics: Any = None) -> Any:
    """201/202 with the comment, or the contract's error."""
    rt = runtime.current()
    key = idempotency_key(event.get("headers") or {})
    payload, sub = _submission(rt, article_id, event, key)
    fresh = _Fresh()
    if key is None:
        result = _submit_once(rt, sub, fresh, metrics)
    else:
        request = {"key": f"{article_id}\n{key}", "payload": payload}
        result = _run_idempotent(rt, request, sub, fresh, lambda_context, metrics)
    return response(int(result["statusCode"]), _response_body(rt, result, fresh))


def _run_idempotent(
    rt: runtime.Runtime,
    request: dict[str, Any],
    sub: submission.Submission,
    fresh: _Fresh,
    lambda_context: Any,
    metrics: Any,
) -> dict[str, Any]:
    from aws_lambda_powertools.utilities.idempotency.exceptions import (
        IdempotencyAlreadyInProgressError,
        IdempotencyPersistenceLayerError,
        IdempotencyValidationError,
    )

    submit_once, config, persistence = rt.idempotency()
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)
    # If another invocation with this key stored the comment between our read and our put, the
    # next go finds it and replays its answer.
    for _ in range(_ATTEMPTS):
        try:
            with persistence.attempt(sub, rt.table):
                return dict(submit_once(request=request, sub=sub, fresh=fresh, metrics=metrics))
        except RequestAlreadyStored:
            sub.forget_state()
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
