"""An article's settings, as an operator changes them: validated whole before they are stored,
so that no stored value can make a later submission fail."""

from typing import Any

from comments.domain.models import ArticleSettings
from comments.domain.ports import CommentStore


def update_settings(store: CommentStore, article_id: str, changes: dict[str, Any]) -> ArticleSettings:
    """The stored settings with `changes` laid over them (raises pydantic's ValidationError for
    an unknown field or a bad value; nothing is written then)."""
    current = store.article_settings(article_id)
    updated = ArticleSettings.model_validate({**current.model_dump(exclude_none=True), **changes})
    store.put_article_settings(article_id, updated)
    return updated
