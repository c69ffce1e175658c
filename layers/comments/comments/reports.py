"""Reader reports, between the HTTP event and the moderation domain."""

from typing import Any

from pydantic import ValidationError

from comments import keys, moderation, runtime
from comments.errors import NotFound, ValidationFailed
from comments.http import json_object
from comments.ids import is_article_id, is_comment_id
from comments.models import validation_details


def receive(article_id: str, comment_id: str, event: dict[str, Any], source_ip: str) -> bool:
    if not is_article_id(article_id) or not is_comment_id(comment_id):
        raise NotFound()
    try:
        body = moderation.ReportIn.model_validate(json_object(event))
    except ValidationError as exc:
        raise ValidationFailed(validation_details(exc)) from None
    from comments.policy.engine import stateful_hit

    policy = runtime.policy()
    hit = stateful_hit(policy, "reported").model_dump(
        include={"rule", "verdict", "message", "field", "spans"}
    )
    return moderation.report(
        runtime.table(),
        article_id=article_id,
        comment_id=comment_id,
        client_id=keys.client_id(source_ip),
        reason=body.reason,
        threshold=policy.report_threshold,
        reported_hit=hit,
        now=runtime.now(),
    )
