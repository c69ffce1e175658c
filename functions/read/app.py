"""GET /articles/{articleId}/comments (published comments, oldest first) and
GET /articles/comment-counts (published comments per article)."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from comments.api import read as api

logger = Logger()
app = APIGatewayHttpResolver()
api.install_error_handlers(app, logger)


@app.get("/articles/<articleId>/comments")
def list_comments(articleId: str):
    return api.list_comments(articleId, app.current_event.raw_event)


@app.get("/articles/comment-counts")
def comment_counts():
    return api.comment_counts(app.current_event.raw_event)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event, context):
    return api.resolve(app, event, context)
