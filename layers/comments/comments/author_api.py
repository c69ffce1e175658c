"""PATCH and DELETE of the author's own comment, between the HTTP event and `authoring`."""

from typing import Any

from pydantic import BaseModel, ValidationError

from comments import authoring, runtime
from comments.errors import NotFound, ValidationFailed
from comments.http import json_object
from comments.ids import is_article_id, is_comment_id
from comments.models import DeleteIn, EditIn, validation_details


def _parse[M: BaseModel](model: type[M], article_id: str, comment_id: str, event: dict[str, Any]) -> M:
    if not is_article_id(article_id) or not is_comment_id(comment_id):
        raise NotFound()
    try:
        return model.model_validate(json_object(event))
    except ValidationError as exc:
        raise ValidationFailed(validation_details(exc)) from None


def edit(article_id: str, comment_id: str, event: dict[str, Any]) -> dict[str, Any]:
    body = _parse(EditIn, article_id, comment_id, event)
    updated = authoring.edit(
        runtime.policy(),
        runtime.table(),
        article_id=article_id,
        comment_id=comment_id,
        token=body.editToken,
        body=body.body,
        now=runtime.now(),
    )
    return {"status": updated.status, "comment": updated.public().model_dump()}


def delete(article_id: str, comment_id: str, event: dict[str, Any]) -> None:
    body = _parse(DeleteIn, article_id, comment_id, event)
    authoring.delete(
        runtime.policy(),
        runtime.table(),
        article_id=article_id,
        comment_id=comment_id,
        token=body.editToken,
        now=runtime.now(),
    )
