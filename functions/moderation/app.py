"""The moderation API (behind the JWT authorizer; the handler checks the moderators group)."""

from aws_lambda_powertools import Logger
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.logging import correlation_paths
from comments import moderation_api as api
from comments.errors import NotFound
from comments.http import install_error_handlers, response
from comments.ids import is_article_id

logger = Logger()
app = APIGatewayHttpResolver()
NO_STORE = {"Cache-Control": "no-store"}
install_error_handlers(app, logger, NO_STORE)


@app.get("/moderation/queue")
def claim():
    api.moderator(app.current_event.raw_event)
    params = app.current_event.query_string_parameters or {}
    return response(200, api.claim(params.get("max")), NO_STORE)


@app.get("/moderation/queue/depth")
def depth():
    api.moderator(app.current_event.raw_event)
    return response(200, api.queue_depth(), NO_STORE)


@app.post("/moderation/comments/<commentId>/decision")
def decide(commentId: str):
    return response(200, api.decide(commentId, app.current_event.raw_event), NO_STORE)


@app.post("/moderation/comments/<commentId>/release")
def release(commentId: str):
    api.moderator(app.current_event.raw_event)
    return response(200, api.release(commentId, app.current_event.raw_event), NO_STORE)


@app.get("/moderation/comments/<commentId>")
def detail(commentId: str):
    api.moderator(app.current_event.raw_event)
    return response(200, api.comment_detail(commentId), NO_STORE)


@app.get("/moderation/dlq")
def dead_letters():
    api.moderator(app.current_event.raw_event)
    params = app.current_event.query_string_parameters or {}
    return response(200, api.dead_letter_list(params.get("max")), NO_STORE)


@app.post("/moderation/dlq/redrive")
def redrive():
    api.moderator(app.current_event.raw_event)
    return response(200, api.dead_letter_redrive(), NO_STORE)


@app.put("/moderation/articles/<articleId>")
def article_settings(articleId: str):
    api.moderator(app.current_event.raw_event)
    if not is_article_id(articleId):
        raise NotFound()
    return response(200, api.article_settings(articleId, app.current_event.raw_event), NO_STORE)


@app.post("/moderation/authors/export")
def export_author():
    api.moderator(app.current_event.raw_event)
    return response(200, api.export_author(app.current_event.raw_event), NO_STORE)


@app.post("/moderation/authors/erase")
def erase_author():
    who = api.moderator(app.current_event.raw_event)
    return response(200, api.erase_author(app.current_event.raw_event, who.name), NO_STORE)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event, context):
    return app.resolve(event, context)
