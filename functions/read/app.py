"""GET /articles/{articleId}/comments (published comments, oldest first) and
GET /articles/comment-counts (published comments per article)."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from comments import reading
from comments.errors import NotFound
from comments.http import install_error_handlers, response
from comments.ids import is_article_id

logger = Logger()
app = APIGatewayHttpResolver()
install_error_handlers(app, logger)


@app.get("/articles/<articleId>/comments")
def list_comments(articleId: str):
    if not is_article_id(articleId):
        raise NotFound()
    params = app.current_event.query_string_parameters or {}
    page = reading.published_page(articleId, params.get("limit"), params.get("cursor"))
    return response(200, page, {"Cache-Control": "public, max-age=5"})


@app.get("/articles/comment-counts")
def comment_counts():
    params = app.current_event.query_string_parameters or {}
    return response(200, reading.comment_counts(params.get("ids")), {"Cache-Control": "public, max-age=30"})


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event, context):
    return app.resolve(event, context)
