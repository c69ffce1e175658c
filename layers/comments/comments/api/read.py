"""functions/read: an article's published comments, page by page, and comment counts."""

from typing import Any

from comments.api import runtime
from comments.api.http import install_error_handlers, query, resolve, response
from comments.domain import reading
from comments.domain.errors import NotFound
from comments.domain.ids import is_article_id

__all__ = ["comment_counts", "install_error_handlers", "list_comments", "resolve"]


class _KeysWhenNeeded:
    """The runtime's HMAC keys, asked for only when a cursor is checked or issued: a first page
    of comments with no page after it (most articles) never reads the service secret."""

    def __init__(self, rt: runtime.Runtime) -> None:
        self._rt = rt

    def __getattr__(self, name: str) -> Any:
        return getattr(self._rt.keys, name)


def list_comments(article_id: str, event: dict[str, Any]) -> Any:
    """GET /articles/{articleId}/comments?limit=&cursor=&order=oldest|newest"""
    if not is_article_id(article_id):
        raise NotFound()
    rt = runtime.current()
    keys: Any = _KeysWhenNeeded(rt)
    page = reading.published_page(
        rt.table, keys, article_id, query(event, "limit"), query(event, "cursor"), query(event, "order")
    )
    return response(200, page, {"Cache-Control": "public, max-age=5"})


def comment_counts(event: dict[str, Any]) -> Any:
    """GET /articles/comment-counts?ids=a,b,c"""
    counts = reading.comment_counts(runtime.current().table, query(event, "ids"))
    return response(200, counts, {"Cache-Control": "public, max-age=30"})
