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


def moderators_only(app: APIGatewayHttpResolver, next_middleware):
    """Every route: the caller must be a moderator (401/403 otherwise), and no answer is cached."""
    app.append_context(moderator=api.moderator(app.current_event.raw_event))
    answer = next_middleware(app)
    answer.headers.update(NO_STORE)
    return answer


app.use(middlewares=[moderators_only])


def _event():
    return app.current_event.raw_event


def _query(name: str):
    return (app.current_event.query_string_parameters or {}).get(name)


@app.get("/moderation/queue")
def claim():
    return response(200, api.claim(_query("max")))


@app.get("/moderation/queue/depth")
def depth():
    return response(200, api.queue_depth())


@app.post("/moderation/comments/<commentId>/decision")
def decide(commentId: str):
    return response(200, api.decide(commentId, _event(), app.context["moderator"]))


@app.post("/moderation/comments/<commentId>/release")
def release(commentId: str):
    return response(200, api.release(commentId, _event()))


@app.get("/moderation/comments/<commentId>")
def detail(commentId: str):
    return response(200, api.comment_detail(commentId))


@app.get("/moderation/dlq")
def dead_letters():
    return response(200, api.dead_letter_list(_query("max")))


@app.post("/moderation/dlq/redrive")
def redrive():
    return response(200, api.dead_letter_redrive())


@app.put("/moderation/articles/<articleId>")
def article_settings(articleId: str):
    if not is_article_id(articleId):
        raise NotFound()
    return response(200, api.article_settings(articleId, _event()))


@app.post("/moderation/authors/export")
def export_author():
    return response(200, api.export_author(_event()))


@app.post("/moderation/authors/erase")
def erase_author():
    return response(200, api.erase_author(_event(), app.context["moderator"].name))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
def handler(event, context):
    return app.resolve(event, context)
