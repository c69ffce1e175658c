"""The moderation routes' work between the HTTP event and the moderation domain: who the
moderator is (the JWT authorizer's claims) and parsing bodies."""

from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr, ValidationError

from comments import moderation, runtime
from comments.errors import AlreadyDecided, BadRequest, Forbidden, NotFound, Unauthorized, ValidationFailed
from comments.http import json_object
from comments.ids import is_comment_id
from comments.models import validation_details
from comments.settings import settings


def moderator(event: dict[str, Any]) -> moderation.Moderator:
    """The caller, from the claims API Gateway's JWT authorizer put in the event. No claims: the
    request did not pass the authorizer (401). Not in the moderators group: 403."""
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt", {}).get("claims")
    if not claims or not claims.get("sub"):
        raise Unauthorized()
    if settings().moderators_group not in moderation.groups(claims):
        raise Forbidden()
    name = claims.get("username") or claims.get("cognito:username") or claims["sub"]
    return moderation.Moderator(id=str(claims["sub"]), name=str(name))


@cache
def queue() -> Any:
    from comments.adapters.queue import SqsQueue

    return SqsQueue(settings().queue_url or "")


@cache
def dead_letters() -> Any:
    from comments.adapters.queue import SqsQueue

    return SqsQueue(settings().dead_letter_queue_url or "")


def parse_max(raw: str | None) -> int:
    if raw is None:
        return 1
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 10:
        raise BadRequest("max must be a whole number from 1 to 10.")
    return int(raw)


def claim(max_raw: str | None) -> dict[str, Any]:
    items = moderation.claim_next(
        runtime.table(), queue(), parse_max(max_raw), settings().claim_seconds, runtime.now()
    )
    return {"items": [i.model_dump() for i in items]}


def decide(comment_id: str, event: dict[str, Any], who: moderation.Moderator) -> dict[str, Any]:
    if not is_comment_id(comment_id):
        raise NotFound()
    try:
        decision = moderation.DecisionIn.model_validate(json_object(event))
    except ValidationError as exc:
        raise ValidationFailed(validation_details(exc)) from None
    done = moderation.decide(runtime.table(), queue(), comment_id, decision, who, runtime.now())
    # Decision metrics are counted on the change stream (functions/relay), for every decision.
    return {"comment": done.comment.public().model_dump()}


def release(comment_id: str, event: dict[str, Any]) -> dict[str, Any]:
    """A moderator skips a claimed comment: it goes back to the queue for someone else now."""
    body = json_object(event)
    claim_token = body.get("claim")
    receipt = moderation.open_claim(claim_token, comment_id) if isinstance(claim_token, str) else None
    if receipt is None:
        raise BadRequest("claim is not valid for this comment.")
    queue().release(receipt)
    return {"released": True}


def comment_detail(comment_id: str) -> dict[str, Any]:
    """One comment with its moderation record: status, the rules that fired, the audit trail."""
    found = runtime.table().get(comment_id) if is_comment_id(comment_id) else None
    if found is None:
        raise NotFound()
    return {
        "comment": found.public().model_dump(),
        "reasons": [r.model_dump() for r in found.reasons()],
        "hits": found.hits,
        "policyVersion": found.policyVersion,
        "history": found.history,
    }


def queue_depth() -> dict[str, Any]:
    return {"queue": queue().depth(), "deadLetters": dead_letters().depth()}


def dead_letter_list(max_raw: str | None) -> dict[str, Any]:
    """A look at the dead-letter queue without taking anything off it."""
    messages = dead_letters().receive(parse_max(max_raw), 0)
    items = []
    for m in messages:
        try:
            body: Any = moderation.HeldMessage.model_validate_json(m["Body"]).model_dump()
        except ValueError:
            body = {"raw": m["Body"][:2000]}
        items.append(
            {
                "messageId": m["MessageId"],
                "message": body,
                "receiveCount": int(m.get("Attributes", {}).get("ApproximateReceiveCount", 0)),
            }
        )
    return {"items": items}


def dead_letter_redrive(limit: int = 100) -> dict[str, Any]:
    """Move dead-lettered messages back onto the moderation queue (send first, then delete: a
    crash in between repeats a message, which claim_next drops if already decided)."""
    moved = 0
    while moved < limit:
        batch = dead_letters().receive(min(10, limit - moved), 30)
        if not batch:
            break
        for m in batch:
            queue().send(m["Body"])
            dead_letters().delete(m["ReceiptHandle"])
            moved += 1
    return {"moved": moved}


def article_settings(article_id: str, event: dict[str, Any]) -> dict[str, Any]:
    from comments.models import ArticleSettings

    current = runtime.table().article_settings(article_id)
    try:
        updated = ArticleSettings.model_validate({**current.model_dump(), **json_object(event)})
    except ValidationError as exc:
        raise ValidationFailed(validation_details(exc)) from None
    runtime.table().put_article_settings(article_id, updated)
    return {"articleId": article_id, "settings": updated.model_dump()}


class AuthorIn(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)
    email: StrictStr = Field(min_length=1, max_length=254)


def _email(event: dict[str, Any]) -> str:
    try:
        return AuthorIn.model_validate(json_object(event)).email
    except ValidationError as exc:
        raise ValidationFailed(validation_details(exc)) from None


def export_author(event: dict[str, Any]) -> dict[str, Any]:
    return export_by_email(_email(event))


def erase_author(event: dict[str, Any], moderator_name: str) -> dict[str, Any]:
    return erase_by_email(_email(event), moderator_name)


def export_by_email(email: str) -> dict[str, Any]:
    """Every comment by one author, whatever its status (the right of access)."""
    from comments import keys

    table = runtime.table()
    comments = table.comments_by_ids(table.author_comment_ids(keys.author_id(email)))
    return {"comments": [c.public().model_dump() for c in comments]}


def erase_by_email(email: str, moderator_name: str) -> dict[str, Any]:
    """The right to be forgotten: every comment by the author leaves the public list, and its
    name, body and identity are removed from storage for good (idempotent: a second call
    erases nothing more). Only the fact of the erasure stays in each comment's history."""
    from comments import keys, lifecycle
    from comments.policy.engine import duplicate_fingerprint

    table = runtime.table()
    author_id = keys.author_id(email)
    erased = 0
    for comment in table.comments_by_ids(table.author_comment_ids(author_id)):
        at = lifecycle.iso(runtime.now())
        try:
            table.transition(
                comment,
                expect=(comment.status,),
                status="erased",
                entry={"at": at, "event": "erased", "status": "erased", "by": moderator_name},
                now=at,
                set_values={"name": "", "body": "", "hits": []},
                remove=("authorId", "clientId", "editTokenHash", "gsi2pk", "gsi2sk", "reports"),
                replace_history=True,
            )
        except AlreadyDecided:
            continue  # changed under us; a second erase call picks it up
        table.forget_duplicate_marker(author_id, duplicate_fingerprint(comment.body))
        erased += 1
    return {"erased": erased}
