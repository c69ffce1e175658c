"""functions/moderation: the moderation routes, between the HTTP event and the domain's
`moderation`, `dead_letters`, `articles` and `authors`. Who the moderator is comes from the
claims API Gateway's JWT authorizer put in the event."""

from typing import Any

from comments.api import runtime
from comments.api.http import install_error_handlers, parse_body, query, resolve, response
from comments.domain import articles, authors, dead_letters, moderation
from comments.domain.errors import BadRequest, Forbidden, NotFound, Unauthorized
from comments.domain.ids import is_article_id, is_comment_id
from comments.domain.requests import AuthorIn, DecisionIn, ReleaseIn, ReopenIn

__all__ = ["NO_STORE", "install_error_handlers", "moderator", "resolve"]

NO_STORE = {"Cache-Control": "no-store"}


def moderator(event: dict[str, Any]) -> moderation.Moderator:
    """The caller, from the claims API Gateway's JWT authorizer put in the event. No claims: the
    request did not pass the authorizer (401). Not in the moderators group: 403."""
    claims = ((event.get("requestContext") or {}).get("authorizer") or {}).get("jwt", {}).get("claims")
    if not claims or not claims.get("sub"):
        raise Unauthorized()
    if runtime.current().settings.moderators_group not in moderation.groups(claims):
        raise Forbidden()
    name = claims.get("username") or claims.get("cognito:username") or claims["sub"]
    return moderation.Moderator(id=str(claims["sub"]), name=str(name))


def parse_max(raw: str | None) -> int:
    if raw is None:
        return 1
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 10:
        raise BadRequest("max must be a whole number from 1 to 10.")
    return int(raw)


def _ok(body: Any) -> Any:
    return response(200, body)


def claim(event: dict[str, Any]) -> Any:
    """GET /moderation/queue?max=1..10: the claimed items, and how long a claim lasts (renew it
    before then while the comment is on screen).

    Up to 10 receives: after a bulk decision, the copies of the decided comments' claims come
    round for a while and are dropped on the way; a console must get past them to the work still
    to do rather than show an empty batch (each receive that brings nothing ends the loop)."""
    rt = runtime.current()
    seconds = rt.settings.claim_seconds
    items = moderation.claim_next(
        rt.table, rt.queue, rt.keys, parse_max(query(event, "max")), seconds, rt.now(), receives=10
    )
    return _ok({"items": [i.model_dump() for i in items], "claimSeconds": seconds})


def decide(comment_id: str, event: dict[str, Any], who: moderation.Moderator) -> Any:
    """POST /moderation/comments/{commentId}/decision"""
    if not is_comment_id(comment_id):
        raise NotFound()
    _, decision = parse_body(DecisionIn, event)
    rt = runtime.current()
    if decision.claim is not None:
        moderation.ticket(rt.keys, decision.claim, comment_id)  # a 400 for a claim not for this comment
    updated = moderation.decide(rt.table, comment_id, decision, who, rt.now())
    # Decision metrics are counted on the change stream (functions/relay), for every decision.
    return _ok({"comment": updated.public().model_dump()})


def release(comment_id: str, event: dict[str, Any]) -> Any:
    """POST /moderation/comments/{commentId}/release: a moderator skips a claimed comment (or a
    console closes). `released` is false when there was nothing to give back."""
    if not is_comment_id(comment_id):
        raise NotFound()
    _, body = parse_body(ReleaseIn, event)
    rt = runtime.current()
    return _ok({"released": moderation.release(rt.table, rt.queue, rt.keys, comment_id, body.claim)})


def renew(comment_id: str, event: dict[str, Any]) -> Any:
    """POST /moderation/comments/{commentId}/renew: keep a claim while the comment is on screen."""
    if not is_comment_id(comment_id):
        raise NotFound()
    _, body = parse_body(ReleaseIn, event)
    rt = runtime.current()
    seconds = rt.settings.claim_seconds
    claim = moderation.renew(rt.table, rt.queue, rt.keys, comment_id, body.claim, seconds, rt.now())
    return _ok({"claim": claim, "claimSeconds": seconds})


def reopen(comment_id: str, event: dict[str, Any], who: moderation.Moderator) -> Any:
    """POST /moderation/comments/{commentId}/reopen: a decision undone, audited; the comment is
    pending again and back on the queue through the change stream."""
    if not is_comment_id(comment_id):
        raise NotFound()
    _, body = parse_body(ReopenIn, event)
    rt = runtime.current()
    updated, lifted = moderation.reopen(rt.table, comment_id, body.note, who, rt.now())
    return _ok({"comment": updated.public().model_dump(), "banLifted": lifted})


def detail(comment_id: str) -> Any:
    """GET /moderation/comments/{commentId}: the record and the context to decide it."""
    from comments.domain import moderation_context

    return _ok(moderation_context.detail(runtime.current().table, comment_id))


def queue_depth() -> Any:
    """GET /moderation/queue/depth"""
    rt = runtime.current()
    return _ok({"queue": rt.queue.depth(), "deadLetters": rt.dead_letters.depth()})


def dead_letter_list(event: dict[str, Any]) -> Any:
    """GET /moderation/dlq?max=: a look without taking anything off."""
    return _ok({"items": dead_letters.look(runtime.current().dead_letters, parse_max(query(event, "max")))})


def dead_letter_redrive() -> Any:
    """POST /moderation/dlq/redrive"""
    rt = runtime.current()
    return _ok({"moved": dead_letters.redrive(rt.queue, rt.dead_letters)})


def article_settings(article_id: str, event: dict[str, Any]) -> Any:
    """PUT /moderation/articles/{articleId}: validated whole before it is stored."""
    from pydantic import ValidationError

    from comments.api.http import json_object, validation_details
    from comments.domain.errors import ValidationFailed

    if not is_article_id(article_id):
        raise NotFound()
    changes = json_object(event)
    try:
        updated = articles.update_settings(runtime.current().table, article_id, changes)
    except ValidationError as exc:
        raise ValidationFailed(validation_details(exc)) from None
    return _ok({"articleId": article_id, "settings": updated.model_dump()})


def export_author(event: dict[str, Any]) -> Any:
    """POST /moderation/authors/export: every comment by that author, any status."""
    _, author = parse_body(AuthorIn, event)
    rt = runtime.current()
    return _ok({"comments": authors.export(rt.table, rt.keys, author.email)})


def erase_author(event: dict[str, Any], who: moderation.Moderator) -> Any:
    """POST /moderation/authors/erase: the right to be forgotten."""
    _, author = parse_body(AuthorIn, event)
    rt = runtime.current()
    return _ok({"erased": authors.erase(rt.table, rt.keys, author.email, who.name, rt.now())})


def policy_stats(event: dict[str, Any]) -> Any:
    """GET /moderation/policy/stats?days=1..90 (default 30): per rule, what it held and what
    moderators made of it."""
    from comments.domain.tallies import policy_stats as stats

    raw = query(event, "days")
    if raw is not None and (not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 90):
        raise BadRequest("days must be a whole number from 1 to 90.")
    rt = runtime.current()
    return _ok(stats(rt.table, rt.now().date(), int(raw) if raw is not None else 30))
