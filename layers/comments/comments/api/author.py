"""functions/author: PATCH and DELETE of the author's own comment, between the HTTP event and the
domain's `authoring`."""

from typing import Any

from comments.api import runtime
from comments.api.http import install_error_handlers, parse_body, resolve, response, sender
from comments.domain import authoring
from comments.domain.errors import NotFound
from comments.domain.ids import is_article_id, is_comment_id
from comments.domain.requests import DeleteIn, EditIn

__all__ = ["delete", "edit", "install_error_handlers", "resolve"]


def _check_ids(article_id: str, comment_id: str) -> None:
    if not is_article_id(article_id) or not is_comment_id(comment_id):
        raise NotFound()


def edit(article_id: str, comment_id: str, event: dict[str, Any]) -> Any:
    """200 {"status", "comment"}"""
    _check_ids(article_id, comment_id)
    _, body = parse_body(EditIn, event)
    rt = runtime.current()
    screen = rt.screen()
    updated = authoring.edit(
        rt.policy(),
        rt.table,
        rt.keys,
        article_id=article_id,
        comment_id=comment_id,
        token=body.editToken,
        body=body.body,
        now=rt.now(),
        screen=screen,
        sender=sender(event) if screen is not None else None,
    )
    return response(200, {"status": updated.status, "comment": updated.public().model_dump()})


def delete(article_id: str, comment_id: str, event: dict[str, Any]) -> Any:
    """204"""
    _check_ids(article_id, comment_id)
    _, body = parse_body(DeleteIn, event)
    rt = runtime.current()
    authoring.delete(
        rt.policy(),
        rt.table,
        rt.keys,
        article_id=article_id,
        comment_id=comment_id,
        token=body.editToken,
        now=rt.now(),
    )
    return response(204, None)
